"""At intake each child named by their details is matched by the linkage engine: a
school's contact about a child the police and the GP already know joins that child's
person, so the MASH sees at once who is involved; a child new to TellOnce becomes a
person the next agency's record will find."""

from __future__ import annotations

from datetime import date

import pytest

from tellonce.accounts.models import User
from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.mash.models import Channel as ContactChannel
from tellonce.mash.models import ContactChild
from tellonce.mash.selectors import case_picture
from tellonce.mash.services import ChildDetails, ContactDetails, contact_make
from tellonce.organisations.models import Role
from tellonce.people.models import AgencyRecord

pytestmark = pytest.mark.django_db
WEB = Via(Channel.WEB)


def _contact(child: ChildDetails) -> ContactDetails:
    return ContactDetails(
        children=[child],
        source="2A",
        referrer_name="A safeguarding lead",
        referrer_role="Designated safeguarding lead",
        referrer_phone="020 7946 0999",
        referrer_email="",
        concern="The child disclosed being hit at home with a belt and has marks on the arm.",
        help_so_far="Pastoral support in school; spoke to the child with the class teacher.",
        child_needs="Safety at home; the child's asthma needs regular review.",
        child_voice="Said they are scared of going home tonight.",
        household="Mother, stepfather and two younger siblings.",
        family_knows=False,
        consent="not_sought",
        sharing_reason="Telling the parents first could put the child at risk of further harm.",
    )


def test_a_known_child_named_by_details_joins_their_person(linked):
    dsl = User.objects.filter(roles__role=Role.SCHOOL_DSL).first()
    mash = User.objects.filter(roles__role=Role.MASH_SOCIAL_WORKER).first()
    known = (
        AgencyRecord.objects.filter(person__isnull=False, date_of_birth__year__gte=2012)
        .exclude(given_name="")
        .exclude(postcode="")
        .exclude(nhs_number="")
        .order_by("pk")
        .first()
    )
    contact = contact_make(
        user=dsl,
        details=_contact(
            ChildDetails(
                given_name=known.given_name,
                family_name=known.family_name,
                date_of_birth=known.date_of_birth,
                sex=known.sex,
                postcode=known.postcode,
            )
        ),
        channel=ContactChannel.API,
        via=WEB,
    )
    child = contact.children.get()
    assert child.match == ContactChild.Match.LINKED
    assert child.person_id == known.person_id
    record = AgencyRecord.objects.get(local_id=f"contact-{contact.pk}-1")
    assert (record.agency, record.person_id) == (dsl.team.agency, known.person_id)
    picture = case_picture(user=mash, case_id=child.case_id, via=WEB)
    assert picture.case.person_id == known.person_id


def test_a_child_new_to_tellonce_becomes_a_person_of_their_own(linked):
    dsl = User.objects.filter(roles__role=Role.SCHOOL_DSL).first()
    contact = contact_make(
        user=dsl,
        details=_contact(
            ChildDetails(
                given_name="Zephyrine",
                family_name="Quillfeather",
                date_of_birth=date(2017, 2, 11),
                postcode="NB9 9ZZ",
            )
        ),
        channel=ContactChannel.WEB,
        via=WEB,
    )
    child = contact.children.get()
    assert child.match == ContactChild.Match.NEW
    assert child.person.full_name == "Zephyrine Quillfeather"
    assert child.person.agency_records.count() == 1
