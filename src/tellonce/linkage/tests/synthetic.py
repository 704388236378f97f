"""Synthetic canonical records with known truth, for the linkage engine's tests and
benchmark, without the database.

Owns `generate()`: families of children (siblings, twins, some with a changed
surname) living at addresses that share postcodes, each child recorded by one to four
agencies with the errors real records have: typos, nicknames and transliterations,
day and month swapped, a date one day or year out, missing dates, NHS numbers and
postcodes, old addresses, surnames at birth, split double-barrelled surnames, given
and family names swapped. Twins share surname, date of birth and home and differ in
given name (sometimes only slightly: Layla and Lyla) and identifiers.

Names here are invented for tests; seeded, so the same seed gives the same records.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tellonce.linkage.engine.variants import VARIANT_GROUPS

_MALE = """oliver george harry noah jack leo arthur muhammad mohammed oscar charlie jacob
thomas henry william freddie alfie theo archie joshua james isaac alexander lucas ethan
max finley logan teddy samuel daniel joseph edward sebastian dylan riley tommy albie
reggie ronnie toby jude louis mason elijah rory benjamin ryan kai tyler liam callum
jayden bobby yusuf ibrahim hamza omar ali ahmed hassan hussain bilal zain ayaan
rayyan arjun rohan krish dev jakub kacper szymon filip antoni andrei mihai david
kwame kofi emeka tunde oluwaseun chidi abdi abdirahman mustafa osman john robert
michael nicholas christopher matthew patrick francis adam kian rhys jake""".split()
_FEMALE = """olivia amelia isla ava mia ivy lily isabella rosie sophia grace willow freya
florence emily ella poppy evie elsie charlotte evelyn sophie daisy sienna phoebe ruby
millie harper matilda alice maya esme zara ellie layla chloe lola jessica scarlett
eva erin holly imogen lucy katie megan hannah abigail maisie niamh amber eleanor molly
libby elizabeth katherine aisha fatima maryam zainab khadija amina hafsa noor sana
priya anjali simran zuzanna julia maja lena zofia maria elena ioana ama abena adaeze
chiamaka ngozi hodan fadumo sagal yasmin alexandra rebecca victoria natalie amira
amara lyla lila hana""".split()
_SURNAMES = """smith jones williams taylor brown davies evans wilson thomas johnson roberts
robinson thompson wright walker white edwards hughes green hall lewis harris clarke
patel jackson wood turner martin cooper hill ward morris moore clark lee king baker
harrison morgan allen james scott phillips watson davis parker price bennett young
griffiths mitchell kelly cook carter richardson bailey collins bell shaw murphy miller
cox richards khan ahmed ali hussain begum rahman islam miah uddin choudhury shah
singh kaur sharma gupta kumar mistry nowak kowalski wisniewski popescu ionescu
okafor okonkwo adeyemi mensah owusu asante mohamed hassan abdi warsame jama osei
campbell grant francis reid gordon chen wang zhang silva santos ferreira murray
odonnell quinn mcdonagh doherty oneill mahmood siddiqui qureshi""".split()
_STREETS = """oak elm ash beech birch cedar hawthorn holly laurel linden maple poplar rowan
willow alder hazel station church park green manor grange victoria albert windsor
kingsley tennyson shelley byron keats milton dickens hardy brunel faraday darwin
newton fleming seacole nightingale""".split()
_KINDS = ["road", "avenue", "close", "gardens", "way", "lane", "street", "crescent"]
#: Twins whose names a tired receptionist will confuse: not variants of each other.
SIMILAR_TWIN_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "M": (("hassan", "hussein"), ("jack", "jake"), ("kai", "kian"), ("ryan", "rhys")),
    "F": (("ella", "ellie"), ("mia", "maya"), ("layla", "lyla"), ("amira", "amara")),
}
_CONFUSABLE_SURNAMES = frozenset(
    "ahmed ali hussain mohamed hassan abdi warsame jama chen wang zhang khan".split()
)


@dataclass(frozen=True)
class _Profile:
    """How carefully one kind of agency records people, as error rates."""

    holds_nhs: float
    holds_upn: float
    holds_uprn: float
    typo: float
    nickname: float
    dob_error: float
    dob_missing: float
    postcode_missing: float
    stale_address: float
    birth_surname: float


AGENCIES: dict[str, _Profile] = {
    "gp": _Profile(0.99, 0.0, 0.0, 0.012, 0.01, 0.004, 0.0, 0.005, 0.3, 0.3),
    "hospital": _Profile(0.85, 0.0, 0.0, 0.04, 0.06, 0.015, 0.0, 0.05, 0.35, 0.4),
    "school": _Profile(0.0, 1.0, 0.0, 0.02, 0.12, 0.005, 0.0, 0.01, 0.2, 0.3),
    "social_care": _Profile(0.7, 0.2, 0.9, 0.025, 0.04, 0.01, 0.0, 0.02, 0.3, 0.25),
    "housing": _Profile(0.0, 0.0, 1.0, 0.02, 0.03, 0.01, 0.0, 0.0, 0.0, 0.2),
    "police": _Profile(0.05, 0.0, 0.0, 0.04, 0.08, 0.02, 0.01, 0.06, 0.4, 0.35),
    "voluntary": _Profile(0.1, 0.0, 0.0, 0.05, 0.15, 0.02, 0.12, 0.1, 0.3, 0.3),
}


@dataclass
class _Home:
    uprn: str
    postcode: str
    address: str


@dataclass
class _Child:
    person_id: str
    given: str
    family: str
    birth_family: str | None
    dob: date
    sex: str
    nhs_number: str
    upn: str
    home: _Home
    previous_home: _Home | None
    twin_of: str | None = None


@dataclass
class SyntheticData:
    records: list[dict[str, Any]]
    #: unique_id -> person_id
    truth: dict[str, str]
    #: Pairs of twins' person ids.
    twins: list[tuple[str, str]] = field(default_factory=list)
    #: unique_id -> the kinds of error made writing that record.
    errors: dict[str, list[str]] = field(default_factory=dict)

    def true_pairs(self) -> set[tuple[str, str]]:
        by_person: dict[str, list[str]] = {}
        for uid, pid in self.truth.items():
            by_person.setdefault(pid, []).append(uid)
        pairs = set()
        for uids in by_person.values():
            uids.sort()
            for i, a in enumerate(uids):
                for b in uids[i + 1 :]:
                    pairs.add((a, b))
        return pairs


_CUMULATIVE: dict[int, list[float]] = {}


def _zipf_choice(rng: random.Random, names: list[str]) -> str:
    # A few names are common (the first ~3%, as Smith or Muhammad are), most are rare:
    # term frequencies matter, and no name swamps the blocking.
    weights = _CUMULATIVE.get(id(names))
    if weights is None:
        weights = _CUMULATIVE[id(names)] = list(
            itertools.accumulate(1 / (rank + 10) for rank in range(len(names)))
        )
    return rng.choices(names, cum_weights=weights)[0]


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.serial = 0
        self.ids: set[str] = set()
        self.variants: dict[str, list[str]] = {}
        for group in VARIANT_GROUPS:
            for name in group:
                self.variants.setdefault(name, []).extend(n for n in group if n != name)
        self.postcodes = [self._postcode() for _ in range(20)]

    def _postcode(self) -> str:
        r = self.rng
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        return f"NB{r.randint(1, 9)}{r.randint(1, 9)}{r.choice(letters)}{r.choice(letters)}"

    def unique(self, make: Any) -> str:
        while True:
            value = make()
            if value not in self.ids:
                self.ids.add(value)
                return str(value)

    def home(self) -> _Home:
        r = self.rng
        if r.random() < 0.1:
            self.postcodes.append(self._postcode())
        postcode = r.choice(self.postcodes)
        return _Home(
            uprn=self.unique(lambda: str(r.randint(10**11, 10**12 - 1))),
            postcode=postcode,
            address=f"{r.randint(1, 180)} {r.choice(_STREETS)} {r.choice(_KINDS)}",
        )

    def child(self, family: str, home: _Home, dob: date, sex: str, given: str) -> _Child:
        r = self.rng
        self.serial += 1
        birth_family = None
        if r.random() < 0.06:
            birth_family = _zipf_choice(r, _SURNAMES)
        return _Child(
            person_id=f"P{self.serial:06d}",
            given=given,
            family=family,
            birth_family=birth_family if birth_family != family else None,
            dob=dob,
            sex=sex,
            nhs_number=self.unique(lambda: str(r.randint(4 * 10**9, 10**10 - 1))),
            upn=self.unique(lambda: r.choice("ABCDEFGHJKLMN") + str(r.randint(10**11, 10**12 - 1))),
            home=home,
            previous_home=self.home() if r.random() < 0.3 else None,
        )

    def given(self, sex: str) -> str:
        return _zipf_choice(self.rng, _MALE if sex == "M" else _FEMALE)

    def family(self, as_of: date) -> list[_Child]:
        r = self.rng
        surname = _zipf_choice(r, _SURNAMES)
        if r.random() < 0.04:
            surname = f"{surname} {_zipf_choice(r, _SURNAMES)}"
        home = self.home()
        kids: list[_Child] = []
        dob = as_of - timedelta(days=r.randint(0, 17 * 365))
        for _ in range(r.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            sex = r.choice("MF")
            if r.random() < 0.04:
                first = self.child(surname, home, dob, sex, self.given(sex))
                twin_sex = sex if r.random() < 0.65 else ("F" if sex == "M" else "M")
                if twin_sex == sex and r.random() < 0.4:
                    a, b = r.choice(SIMILAR_TWIN_NAMES[sex])
                    first.given = a
                    second_name = b
                else:
                    second_name = self.given(twin_sex)
                    while second_name == first.given:
                        second_name = self.given(twin_sex)
                second = self.child(surname, home, dob, twin_sex, second_name)
                second.twin_of = first.person_id
                second.previous_home = first.previous_home
                kids += [first, second]
            else:
                # Siblings have different given names, and not variants of each other.
                taken = {k.given for k in kids} | {
                    v for k in kids for v in self.variants.get(k.given, [])
                }
                given = self.given(sex)
                while given in taken:
                    given = self.given(sex)
                kids.append(self.child(surname, home, dob, sex, given))
            dob = dob - timedelta(days=r.randint(300, 2000))
            if dob < as_of - timedelta(days=18 * 365):
                break
        return kids

    def typo(self, name: str, errors: list[str]) -> str:
        r = self.rng
        if len(name) < 4:
            return name
        i = r.randrange(1, len(name) - 1)
        roll = r.random()
        errors.append("typo")
        if roll < 0.4 and name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if roll < 0.7:
            return name[:i] + name[i + 1 :]
        return name[:i] + name[i] + name[i:]

    def record(self, kid: _Child, agency: str) -> tuple[dict[str, Any], list[str]]:
        r = self.rng
        p = AGENCIES[agency]
        errors: list[str] = []
        given, family = kid.given, kid.family
        if kid.birth_family and r.random() < p.birth_surname:
            family = kid.birth_family
            errors.append("birth_surname")
        spellings = self.variants.get(given)
        if spellings and r.random() < max(p.nickname, 0.25 if len(spellings) else 0):
            given = r.choice(spellings)
            errors.append("nickname")
        spellings = self.variants.get(family)
        if spellings and r.random() < 0.2:
            family = r.choice(spellings)
            errors.append("family_spelling")
        if " " in family and r.random() < 0.35:
            first, _, second = family.partition(" ")
            family = r.choice((first, second, f"{first}-{second}"))
            errors.append("hyphen_split")
        if r.random() < p.typo:
            given = self.typo(given, errors)
        if r.random() < p.typo:
            family = self.typo(family, errors)
        if kid.family in _CONFUSABLE_SURNAMES and r.random() < 0.015:
            given, family = family, given
            errors.append("names_swapped")
        dob: date | None = kid.dob
        roll = r.random()
        if roll < p.dob_missing:
            dob = None
            errors.append("dob_missing")
        elif roll < p.dob_missing + p.dob_error / 2:
            if kid.dob.day <= 12 and kid.dob.day != kid.dob.month:
                dob = date(kid.dob.year, kid.dob.day, kid.dob.month)
                errors.append("dob_swapped")
        elif roll < p.dob_missing + p.dob_error:
            if r.random() < 0.3:
                year = kid.dob.year + r.choice((-1, 1))
                dob = kid.dob.replace(year=year, day=min(kid.dob.day, 28))
            else:
                dob = kid.dob + r.choice((timedelta(days=-1), timedelta(days=1)))
            errors.append("dob_off_by_one")
        sex: str | None = kid.sex
        if r.random() < 0.01:
            sex = None
        home = kid.home
        if kid.previous_home is not None and r.random() < p.stale_address:
            home = kid.previous_home
            errors.append("old_address")
        uid = f"R{len(self.ids):07d}"
        self.ids.add(uid)
        record: dict[str, Any] = {
            "unique_id": uid,
            "source_dataset": agency,
            "given_name": given.title(),
            "family_name": family.title(),
            "date_of_birth": dob.isoformat() if dob else None,
            "sex": sex,
            "postcode": None if r.random() < p.postcode_missing else home.postcode,
            "uprn": home.uprn if r.random() < p.holds_uprn else None,
            "address": home.address.title(),
            "nhs_number": kid.nhs_number if r.random() < p.holds_nhs else None,
            "upn": kid.upn if r.random() < p.holds_upn else None,
        }
        return record, errors


def generate(n_people: int, *, seed: int = 1, as_of: date = date(2025, 6, 1)) -> SyntheticData:
    """About `n_people` children and 2 records each on average, with the truth."""
    gen = _Generator(seed)
    gen.postcodes = [gen._postcode() for _ in range(max(5, n_people // 25))]
    kids: list[_Child] = []
    while len(kids) < n_people:
        kids.extend(gen.family(as_of))
    data = SyntheticData(records=[], truth={})
    agencies = list(AGENCIES)
    for kid in kids:
        if kid.twin_of:
            data.twins.append((kid.twin_of, kid.person_id))
        how_many = gen.rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        for agency in gen.rng.sample(agencies, how_many):
            record, errors = gen.record(kid, agency)
            data.records.append(record)
            data.truth[record["unique_id"]] = kid.person_id
            data.errors[record["unique_id"]] = errors
    return data


def _mutations(rng: random.Random, variants: dict[str, list[str]]) -> list[Any]:
    """Edits of one record into another that might or might not be the same child,
    chosen so that between them every comparison level is reached."""

    def blank(r: dict[str, Any]) -> None:
        for key in rng.sample(
            ["given_name", "family_name", "date_of_birth", "sex", "postcode", "uprn", "address"],
            rng.randint(1, 3),
        ):
            r[key] = None

    def dob(r: dict[str, Any], how: str) -> None:
        if not r["date_of_birth"]:
            return
        y, m, d = (int(x) for x in r["date_of_birth"].split("-"))
        if how == "swap" and d <= 12:
            m, d = d, m
        elif how == "day":
            d = d % 28 + 1
        elif how == "month":
            m = m % 12 + 1
        elif how == "year":
            y -= 1
        else:
            y, m, d = y - 3, m % 12 + 1, d % 28 + 1
        r["date_of_birth"] = date(y, m, min(d, 28)).isoformat()

    def name(r: dict[str, Any], key: str, how: str) -> None:
        value = (r[key] or "").lower()
        if how == "variant" and variants.get(value):
            r[key] = rng.choice(variants[value]).title()
        elif how == "typo" and len(value) > 3:
            i = rng.randrange(1, len(value) - 1)
            r[key] = (value[:i] + value[i + 1 :]).title()
        elif how == "similar" and len(value) > 3:
            r[key] = (value[:2] + "x" + value[3:] + "yz").title()
        elif how == "other":
            r[key] = rng.choice(_FEMALE + _MALE + _SURNAMES).title()
        elif how == "barrel":
            r[key] = f"{value.title()}-{rng.choice(_SURNAMES).title()}"

    def swap_names(r: dict[str, Any]) -> None:
        r["given_name"], r["family_name"] = r["family_name"], r["given_name"]

    def postcode(r: dict[str, Any], how: str) -> None:
        pc = r["postcode"]
        if not pc:
            return
        if how == "unit":
            r["postcode"] = pc[:-2] + ("ZZ" if pc[-2:] != "ZZ" else "YY")
        elif how == "sector":
            r["postcode"] = pc[:-3] + str((int(pc[-3]) + 1) % 10) + pc[-2:]
        else:
            r["postcode"] = "XX9 9XX"
        r["uprn"] = None

    def identifiers(r: dict[str, Any]) -> None:
        for key in ("nhs_number", "upn"):
            if r.get(key):
                r[key] = r[key][:-1] + ("0" if r[key][-1] != "0" else "1")

    def sex(r: dict[str, Any]) -> None:
        r["sex"] = {"M": "F", "F": "M"}.get(r["sex"] or "", "M")

    def accents(r: dict[str, Any]) -> None:
        r["given_name"] = "Zoë" if rng.random() < 0.5 else "Michał"

    return [
        blank,
        lambda r: dob(r, "swap"),
        lambda r: dob(r, "day"),
        lambda r: dob(r, "month"),
        lambda r: dob(r, "year"),
        lambda r: dob(r, "other"),
        lambda r: name(r, "given_name", "variant"),
        lambda r: name(r, "given_name", "typo"),
        lambda r: name(r, "given_name", "similar"),
        lambda r: name(r, "given_name", "other"),
        lambda r: name(r, "family_name", "variant"),
        lambda r: name(r, "family_name", "typo"),
        lambda r: name(r, "family_name", "similar"),
        lambda r: name(r, "family_name", "other"),
        lambda r: name(r, "family_name", "barrel"),
        swap_names,
        lambda r: postcode(r, "unit"),
        lambda r: postcode(r, "sector"),
        lambda r: postcode(r, "district"),
        lambda r: r.update(address=(r["address"] or "") + " flat 2"),
        lambda r: r.update(uprn=None),
        identifiers,
        sex,
        accents,
    ]


def varied_pairs(
    data: SyntheticData, n: int, *, seed: int = 2
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """`n` pairs of raw records of every kind: random pairs, true duplicates, twins,
    and records edited by one to three mutations (nulls, swapped dates, nicknames,
    names swapped, moved house, other identifiers...)."""
    rng = random.Random(seed)
    records = data.records
    by_person: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_person.setdefault(data.truth[record["unique_id"]], []).append(record)
    variants: dict[str, list[str]] = {}
    for group in VARIANT_GROUPS:
        for name in group:
            variants.setdefault(name, []).extend(x for x in group if x != name)
    mutations = _mutations(rng, variants)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    duplicates = [recs for recs in by_person.values() if len(recs) > 1]
    twins = [(by_person[a], by_person[b]) for a, b in data.twins]
    while len(pairs) < n:
        kind = rng.random()
        if kind < 0.2:
            pairs.append((rng.choice(records), rng.choice(records)))
        elif kind < 0.4:
            left, right = rng.sample(rng.choice(duplicates), 2)
            pairs.append((left, right))
        elif kind < 0.5 and twins:
            a, b = rng.choice(twins)
            pairs.append((rng.choice(a), rng.choice(b)))
        else:
            left = rng.choice(records)
            right = dict(left)
            for mutate in rng.sample(mutations, rng.randint(1, 3)):
                mutate(right)
            pairs.append((left, right))
    out = []
    for i, (left, right) in enumerate(pairs):
        out.append(({**left, "unique_id": f"{i}L"}, {**right, "unique_id": f"{i}R"}))
    return out
