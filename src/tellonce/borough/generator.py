"""The people of the synthetic borough: families, homes, agency records and involvements.

Owns `generate()`, which turns a partnership, a number of children and a seed into the
rows of every people and involvement table, the linkage ground truth and a summary. It
never touches the database (the writer does), so two runs can be compared in memory:
the same partnership, children, seed and as-of date give identical rows, down to the
UUID primary keys, which come from the seeded `random.Random`.

What a borough holds:

- Families of one to five children (twins in about 1.5% of births), with couples,
  single parents, step-families (step-parents, half-siblings, children renamed after a
  step-father), kinship carers, non-resident fathers living elsewhere in the borough;
  care leavers aged 18 to 21; foster carers for children in care.
- Homes with UPRNs (most known), moves (an earlier `Residence` with `moved_out`) and
  temporary accommodation.
- Names over time: a `PersonName` for the current name and, where it changed, the name
  at birth with `used_until`.
- Each agency's own `AgencyRecord` of each person it knows, with the errors real
  records have (typos, nicknames, transliterations, swapped day and month, missing
  NHS numbers, old addresses, surnames at birth, split hyphenated surnames...), linked
  to the true person with `LinkMethod.SEED_TRUTH`.
- The involvement register: school, GP, health visiting, school nursing, CAMHS, A&E,
  early help, child in need, child protection, looked after, leaving care, police,
  housing, voluntary sector and MASH enquiries.

Relationships are stored once per pair: "`person` is the `kind` of `relative`". For
parents and carers `person` is the adult; for siblings, half-siblings and partners (the
symmetric kinds) there is one row per pair, `person` being the elder (for partners,
the mother or first carer). To list everyone related to someone, read both directions.

Every fact carries provenance: the agency and system it came from, when it reached
TellOnce, who recorded it and the agency record it was read from.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import nhs_number

from tellonce.borough import namelists
from tellonce.borough.namelists import COMMUNITIES, Community
from tellonce.borough.organisations import Partnership
from tellonce.involvements.models import Capacity, Confirmation
from tellonce.organisations.models import Team
from tellonce.people import identifiers, names
from tellonce.people.models import (
    Ethnicity,
    IdentifierScheme,
    LinkMethod,
    NameKind,
    RelationshipKind,
    Sex,
)

Row = tuple[Any, ...]
Prov = tuple[int, str, datetime, str, int | None]

PROVENANCE_COLUMNS = (
    "source_agency_id",
    "source_system",
    "received_on",
    "recorded_by_name",
    "source_record_id",
)
#: The columns of each table's rows, in order; the writer fills every other column
#: with its default.
COLUMNS: dict[str, tuple[str, ...]] = {
    "people.Address": ("id", "uprn", "line_1", "line_2", "town", "postcode", "postcode_norm"),
    "people.Person": (
        "id",
        "given_name",
        "middle_names",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        *PROVENANCE_COLUMNS,
    ),
    "people.AgencyRecord": (
        "id",
        "agency_id",
        "system",
        "local_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
        "postcode",
        "address_line",
        "uprn",
        "nhs_number",
        "upn",
        "police_ref",
        "council_ref",
        "received_on",
        "person_id",
        "link_method",
    ),
    "people.Household": ("id", "address_id"),
    "people.PersonName": (
        "person_id",
        "kind",
        "given_name",
        "middle_names",
        "family_name",
        "used_from",
        "used_until",
        "given_name_norm",
        "family_name_norm",
        "given_name_sound",
        "family_name_sound",
        *PROVENANCE_COLUMNS,
    ),
    "people.PersonIdentifier": ("person_id", "scheme", "value", *PROVENANCE_COLUMNS),
    "people.Residence": ("person_id", "address_id", "moved_in", "moved_out", *PROVENANCE_COLUMNS),
    "people.HouseholdMember": (
        "household_id",
        "person_id",
        "joined_on",
        "left_on",
        *PROVENANCE_COLUMNS,
    ),
    "people.Relationship": (
        "person_id",
        "kind",
        "relative_id",
        "has_parental_responsibility",
        *PROVENANCE_COLUMNS,
    ),
    "involvements.Involvement": (
        "person_id",
        "team_id",
        "practitioner_id",
        "capacity",
        "started_on",
        "ended_on",
        "end_reason",
        "is_lead_professional",
        "confirmation",
        *PROVENANCE_COLUMNS,
    ),
}
GROUND_TRUTH_COLUMNS = ("agency_code", "system", "local_id", "person_id")

TOWN = "Northbrook"
#: Unique pupil numbers carry the council's three-digit DfE number.
LA_NUMBER = "999"
_YEAR = 365
_DAY = timedelta(days=1)

# Shares of children (or families) the council, police and others are working with,
# roughly England's rates per 10,000 children in an outer London borough.
RATES = {
    "looked_after": 0.006,
    "child_protection": 0.004,
    "child_in_need": 0.012,
    "early_help": 0.025,
    "early_help_closed": 0.02,
    "child_in_need_closed": 0.008,
    "mash_enquiry": 0.003,
    "care_leavers": 0.005,
}
#: Even a tiny test borough has a few of each, so every demo team has children.
MINIMUM = {
    "looked_after": 2,
    "child_protection": 2,
    "child_in_need": 3,
    "early_help": 5,
    "early_help_closed": 2,
    "child_in_need_closed": 2,
    "mash_enquiry": 3,
    "care_leavers": 3,
}


@dataclass(frozen=True)
class _Profile:
    """How carefully one kind of agency system records people, as error rates."""

    holds_nhs: float
    typo: float
    nickname: float
    dob_error: float
    postcode_missing: float
    stale_address: float
    birth_surname: float
    holds_uprn: bool = False
    dob_missing: float = 0.0
    holds_ethnicity: bool = True


_GP = _Profile(0.995, 0.012, 0.01, 0.004, 0.005, 0.3, 0.3)
PROFILES: dict[str, _Profile] = {
    "EMIS Web": _GP,
    "SystmOne": _GP,
    "RiO": _Profile(0.95, 0.02, 0.03, 0.008, 0.02, 0.3, 0.3),
    "Cerner Millennium": _Profile(0.85, 0.04, 0.06, 0.015, 0.05, 0.35, 0.4),
    "SIMS": _Profile(0.0, 0.02, 0.12, 0.005, 0.01, 0.2, 0.3),
    "Arbor": _Profile(0.0, 0.02, 0.12, 0.005, 0.01, 0.2, 0.3),
    "Bromcom": _Profile(0.0, 0.02, 0.12, 0.005, 0.01, 0.2, 0.3),
    "Capita One": _Profile(0.0, 0.015, 0.05, 0.005, 0.01, 0.3, 0.3, holds_uprn=True),
    "Mosaic": _Profile(0.7, 0.025, 0.04, 0.01, 0.02, 0.3, 0.25, holds_uprn=True),
    "EHM": _Profile(0.4, 0.03, 0.06, 0.01, 0.03, 0.3, 0.3, holds_uprn=True),
    "Niche RMS": _Profile(
        0.05, 0.04, 0.08, 0.02, 0.06, 0.4, 0.35, dob_missing=0.01, holds_ethnicity=False
    ),
    "Northgate Housing": _Profile(0.0, 0.02, 0.03, 0.01, 0.0, 0.0, 0.2, holds_uprn=True),
    "Charitylog": _Profile(
        0.1, 0.05, 0.15, 0.02, 0.1, 0.3, 0.3, dob_missing=0.12, holds_ethnicity=False
    ),
}
_LOCAL_ID_FORMAT = {
    "Cerner Millennium": "RNH{:07d}",
    "EHM": "EH{}",
    "Capita One": "C1{}",
    "Northgate Housing": "HSG{}",
    "Charitylog": "CL{}",
}
_STAFF_TITLES = {
    "mash": "MASH social worker",
    "edt": "EDT social worker",
    "assessment": "social worker",
    "child_protection": "social worker",
    "children_in_care": "social worker",
    "early_help": "early help practitioner",
    "leaving_care": "personal adviser",
    "education_mash": "education officer",
    "police_mash": "police constable",
    "ppu": "detective constable",
    "health_mash": "health MASH nurse",
    "health_visiting": "health visitor",
    "school_nursing": "school nurse",
    "camhs": "clinician",
    "ed": "ED nurse",
    "housing": "housing officer",
    "gp": "practice administrator",
    "school": "school office",
    "voluntary": "support worker",
}
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True, eq=False)
class _TeamInfo:
    id: int
    key: str
    agency_id: int
    agency_code: str
    system: str
    profile: _Profile
    staff: tuple[str, ...]


@dataclass(eq=False, slots=True)
class _Addr:
    id: int
    uprn: str | None
    line_1: str
    line_2: str
    postcode: str

    @property
    def line(self) -> str:
        return f"{self.line_1}, {self.line_2}" if self.line_2 else self.line_1


@dataclass(eq=False, slots=True)
class _Record:
    id: int
    prov: Prov
    holds_nhs: bool


@dataclass(eq=False, slots=True)
class _Person:
    id: uuid.UUID
    given: str
    middle: str
    family: str
    sex: str
    dob: date
    ethnicity: str
    community: Community
    is_child: bool
    nhs: str
    #: The surname at birth and when it changed, where it did.
    birth_family: str = ""
    renamed_on: date | None = None
    upn: str = ""
    police_ref: str = ""
    council_ref: str = ""
    home: _Addr | None = None
    moved_in: date | None = None
    previous_home: _Addr | None = None
    previous_moved_in: date | None = None
    records: dict[tuple[int, str], _Record] = field(default_factory=dict)
    primary: _Record | None = None


@dataclass(eq=False, slots=True)
class _Family:
    kind: str
    household: uuid.UUID
    adults: list[_Person]
    children: list[_Person]
    home: _Addr
    moved_in: date
    previous_home: _Addr | None = None
    previous_moved_in: date | None = None
    temporary: bool = False
    gp: _TeamInfo | None = None
    primary_school: _TeamInfo | None = None
    secondary_school: _TeamInfo | None = None
    statuses: set[str] = field(default_factory=set)
    #: Who leads the family's early help: the early help team, school or health visitor.
    early_help_lead: str = ""
    #: Parent-like adults of each child: (adult, kind, has parental responsibility).
    carers: list[tuple[_Person, str, bool, list[_Person]]] = field(default_factory=list)
    #: Pairs of children, elder first, who are siblings or half-siblings.
    sibling_pairs: list[tuple[_Person, _Person, str]] = field(default_factory=list)
    partners: tuple[_Person, _Person] | None = None
    #: Adults joining later than the children (step-parents): joined-on date.
    joined: dict[uuid.UUID, date] = field(default_factory=dict)


@dataclass
class Borough:
    """Everything `generate()` made, ready for the writer."""

    rows: dict[str, list[Row]]
    ground_truth: list[tuple[str, str, str, str]]
    summary: dict[str, Any]


class _Streets:
    """Northbrook's streets, each with postcodes and a next free house number."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        names_ = [f"{stem} {kind}" for stem in namelists.STREET_STEMS for kind in ("Road",)]
        for kind in namelists.STREET_KINDS:
            names_.extend(f"{stem} {kind}" for stem in namelists.STREET_STEMS)
        unique = sorted(set(names_))
        rng.shuffle(unique)
        self.streets = unique[:1400]
        self.next_number = [rng.choice((1, 1, 2, 5, 11)) for _ in self.streets]
        self.postcodes: list[list[str]] = []
        used: set[str] = set()
        for i, _ in enumerate(self.streets):
            district = 1 + i % 14
            codes = []
            for _ in range(rng.choice((2, 3, 4, 6))):
                while True:
                    code = (
                        f"NB{district} {rng.randint(1, 9)}"
                        f"{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
                    )
                    if code not in used:
                        used.add(code)
                        codes.append(code)
                        break
            self.postcodes.append(codes)
        self.blocks = [
            f"{rng.choice(namelists.ESTATE_BLOCKS)} {rng.choice(('House', 'Court', 'Tower'))}"
            for _ in self.streets
        ]
        self.next_flat = [1 for _ in self.streets]

    def take(self, *, flat: bool) -> tuple[str, str, str]:
        """A new address: line 1, line 2 and postcode."""
        i = self.rng.randrange(len(self.streets))
        street = self.streets[i]
        if flat:
            number = self.next_flat[i]
            self.next_flat[i] += 1
            codes = self.postcodes[i]
            return f"Flat {number}, {self.blocks[i]}", street, codes[0]
        number = self.next_number[i]
        self.next_number[i] += self.rng.choice((1, 2, 2))
        codes = self.postcodes[i]
        return f"{number} {street}", "", codes[(number // 30) % len(codes)]


class _Generator:
    def __init__(
        self,
        partnership: Partnership,
        *,
        children: int,
        seed: int,
        as_of: date,
        first_address_id: int,
        first_record_id: int,
        named_workers: Mapping[str, Sequence[int]],
    ) -> None:
        self.rng = random.Random(f"tellonce-borough:{seed}")
        self.target_children = children
        self.as_of = as_of
        self.go_live = as_of - timedelta(days=180)
        self.named_workers = named_workers
        self.next_address_id = first_address_id
        self.next_record_id = first_record_id
        self.rows: dict[str, list[Row]] = {label: [] for label in COLUMNS}
        self.ground_truth: list[tuple[str, str, str, str]] = []
        self.errors: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.records_by_system: Counter[str] = Counter()
        self.local_ids: dict[tuple[int, str], int] = {}
        self.nhs_numbers: set[str] = set()
        self.upn_serials: Counter[tuple[int, int]] = Counter()
        self.next_uprn = 100023000000 + self.rng.randrange(1_000_000)
        self.name_keys: dict[str, tuple[str, str]] = {}
        self.streets = _Streets(self.rng)
        self.hostel_rooms: Counter[str] = Counter()
        self.teams = self._team_infos(partnership)
        self.gps = [self.teams[t.pk] for t in partnership.gp_practices]
        self.primaries = [self.teams[t.pk] for t in partnership.primary_schools]
        self.secondaries = [self.teams[t.pk] for t in partnership.secondary_schools]
        self.colleges = [self.teams[t.pk] for t in partnership.colleges]
        self.voluntary = [self.teams[t.pk] for t in partnership.voluntary]
        self.by_key = {key: self.teams[t.pk] for key, t in partnership.teams.items()}
        # Big schools and busy practices: some take far more children than others,
        # and the first secondary (the demo DSL's school) is the biggest of all.
        self.primary_weights = [self.rng.uniform(0.5, 1.6) for _ in self.primaries]
        self.secondary_weights = [2.2] + [self.rng.uniform(0.7, 1.3) for _ in self.secondaries[1:]]
        self.gp_weights = [self.rng.uniform(0.4, 1.8) for _ in self.gps]
        self.ethnicity_codes = [code for code, _ in namelists.ETHNICITY_MIX]
        self.ethnicity_weights = [w for _, w in namelists.ETHNICITY_MIX]
        #: Households hanging off a family, written after it: fathers living
        #: elsewhere, foster families.
        self.pending_units: list[tuple[Any, ...]] = []
        #: Children who already have a lead professional.
        self.leads: set[uuid.UUID] = set()

    # ----- the partnership, as the generator reads it

    def _team_infos(self, partnership: Partnership) -> dict[int, _TeamInfo]:
        keyed = {t.pk: key for key, t in partnership.teams.items()}
        kind_key = {}
        for t in partnership.gp_practices:
            kind_key[t.pk] = "gp"
        for t in [*partnership.primary_schools, *partnership.secondary_schools]:
            kind_key[t.pk] = "school"
        for t in partnership.colleges:
            kind_key[t.pk] = "school"
        for t in partnership.voluntary:
            kind_key[t.pk] = "voluntary"
        infos: dict[int, _TeamInfo] = {}
        for team in partnership.all_teams:
            key = keyed.get(team.pk) or kind_key[team.pk]
            system = partnership.system_of(team)
            infos[team.pk] = _TeamInfo(
                id=team.pk,
                key=key,
                agency_id=team.agency_id,
                agency_code=team.agency.code,
                system=system,
                profile=PROFILES.get(system, _GP),
                staff=self._staff(team, key),
            )
        return infos

    def _staff(self, team: Team, key: str) -> tuple[str, ...]:
        # The staff names depend only on the team, so a bigger borough keeps them.
        rng = random.Random(f"staff:{team.agency.code}:{team.name}")
        title = _STAFF_TITLES.get(key, "practitioner")
        pool = [COMMUNITIES[k] for k in ("british", "british", "nigerian", "indian", "irish")]
        staff = []
        for _ in range(6):
            c = rng.choice(pool)
            sex = rng.choice("MF")
            given = rng.choice(c.given_names(sex, child=False))
            staff.append(f"{given} {rng.choice(c.surnames)} ({title})")
        return tuple(staff)

    # ----- small helpers

    def new_uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def when(self, day: date) -> datetime:
        """When a fact reached TellOnce: the go-live load, or as it happened since."""
        day = max(day, self.go_live)
        return datetime.combine(min(day, self.as_of), time(self.rng.randint(7, 19)), tzinfo=UTC)

    def days_ago(self, low: int, high: int) -> date:
        return self.as_of - timedelta(days=self.rng.randint(low, high))

    def nhs_number(self) -> str:
        rng = self.rng
        while True:
            # 999 starts the range NHS England keeps for test patients: never a real one.
            body = f"999{rng.randrange(1_000_000):06d}"
            check = nhs_number.calculate_checksum(body)
            if check is None or check == 10:  # no valid number has this body
                continue
            number = f"{body}{check}"
            if number not in self.nhs_numbers:
                self.nhs_numbers.add(number)
                return number

    def keys(self, name: str) -> tuple[str, str]:
        cached = self.name_keys.get(name)
        if cached is None:
            cached = (names.normalise(name), names.sound(name))
            self.name_keys[name] = cached
        return cached

    def given_name(self, community: Community, sex: str, *, child: bool) -> str:
        return self.rng.choice(community.given_names(sex, child=child))

    def surname(self, community: Community) -> str:
        weights = community.cum_surname_weights
        if weights:
            return self.rng.choices(community.surnames, cum_weights=weights)[0]
        return self.rng.choice(community.surnames)

    def middle_name(self, community: Community, sex: str, given: str) -> str:
        if self.rng.random() >= community.middle_name_rate:
            return ""
        middle = self.given_name(community, sex, child=False)
        return "" if middle == given else middle

    def address(self, *, flat: bool, uprn_known: float = 0.93) -> _Addr:
        line_1, line_2, postcode = self.streets.take(flat=flat)
        return self._address(line_1, line_2, postcode, uprn_known)

    def _address(self, line_1: str, line_2: str, postcode: str, uprn_known: float) -> _Addr:
        uprn = None
        if self.rng.random() < uprn_known:
            self.next_uprn += self.rng.randint(1, 40)
            uprn = str(self.next_uprn)
        addr = _Addr(self.next_address_id, uprn, line_1, line_2, postcode)
        self.next_address_id += 1
        self.rows["people.Address"].append(
            (
                addr.id,
                uprn,
                line_1,
                line_2,
                TOWN,
                postcode,
                identifiers.normalise_postcode(postcode),
            )
        )
        return addr

    def temporary_address(self) -> _Addr:
        # A third of families in temporary accommodation are in a hostel or B&B room,
        # which has no UPRN of its own; the rest are in leased flats.
        if self.rng.random() < 0.35:
            hostel = self.rng.choice(namelists.TEMPORARY_ACCOMMODATION)
            self.hostel_rooms[hostel] += 1
            postcode = f"NB1 {1 + zlib.crc32(hostel.encode()) % 9}TA"
            return self._address(
                f"Room {self.hostel_rooms[hostel]}", f"{hostel}, Station Road", postcode, 0.0
            )
        return self.address(flat=True, uprn_known=0.85)

    def dob_for_age(self, age_days: int) -> date:
        return self.as_of - timedelta(days=age_days)

    # ----- people

    def person(
        self,
        community: Community,
        sex: str,
        dob: date,
        ethnicity: str,
        *,
        child: bool,
        family: str | None = None,
        given: str | None = None,
    ) -> _Person:
        given = given or self.given_name(community, sex, child=child)
        recorded = ethnicity
        roll = self.rng.random()
        if roll < 0.015:
            recorded = Ethnicity.NOBT
        elif roll < 0.02:
            recorded = Ethnicity.REFU
        return _Person(
            id=self.new_uuid(),
            given=given,
            middle=self.middle_name(community, sex, given),
            family=family or self.surname(community),
            sex=sex,
            dob=dob,
            ethnicity=recorded,
            community=community,
            is_child=child,
            nhs=self.nhs_number(),
        )

    def community_for(self, ethnicity: str) -> Community:
        options = namelists.ETHNICITY_COMMUNITIES[ethnicity]
        if len(options) == 1:
            return COMMUNITIES[options[0][0]]
        keys = [k for k, _ in options]
        weights = [w for _, w in options]
        return COMMUNITIES[self.rng.choices(keys, weights)[0]]

    # ----- families

    def family(self, max_children: int) -> _Family:
        rng = self.rng
        child_ethnicity = rng.choices(self.ethnicity_codes, self.ethnicity_weights)[0]
        if child_ethnicity in namelists.MIXED_PARENTS:
            pair = rng.choice(namelists.MIXED_PARENTS[child_ethnicity])
            mother_eth, father_eth = pair if rng.random() < 0.5 else (pair[1], pair[0])
        else:
            mother_eth = father_eth = child_ethnicity
        mother_c = self.community_for(mother_eth)
        father_c = mother_c if father_eth == mother_eth else self.community_for(father_eth)

        kind = rng.choices(
            ("couple", "single_mother", "single_father", "step", "step_mother", "kinship"),
            (0.61, 0.22, 0.025, 0.11, 0.02, 0.015),
        )[0]
        births = rng.choices((1, 2, 3, 4, 5), (0.40, 0.36, 0.15, 0.06, 0.03))[0]

        # Birth order: gaps of one to six years; one birth in 65 or so is twins.
        offsets: list[int] = []
        twins: set[int] = set()  # the index of each second twin
        for birth in range(births):
            gap = rng.choice((1, 2, 2, 2, 3, 3, 4, 5, 6)) * _YEAR + rng.randint(-60, 100)
            offsets.append(offsets[-1] + gap if birth else 0)
            if rng.random() < 0.015:
                twins.add(len(offsets))
                offsets.append(offsets[-1])
        offsets = offsets[: min(5, max_children)]
        # One child's age is drawn evenly from 0 to 17 and the others follow; those
        # who would be adults or unborn are left out. Every age is then about as
        # common as every other, as in a borough's school census.
        anchor = rng.randrange(len(offsets))
        anchor_age = rng.randint(0, 18 * _YEAR - 2)
        ages = [anchor_age + offsets[anchor] - o for o in offsets]
        kept = [i for i, age in enumerate(ages) if 0 <= age <= 18 * _YEAR - 2]
        first, last = kept[0], kept[-1]
        twins = {i - first for i in twins if first < i <= last}
        dobs = [self.dob_for_age(ages[i]) for i in kept]
        eldest_dob = dobs[0]

        # Mothers are 18 to 40 at their first child here, and under 46 at the last.
        span = (dobs[-1] - eldest_dob).days
        oldest_first = max(18 * _YEAR, min(40 * _YEAR, 45 * _YEAR - span))
        mother_dob = eldest_dob - timedelta(days=rng.randint(18 * _YEAR, oldest_first))
        father_dob = mother_dob - timedelta(days=rng.randint(-3 * _YEAR, 8 * _YEAR))
        mother = self.person(mother_c, "F", mother_dob, mother_eth, child=False)
        father = self.person(father_c, "M", father_dob, father_eth, child=False)
        fam = self.household_for(kind, eldest_dob)

        # The children's surname, and whether their parents share one.
        married = kind in ("couple", "step_mother", "kinship") and rng.random() < 0.6
        if mother_c.key == "somali" and rng.random() < 0.7:
            children_surname = father.given
        elif kind == "single_mother" and rng.random() < 0.6:
            children_surname = mother.family
        elif (
            not married
            and kind == "couple"
            and rng.random() < 0.2
            and mother.family != father.family
        ):
            children_surname = f"{father.family}-{mother.family}"
        else:
            children_surname = father.family
        if (
            married
            and mother_c.wives_take_surname
            and mother.family != father.family
            and rng.random() < 0.8
        ):
            mother.birth_family = mother.family
            mother.family = father.family
            wedding = eldest_dob - timedelta(days=rng.randint(0, 6 * _YEAR))
            mother.renamed_on = max(wedding, mother_dob + timedelta(days=18 * _YEAR))
            self.counts["surname_changes_adults"] += 1

        kids: list[_Person] = []
        used: set[str] = set()
        for i, dob in enumerate(dobs):
            sex = "M" if rng.random() < 0.512 else "F"
            name_c = father_c if (father_c is not mother_c and rng.random() < 0.5) else mother_c
            given = None
            if i in twins and rng.random() < 0.25:
                a, b = rng.choice(namelists.SIMILAR_TWIN_NAMES[kids[-1].sex])
                if a not in used and b not in used:
                    kids[-1].given = a
                    used.add(a)
                    sex, given = kids[-1].sex, b
            for _ in range(10):
                given = given or self.given_name(name_c, sex, child=True)
                if given not in used:
                    break
                given = None
            given = given or self.given_name(name_c, sex, child=True)
            used.add(given)
            kids.append(
                self.person(
                    name_c,
                    sex,
                    dob,
                    child_ethnicity,
                    child=True,
                    family=children_surname,
                    given=given,
                )
            )
            if i in twins:
                self.counts["twin_pairs"] += 1
                fam.sibling_pairs.append((kids[-2], kids[-1], RelationshipKind.SIBLING))

        for i, elder in enumerate(kids):
            for younger in kids[i + 1 :]:
                if (elder, younger, RelationshipKind.SIBLING) not in fam.sibling_pairs:
                    fam.sibling_pairs.append((elder, younger, RelationshipKind.SIBLING))

        if kind == "couple":
            fam.adults = [mother, father]
            fam.carers = [
                (mother, RelationshipKind.MOTHER, True, kids),
                (father, RelationshipKind.FATHER, True, kids),
            ]
            fam.partners = (mother, father)
        elif kind == "single_mother":
            fam.adults = [mother]
            fam.carers = [(mother, RelationshipKind.MOTHER, True, kids)]
            if rng.random() < 0.5:
                self.absent_parent(father, kids, pr=rng.random() < 0.7)
        elif kind == "single_father":
            fam.adults = [father]
            fam.carers = [(father, RelationshipKind.FATHER, True, kids)]
            for kid in kids:
                kid.family = father.family
        elif kind == "step":
            self.step_family(
                fam, mother, father, kids, mother_c, child_ethnicity, room=max_children - len(kids)
            )
        elif kind == "step_mother":
            step = self.person(father_c, "F", mother_dob, father_eth, child=False)
            fam.adults = [father, step]
            fam.carers = [
                (father, RelationshipKind.FATHER, True, kids),
                (step, RelationshipKind.STEP_MOTHER, False, kids),
            ]
            fam.partners = (step, father)
            fam.joined[step.id] = self.days_ago(0, max(1, (self.as_of - eldest_dob).days))
            self.counts["step_families"] += 1
        else:  # kinship: a grandmother (sometimes with grandfather) brings them up
            gran_dob = max(
                mother_dob - timedelta(days=rng.randint(18 * _YEAR, 30 * _YEAR)),
                self.as_of - timedelta(days=rng.randint(55 * _YEAR, 74 * _YEAR)),
            )
            gran = self.person(mother_c, "F", gran_dob, mother_eth, child=False)
            fam.adults = [gran]
            fam.carers = [(gran, RelationshipKind.GRANDPARENT, rng.random() < 0.6, kids)]
            if rng.random() < 0.4:
                grandad = self.person(
                    mother_c,
                    "M",
                    gran_dob - timedelta(days=rng.randint(0, 5 * _YEAR)),
                    mother_eth,
                    child=False,
                    family=gran.family,
                )
                fam.adults.append(grandad)
                fam.carers.append((grandad, RelationshipKind.GRANDPARENT, False, kids))
                fam.partners = (gran, grandad)
            self.counts["kinship_families"] += 1
        fam.children = kids
        for kid in kids:
            if "-" in kid.family:
                self.counts["hyphenated_surnames"] += 1

        for member in [*fam.adults, *fam.children]:
            self.settle(member, fam)

        fam.gp = self.rng.choices(self.gps, self.gp_weights)[0]
        fam.primary_school = self.rng.choices(self.primaries, self.primary_weights)[0]
        fam.secondary_school = self.rng.choices(self.secondaries, self.secondary_weights)[0]
        return fam

    def household_for(self, kind: str, eldest_dob: date) -> _Family:
        """A family's home: a move within the last five years for some; temporary
        accommodation for a few, who came from a home they lost."""
        rng = self.rng
        moved_in = max(eldest_dob, self.days_ago(0, 20 * _YEAR))
        flat = rng.random() < 0.35
        previous = None
        previous_moved_in = None
        temporary = False
        if rng.random() < 0.02:
            previous, previous_moved_in = self.address(flat=flat), moved_in
            moved_in = self.days_ago(10, 2 * _YEAR)
            home = self.temporary_address()
            temporary = True
            self.counts["temporary_accommodation_families"] += 1
        elif rng.random() < 0.15:
            previous, previous_moved_in = self.address(flat=flat), moved_in
            moved_in = self.days_ago(30, 5 * _YEAR)
            home = self.address(flat=rng.random() < 0.35)
            self.counts["families_moved"] += 1
        else:
            home = self.address(flat=flat)
        if previous_moved_in and moved_in <= previous_moved_in:
            moved_in = min(previous_moved_in + timedelta(days=rng.randint(30, 400)), self.as_of)
        return _Family(
            kind=kind,
            household=self.new_uuid(),
            adults=[],
            children=[],
            home=home,
            moved_in=moved_in,
            previous_home=previous,
            previous_moved_in=previous_moved_in,
            temporary=temporary,
        )

    def settle(self, member: _Person, fam: _Family) -> None:
        member.home = fam.home
        member.moved_in = max(fam.moved_in, member.dob)
        if fam.previous_home is not None and member.dob < fam.moved_in:
            member.previous_home = fam.previous_home
            member.previous_moved_in = max(fam.previous_moved_in or member.dob, member.dob)

    def step_family(
        self,
        fam: _Family,
        mother: _Person,
        father: _Person,
        kids: list[_Person],
        community: Community,
        ethnicity: str,
        *,
        room: int,
    ) -> None:
        """Mother, her children by an earlier partner, and a step-father; sometimes
        half-siblings, and sometimes the elder children renamed after him."""
        rng = self.rng
        step = self.person(community, "M", father.dob, ethnicity, child=False)
        youngest_age = (self.as_of - kids[-1].dob).days
        together = self.days_ago(0, max(1, youngest_age - 60))
        fam.joined[step.id] = together
        fam.adults = [mother, step]
        fam.partners = (mother, step)
        self.counts["step_families"] += 1
        surname = rng.choice((father.family, mother.birth_family or mother.family))
        for kid in kids:
            kid.family = surname
        renamed = rng.random() < 0.3
        if renamed:
            renamed_on = together + timedelta(days=rng.randint(100, 3 * _YEAR))
            if renamed_on < self.as_of:
                for kid in kids:
                    if kid.family != step.family:
                        kid.birth_family = kid.family
                        kid.family = step.family
                        kid.renamed_on = renamed_on
                        self.counts["surname_changes_children"] += 1
        half: list[_Person] = []
        if rng.random() < 0.5 and (self.as_of - together).days > _YEAR:
            # Born since the couple got together, while the mother was under 46.
            youngest_possible = max(0, (self.as_of - mother.dob).days - 46 * _YEAR)
            oldest_possible = (self.as_of - together).days - 280
            for _ in range(min(room, rng.choice((1, 1, 2)))):
                if youngest_possible > oldest_possible:
                    break
                age = rng.randint(youngest_possible, oldest_possible)
                sex = "M" if rng.random() < 0.512 else "F"
                half.append(
                    self.person(
                        community,
                        sex,
                        self.dob_for_age(age),
                        ethnicity,
                        child=True,
                        family=step.family,
                    )
                )
        if half:
            half.sort(key=lambda p: p.dob)
            if len(half) == 2:
                fam.sibling_pairs.append((half[0], half[1], RelationshipKind.SIBLING))
            for elder in kids:
                for younger in half:
                    fam.sibling_pairs.append((elder, younger, RelationshipKind.HALF_SIBLING))
            self.counts["half_siblings"] += len(half)
        fam.carers = [
            (mother, RelationshipKind.MOTHER, True, [*kids, *half]),
            (step, RelationshipKind.STEP_FATHER, False, kids),
        ]
        if half:
            fam.carers.append((step, RelationshipKind.FATHER, True, half))
        kids.extend(half)
        if rng.random() < 0.5:
            self.absent_parent(father, kids[: len(kids) - len(half)], pr=True)

    def absent_parent(self, parent: _Person, kids: list[_Person], *, pr: bool) -> None:
        """A father who lives elsewhere in the borough: his own home and household."""
        self.pending_units.append(("absent_parent", parent, kids, pr))

    # ----- agency records

    def record(self, p: _Person, team: _TeamInfo, started: date) -> _Record:
        key = (team.agency_id, team.system)
        existing = p.records.get(key)
        if existing is not None:
            return existing
        rng = self.rng
        profile = team.profile
        n = self.local_ids.get(key)
        if n is None:
            n = 100000 + zlib.crc32(f"{team.agency_code}/{team.system}".encode()) % 800000
        self.local_ids[key] = n + 1
        fmt = _LOCAL_ID_FORMAT.get(team.system)
        local_id = fmt.format(n) if fmt else str(n)
        received = self.when(started)
        recorded_by = rng.choice(team.staff)

        given, family, dob, sex, addr = self.recorded_identity(p, profile)
        postcode = addr.postcode if addr else ""
        if postcode and rng.random() < profile.postcode_missing:
            postcode = ""
            self.errors["postcode_missing"] += 1
        holds_nhs = rng.random() < profile.holds_nhs
        if not holds_nhs and profile.holds_nhs >= 0.5:
            self.errors["nhs_missing"] += 1
        police_ref = council_ref = upn = ""
        if team.system == "Niche RMS":
            police_ref = p.police_ref = p.police_ref or f"NBP/{n:07d}"
        elif team.system == "Mosaic":
            council_ref = p.council_ref = p.council_ref or f"NC{n}"
        if team.key == "school" or team.system == "Capita One":
            upn = p.upn
        rec = _Record(
            self.next_record_id,
            (team.agency_id, team.system, received, recorded_by, self.next_record_id),
            holds_nhs,
        )
        self.next_record_id += 1
        self.rows["people.AgencyRecord"].append(
            (
                rec.id,
                team.agency_id,
                team.system,
                local_id,
                given,
                family,
                dob,
                sex,
                p.ethnicity if profile.holds_ethnicity else "",
                postcode,
                addr.line if addr else "",
                (addr.uprn or "") if addr and profile.holds_uprn else "",
                p.nhs if holds_nhs else "",
                upn,
                police_ref,
                council_ref,
                received,
                p.id,
                LinkMethod.SEED_TRUTH,
            )
        )
        self.ground_truth.append((team.agency_code, team.system, local_id, str(p.id)))
        self.records_by_system[team.system] += 1
        p.records[key] = rec
        if p.primary is None:
            p.primary = rec
        return rec

    def recorded_identity(
        self, p: _Person, profile: _Profile
    ) -> tuple[str, str, date | None, str, _Addr | None]:
        """The person as one agency wrote them down: a mistake here and there."""
        rng = self.rng
        r = rng.random
        errors = self.errors
        given, family = p.given, p.family
        if p.birth_family and r() < profile.birth_surname:
            family = p.birth_family
            errors["birth_surname"] += 1
        nicknames = namelists.NICKNAMES[p.sex].get(given) if p.sex in ("M", "F") else None
        if nicknames and r() < profile.nickname:
            given = rng.choice(nicknames)
            errors["nickname"] += 1
        else:
            spellings = namelists.TRANSLITERATIONS.get(given)
            if spellings and r() < 0.25:
                given = rng.choice(spellings)
                errors["transliteration"] += 1
        spellings = namelists.TRANSLITERATIONS.get(family)
        if spellings and r() < 0.2:
            family = rng.choice(spellings)
            errors["transliteration"] += 1
        if "-" in family and r() < 0.35:
            first, _, second = family.partition("-")
            family = rng.choice((first, second, f"{first} {second}"))
            errors["hyphen_split"] += 1
        if not given.isascii() and r() < 0.7:
            given = _strip_accents(given)
            errors["diacritics"] += 1
        if not family.isascii() and r() < 0.7:
            family = _strip_accents(family)
            errors["diacritics"] += 1
        if r() < profile.typo:
            given = self.typo(given)
        if r() < profile.typo:
            family = self.typo(family)
        if p.community.name_order_confusable and r() < 0.015:
            given, family = family, given
            errors["name_order"] += 1

        dob: date | None = p.dob
        roll = r()
        if roll < profile.dob_missing:
            dob = None
            errors["dob_missing"] += 1
        elif roll < profile.dob_missing + profile.dob_error / 2:
            if p.dob.day <= 12 and p.dob.day != p.dob.month:
                dob = date(p.dob.year, p.dob.day, p.dob.month)
                errors["dob_day_month_swapped"] += 1
        elif roll < profile.dob_missing + profile.dob_error:
            dob = _off_by_one(p.dob, rng)
            errors["dob_off_by_one"] += 1
        if dob is not None and dob > self.as_of:
            # No agency system accepts a birth in the future: a baby's swapped or
            # nudged date that would be one is recorded correctly instead.
            dob = p.dob

        sex = p.sex
        if r() < 0.01:
            sex = Sex.UNKNOWN
            errors["sex_unknown"] += 1

        addr = p.home
        if p.previous_home is not None and r() < profile.stale_address:
            addr = p.previous_home
            errors["old_address"] += 1
        return given, family, dob, sex, addr

    def typo(self, name: str) -> str:
        if len(name) < 4:
            return name
        rng = self.rng
        i = rng.randrange(1, len(name) - 1)
        roll = rng.random()
        if roll < 0.4 and name[i] != name[i + 1]:
            self.errors["typo_transposed"] += 1
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if roll < 0.7:
            self.errors["typo_dropped"] += 1
            return name[:i] + name[i + 1 :]
        self.errors["typo_doubled"] += 1
        return name[:i] + name[i] + name[i:]

    # ----- identifiers

    def upn(self, kid: _Person, school: _TeamInfo, year_started: int) -> str:
        establishment = 2000 + self.primaries.index(school) if school in self.primaries else 4000
        yy = year_started % 100
        self.upn_serials[(establishment, yy)] += 1
        serial = self.upn_serials[(establishment, yy)] % 1000
        body = f"{LA_NUMBER}{establishment:04d}{yy:02d}{serial:03d}"
        return identifiers.upn_check_letter(body) + body

    # ----- the involvement register

    def involve(
        self,
        p: _Person,
        team: _TeamInfo,
        capacity: str,
        started: date,
        *,
        ended: date | None = None,
        end_reason: str = "",
        lead: bool = False,
        worker_rate: float = 0.0,
    ) -> None:
        if started < p.dob:
            # Episodes drawn for the family as a whole start, for a baby, at birth.
            started = p.dob
            if ended is not None:
                ended = min(max(ended, started), self.as_of)
        rec = self.record(p, team, started)
        practitioner = None
        if worker_rate:
            # Drawn whether or not there are named workers, so that the borough's people
            # are the same with or without the demo logins.
            pick = self.rng.random()
            workers = self.named_workers.get(team.key)
            if workers and pick < worker_rate:
                practitioner = workers[int(pick / worker_rate * len(workers))]
        self.rows["involvements.Involvement"].append(
            (
                p.id,
                team.id,
                practitioner,
                capacity,
                started,
                ended,
                end_reason,
                lead,
                # The agencies' own systems of record said so.
                Confirmation.SYSTEM_OF_RECORD,
                *rec.prov,
            )
        )
        self.counts[f"involvements_{capacity}"] += 1

    def school_year(self, dob: date) -> int:
        """Reception is 0, year 13 is 13; negative before school age."""
        start = self.as_of.year if self.as_of.month >= 9 else self.as_of.year - 1
        age_31_aug = start - dob.year - ((dob.month, dob.day) > (8, 31))
        return age_31_aug - 4

    def september(self, years_ago: int) -> date:
        start = self.as_of.year if self.as_of.month >= 9 else self.as_of.year - 1
        return min(date(start - years_ago, 9, 1 + self.rng.randint(0, 6)), self.as_of)

    def has_sixth_form(self, school: _TeamInfo) -> bool:
        return self.secondaries.index(school) < 10

    def lead(self, kid: _Person, fam: _Family, kind: str) -> bool:
        """Whether this involvement leads the child's early help."""
        if fam.early_help_lead != kind or kid.id in self.leads:
            return False
        self.leads.add(kid.id)
        return True

    def universal_services(self, fam: _Family, kid: _Person) -> None:
        rng = self.rng
        age_days = (self.as_of - kid.dob).days
        registered = max(kid.dob + timedelta(days=rng.randint(5, 40)), kid.moved_in or kid.dob)
        if fam.gp is not None and rng.random() < 0.985:
            self.involve(kid, fam.gp, Capacity.GP, min(registered, self.as_of))
        if age_days < 5 * _YEAR:
            self.involve(
                kid,
                self.by_key["health_visiting"],
                Capacity.HEALTH_VISITING,
                min(kid.dob + timedelta(days=rng.randint(10, 14)), self.as_of),
                lead=self.lead(kid, fam, "health_visiting"),
                worker_rate=0.05,
            )
        year = self.school_year(kid.dob)
        if year < 0:
            return
        primary = fam.primary_school
        assert primary is not None and fam.secondary_school is not None
        kid.upn = self.upn(kid, primary, self.september(year).year)
        if rng.random() < 0.015:
            self.counts["children_not_in_a_borough_school"] += 1
            school: _TeamInfo | None = None
        elif year <= 6:
            school = primary
        elif year <= 11 or (rng.random() < 0.5 and self.has_sixth_form(fam.secondary_school)):
            school = fam.secondary_school
        elif rng.random() < 0.7:
            school = rng.choice(self.colleges)
        else:
            school = None
        if school is not None:
            entered = 0 if school is primary else (7 if school in self.secondaries else 12)
            if year == 7 and school is not primary:
                # Year 7 pupils left their primary school in July: it still knows them.
                self.involve(
                    kid,
                    primary,
                    Capacity.SCHOOL,
                    self.september(year),
                    ended=date(self.september(0).year, 7, 22),
                    end_reason="Moved to secondary school",
                )
            self.involve(
                kid,
                school,
                Capacity.SCHOOL,
                self.september(year - entered),
                lead=self.lead(kid, fam, "school"),
            )
        if age_days >= 5 * _YEAR and rng.random() < 0.06:
            self.involve(
                kid, self.by_key["school_nursing"], Capacity.SCHOOL_NURSING, self.days_ago(0, 600)
            )
        if rng.random() < 0.025:
            attended = self.days_ago(0, 60)
            self.involve(
                kid,
                self.by_key["ed"],
                Capacity.AE_ATTENDANCE,
                attended,
                ended=min(attended + _DAY, self.as_of),
                end_reason="Discharged home",
            )

    def assign_statuses(self, families: list[_Family]) -> None:
        """Which families the council, police and others work with, by quota, so a
        small borough still has a few of each."""
        rng = self.rng
        n = self.target_children
        order = list(range(len(families)))
        rng.shuffle(order)
        quotas = {
            k: max(MINIMUM[k], round(RATES[k] * n))
            for k in (
                "looked_after",
                "child_protection",
                "child_in_need",
                "early_help",
                "early_help_closed",
                "child_in_need_closed",
            )
        }
        filled: Counter[str] = Counter()
        for i in order:
            fam = families[i]
            if not fam.children or fam.kind == "kinship":
                continue
            for status, quota in quotas.items():
                if filled[status] < quota:
                    fam.statuses.add(status)
                    filled[status] += len(fam.children)
                    break
            else:
                break
        rng.shuffle(order)
        quota = max(MINIMUM["mash_enquiry"], round(RATES["mash_enquiry"] * n))
        for i in order:
            fam = families[i]
            if filled["mash_enquiry"] >= quota:
                break
            if fam.children and "looked_after" not in fam.statuses and fam.kind != "kinship":
                fam.statuses.add("mash_enquiry")
                filled["mash_enquiry"] += len(fam.children)

    def targeted_services(self, fam: _Family) -> None:
        rng = self.rng
        keys = self.by_key
        statuses = fam.statuses
        social_care = statuses & {
            "looked_after",
            "child_protection",
            "child_in_need",
            "child_in_need_closed",
            "mash_enquiry",
        }
        police_rate = 0.012
        if statuses & {"child_protection", "looked_after"}:
            police_rate = 0.6
        elif "child_in_need" in statuses:
            police_rate = 0.3
        elif "early_help" in statuses:
            police_rate = 0.1
        police_family = rng.random() < police_rate
        voluntary_rate = 0.3 if statuses & {"early_help", "child_in_need"} else 0.015
        voluntary = rng.choice(self.voluntary) if rng.random() < voluntary_rate else None

        started = self.days_ago(20, 330)
        closed_start = self.days_ago(200, 900)
        for kid in fam.children:
            if "early_help" in statuses:
                self.involve(
                    kid,
                    keys["early_help"],
                    Capacity.EARLY_HELP,
                    started,
                    lead=kid.id not in self.leads,
                    worker_rate=0.35,
                )
            if "early_help_closed" in statuses:
                self.involve(
                    kid,
                    keys["early_help"],
                    Capacity.EARLY_HELP,
                    closed_start,
                    ended=closed_start + timedelta(days=rng.randint(60, 180)),
                    end_reason="Outcomes achieved: family plan complete",
                )
            if "child_in_need" in statuses:
                self.involve(
                    kid,
                    keys["assessment"],
                    Capacity.CHILD_IN_NEED,
                    self.days_ago(30, 540),
                    lead=True,
                )
            if "child_in_need_closed" in statuses:
                start = self.days_ago(250, 1000)
                self.involve(
                    kid,
                    keys["assessment"],
                    Capacity.CHILD_IN_NEED,
                    start,
                    ended=start + timedelta(days=rng.randint(90, 240)),
                    end_reason="Child in need plan ended: needs met",
                )
            if "child_protection" in statuses:
                start = self.days_ago(15, 400)
                self.involve(
                    kid,
                    keys["assessment"],
                    Capacity.CHILD_IN_NEED,
                    start - timedelta(days=rng.randint(20, 60)),
                    ended=start,
                    end_reason="Child protection plan started",
                )
                self.involve(
                    kid, keys["child_protection"], Capacity.CHILD_PROTECTION, start, lead=True
                )
            if "mash_enquiry" in statuses:
                start = self.days_ago(0, 12)
                ended = start + timedelta(days=rng.randint(1, 5)) if rng.random() < 0.4 else None
                if ended and ended > self.as_of:
                    ended = None
                reason = "MASH decision: step down to early help" if ended else ""
                self.involve(
                    kid,
                    keys["mash"],
                    Capacity.MASH_ENQUIRY,
                    start,
                    ended=ended,
                    end_reason=reason,
                    worker_rate=0.3,
                )
                # Police, health and education each check their own systems for every
                # child the MASH is asked about.
                for partner in ("police_mash", "health_mash", "education_mash"):
                    self.involve(
                        kid,
                        keys[partner],
                        Capacity.MASH_ENQUIRY,
                        start,
                        ended=ended,
                        end_reason=reason,
                    )
            age_days = (self.as_of - kid.dob).days
            if age_days >= 5 * _YEAR:
                camhs_rate = 0.15 if social_care or "early_help" in statuses else 0.025
                if rng.random() < camhs_rate:
                    self.involve(kid, keys["camhs"], Capacity.CAMHS, self.days_ago(20, 700))
            if police_family and rng.random() < 0.85:
                start = self.days_ago(0, 400)
                ended = start + timedelta(days=rng.randint(10, 200))
                self.involve(
                    kid,
                    keys["ppu"],
                    Capacity.POLICE_INVESTIGATION,
                    start,
                    ended=ended if ended < self.as_of and rng.random() < 0.4 else None,
                    end_reason="Investigation concluded: no further action",
                )
            if fam.temporary:
                self.involve(kid, keys["housing"], Capacity.HOUSING, fam.moved_in)
            if voluntary is not None:
                self.involve(kid, voluntary, Capacity.VOLUNTARY_SERVICE, self.days_ago(10, 500))

        # Parents known to the same services have their own records there.
        for adult in fam.adults:
            if fam.gp is not None and rng.random() < 0.97:
                self.record(adult, fam.gp, adult.moved_in or fam.moved_in)
            if social_care:
                self.record(adult, keys["mash"], self.days_ago(0, 400))
            if statuses & {"early_help", "early_help_closed"}:
                self.record(adult, keys["early_help"], self.days_ago(0, 400))
            if (police_family and rng.random() < 0.7) or rng.random() < 0.03:
                self.record(adult, keys["ppu"], self.days_ago(0, 900))
            if fam.temporary:
                self.record(adult, keys["housing"], fam.moved_in)
            if voluntary is not None and rng.random() < 0.5:
                self.record(adult, voluntary, self.days_ago(10, 500))

        if "looked_after" in statuses:
            self.into_care(fam)

    def into_care(self, fam: _Family) -> None:
        """The children come into care together with a foster family in the borough."""
        rng = self.rng
        keys = self.by_key
        # After they came to live at the family home, and before today.
        settled = max(k.moved_in or k.dob for k in fam.children)
        came_into_care = max(self.days_ago(20, 6 * _YEAR), settled + timedelta(days=30))
        came_into_care = min(came_into_care, self.as_of - timedelta(days=5))
        came_into_care = min(max(came_into_care, settled + _DAY), self.as_of)
        carer_dob = self.as_of - timedelta(days=rng.randint(38 * _YEAR, 64 * _YEAR))
        ethnicity = rng.choice(
            (Ethnicity.WBRI, Ethnicity.WBRI, Ethnicity.BCRB, Ethnicity.BAFR, Ethnicity.AIND)
        )
        c = self.community_for(ethnicity)
        carers = [self.person(c, "F", carer_dob, ethnicity, child=False)]
        if rng.random() < 0.6:
            carers.append(
                self.person(
                    c,
                    "M",
                    carer_dob - timedelta(days=rng.randint(0, 4 * _YEAR)),
                    ethnicity,
                    child=False,
                    family=carers[0].family,
                )
            )
        home = self.address(flat=False)
        foster = _Family(
            kind="foster",
            household=self.new_uuid(),
            adults=carers,
            children=[],
            home=home,
            moved_in=min(self.days_ago(3 * _YEAR, 20 * _YEAR), came_into_care - 30 * _DAY),
        )
        for carer in carers:
            self.settle(carer, foster)
        foster.gp = rng.choices(self.gps, self.gp_weights)[0]
        self.pending_units.append(("foster", foster, fam.children, came_into_care))
        for kid in fam.children:
            kid.previous_home, kid.previous_moved_in = kid.home, kid.moved_in
            kid.home, kid.moved_in = home, came_into_care
            self.involve(
                kid, keys["children_in_care"], Capacity.LOOKED_AFTER, came_into_care, lead=True
            )
        self.counts["foster_families"] += 1

    # ----- emitting a family's rows

    def emit_people(self, people: Sequence[_Person], fallback: _TeamInfo) -> None:
        rows = self.rows
        for p in people:
            if p.primary is None:
                self.record(p, fallback, p.moved_in or p.dob)
            primary = p.primary
            assert primary is not None
            prov = primary.prov
            rows["people.Person"].append(
                (p.id, p.given, p.middle, p.family, p.dob, p.sex, p.ethnicity, *prov)
            )
            gn, gs = self.keys(p.given)
            fn, fs = self.keys(p.family)
            rows["people.PersonName"].append(
                (
                    p.id,
                    NameKind.CURRENT,
                    p.given,
                    p.middle,
                    p.family,
                    p.renamed_on or p.dob,
                    None,
                    gn,
                    fn,
                    gs,
                    fs,
                    *prov,
                )
            )
            if p.birth_family:
                bn, bs = self.keys(p.birth_family)
                rows["people.PersonName"].append(
                    (
                        p.id,
                        NameKind.BIRTH,
                        p.given,
                        p.middle,
                        p.birth_family,
                        p.dob,
                        p.renamed_on,
                        gn,
                        bn,
                        gs,
                        bs,
                        *prov,
                    )
                )
            nhs_from = next((r for r in p.records.values() if r.holds_nhs), None)
            if nhs_from is not None:
                rows["people.PersonIdentifier"].append(
                    (p.id, IdentifierScheme.NHS_NUMBER, p.nhs, *nhs_from.prov)
                )
            for scheme, value, match in (
                (IdentifierScheme.UPN, p.upn, ("SIMS", "Arbor", "Bromcom", "Capita One")),
                (IdentifierScheme.POLICE_PERSON, p.police_ref, ("Niche RMS",)),
                (IdentifierScheme.COUNCIL_CASE, p.council_ref, ("Mosaic",)),
            ):
                if not value:
                    continue
                source = next((r for (_, system), r in p.records.items() if system in match), None)
                if source is not None:
                    rows["people.PersonIdentifier"].append((p.id, scheme, value, *source.prov))
            if p.previous_home is not None and p.moved_in is not None:
                rows["people.Residence"].append(
                    (p.id, p.previous_home.id, p.previous_moved_in, p.moved_in, *prov)
                )
            if p.home is not None:
                rows["people.Residence"].append((p.id, p.home.id, p.moved_in, None, *prov))
            self.counts["children" if p.is_child else "adults"] += 1

    def emit_household(self, fam: _Family, *, left: Mapping[uuid.UUID, date] | None = None) -> None:
        rows = self.rows
        rows["people.Household"].append((fam.household, fam.home.id))
        left = left or {}
        for p in [*fam.adults, *fam.children]:
            assert p.primary is not None
            joined = fam.joined.get(p.id) or max(fam.moved_in, p.dob)
            rows["people.HouseholdMember"].append(
                (fam.household, p.id, joined, left.get(p.id), *p.primary.prov)
            )

    def emit_relationships(self, fam: _Family) -> None:
        rows = self.rows["people.Relationship"]
        for adult, kind, pr, kids in fam.carers:
            for kid in kids:
                source = self.relationship_source(kid)
                rows.append((adult.id, kind, kid.id, pr, *source))
        for elder, younger, kind in fam.sibling_pairs:
            rows.append((elder.id, kind, younger.id, False, *self.relationship_source(elder)))
        if fam.partners:
            a, b = fam.partners
            assert a.primary is not None
            rows.append((a.id, RelationshipKind.PARTNER, b.id, False, *a.primary.prov))

    def relationship_source(self, kid: _Person) -> Prov:
        # Social care knows a family best; otherwise the first agency to know the child.
        mosaic = next((r for (_, system), r in kid.records.items() if system == "Mosaic"), None)
        record = mosaic or kid.primary
        assert record is not None
        return record.prov

    def emit_family(self, fam: _Family) -> None:
        if "early_help" in fam.statuses:
            fam.early_help_lead = self.rng.choices(
                ("early_help", "school", "health_visiting"), (0.6, 0.3, 0.1)
            )[0]
        for kid in fam.children:
            self.universal_services(fam, kid)
        self.targeted_services(fam)
        gp = fam.gp or self.gps[0]
        self.emit_people([*fam.adults, *fam.children], gp)
        left = {}
        if "looked_after" in fam.statuses:
            left = {kid.id: kid.moved_in for kid in fam.children if kid.moved_in}
        self.emit_household(fam, left=left)
        self.emit_relationships(fam)
        self.counts["families"] += 1

    def emit_pending(self) -> None:
        """Households that hang off a family: fathers elsewhere, foster families."""
        keys = self.by_key
        for unit in self.pending_units:
            if unit[0] == "absent_parent":
                _, parent, kids, pr = unit
                home = self.address(flat=self.rng.random() < 0.5)
                solo = _Family(
                    kind="absent_parent",
                    household=self.new_uuid(),
                    adults=[parent],
                    children=[],
                    home=home,
                    moved_in=self.days_ago(30, 10 * _YEAR),
                )
                self.settle(parent, solo)
                gp = self.rng.choices(self.gps, self.gp_weights)[0]
                if self.rng.random() < 0.93:
                    self.record(parent, gp, parent.moved_in or self.as_of)
                if any(k.council_ref for k in kids):
                    self.record(parent, keys["mash"], self.days_ago(0, 400))
                if self.rng.random() < 0.08:
                    self.record(parent, keys["ppu"], self.days_ago(0, 900))
                self.emit_people([parent], gp)
                self.emit_household(solo)
                solo.carers = [(parent, RelationshipKind.FATHER, pr, kids)]
                self.emit_relationships(solo)
                self.counts["non_resident_fathers"] += 1
            else:
                _, foster, kids, came_into_care = unit
                for carer in foster.adults:
                    self.record(carer, foster.gp, carer.moved_in or self.as_of)
                    self.record(carer, keys["children_in_care"], self.days_ago(200, 3000))
                self.emit_people(foster.adults, foster.gp)
                foster.joined = {kid.id: came_into_care for kid in kids}
                self.emit_household(foster)
                rows = self.rows["people.HouseholdMember"]
                for kid in kids:
                    assert kid.primary is not None
                    rows.append((foster.household, kid.id, came_into_care, None, *kid.primary.prov))
                foster.carers = [
                    (carer, RelationshipKind.FOSTER_CARER, False, kids) for carer in foster.adults
                ]
                foster.partners = (
                    (foster.adults[0], foster.adults[1]) if len(foster.adults) == 2 else None
                )
                self.emit_relationships(foster)

    def care_leavers(self) -> None:
        rng = self.rng
        keys = self.by_key
        count = max(MINIMUM["care_leavers"], round(RATES["care_leavers"] * self.target_children))
        # Care leavers come disproportionately from some communities (see DOMAIN.md).
        weights = [
            w
            * (
                2.5
                if code in (Ethnicity.MWBC, Ethnicity.BCRB, Ethnicity.BOTH, Ethnicity.MOTH)
                else 1.0
            )
            for code, w in namelists.ETHNICITY_MIX
        ]
        for _ in range(count):
            ethnicity = rng.choices(self.ethnicity_codes, weights)[0]
            if ethnicity in namelists.MIXED_PARENTS:
                community = self.community_for(rng.choice(namelists.MIXED_PARENTS[ethnicity])[0])
            else:
                community = self.community_for(ethnicity)
            sex = "M" if rng.random() < 0.55 else "F"
            # 18 to 21 by the calendar: a few days' margin for leap years.
            age = rng.randint(18 * _YEAR + 6, 22 * _YEAR - 2)
            young = self.person(community, sex, self.dob_for_age(age), ethnicity, child=False)
            birthday_18 = (
                young.dob.replace(year=young.dob.year + 18)
                if not (young.dob.month == 2 and young.dob.day == 29)
                else date(young.dob.year + 18, 3, 1)
            )
            home = self.address(flat=True, uprn_known=0.9)
            unit = _Family(
                kind="care_leaver",
                household=self.new_uuid(),
                adults=[young],
                children=[],
                home=home,
                moved_in=birthday_18,
            )
            self.settle(young, unit)
            came_into_care = young.dob + timedelta(days=rng.randint(8 * _YEAR, 17 * _YEAR))
            self.record(young, keys["children_in_care"], came_into_care)
            self.involve(
                young,
                keys["children_in_care"],
                Capacity.LOOKED_AFTER,
                came_into_care,
                ended=birthday_18,
                end_reason="Turned 18: moved to leaving care",
            )
            self.involve(
                young,
                keys["leaving_care"],
                Capacity.LEAVING_CARE,
                birthday_18 - timedelta(days=90),
                lead=True,
                worker_rate=0.6,
            )
            gp = rng.choices(self.gps, self.gp_weights)[0]
            if rng.random() < 0.95:
                self.record(young, gp, birthday_18)
            if rng.random() < 0.25:
                self.record(young, keys["ppu"], self.days_ago(0, 900))
            if rng.random() < 0.3:
                self.record(young, keys["housing"], birthday_18)
            self.emit_people([young], gp)
            self.emit_household(unit)
            self.counts["care_leavers"] += 1

    # ----- the whole borough

    def run(self) -> Borough:
        families: list[_Family] = []
        made = 0
        while made < self.target_children:
            fam = self.family(self.target_children - made)
            families.append(fam)
            made += len(fam.children)
        self.assign_statuses(families)
        for fam in families:
            self.emit_family(fam)
        self.emit_pending()
        self.care_leavers()
        return Borough(rows=self.rows, ground_truth=self.ground_truth, summary=self.summary())

    def summary(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "children": counts["children"],
            "adults": counts["adults"],
            "people": counts["children"] + counts["adults"],
            "families": counts["families"],
            "twin_pairs": counts["twin_pairs"],
            "step_families": counts["step_families"],
            "half_siblings": counts["half_siblings"],
            "kinship_families": counts["kinship_families"],
            "non_resident_fathers": counts["non_resident_fathers"],
            "foster_families": counts["foster_families"],
            "care_leavers": counts["care_leavers"],
            "surname_changes_children": counts["surname_changes_children"],
            "surname_changes_adults": counts["surname_changes_adults"],
            "hyphenated_surnames": counts["hyphenated_surnames"],
            "families_moved": counts["families_moved"],
            "temporary_accommodation_families": counts["temporary_accommodation_families"],
            "children_not_in_a_borough_school": counts["children_not_in_a_borough_school"],
            "involvements": {
                k.removeprefix("involvements_"): v
                for k, v in sorted(counts.items())
                if k.startswith("involvements_")
            },
            "agency_records": sum(self.records_by_system.values()),
            "agency_records_by_system": dict(sorted(self.records_by_system.items())),
            "record_errors": dict(sorted(self.errors.items())),
            "rows": {label: len(rows) for label, rows in self.rows.items()},
        }


def generate(
    partnership: Partnership,
    *,
    children: int,
    seed: int,
    as_of: date,
    first_address_id: int = 1,
    first_record_id: int = 1,
    named_workers: Mapping[str, Sequence[int]] | None = None,
) -> Borough:
    """Make a borough of `children` children (plus their adults and care leavers).

    `first_address_id` and `first_record_id` are the ids the new addresses and agency
    records start from (they are referred to before they are written). `named_workers`
    maps a team key ("early_help") to users who appear as named practitioners.
    """
    if children < 1:
        raise ValueError("A borough needs at least one child.")
    return _Generator(
        partnership,
        children=children,
        seed=seed,
        as_of=as_of,
        first_address_id=first_address_id,
        first_record_id=first_record_id,
        named_workers=named_workers or {},
    ).run()


def _strip_accents(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _off_by_one(dob: date, rng: random.Random) -> date:
    if rng.random() < 0.3:
        try:
            return dob.replace(year=dob.year + rng.choice((-1, 1)))
        except ValueError:  # 29 February
            return dob + _DAY
    return dob + rng.choice((-_DAY, _DAY))
