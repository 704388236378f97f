"""A small partnership for tests, with people named as STYLE.md asks:

- Sam, a MASH social worker; Maria, the MASH manager; Tom, a police MASH officer;
  Hannah, the health MASH lead; Ed, the education MASH representative (all in the MASH).
- Dana, designated safeguarding lead at Oakfield Primary, where Jack goes to school.
- Priya, a health visitor working with Jack's baby sister Lily.
- Erin, an early help practitioner; Paul, a personal adviser; neither involved with Jack.
- Ana, a partnership analyst; Adam, an administrator.
- Olly, a police officer in public protection, not involved with anyone here.
- The agency systems' API accounts, each with a token: the police's (in public
  protection), the police MASH desk's, the health MASH team's and Oakfield's.

Children: Jack Taylor (8, at Oakfield), Lily Taylor (1, health visiting), their mother
Kerry Taylor; Amir Hassan (in the MASH's work); Ruby Green (known to no one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tellonce.accounts.models import User, UserRole
from tellonce.accounts.services import api_token_issue
from tellonce.audit.services import COMMAND_LINE
from tellonce.core.models import TELLONCE_SYSTEM
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.organisations.models import Agency, AgencyKind, Role, Service, Team
from tellonce.people.models import (
    Address,
    Ethnicity,
    Household,
    HouseholdMember,
    IdentifierScheme,
    NameKind,
    Person,
    PersonIdentifier,
    PersonName,
    Relationship,
    RelationshipKind,
    Residence,
    Sex,
)

PASSWORD = "correct-horse-battery-staple"


def _years_ago(years: int, month: int = 3, day: int = 14) -> date:
    today = date.today()
    return date(today.year - years, month, day)


@dataclass
class World:
    council: Agency
    police: Agency
    health: Agency
    school: Agency
    mash: Team
    early_help: Team
    leaving_care: Team
    police_mash: Team
    public_protection: Team
    health_mash: Team
    health_visiting: Team
    education_mash: Team
    oakfield_dsl: Team
    sam: User
    maria: User
    tom: User
    hannah: User
    ed: User
    dana: User
    priya: User
    erin: User
    paul: User
    ana: User
    adam: User
    olly: User
    police_system: User
    desk_system: User
    health_system: User
    school_system: User
    police_token: str
    desk_token: str
    health_token: str
    school_token: str
    jack: Person
    lily: Person
    kerry: Person
    amir: Person
    ruby: Person

    @property
    def practitioners(self) -> dict[str, User]:
        names = "sam maria tom hannah ed dana priya erin paul ana adam olly".split()
        return {name: getattr(self, name) for name in names}


def practitioner_make(
    username: str, first: str, last: str, team: Team, *roles: str, **extra: object
) -> User:
    """A practitioner (or manager) in `team` with these roles, who signs in with PASSWORD."""
    user = User(username=username, first_name=first, last_name=last, team=team, **extra)
    user.set_password(PASSWORD)
    user.save()
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    return user


def _person(given: str, family: str, born: date, sex: str, source: Agency, system: str) -> Person:
    person = Person.objects.create(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        ethnicity=Ethnicity.WBRI,
        source_agency=source,
        source_system=system,
    )
    PersonName.objects.create(
        person=person,
        kind=NameKind.CURRENT,
        given_name=given,
        family_name=family,
        source_agency=source,
        source_system=system,
    )
    return person


def build_world() -> World:
    council = Agency.objects.create(
        name="Northbrook Council",
        kind=AgencyKind.LOCAL_AUTHORITY,
        code="NBC",
        phone="020 7946 0000",
    )
    police = Agency.objects.create(
        name="Northbrook Police", kind=AgencyKind.POLICE, code="NBP", phone="020 7946 0100"
    )
    health = Agency.objects.create(
        name="Northbrook Community Health NHS Trust",
        kind=AgencyKind.NHS_TRUST,
        code="RNB",
        phone="020 7946 0200",
        email="enquiries@nbch.example",
    )
    school = Agency.objects.create(
        name="Oakfield Primary School", kind=AgencyKind.SCHOOL, code="100001"
    )

    def team(agency: Agency, name: str, service: str, mash: Team | None = None) -> Team:
        slug = name.lower().replace(" ", "-")
        return Team.objects.create(
            agency=agency,
            name=name,
            service=service,
            phone="020 7946 1" + str(Team.objects.count()).zfill(3),
            email=f"{slug}@northbrook.example",
            mash=mash,
        )

    mash = team(council, "Northbrook MASH", Service.MASH)
    early_help = team(council, "Early help team", Service.EARLY_HELP)
    leaving_care = team(council, "Leaving care team", Service.LEAVING_CARE)
    partnership = team(council, "Partnership business unit", Service.PARTNERSHIP)
    digital = team(council, "Digital team", Service.DIGITAL)
    education_mash = team(council, "Education MASH", Service.EDUCATION_MASH, mash)
    police_mash = team(police, "Police MASH desk", Service.POLICE_MASH, mash)
    public_protection = team(police, "Public protection unit", Service.POLICE_PUBLIC_PROTECTION)
    health_mash = team(health, "Health MASH team", Service.HEALTH_MASH, mash)
    health_visiting = team(health, "Health visiting", Service.HEALTH_VISITING)
    oakfield_dsl = team(school, "Designated safeguarding lead", Service.SCHOOL_SAFEGUARDING)

    sam = practitioner_make("sam", "Sam", "Okafor", mash, Role.MASH_SOCIAL_WORKER)
    maria = practitioner_make("maria", "Maria", "Lopez", mash, Role.MASH_MANAGER, is_manager=True)
    tom = practitioner_make("tom", "Tom", "Price", police_mash, Role.POLICE_MASH_OFFICER)
    hannah = practitioner_make("hannah", "Hannah", "Reid", health_mash, Role.HEALTH_MASH_LEAD)
    ed = practitioner_make("ed", "Ed", "Novak", education_mash, Role.EDUCATION_MASH_REPRESENTATIVE)
    dana = practitioner_make("dana", "Dana", "Whyte", oakfield_dsl, Role.SCHOOL_DSL)
    priya = practitioner_make("priya", "Priya", "Shah", health_visiting, Role.PRACTITIONER)
    erin = practitioner_make("erin", "Erin", "Cole", early_help, Role.EARLY_HELP_PRACTITIONER)
    paul = practitioner_make("paul", "Paul", "Mensah", leaving_care, Role.PERSONAL_ADVISER)
    ana = practitioner_make("ana", "Ana", "Silva", partnership, Role.PARTNERSHIP_ANALYST)
    adam = practitioner_make("adam", "Adam", "Byrne", digital, Role.ADMINISTRATOR, is_staff=True)
    olly = practitioner_make("olly", "Olly", "Grant", public_protection, Role.PRACTITIONER)
    police_system = practitioner_make(
        "police-system", "Niche", "RMS", public_protection, is_system_account=True
    )
    desk_system = practitioner_make(
        "police-mash-system", "MASH desk", "interface", police_mash, is_system_account=True
    )
    health_system = practitioner_make(
        "health-mash-system", "Health MASH", "interface", health_mash, is_system_account=True
    )
    school_system = practitioner_make(
        "oakfield-system", "SIMS", "", oakfield_dsl, is_system_account=True
    )
    police_token = api_token_issue(user=police_system, by=None, via=COMMAND_LINE)
    desk_token = api_token_issue(user=desk_system, by=None, via=COMMAND_LINE)
    health_token = api_token_issue(user=health_system, by=None, via=COMMAND_LINE)
    school_token = api_token_issue(user=school_system, by=None, via=COMMAND_LINE)

    kerry = _person("Kerry", "Taylor", _years_ago(29), Sex.FEMALE, council, "Mosaic")
    jack = _person("Jack", "Taylor", _years_ago(8, 5, 2), Sex.MALE, school, "SIMS")
    lily = _person("Lily", "Taylor", _years_ago(1, 9, 20), Sex.FEMALE, health, "SystmOne")
    amir = _person("Amir", "Hassan", _years_ago(12, 11, 30), Sex.MALE, council, "Mosaic")
    ruby = _person("Ruby", "Green", _years_ago(6, 1, 9), Sex.FEMALE, health, "SystmOne")

    PersonIdentifier.objects.create(
        person=jack,
        scheme=IdentifierScheme.NHS_NUMBER,
        value="9434765919",
        source_agency=health,
        source_system="SystmOne",
    )
    PersonIdentifier.objects.create(
        person=jack,
        scheme=IdentifierScheme.UPN,
        value="Q801200110001",
        source_agency=school,
        source_system="SIMS",
    )
    PersonName.objects.create(
        person=jack,
        kind=NameKind.BIRTH,
        given_name="Jack",
        family_name="Barnes",
        used_until=_years_ago(5),
        source_agency=council,
        source_system="Mosaic",
    )
    home = Address.objects.create(
        uprn="100021234567", line_1="Flat 3, Alder House", town="Northbrook", postcode="NB1 4QT"
    )
    household = Household.objects.create(address=home)
    for member in (kerry, jack, lily):
        Residence.objects.create(
            person=member,
            address=home,
            moved_in=_years_ago(1),
            source_agency=council,
            source_system="Mosaic",
        )
        HouseholdMember.objects.create(
            household=household, person=member, source_agency=council, source_system="Mosaic"
        )
    for child in (jack, lily):
        Relationship.objects.create(
            person=kerry,
            kind=RelationshipKind.MOTHER,
            relative=child,
            has_parental_responsibility=True,
            source_agency=council,
            source_system="Mosaic",
        )
    Relationship.objects.create(
        person=jack,
        kind=RelationshipKind.HALF_SIBLING,
        relative=lily,
        source_agency=council,
        source_system="Mosaic",
    )

    def involve(person: Person, team: Team, capacity: str, **extra: object) -> Involvement:
        return Involvement.objects.create(
            person=person,
            team=team,
            capacity=capacity,
            source_agency=team.agency,
            source_system=TELLONCE_SYSTEM,
            **{"confirmation": Confirmation.SYSTEM_OF_RECORD, **extra},
        )

    involve(jack, oakfield_dsl, Capacity.SCHOOL, practitioner=dana)
    involve(lily, health_visiting, Capacity.HEALTH_VISITING, practitioner=priya)
    involve(kerry, health_visiting, Capacity.HEALTH_VISITING, practitioner=priya)
    involve(amir, mash, Capacity.MASH_ENQUIRY, practitioner=sam)
    involve(amir, public_protection, Capacity.POLICE_INVESTIGATION)

    return World(
        council=council,
        police=police,
        health=health,
        school=school,
        mash=mash,
        early_help=early_help,
        leaving_care=leaving_care,
        police_mash=police_mash,
        public_protection=public_protection,
        health_mash=health_mash,
        health_visiting=health_visiting,
        education_mash=education_mash,
        oakfield_dsl=oakfield_dsl,
        sam=sam,
        maria=maria,
        tom=tom,
        hannah=hannah,
        ed=ed,
        dana=dana,
        priya=priya,
        erin=erin,
        paul=paul,
        ana=ana,
        adam=adam,
        olly=olly,
        police_system=police_system,
        desk_system=desk_system,
        health_system=health_system,
        school_system=school_system,
        police_token=police_token,
        desk_token=desk_token,
        health_token=health_token,
        school_token=school_token,
        jack=jack,
        lily=lily,
        kerry=kerry,
        amir=amir,
        ruby=ruby,
    )
