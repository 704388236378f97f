"""The synthetic borough's agency feeds: what each agency system would send us.

Owns `feeds_export()`, which `tellonce export_feeds` calls. From the agency records in
the database it writes one feed per agency system (an agency and the system it keeps
people in), each in that system's own layout: its column names, date format, sex and
service codes, as CSV (some with another delimiter), a JSON list or JSON Lines, and
beside each the YAML mapping that reads it back (see `tellonce.feeds.mapping`). A
record the agency works with in several ways has a row per involvement.

Plus one feed with deliberately bad rows among good ones (an impossible date of birth,
an NHS number whose check digit fails, a missing surname, a UPN whose check letter
fails), in TellOnce's own plain layout, to show what `tellonce import` does with them.

Importing every feed back into the database it came from changes nothing: the good
rows all say what is already stored. `import-all.sh` in the directory does exactly
that. For the demo, development and tests only: the files hold people's details.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db.models import QuerySet

from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_record
from tellonce.feeds.mapping import DATE_FIELDS
from tellonce.feeds.selectors import InvolvementAsSent, involvements_as_sent
from tellonce.feeds.services import INVOLVEMENT_FIELDS, RECORD_FIELDS
from tellonce.involvements.models import Capacity
from tellonce.organisations.models import Agency
from tellonce.people import identifiers
from tellonce.people.models import AgencyRecord, Sex

#: TellOnce field -> AgencyRecord attribute, for the fields a feed row can carry.
_RECORD_ATTRS = {"record_id": "local_id", **RECORD_FIELDS}


class FeedsExportRefusedError(Exception):
    pass


@dataclass(frozen=True)
class FeedLayout:
    """How one agency system writes its feed. `columns` names the column for each
    TellOnce field (`a.b`: nested JSON); a tuple of columns splits the address over
    them. Codes are TellOnce's code -> the system's; unlisted codes are written as
    TellOnce's."""

    format: str
    columns: Mapping[str, str | tuple[str, ...]]
    date_format: str = "%Y-%m-%d"
    sex_codes: Mapping[str, str] = field(default_factory=dict)
    capacity_codes: Mapping[str, str] = field(default_factory=dict)
    lead_codes: tuple[Any, Any] = ("Y", "N")
    required: tuple[str, ...] = ("family_name",)
    delimiter: str = ","

    @property
    def suffix(self) -> str:
        return {"csv": ".csv", "json": ".json", "jsonl": ".jsonl"}[self.format]

    def header(self) -> list[str]:
        names: list[str] = []
        for column in self.columns.values():
            names.extend(column if isinstance(column, tuple) else (column,))
        return names


_INVOLVEMENT_COLUMNS = dict.fromkeys(INVOLVEMENT_FIELDS, "")
LAYOUTS: dict[str, FeedLayout] = {
    "EMIS Web": FeedLayout(
        format="csv",
        columns={
            "record_id": "EMIS Number",
            "given_name": "Forenames",
            "family_name": "Surname",
            "date_of_birth": "Date of Birth",
            "sex": "Sex",
            "nhs_number": "NHS Number",
            "ethnicity": "Ethnic Origin",
            "address": "Address",
            "postcode": "Postcode",
            "team": "Practice Team",
            "capacity": "Registration Type",
            "started_on": "Registered Date",
            "ended_on": "Deregistered Date",
            "end_reason": "Deregistration Reason",
            "practitioner": "Usual GP",
            "lead_professional": "Lead Professional",
        },
        date_format="%Y%m%d",
        sex_codes={"M": "Male", "F": "Female", "U": "Indeterminate"},
        capacity_codes={Capacity.GP: "GMS"},
        required=("family_name", "date_of_birth"),
    ),
    "SystmOne": FeedLayout(
        format="csv",
        columns={
            "record_id": "Patient ID",
            "given_name": "First Name",
            "middle_names": "Other Forenames",
            "family_name": "Surname",
            "date_of_birth": "DOB",
            "sex": "Gender",
            "nhs_number": "NHS Number",
            "ethnicity": "Ethnicity",
            "address": ("Address Line 1", "Address Line 2"),
            "postcode": "Postcode",
            "team": "Unit",
            "capacity": "Service",
            "started_on": "Referral In",
            "ended_on": "Discharged",
            "end_reason": "Discharge Reason",
            "practitioner": "Caseload Holder",
            "lead_professional": "Lead Professional",
        },
        date_format="%d/%m/%Y",
        sex_codes={"M": "1", "F": "2", "U": "0"},
        capacity_codes={
            Capacity.HEALTH_VISITING: "HV",
            Capacity.SCHOOL_NURSING: "SN",
            Capacity.GP: "GP",
            Capacity.MASH_ENQUIRY: "MASH",
        },
        lead_codes=("1", "0"),
        required=("family_name", "date_of_birth"),
    ),
    "SIMS": FeedLayout(
        format="csv",
        columns={
            "record_id": "Adno",
            "upn": "UPN",
            "given_name": "Legal Forename",
            "middle_names": "Middle Name",
            "family_name": "Legal Surname",
            "date_of_birth": "DOB",
            "sex": "Gender",
            "ethnicity": "Ethnicity",
            "address": "Address",
            "postcode": "Postcode",
            "team": "Safeguarding Team",
            "capacity": "Role",
            "started_on": "Date of Admission",
            "ended_on": "Date of Leaving",
            "end_reason": "Reason for Leaving",
            "practitioner": "Key Adult",
            "lead_professional": "Lead Professional",
        },
        capacity_codes={Capacity.SCHOOL: "Pupil"},
        lead_codes=("Yes", "No"),
        required=("family_name", "date_of_birth"),
    ),
    "Arbor": FeedLayout(
        format="jsonl",
        columns={
            "record_id": "student.id",
            "upn": "student.upn",
            "given_name": "student.legalFirstName",
            "middle_names": "student.middleNames",
            "family_name": "student.legalLastName",
            "date_of_birth": "student.dateOfBirth",
            "sex": "student.gender",
            "ethnicity": "student.ethnicity",
            "address": "address.street",
            "postcode": "address.postcode",
            "team": "enrolment.safeguardingTeam",
            "capacity": "enrolment.kind",
            "started_on": "enrolment.startDate",
            "ended_on": "enrolment.endDate",
            "end_reason": "enrolment.endReason",
            "practitioner": "enrolment.keyAdult",
            "lead_professional": "enrolment.leadProfessional",
        },
        sex_codes={"M": "MALE", "F": "FEMALE", "U": "UNKNOWN"},
        capacity_codes={Capacity.SCHOOL: "STUDENT"},
        lead_codes=(True, False),
        required=("family_name", "date_of_birth"),
    ),
    "Bromcom": FeedLayout(
        format="csv",
        delimiter=";",
        columns={
            "record_id": "Student ID",
            "upn": "UPN",
            "given_name": "Forename",
            "family_name": "Surname",
            "date_of_birth": "Date Of Birth",
            "sex": "Sex",
            "ethnicity": "Ethnicity",
            "address": "Address",
            "postcode": "Postcode",
            "team": "Team",
            "capacity": "Type",
            "started_on": "Start Date",
            "ended_on": "End Date",
            "end_reason": "End Reason",
            "practitioner": "Named Contact",
            "lead_professional": "Lead",
        },
        date_format="%d.%m.%Y",
        capacity_codes={Capacity.SCHOOL: "On roll"},
        required=("family_name", "date_of_birth"),
    ),
    "Mosaic": FeedLayout(
        format="json",
        columns={
            "record_id": "personId",
            "given_name": "name.first",
            "middle_names": "name.middle",
            "family_name": "name.last",
            "date_of_birth": "dateOfBirth",
            "sex": "gender",
            "ethnicity": "ethnicity",
            "nhs_number": "identifiers.nhsNumber",
            "council_ref": "identifiers.caseNumber",
            "address": ("address.line1", "address.line2"),
            "postcode": "address.postcode",
            "uprn": "address.uprn",
            "team": "episode.team",
            "capacity": "episode.type",
            "started_on": "episode.start",
            "ended_on": "episode.end",
            "end_reason": "episode.endReason",
            "practitioner": "episode.worker",
            "lead_professional": "episode.leadProfessional",
        },
        sex_codes={"M": "Male", "F": "Female", "U": "Unknown"},
        capacity_codes={
            Capacity.MASH_ENQUIRY: "CONTACT",
            Capacity.CHILD_IN_NEED: "CIN",
            Capacity.CHILD_PROTECTION: "CP",
            Capacity.LOOKED_AFTER: "CLA",
            Capacity.LEAVING_CARE: "CL",
        },
        lead_codes=(True, False),
    ),
    "Niche RMS": FeedLayout(
        format="jsonl",
        columns={
            "record_id": "NOMINAL_ID",
            "police_ref": "PERSON_REF",
            "given_name": "FORENAME_1",
            "family_name": "SURNAME",
            "date_of_birth": "DOB",
            "sex": "SEX",
            "nhs_number": "NHS_NO",
            "address": "ADDRESS",
            "postcode": "POSTCODE",
            "team": "UNIT",
            "capacity": "ROLE",
            "started_on": "FROM_DATE",
            "ended_on": "TO_DATE",
            "end_reason": "CLOSURE",
            "practitioner": "OIC",
            "lead_professional": "LEAD",
        },
        date_format="%d-%b-%Y",
        capacity_codes={Capacity.POLICE_INVESTIGATION: "INV", Capacity.MASH_ENQUIRY: "MASH"},
    ),
    "Cerner Millennium": FeedLayout(
        format="csv",
        delimiter="|",
        columns={
            "record_id": "MRN",
            "given_name": "First Name",
            "family_name": "Last Name",
            "date_of_birth": "Birth Date",
            "sex": "Sex",
            "nhs_number": "NHS Number",
            "ethnicity": "Ethnicity",
            "address": "Address",
            "postcode": "Postcode",
            "team": "Department",
            "capacity": "Encounter Type",
            "started_on": "Arrival",
            "ended_on": "Departure",
            "end_reason": "Disposition",
            "practitioner": "Clinician",
            "lead_professional": "Lead",
        },
        date_format="%d-%m-%Y",
        sex_codes={"M": "Male", "F": "Female", "U": "Unknown"},
        capacity_codes={Capacity.AE_ATTENDANCE: "Emergency"},
    ),
}
#: Every other system: TellOnce's own field names, ISO dates, every field.
PLAIN_LAYOUT = FeedLayout(
    format="csv",
    columns={name: name for name in (*_RECORD_ATTRS, *INVOLVEMENT_FIELDS)},
)


@dataclass(frozen=True)
class FeedFile:
    agency_code: str
    system: str
    path: Path
    mapping: Path
    rows: int


@dataclass(frozen=True)
class BadRow:
    row_number: int
    field: str


@dataclass
class FeedsExport:
    feeds: list[FeedFile]
    bad_feed: FeedFile | None
    bad_rows: list[BadRow]
    script: Path


def feeds_export(*, out: Path, via: Via, actor_label: str | None = None) -> FeedsExport:
    """Write every agency system's feed, the bad-rows feed and `import-all.sh`."""
    if settings.TELLONCE_ENV == "production":
        raise FeedsExportRefusedError(
            "Exporting every agency record to files is for the demo, development and tests"
            " only; TELLONCE_ENV is production."
        )
    out.mkdir(parents=True, exist_ok=True)
    feeds: list[FeedFile] = []
    biggest: tuple[int, Agency, str] | None = None
    groups = AgencyRecord.objects.values_list("agency_id", "system").distinct()
    agencies = Agency.all_objects.in_bulk({agency_id for agency_id, _ in groups})
    for agency_id, system in sorted(groups, key=lambda g: (agencies[g[0]].code, g[1])):
        agency = agencies[agency_id]
        records = AgencyRecord.objects.filter(agency=agency, system=system)
        layout = LAYOUTS.get(system, PLAIN_LAYOUT)
        stem = f"{agency.code}-{_slug(system)}"
        rows = list(_rows(records))
        feeds.append(_feed_write(out, stem, agency, system, layout, rows))
        if biggest is None or len(rows) > biggest[0]:
            biggest = (len(rows), agency, system)

    bad_feed: FeedFile | None = None
    bad_rows: list[BadRow] = []
    if biggest is not None:
        _, agency, system = biggest
        records = AgencyRecord.objects.filter(agency=agency, system=system).order_by("id")
        first = records.filter(id__in=list(records.values_list("id", flat=True)[:40]))
        rows, bad_rows = _with_bad_rows(list(_rows(first)))
        bad_feed = _feed_write(
            out, f"bad-rows-{agency.code}-{_slug(system)}", agency, system, PLAIN_LAYOUT, rows
        )
    script = _script_write(out, [*feeds, *([bad_feed] if bad_feed else [])])
    audit_record(
        actor=None,
        actor_label=actor_label,
        action=Action.EXPORT,
        channel=via.channel,
        ip_address=via.ip_address,
        reason="Synthetic borough's agency feeds exported for trying the import",
        detail={
            "feeds": len(feeds),
            "rows": sum(f.rows for f in feeds),
            "bad_rows": len(bad_rows),
        },
    )
    return FeedsExport(feeds=feeds, bad_feed=bad_feed, bad_rows=bad_rows, script=script)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _rows(records: QuerySet[AgencyRecord]) -> Iterator[dict[str, Any]]:
    """Each record's rows by TellOnce field: one per involvement, or one without."""
    sent = involvements_as_sent(records=records)
    for record in records.order_by("id").values("id", *_RECORD_ATTRS.values()):
        person = {name: record[attr] for name, attr in _RECORD_ATTRS.items()}
        involvements: list[InvolvementAsSent | None] = [*sent.get(record["id"], [])]
        for involvement in involvements or [None]:
            yield person | _involvement_fields(involvement)


def _involvement_fields(involvement: InvolvementAsSent | None) -> dict[str, Any]:
    if involvement is None:
        return dict(_INVOLVEMENT_COLUMNS)
    return {
        "team": involvement.team,
        "capacity": involvement.capacity,
        "started_on": involvement.started_on,
        "ended_on": involvement.ended_on,
        "end_reason": involvement.end_reason,
        "practitioner": involvement.practitioner,
        "lead_professional": involvement.is_lead_professional,
    }


def _with_bad_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[BadRow]]:
    """Twenty good rows, and a bad row after every fifth: each a real record's row
    with one thing wrong, of records not among the good rows."""
    good = rows[:20]
    spare = [r for r in rows[20:] if r["record_id"] not in {g["record_id"] for g in good}]
    spare = list({r["record_id"]: r for r in spare}.values())
    corruptions = [
        ("date_of_birth", _impossible_date),
        ("nhs_number", _nhs_number_failing_check),
        ("family_name", lambda row: {"family_name": ""}),
        ("upn", lambda row: {"upn": _upn_failing_check()}),
    ]
    out: list[dict[str, Any]] = []
    bad: list[BadRow] = []
    for i, row in enumerate(good):
        out.append(row)
        if i % 5 == 4 and corruptions and spare:
            name, corrupt = corruptions.pop(0)
            victim = spare.pop(0)
            out.append(victim | corrupt(victim))
            # CSV rows are numbered by line; the header is line 1.
            bad.append(BadRow(row_number=len(out) + 1, field=name))
    return out, bad


def _impossible_date(row: Mapping[str, Any]) -> dict[str, Any]:
    born = row["date_of_birth"] or date(2015, 1, 1)
    return {"date_of_birth": f"{born.year}-02-30"}


def _nhs_number_failing_check(row: Mapping[str, Any]) -> dict[str, Any]:
    number = row["nhs_number"] or "9434765919"
    return {"nhs_number": number[:9] + str((int(number[9]) + 1) % 10)}


def _upn_failing_check() -> str:
    body = "999200015001"
    right = identifiers.upn_check_letter(body)
    wrong = next(letter for letter in identifiers.UPN_LETTERS if letter != right)
    return wrong + body


def _feed_write(
    out: Path,
    stem: str,
    agency: Agency,
    system: str,
    layout: FeedLayout,
    rows: list[dict[str, Any]],
) -> FeedFile:
    path = out / f"{stem}{layout.suffix}"
    cells = [_cells(row, layout) for row in rows]
    if layout.format == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=layout.delimiter)
            writer.writerow(layout.header())
            writer.writerows([row.get(column, "") for column in layout.header()] for row in cells)
    else:
        objects = [_nested(row) for row in cells]
        with path.open("w", encoding="utf-8") as handle:
            if layout.format == "json":
                json.dump({"records": objects}, handle, indent=1)
            else:
                handle.writelines(json.dumps(o) + "\n" for o in objects)
    mapping = out / f"{stem}.yaml"
    capacities = {str(row["capacity"]) for row in rows if row["capacity"]}
    mapping.write_text(
        _mapping_yaml(agency, system, layout, path.name, capacities), encoding="utf-8"
    )
    return FeedFile(agency.code, system, path, mapping, len(rows))


def _cells(row: Mapping[str, Any], layout: FeedLayout) -> dict[str, Any]:
    """One row in the system's own terms: column -> cell."""
    cells: dict[str, Any] = {}
    for name, column in layout.columns.items():
        value = row.get(name)
        if isinstance(column, tuple):
            parts = str(value or "").split(", ", len(column) - 1)
            cells.update(zip(column, [*parts, *[""] * len(column)], strict=False))
            continue
        if name in DATE_FIELDS and isinstance(value, date):
            value = value.strftime(layout.date_format)
        elif name == "sex":
            value = layout.sex_codes.get(value or Sex.UNKNOWN, value)
        elif name == "capacity" and value:
            value = layout.capacity_codes.get(value, value)
        elif name == "lead_professional":
            value = "" if not row.get("team") else layout.lead_codes[0 if value else 1]
        cells[column] = "" if value is None else value
    return cells


def _nested(cells: Mapping[str, Any]) -> dict[str, Any]:
    """`{"name.first": "Aisha"}` -> `{"name": {"first": "Aisha"}}`."""
    document: dict[str, Any] = {}
    for column, value in cells.items():
        *parents, leaf = column.split(".")
        node = document
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value if value != "" else None
    return document


def _mapping_yaml(
    agency: Agency, system: str, layout: FeedLayout, file_name: str, capacities: set[str]
) -> str:
    mapping: dict[str, Any] = {
        "agency": agency.code,
        "system": system,
        "required": list(layout.required),
    }
    if layout.delimiter != ",":
        mapping["delimiter"] = layout.delimiter
    for name, column in layout.columns.items():
        if isinstance(column, tuple):
            mapping[name] = list(column)
        elif name in DATE_FIELDS:
            mapping[name] = {"column": column, "format": layout.date_format}
        elif name == "sex" and layout.sex_codes:
            codes = {layout.sex_codes.get(s, s): str(s) for s in Sex.values}
            mapping[name] = {"column": column, "codes": codes}
        elif name == "capacity" and layout.capacity_codes:
            # The system's codes, and TellOnce's for any capacity it has no code for.
            used = sorted({str(c) for c in layout.capacity_codes} | capacities)
            codes = {str(layout.capacity_codes.get(c, c)): c for c in used}
            mapping[name] = {"column": column, "codes": codes}
        else:
            mapping[name] = column
    heading = (
        f"# {agency.name}: {system} feed ({file_name}).\n"
        "# Each TellOnce field and the column it is read from; see tellonce/feeds/mapping.py.\n"
    )
    return heading + yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)


def _script_write(out: Path, feeds: list[FeedFile]) -> Path:
    script = out / "import-all.sh"
    lines = [
        "#!/bin/sh",
        "# Import every feed in this directory, each with the mapping beside it.",
        "# Runs `tellonce` from your PATH, or the one TELLONCE names.",
        'TELLONCE="${TELLONCE:-tellonce}"',
    ]
    lines += [
        f'"$TELLONCE" import --agency {shlex.quote(f.agency_code)} {shlex.quote(str(f.path))}'
        for f in feeds
    ]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script.chmod(0o755)
    return script
