"""The synthetic borough's logins: one practitioner per role and the agency system
accounts the API demo uses.

Owns `demo_users_ensure()`, `system_accounts_ensure()` and `demo_logins()`. Every
practitioner login shares one demo password and is marked `is_demo_account`, which lets
it sign in without a second factor in the demo environment only. The password is hashed
once with the configured hasher (Argon2 is slow by design) and the hash reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from tellonce.accounts.models import User, UserRole
from tellonce.accounts.services import administrator_grant, api_token_issue
from tellonce.audit.services import COMMAND_LINE
from tellonce.borough.organisations import Partnership
from tellonce.involvements.models import Involvement
from tellonce.organisations.models import Role, Team

DEMO_PASSWORD = "northbrook-demo-2026"  # noqa: S105 (a published demo password)
URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    role: str
    #: The team's key in `Partnership.teams`, or "school" for the DSL's school.
    team: str
    job_title: str
    is_manager: bool = False
    is_staff: bool = False


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("sam.mash", "Sam", "Mitchell", Role.MASH_SOCIAL_WORKER, "mash", "Social worker"),
    DemoLogin(
        "maria.manager",
        "Maria",
        "Santos",
        Role.MASH_MANAGER,
        "mash",
        "MASH team manager",
        is_manager=True,
    ),
    DemoLogin(
        "tom.police",
        "Tom",
        "Harding",
        Role.POLICE_MASH_OFFICER,
        "police_mash",
        "Detective constable, MASH",
    ),
    DemoLogin(
        "hannah.health",
        "Hannah",
        "Reid",
        Role.HEALTH_MASH_LEAD,
        "health_mash",
        "Safeguarding nurse, health MASH lead",
    ),
    DemoLogin(
        "ed.education",
        "Ed",
        "Okonkwo",
        Role.EDUCATION_MASH_REPRESENTATIVE,
        "education_mash",
        "Education safeguarding officer",
    ),
    DemoLogin(
        "dana.dsl",
        "Dana",
        "Whitfield",
        Role.SCHOOL_DSL,
        "school",
        "Designated safeguarding lead",
    ),
    DemoLogin(
        "erin.earlyhelp",
        "Erin",
        "Gallagher",
        Role.EARLY_HELP_PRACTITIONER,
        "early_help",
        "Early help practitioner",
    ),
    # Brokers a lead for early help nobody has accepted (`earlyhelp.services.is_broker`).
    # Not an early help practitioner by role: the MASH's history names only those as
    # leads, and she is not one of them.
    DemoLogin(
        "gwen.ehmanager",
        "Gwen",
        "Harper",
        Role.PRACTITIONER,
        "early_help",
        "Early help team manager",
        is_manager=True,
    ),
    DemoLogin(
        "paul.adviser",
        "Paul",
        "Mensah",
        Role.PERSONAL_ADVISER,
        "leaving_care",
        "Personal adviser",
    ),
    DemoLogin(
        "priya.visitor",
        "Priya",
        "Sharma",
        Role.PRACTITIONER,
        "health_visiting",
        "Health visitor",
    ),
    DemoLogin(
        "eddie.edt",
        "Eddie",
        "Okoro",
        Role.PRACTITIONER,
        "edt",
        "Emergency duty social worker",
    ),
    DemoLogin(
        "rita.rhi",
        "Rita",
        "Banerjee",
        Role.PRACTITIONER,
        "return_interviews",
        "Return home interview worker",
    ),
    DemoLogin(
        "ana.analyst",
        "Ana",
        "Kowalska",
        Role.PARTNERSHIP_ANALYST,
        "partnership",
        "Partnership performance analyst",
    ),
    DemoLogin(
        "adam.admin",
        "Adam",
        "Clarke",
        Role.ADMINISTRATOR,
        "digital",
        "Systems administrator",
        is_staff=True,
    ),
)


@dataclass(frozen=True)
class SystemAccount:
    username: str
    team: str
    job_title: str


SYSTEM_ACCOUNTS: tuple[SystemAccount, ...] = (
    SystemAccount("police-system", "ppu", "Northbrook Police Niche RMS interface"),
    # The MASH partners' desks read their inboxes through the API as their people do.
    SystemAccount("police-mash-system", "police_mash", "Police MASH desk interface"),
    SystemAccount("health-mash-system", "health_mash", "Health MASH team interface"),
    SystemAccount("health-system", "health_visiting", "Community health SystmOne interface"),
    SystemAccount("council-system", "assessment", "Council Mosaic interface"),
    SystemAccount("school-system", "school", "School MIS interface (Operation Encompass)"),
    SystemAccount("housing-system", "housing", "Housing Abritas interface"),
)

#: Demo users who appear as named workers on some of their team's involvements.
NAMED_WORKERS = {
    "sam.mash": "mash",
    "erin.earlyhelp": "early_help",
    "paul.adviser": "leaving_care",
    "priya.visitor": "health_visiting",
}


def dsl_school(partnership: Partnership) -> Team:
    """The demo DSL's school: the borough's biggest secondary (see the generator)."""
    return partnership.secondary_schools[0]


def _team_for(partnership: Partnership, key: str) -> Team:
    return dsl_school(partnership) if key == "school" else partnership.teams[key]


def demo_users_ensure(partnership: Partnership) -> dict[str, User]:
    """Create the demo logins that are missing; return every one by username."""
    existing = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    password_hash: str | None = None
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        user = existing.get(login.username)
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                username=login.username,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@northbrook.example",
                password=password_hash,
                team=_team_for(partnership, login.team),
                job_title=login.job_title,
                is_manager=login.is_manager,
                is_staff=login.is_staff,
                is_demo_account=True,
            )
            UserRole.objects.create(user=user, role=login.role)
            if login.is_staff:
                administrator_grant(user=user)
        users[login.username] = user
    return users


def system_accounts_ensure(partnership: Partnership) -> dict[str, str]:
    """Create the agency system accounts that are missing; return username -> token."""
    tokens: dict[str, str] = {}
    for account in SYSTEM_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                first_name=account.job_title,
                team=_team_for(partnership, account.team),
                job_title=account.job_title,
                is_system_account=True,
                is_demo_account=True,
            )
            user.set_unusable_password()
            user.save()
        tokens[account.username] = api_token_issue(user=user, by=None, via=COMMAND_LINE)
    return tokens


def system_tokens() -> dict[str, str]:
    """Tokens are kept only as hashes and shown once: seeding again issues new ones
    (the old ones are revoked) so that the demo can print them."""
    users = User.objects.filter(username__in=[a.username for a in SYSTEM_ACCOUNTS])
    return {u.username: api_token_issue(user=u, by=None, via=COMMAND_LINE) for u in users}


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, team) of each demo login, in the order of `DEMO_LOGINS`: the
    role as the practitioner would say it (a health visitor's job title, not the
    generic practitioner role)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=_demo_usernames()).select_related("team__agency")
    }
    rows = []
    for login in DEMO_LOGINS:
        user = users.get(login.username)
        if user is not None:
            role = login.job_title if login.role == Role.PRACTITIONER else Role(login.role).label
            rows.append((login.username, role, _team_label(user.team)))
    return rows


def _team_label(team: Team | None) -> str:
    if team is None:
        return ""
    # A school's DSL team already names its school.
    return team.name if team.agency.name in team.name else str(team)


def _demo_usernames() -> list[str]:
    return [login.username for login in DEMO_LOGINS]


def demo_involvement_to_confirm(erin: User) -> Involvement | None:
    """Erin, the demo's early help practitioner, says her team started working with a
    pupil two days ago: until a manager confirms it (maria.manager sees it on her home
    page), Erin sees the pupil's flag, not the record. None if no pupil is free of
    early help."""
    from datetime import timedelta

    from django.utils import timezone

    from tellonce.audit.services import COMMAND_LINE
    from tellonce.involvements.models import Capacity
    from tellonce.involvements.services import involvement_record
    from tellonce.people.models import Person

    today = timezone.localdate()
    helped = Involvement.objects.current().filter(capacity=Capacity.EARLY_HELP)
    pupil = (
        Person.objects.filter(
            involvements__capacity=Capacity.SCHOOL,
            involvements__ended_on__isnull=True,
            date_of_birth__gt=today - timedelta(days=11 * 365),
            date_of_birth__lt=today - timedelta(days=6 * 365),
        )
        .exclude(pk__in=helped.values("person_id"))
        .order_by("pk")
        .first()
    )
    if pupil is None:
        return None
    return involvement_record(
        user=erin,
        person=pupil,
        capacity=Capacity.EARLY_HELP,
        started_on=today - timedelta(days=2),
        via=COMMAND_LINE,
    )


def demo_nobody_leads(dsl: User, *, on: Any) -> Any:
    """The council's housing team starts working with a family whose child is at the
    demo DSL's school, and nobody leads their help: the school and housing are told who
    else is there (`earlyhelp.services.no_lead_check`). The child, or None if no pupil
    of the school is free of a lead, social care and early help."""
    from tellonce.core.models import TELLONCE_SYSTEM
    from tellonce.earlyhelp.models import Episode
    from tellonce.earlyhelp.services import STATUTORY, live_notice
    from tellonce.involvements.models import Capacity, Confirmation
    from tellonce.involvements.services import involvement_start
    from tellonce.organisations.models import Service
    from tellonce.people.models import Person

    housing = Team.objects.filter(service=Service.HOUSING).select_related("agency").first()
    if housing is None or dsl.team is None:
        return None
    busy = Involvement.objects.current().filter(
        Q(is_lead_professional=True) | Q(capacity__in=STATUTORY) | Q(team=housing)
    )
    pupil = (
        Person.objects.filter(
            involvements__team=dsl.team,
            involvements__capacity=Capacity.SCHOOL,
            involvements__ended_on__isnull=True,
        )
        .exclude(pk__in=busy.values("person_id"))
        .exclude(pk__in=Episode.objects.values("person_id"))
        .order_by("pk")
        .first()
    )
    if pupil is None:
        return None
    involvement_start(
        person=pupil,
        team=housing,
        capacity=Capacity.HOUSING,
        started_on=on,
        source_agency=housing.agency,
        # Recorded in TellOnce by the housing team, and confirmed there.
        source_system=TELLONCE_SYSTEM,
        confirmation=Confirmation.CONFIRMED,
    )
    return pupil if live_notice(pupil) is not None else None


def demo_withdrawals(*, dsl: User, manager: User, officer: User) -> dict[str, int]:
    """Something recorded in error, and withdrawn, for the demo to show: the DSL's
    contact about the wrong pupil yesterday, withdrawn by the MASH manager (the DSL has
    its alert, the contact's page says so); and the force's latest domestic abuse
    incident, withdrawn by the officer as recorded about the wrong household (its
    school has the alert, its notification says so)."""
    from datetime import time, timedelta

    from django.utils import timezone

    from tellonce.borough.mash import working_moment
    from tellonce.encompass.models import DomesticAbuseIncident
    from tellonce.encompass.services import incident_withdraw
    from tellonce.involvements.models import Capacity
    from tellonce.mash import services as mash
    from tellonce.mash.models import Channel, Consent, MashCase, ReferralSource

    done = {"contacts": 0, "incidents": 0}
    assert dsl.team is not None
    busy = MashCase.objects.values("person_id")
    pupil = (
        Involvement.objects.current()
        .filter(team=dsl.team, capacity=Capacity.SCHOOL)
        .exclude(person__in=busy)
        .order_by("person_id")
        .values_list("person", flat=True)
        .first()
    )
    if pupil is not None:
        contact = mash.contact_make(
            user=dsl,
            details=mash.ContactDetails(
                children=[mash.ChildDetails(person_id=pupil)],
                source=ReferralSource.SCHOOLS,
                referrer_name=dsl.get_full_name(),
                referrer_role=dsl.job_title,
                referrer_phone=dsl.team.phone or "020 7946 0000",
                referrer_email=dsl.email,
                concern=(
                    "The pupil came to school with a burn on the hand and would not say how it"
                    " happened. They were withdrawn in class and flinched when touched."
                ),
                help_so_far="Spoke with the pupil with the head of year; first aid; logged it.",
                child_needs="To be safe at home and for the burn to be seen by a nurse.",
                child_voice="Said only that it was an accident in the kitchen.",
                household="Mum and an older brother.",
                family_knows=False,
                consent=Consent.NOT_SOUGHT,
                sharing_reason="Asking mum first could put the pupil at risk tonight.",
            ),
            channel=Channel.WEB,
            via=COMMAND_LINE,
            # Yesterday, in the school day.
            received_on=working_moment(time(11, 20), not_after=timezone.now() - timedelta(days=1)),
        )
        mash.contact_withdraw(
            user=manager,
            contact=contact,
            reason="Recorded in error: the school meant another pupil of the same name in"
            " the year above, and has sent a new contact about them.",
            via=COMMAND_LINE,
        )
        done["contacts"] = 1
    assert officer.team is not None
    incident = (
        DomesticAbuseIncident.objects.filter(police=officer.team.agency)
        .order_by("-received_on", "-pk")
        .first()
    )
    if incident is not None:
        incident_withdraw(
            user=officer,
            incident=incident,
            reason="Recorded in error: the wrong household; the call was to the flat next door.",
            via=COMMAND_LINE,
        )
        done["incidents"] = 1
    return done


#: A family new to TellOnce, as each agency's system knows it (`demo_family_arrives`).
_FAMILY_POSTCODE = "NB7 9ZZ"
_MOTHER: dict[str, object] = {
    "given_name": "Kerrianne",
    "family_name": "Oduya",
    "date_of_birth": "1994-06-11",
}
_PUPIL: dict[str, object] = {
    "given_name": "Jaxon",
    "family_name": "Oduya",
    "date_of_birth": "2018-05-02",
    "sex": "M",
}
_TODDLER: dict[str, object] = {
    "given_name": "Lilou",
    "family_name": "Oduya",
    "date_of_birth": "2023-09-14",
    "sex": "F",
}
_BABY: dict[str, object] = {
    "given_name": "Maxen",
    "family_name": "Oduya",
    "date_of_birth": "2025-11-20",
    "sex": "M",
}


def demo_family_arrives(*, started_on: str) -> dict[str, int]:
    """The practice study's trial, in the demo: a family new to TellOnce arrives as the
    agencies' own systems send it (as `POST /api/v1/records/` would), once the linkage
    model is trained: the demo DSL's school sends the pupil with his mother as a contact,
    housing the mother and the children in her household, health visiting the two
    youngest with their mother. Linked on arrival, their records make one household, and
    the school, housing and health visiting are each told of the others (dana.dsl's and
    priya.visitor's alerts). Nothing when it has arrived already, or no model is trained."""
    from tellonce.feeds.services import agency_record_check, agency_record_receive
    from tellonce.linkage.arrivals import contacts_link, record_link
    from tellonce.linkage.services import LinkageNotReadyError, active_model
    from tellonce.people.models import AgencyRecord

    if AgencyRecord.objects.filter(system="Abritas", local_id="TA-OD-K").exists():
        return {"records": 0}
    try:
        active_model()
    except LinkageNotReadyError:
        return {"records": 0}
    accounts = {
        u.username: u
        for u in User.objects.filter(
            username__in=["school-system", "housing-system", "health-system"]
        ).select_related("team__agency")
    }
    if len(accounts) < 3:
        return {"records": 0}
    school, housing, visiting = (
        accounts["school-system"],
        accounts["housing-system"],
        accounts["health-system"],
    )
    assert school.team and housing.team and visiting.team
    sent: list[tuple[User, dict[str, object]]] = [
        (
            school,
            {
                "system": "SIMS",
                "record_id": "UPN-OD-1",
                **_PUPIL,
                "team": school.team.name,
                "capacity": "school",
                "started_on": started_on,
                "contact1_given_name": _MOTHER["given_name"],
                "contact1_family_name": _MOTHER["family_name"],
                "contact1_is": "Mother",
                "contact1_phone": "07700 900123",
                "contact1_parental_responsibility": True,
                "contact1_lives_with": True,
            },
        ),
        (
            housing,
            {
                "system": "Abritas",
                "record_id": "TA-OD-K",
                **_MOTHER,
                "team": housing.team.name,
                "capacity": "housing",
                "started_on": started_on,
                "household_ref": "TA-2291",
            },
        ),
        *(
            (housing, {"system": "Abritas", "record_id": rid, **who, "household_ref": "TA-2291"})
            for rid, who in (("TA-OD-J", _PUPIL), ("TA-OD-L", _TODDLER), ("TA-OD-M", _BABY))
        ),
        (visiting, {"system": "SystmOne", "record_id": "HV-OD-K", **_MOTHER}),
        *(
            (
                visiting,
                {
                    "system": "SystmOne",
                    "record_id": rid,
                    **who,
                    "team": visiting.team.name,
                    "capacity": "health_visiting",
                    "started_on": started_on,
                    "relative1_record": "HV-OD-K",
                    "relative1_is": "mother",
                    "relative1_parental_responsibility": True,
                    "relative1_lives_with": True,
                },
            )
            for rid, who in (("HV-OD-L", _TODDLER), ("HV-OD-M", _BABY))
        ),
    ]
    linked = 0
    for account, body in sent:
        agency = account.team.agency  # type: ignore[union-attr]
        row, system, problems = agency_record_check(
            {"postcode": _FAMILY_POSTCODE, **body}, agency=agency
        )
        assert row is not None and not problems, problems
        record = agency_record_receive(
            user=account, agency=agency, system=system, row=row, via=COMMAND_LINE
        ).record
        record_link(record.pk)
        contacts_link(record)
        linked += 1
    return {"records": linked}
