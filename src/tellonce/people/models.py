"""People the partnership knows: children and adults, their names over time, dates of
birth, identifiers from each agency, addresses over time, households and relationships,
and each agency's own copy of the person (`AgencyRecord`).

Every fact carries its provenance; nothing is hard-deleted.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils import timezone

from tellonce.core.models import Archivable, Provenance, Timestamped, Undeletable
from tellonce.people import identifiers, names

CHILD_AGE_LIMIT = 18


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    """DfE ethnicity codes (main categories used in the CIN census)."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Person(Timestamped, Archivable, Provenance):
    """A child or adult as the partnership knows them.

    The name, date of birth, sex and ethnicity here are the accepted current values
    (with the provenance of where they came from); each agency's own version lives in
    its `AgencyRecord` and the full name history in `PersonName`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    given_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    date_of_death = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
            # The few archived (merged) people, which lists of the living leave out.
            models.Index(
                fields=["id"],
                name="person_archived_idx",
                condition=models.Q(archived_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_names, self.family_name) if p)

    @property
    def name_and_birth(self) -> str:
        """How an alert names a child: "Jack Taylor, born 2 May 2018"."""
        born = f", born {self.date_of_birth:%-d %B %Y}" if self.date_of_birth else ""
        return f"{self.full_name}{born}"

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def is_child(self) -> bool:
        age = self.age
        return age is not None and age < CHILD_AGE_LIMIT


class NameKind(models.TextChoices):
    CURRENT = "current", "Current name"
    BIRTH = "birth", "Name at birth"
    PREVIOUS = "previous", "Previous name"
    ALIAS = "alias", "Also known as"
    PREFERRED = "preferred", "Preferred name"


class PersonName(Timestamped, Archivable, Provenance):
    """One name a person has been known by, with when."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="names")
    kind = models.CharField(max_length=20, choices=NameKind.choices, default=NameKind.CURRENT)
    given_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100)
    used_from = models.DateField(null=True, blank=True)
    used_until = models.DateField(null=True, blank=True)
    # Search keys, kept by save(): normalised spelling and a phonetic code.
    given_name_norm = models.CharField(max_length=100, editable=False, db_index=True)
    family_name_norm = models.CharField(max_length=100, editable=False)
    given_name_sound = models.CharField(max_length=12, editable=False)
    family_name_sound = models.CharField(max_length=12, editable=False, db_index=True)

    class Meta:
        ordering = ["-used_from"]
        indexes = [
            models.Index(fields=["family_name_norm"], name="name_family_norm_idx"),
            models.Index(fields=["given_name_sound", "family_name_sound"], name="name_sound_idx"),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.given_name, self.middle_names, self.family_name) if p)

    def fill_search_keys(self) -> None:
        self.given_name_norm = names.normalise(self.given_name)
        self.family_name_norm = names.normalise(self.family_name)
        self.given_name_sound = names.sound(self.given_name)
        self.family_name_sound = names.sound(self.family_name)

    def save(self, *args: object, **kwargs: object) -> None:
        self.fill_search_keys()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class IdentifierScheme(models.TextChoices):
    NHS_NUMBER = "nhs", "NHS number"
    UPN = "upn", "Unique pupil number"
    POLICE_PERSON = "police", "Police person reference"
    COUNCIL_CASE = "council", "Council case number"


class PersonIdentifier(Timestamped, Archivable, Provenance):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=40)

    class Meta:
        ordering = ["scheme"]
        indexes = [models.Index(fields=["scheme", "value"], name="identifier_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.display_value}"

    @property
    def display_value(self) -> str:
        return identifiers.display(self.scheme, self.value)


class Address(Timestamped, Undeletable):
    """A place. Shared by everyone who lives or lived there; never deleted."""

    uprn = models.CharField(
        max_length=12, null=True, blank=True, unique=True, help_text="Unique property reference"
    )
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    postcode_norm = models.CharField(max_length=8, editable=False, db_index=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)

    def save(self, *args: object, **kwargs: object) -> None:
        self.postcode_norm = identifiers.normalise_postcode(self.postcode)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Residence(Timestamped, Archivable, Provenance):
    """A person lived at an address from one date to another."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="residences")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residences")
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-moved_in"]


class Household(Timestamped, Archivable):
    """People living together as a family unit at one address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="households"
    )

    def __str__(self) -> str:
        return f"Household at {self.address}" if self.address else "Household"


class HouseholdMember(Timestamped, Archivable, Provenance):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="households")
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "household"], name="household_member_idx")]


class RelationshipKind(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_MOTHER = "step_mother", "Step-mother"
    STEP_FATHER = "step_father", "Step-father"
    CARER = "carer", "Carer"
    FOSTER_CARER = "foster_carer", "Foster carer"
    GRANDPARENT = "grandparent", "Grandparent"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    STEP_SIBLING = "step_sibling", "Step-sibling"
    PARTNER = "partner", "Partner"
    OTHER = "other", "Other family member"


class Relationship(Timestamped, Archivable, Provenance):
    """`person` is the `kind` of `relative`: "Amina is the mother of Yusuf"."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    relative = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="relationships_as_relative"
    )
    has_parental_responsibility = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["relative", "kind"], name="relationship_relative_idx")]

    def __str__(self) -> str:
        return f"{self.person} is the {self.get_kind_display().lower()} of {self.relative}"


class LinkMethod(models.TextChoices):
    UNLINKED = "unlinked", "Not yet linked"
    SEED_TRUTH = "seed", "Synthetic borough ground truth"
    RECORDED = "recorded", "Recorded by a practitioner"
    MODEL = "model", "Probabilistic linkage"
    REVIEW = "review", "Clerical review"


class AgencyRecord(Timestamped, Undeletable):
    """One agency system's own record of a person, as it was received.

    These are the raw material of record linkage: each says what one agency believes,
    errors and all. `person` is the person it has been linked to, if any.
    """

    agency = models.ForeignKey(
        "organisations.Agency", on_delete=models.PROTECT, related_name="records"
    )
    system = models.CharField(max_length=100)
    local_id = models.CharField(max_length=64, help_text="The record's id in the agency system")
    given_name = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    uprn = models.CharField(max_length=12, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    police_ref = models.CharField(max_length=20, blank=True)
    council_ref = models.CharField(max_length=20, blank=True)
    national_id = models.CharField(
        max_length=40, blank=True, help_text="Another country's or scheme's identifier"
    )
    received_on = models.DateTimeField(default=timezone.now)
    # Which feed file and row last changed this record (none: seeded or sent by the API).
    feed = models.ForeignKey(
        "feeds.FeedImport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    feed_row = models.PositiveIntegerField(null=True, blank=True)
    # A digest of the agency's details as stored, so that a re-sent unchanged row is
    # recognised without comparing field by field; empty until a feed or the API wrote it.
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="agency_records"
    )
    link_method = models.CharField(
        max_length=20, choices=LinkMethod.choices, default=LinkMethod.UNLINKED
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "system", "local_id"], name="agency_record_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}/{self.system}/{self.local_id}"


class MultiOccupancyAddress(Timestamped, Archivable):
    """An address where people who are not one family live (a hostel, a refuge, a
    hotel used for emergency accommodation), kept by the partnership: people who share
    it are never a possible household (decision 0010). Known by its UPRN, or by its
    first line and postcode as `people.selectors.address_key` makes them."""

    uprn = models.CharField(max_length=12, blank=True)
    postcode_norm = models.CharField(max_length=8, blank=True)
    line_key = models.CharField(max_length=200, blank=True)
    description = models.CharField(
        max_length=200, help_text="What the place is, e.g. a young people's hostel"
    )

    class Meta:
        verbose_name_plural = "multi-occupancy addresses"

    def __str__(self) -> str:
        return self.description
