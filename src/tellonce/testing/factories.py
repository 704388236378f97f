"""factory_boy factories for tests that need people or teams beyond the named world."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from tellonce.accounts.models import User, UserRole
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.organisations.models import Agency, AgencyKind, Role, Service, Team
from tellonce.people.models import NameKind, Person, PersonName, Sex


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.VOLUNTARY
    code = factory.Sequence(lambda n: f"AG{n:04d}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    service = Service.VOLUNTARY
    phone = "020 7946 0999"
    email = factory.Sequence(lambda n: f"team{n}@northbrook.example")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Worker{n}")
    team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or [Role.PRACTITIONER]:
            UserRole.objects.create(user=self, role=role)


class PersonFactory(DjangoModelFactory):
    """A person with a current name, sourced to an agency."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_between", start_date="-17y", end_date="-1y")
    sex = Sex.UNKNOWN
    source_agency = factory.SubFactory(AgencyFactory)
    source_system = "Test system"

    @factory.post_generation
    def current_name(self, create: bool, extracted: object, **kwargs: object) -> None:
        PersonName.objects.create(
            person=self,
            kind=NameKind.CURRENT,
            given_name=self.given_name,
            family_name=self.family_name,
            source_agency=self.source_agency,
            source_system=self.source_system,
        )


class InvolvementFactory(DjangoModelFactory):
    class Meta:
        model = Involvement

    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    capacity = Capacity.VOLUNTARY_SERVICE
    started_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=90))
    source_agency = factory.SelfAttribute("team.agency")
    source_system = TELLONCE_SYSTEM
    confirmation = Confirmation.SYSTEM_OF_RECORD
