"""The Northbrook Safeguarding Children Partnership: its agencies and their teams.

Owns `partnership_ensure()`, which creates (or finds) the council, police, NHS trusts,
integrated care board, GP practices, schools and colleges, council housing and the
voluntary sector, each team with a phone number and email address, and returns a
`Partnership` the generator reads team and agency ids from.

The partnership is the same whatever the seed: only the people differ. Phone numbers
are in Ofcom's range kept for drama (020 7946 0000 to 0999), so none reaches anyone;
email addresses are under northbrook.example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tellonce.organisations.models import Agency, AgencyKind, Service, Team

DOMAIN = "northbrook.example"
EDT_PHONE = "020 7946 0999"
_EDT_OUT_OF_HOURS = f"Outside office hours: the emergency duty team, {EDT_PHONE}"


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",")]


_PRIMARY_STEMS = _names(
    """Oakfield, Brookside, Northbrook Park, Elmhurst, Hawthorn, Willowbank, Ashgrove,
Riverside, Meadowview, Beechwood, Cedar, Grange, Kingsley, Fairfield, Greenside,
Southfield, Westfield, Eastwood, Highfield, Millbrook, Orchard, Parkside, Rowan,
Summerfield, Thornhill, Victoria, Windmill, Woodlands, Hillside, Lime Tree,
Chestnut Grove, Station Road, Church Lane, Bridgewater, Canal Side, Ferry Lane,
Heathfield, Lakeside, Maple Walk, Nightingale, Seacole, Pankhurst, Brunel, Faraday,
Darwin, Tennyson, Shelley, Keats, Milton, Holly Bank, Larkrise, Blossom Hill,
Laurel Bank, Primrose Hill, Foxfield, Kestrel, Heron"""
)
_FAITH_PRIMARIES = (
    "St Mary's Church of England",
    "St Joseph's Catholic",
    "Our Lady of Lourdes Catholic",
    "St John's Church of England",
    "Holy Trinity Church of England",
    "St Anne's Catholic",
    "Al-Noor",
    "Northbrook Jewish",
)
_SECONDARIES = (
    "Northbrook Academy",
    "Kingsley High School",
    "Brookside School",
    "St Thomas More Catholic High School",
    "Oakfield Academy",
    "Riverside Community College",
    "Northbrook Girls' School",
    "Northbrook Boys' School",
    "Heathfield Academy",
    "Elmhurst School",
    "Bishop Ridley Church of England School",
    "Westfield Academy",
    "Highfield School",
    "Millbrook Academy",
    "Seacole School",
)
_COLLEGES = ("Northbrook College", "Northbrook Sixth Form College")
_GP_STEMS = _names(
    """Oakfield, Station Road, Brookside, The Green, Northbrook Park, Elm Tree, Kingsley,
Riverside, Church Lane, Fairfield, Westfield, Millbrook, Meadow, Grange, Victoria,
Heathfield, Orchard, Southfield, Highfield, Lakeside, Cedar, Willowbank, Hawthorn,
Canal Side, Ferry Lane, Bridgewater, Thornhill, Ashgrove, Lime Tree, Hillside"""
)
_GP_KINDS = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Group Practice")
_VOLUNTARY = (
    ("Northbrook Young Carers", "Young carers project"),
    ("Brookside Family Support", "Family support workers"),
    ("Safe Harbour Domestic Abuse Service", "Children and young people's service"),
)
_SCHOOL_SYSTEMS = ("SIMS", "SIMS", "SIMS", "Arbor", "Arbor", "Bromcom")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


@dataclass
class Partnership:
    """The partnership's teams, as the generator needs them (ids, agency, system)."""

    council: Agency
    police: Agency
    community_health: Agency
    hospital: Agency
    icb: Agency
    housing_agency: Agency
    #: Council, police and NHS teams by a short stable key ("mash", "early_help", ...).
    teams: dict[str, Team]
    gp_practices: list[Team]
    primary_schools: list[Team]
    secondary_schools: list[Team]
    colleges: list[Team]
    voluntary: list[Team]
    #: The record system each agency keeps people in (`AgencyRecord.system`)...
    systems: dict[int, str] = field(default_factory=dict)
    #: ...unless the team keeps its own: early help, CAMHS and education do.
    team_systems: dict[int, str] = field(default_factory=dict)

    @property
    def all_teams(self) -> list[Team]:
        return [
            *self.teams.values(),
            *self.gp_practices,
            *self.primary_schools,
            *self.secondary_schools,
            *self.colleges,
            *self.voluntary,
        ]

    def system_of(self, team: Team) -> str:
        return self.team_systems.get(team.pk) or self.systems[team.agency_id]


class _Phones:
    """Hands out numbers from the drama range in order, so reruns give the same ones."""

    def __init__(self) -> None:
        self._next = 100

    def take(self) -> str:
        number = f"020 7946 0{self._next:03d}"
        self._next += 1
        return number


def _agency(
    existing: dict[str, Agency], phones: _Phones, *, code: str, name: str, kind: str, email: str
) -> Agency:
    agency = existing.get(code)
    if agency is None:
        agency = Agency.objects.create(
            code=code, name=name, kind=kind, phone=phones.take(), email=email
        )
        existing[code] = agency
    else:
        phones.take()
    return agency


def _team(
    existing: dict[tuple[int, str], Team],
    phones: _Phones,
    agency: Agency,
    *,
    name: str,
    service: str,
    email: str,
    out_of_hours: str = _EDT_OUT_OF_HOURS,
    mash: Team | None = None,
    phone: str | None = None,
) -> Team:
    team = existing.get((agency.pk, name))
    number = phone or phones.take()
    if team is None:
        team = Team.objects.create(
            agency=agency,
            name=name,
            service=service,
            phone=number,
            email=email,
            out_of_hours=out_of_hours,
            mash=mash,
        )
        existing[(agency.pk, name)] = team
    team.agency = agency
    return team


def partnership_ensure() -> Partnership:
    """Create whatever part of the Northbrook partnership is missing, and return it."""
    agencies = {a.code: a for a in Agency.all_objects.all()}
    teams = {(t.agency_id, t.name): t for t in Team.all_objects.all()}
    phones = _Phones()

    def agency(code: str, name: str, kind: str, email: str) -> Agency:
        return _agency(agencies, phones, code=code, name=name, kind=kind, email=email)

    def team(owner: Agency, name: str, service: str, email: str, **kw: object) -> Team:
        return _team(teams, phones, owner, name=name, service=service, email=email, **kw)  # type: ignore[arg-type]

    council = agency("LA999", "Northbrook Council", AgencyKind.LOCAL_AUTHORITY, f"contact@{DOMAIN}")
    police = agency("NBPOL", "Northbrook Police", AgencyKind.POLICE, f"enquiries@police.{DOMAIN}")
    community = agency(
        "RNB",
        "Northbrook Community Health NHS Trust",
        AgencyKind.NHS_TRUST,
        f"enquiries@health.{DOMAIN}",
    )
    hospital = agency(
        "RNH", "Northbrook Hospital NHS Trust", AgencyKind.NHS_TRUST, f"enquiries@hospital.{DOMAIN}"
    )
    icb = agency(
        "QNB",
        "Northbrook and District Integrated Care Board",
        AgencyKind.INTEGRATED_CARE_BOARD,
        f"enquiries@icb.{DOMAIN}",
    )
    housing = agency(
        "HSG999", "Northbrook Council Housing", AgencyKind.HOUSING, f"housing@{DOMAIN}"
    )

    mash = team(
        council,
        "Northbrook MASH",
        Service.MASH,
        f"mash@{DOMAIN}",
    )
    keyed: dict[str, Team] = {"mash": mash}
    keyed["edt"] = team(
        council,
        "Emergency duty team",
        Service.EMERGENCY_DUTY,
        f"edt@{DOMAIN}",
        phone=EDT_PHONE,
        out_of_hours=f"Every evening, weekend and bank holiday: {EDT_PHONE}",
    )
    for key, name, service in (
        ("assessment", "Assessment team", Service.ASSESSMENT),
        ("child_protection", "Child protection team", Service.CHILD_PROTECTION),
        ("children_in_care", "Children in care team", Service.CHILDREN_IN_CARE),
        ("return_interviews", "Return home interview service", Service.RETURN_INTERVIEWS),
        ("early_help", "Early help team", Service.EARLY_HELP),
        ("leaving_care", "Leaving care team", Service.LEAVING_CARE),
        ("partnership", "Partnership business unit", Service.PARTNERSHIP),
        ("digital", "Digital team", Service.DIGITAL),
    ):
        keyed[key] = team(council, name, service, f"{_slug(name)}@{DOMAIN}")
    keyed["education_mash"] = team(
        council,
        "Education MASH team",
        Service.EDUCATION_MASH,
        f"education-mash@{DOMAIN}",
        mash=mash,
    )
    keyed["police_mash"] = team(
        police,
        "Police MASH desk",
        Service.POLICE_MASH,
        f"mash@police.{DOMAIN}",
        mash=mash,
        out_of_hours="Call 999 in an emergency; otherwise 101 and ask for public protection",
    )
    keyed["ppu"] = team(
        police,
        "Public protection unit",
        Service.POLICE_PUBLIC_PROTECTION,
        f"ppu@police.{DOMAIN}",
        out_of_hours="Call 999 in an emergency; otherwise 101 and ask for public protection",
    )
    keyed["health_mash"] = team(
        community, "Health MASH team", Service.HEALTH_MASH, f"mash@health.{DOMAIN}", mash=mash
    )
    for key, name, service in (
        ("health_visiting", "Health visiting", Service.HEALTH_VISITING),
        ("school_nursing", "School nursing", Service.SCHOOL_NURSING),
        ("camhs", "CAMHS", Service.CAMHS),
    ):
        keyed[key] = team(community, name, service, f"{_slug(name)}@health.{DOMAIN}")
    keyed["ed"] = team(
        hospital,
        "Emergency department",
        Service.EMERGENCY_DEPARTMENT,
        f"ed-safeguarding@hospital.{DOMAIN}",
        out_of_hours="Open at all hours: ask the nurse in charge",
    )
    keyed["icb"] = team(
        icb,
        "Designated safeguarding professionals",
        Service.PARTNERSHIP,
        f"safeguarding@icb.{DOMAIN}",
    )
    keyed["housing"] = team(
        housing,
        "Housing options and temporary accommodation",
        Service.HOUSING,
        f"housing-options@{DOMAIN}",
    )

    systems = {
        council.pk: "Mosaic",
        police.pk: "Niche RMS",
        community.pk: "SystmOne",
        hospital.pk: "Cerner Millennium",
        icb.pk: "",
        housing.pk: "Northgate Housing",
    }

    # Early help cases live in the council's early help module, not in Mosaic; CAMHS
    # in RiO, not in the community trust's SystmOne; pupils in the council's education
    # system. A child known to all three has three records to link.
    team_systems = {
        keyed["early_help"].pk: "EHM",
        keyed["camhs"].pk: "RiO",
        keyed["education_mash"].pk: "Capita One",
    }

    gps: list[Team] = []
    gp_names = [f"{stem} {_GP_KINDS[i % len(_GP_KINDS)]}" for i, stem in enumerate(_GP_STEMS)]
    for i, name in enumerate(gp_names[:30]):
        practice = agency(
            f"N9{i + 1:04d}", name, AgencyKind.GP_PRACTICE, f"{_slug(name)}@gp.{DOMAIN}"
        )
        gps.append(
            team(
                practice,
                f"Safeguarding lead GP, {name}",
                Service.GP,
                f"safeguarding.{_slug(name)}@gp.{DOMAIN}",
                out_of_hours="NHS 111 out of hours",
            )
        )
        # Two in three practices in England run EMIS Web; most of the rest SystmOne.
        systems[practice.pk] = "SystmOne" if i % 3 == 2 else "EMIS Web"

    def school(urn: int, name: str, index: int) -> Team:
        owner = agency(str(urn), name, AgencyKind.SCHOOL, f"office@{_slug(name)}.sch.{DOMAIN}")
        systems[owner.pk] = _SCHOOL_SYSTEMS[index % len(_SCHOOL_SYSTEMS)]
        return team(
            owner,
            f"Designated safeguarding lead, {name}",
            Service.SCHOOL_SAFEGUARDING,
            f"dsl@{_slug(name)}.sch.{DOMAIN}",
            out_of_hours="Term time 8am to 5pm; otherwise the MASH",
        )

    primary_names = [f"{stem} Primary School" for stem in _PRIMARY_STEMS]
    primary_names = [f"{f} Primary School" for f in _FAITH_PRIMARIES] + primary_names
    primaries = [school(990001 + i, name, i) for i, name in enumerate(primary_names[:60])]
    secondaries = [school(990201 + i, name, i) for i, name in enumerate(_SECONDARIES)]
    colleges = [school(990301 + i, name, i) for i, name in enumerate(_COLLEGES)]

    voluntary: list[Team] = []
    for i, (name, team_name) in enumerate(_VOLUNTARY):
        charity = agency(
            f"CH10990{i + 1:02d}", name, AgencyKind.VOLUNTARY, f"hello@{_slug(name)}.{DOMAIN}"
        )
        systems[charity.pk] = "Charitylog"
        voluntary.append(
            team(
                charity, team_name, Service.VOLUNTARY, f"{_slug(team_name)}@{_slug(name)}.{DOMAIN}"
            )
        )

    return Partnership(
        council=council,
        police=police,
        community_health=community,
        hospital=hospital,
        icb=icb,
        housing_agency=housing,
        teams=keyed,
        gp_practices=gps,
        primary_schools=primaries,
        secondary_schools=secondaries,
        colleges=colleges,
        voluntary=voluntary,
        systems=systems,
        team_systems=team_systems,
    )
