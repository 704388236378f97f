"""The canonical record and the derived columns the linkage model compares.

Owns `prepare_record` (one record) and `prepare_records` (a batch, as the Arrow table
Splink reads), which normalise the canonical fields and add everything the comparisons
and blocking rules need: name variant groups and canonical forms, surname tokens,
Soundex codes, date of birth parts, postcode sector and district. Batch linkage (Splink)
and the real-time scorer both read records made by `prepare_record`, so the two always
compare identical values. Also owns `compute_tf_tables`, the term frequencies of a set
of prepared records, equal to the `__splink__df_tf_<column>` tables Splink builds.

A canonical record is a mapping with a string `unique_id` and any subset of
`CANONICAL_FIELDS` (plus `source_dataset` to link two tables). Absent and empty fields
are NULL; fields absent from every record are not compared at all.

Tables are `pyarrow.Table`s: Splink 5 depends on pyarrow, not pandas. A pandas
DataFrame is accepted as input where pandas is installed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeAlias, cast

import jellyfish
import pyarrow as pa

from tellonce.linkage.engine.variants import (
    ascii_fold,
    canonical_name,
    normalise_name,
    variant_groups,
)

Record = dict[str, Any]
#: What the engine accepts as a set of records: a pyarrow Table, a sequence of
#: mappings, or a pandas DataFrame (not named here: pandas is not a dependency).
RecordsInput: TypeAlias = "pa.Table | Sequence[Mapping[str, Any]]"

CANONICAL_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "uprn",
    "address",
    "nhs_number",
    "upn",
    "national_id",
)

_STRING = pa.string()
_LIST = pa.list_(pa.string())
#: For each canonical field, the prepared columns it produces and their Arrow types.
DERIVED_COLUMNS: dict[str, tuple[tuple[str, pa.DataType], ...]] = {
    "given_name": (
        ("given_name", _STRING),
        ("given_name_variants", _LIST),
        ("given_name_canonical", _STRING),
    ),
    "family_name": (
        ("family_name", _STRING),
        ("family_name_variants", _LIST),
        ("family_name_tokens", _LIST),
        ("family_name_soundex", _STRING),
    ),
    "date_of_birth": (
        ("date_of_birth", _STRING),
        ("dob_year", _STRING),
        ("dob_month", _STRING),
        ("dob_day", _STRING),
    ),
    "sex": (("sex", _STRING),),
    "postcode": (
        ("postcode", _STRING),
        ("postcode_sector", _STRING),
        ("postcode_district", _STRING),
    ),
    "uprn": (("uprn", _STRING),),
    "address": (("address", _STRING),),
    "nhs_number": (("nhs_number", _STRING),),
    "upn": (("upn", _STRING),),
    "national_id": (("national_id", _STRING),),
}

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_ADDRESS_PUNCTUATION = re.compile(r"[^a-z0-9 ]")
_DOB = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas.NA and pandas.NaT, without importing pandas.
    return type(value).__name__ in ("NAType", "NaTType")


def _identifier(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a UPRN read from a spreadsheet as 100023336956.0
    text = _NOT_ALNUM.sub("", str(value).upper())
    return text or None


def _date_of_birth(value: Any) -> tuple[str, str, str, str] | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, date) else str(value).strip()[:10]
    match = _DOB.match(text)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return None
    return text, year, month, day


def _sex(value: Any) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip().upper()[:1]
    return text if text in ("F", "M") else None


def _postcode(value: Any) -> tuple[str | None, str | None, str | None]:
    """Full postcode, sector ("NB1 2") and district ("NB1"); an outward code alone
    gives only the district."""
    code = _identifier(value)
    if code is None:
        return None, None, None
    if len(code) >= 5 and code[-3].isdigit():
        outward, inward = code[:-3], code[-3:]
        return code, f"{outward} {inward[0]}", outward
    if 2 <= len(code) <= 4:
        return None, None, code
    return None, None, None


def _address(value: Any) -> str | None:
    if _blank(value):
        return None
    text = _ADDRESS_PUNCTUATION.sub(" ", ascii_fold(str(value)).lower())
    return " ".join(text.split()) or None


def _soundex(name: str | None) -> str | None:
    if not name:
        return None
    letters = name.replace(" ", "")
    return jellyfish.soundex(letters) if letters else None


def prepare_record(record: Mapping[str, Any], fields: Iterable[str] | None = None) -> Record:
    """One canonical record as the model compares it: normalised fields plus derived
    columns, for `fields` (default: every canonical field the record has a key for).

    The result is what the real-time scorer takes, and one row of `prepare_records`.
    """
    if "unique_id" not in record or _blank(record["unique_id"]):
        raise ValueError("Every record needs a unique_id")
    out: Record = {"unique_id": str(record["unique_id"])}
    if "source_dataset" in record and not _blank(record["source_dataset"]):
        out["source_dataset"] = str(record["source_dataset"])
    wanted = CANONICAL_FIELDS if fields is None else tuple(fields)
    get = record.get
    for field_name in wanted:
        if fields is None and field_name not in record:
            continue
        value = get(field_name)
        if field_name == "given_name":
            given = normalise_name(None if _blank(value) else value)
            # Variants are [] (not NULL) for a name in no group, so that "shares a
            # variant group" is false rather than NULL in SQL: see twins.py.
            out["given_name"] = given
            out["given_name_variants"] = list(variant_groups(given) or ()) if given else None
            out["given_name_canonical"] = canonical_name(given)
        elif field_name == "family_name":
            family = normalise_name(None if _blank(value) else value)
            out["family_name"] = family
            out["family_name_variants"] = list(variant_groups(family) or ()) if family else None
            out["family_name_tokens"] = family.split(" ") if family else None
            out["family_name_soundex"] = _soundex(family)
        elif field_name == "date_of_birth":
            dob = _date_of_birth(value)
            out["date_of_birth"], out["dob_year"], out["dob_month"], out["dob_day"] = (
                dob if dob else (None, None, None, None)
            )
        elif field_name == "sex":
            out["sex"] = _sex(value)
        elif field_name == "postcode":
            out["postcode"], out["postcode_sector"], out["postcode_district"] = _postcode(value)
        elif field_name == "address":
            out["address"] = _address(value)
        elif field_name in ("uprn", "nhs_number", "upn", "national_id"):
            out[field_name] = _identifier(value)
        else:
            raise ValueError(f"{field_name!r} is not a canonical field")
    return out


def iter_input_records(records: RecordsInput) -> Iterator[Mapping[str, Any]]:
    """Rows of a pyarrow Table, a pandas DataFrame or a sequence of mappings."""
    if isinstance(records, pa.Table):
        yield from records.to_pylist()
    elif hasattr(records, "to_dict") and hasattr(records, "columns"):
        yield from cast(Any, records).to_dict("records")  # a pandas DataFrame
    else:
        yield from records


def _input_fields(records: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    keys: set[str] = set()
    for record in records:
        keys.update(record)
    return tuple(f for f in CANONICAL_FIELDS if f in keys)


def prepare_records(records: RecordsInput, fields: Iterable[str] | None = None) -> pa.Table:
    """A batch of canonical records as an Arrow table of prepared records.

    Columns are those of `fields` (default: every canonical field that appears in any
    record), whether or not any value is present: `present_fields` says which are.
    """
    rows = list(iter_input_records(records))
    wanted = _input_fields(rows) if fields is None else tuple(fields)
    prepared = [prepare_record(row, wanted) for row in rows]
    ids = [row["unique_id"] for row in prepared]
    if len(set(ids)) != len(ids):
        raise ValueError("unique_id values must be unique")
    schema_fields = [pa.field("unique_id", _STRING)]
    if any("source_dataset" in row for row in prepared):
        schema_fields.append(pa.field("source_dataset", _STRING))
    for field_name in wanted:
        schema_fields.extend(pa.field(name, kind) for name, kind in DERIVED_COLUMNS[field_name])
    return pa.Table.from_pylist(prepared, schema=pa.schema(schema_fields))


def present_fields(prepared: pa.Table) -> tuple[str, ...]:
    """The canonical fields with at least one value: the ones worth comparing."""
    return tuple(
        f
        for f in CANONICAL_FIELDS
        if f in prepared.column_names and prepared.column(f).null_count < prepared.num_rows
    )


TfTables = dict[str, dict[str, float]]


def compute_tf_tables(
    prepared: pa.Table | Sequence[Mapping[str, Any]], columns: Iterable[str]
) -> TfTables:
    """Term frequencies of `columns` over prepared records: for each value, its count
    divided by the number of non-null values, computed as Splink computes its
    `__splink__df_tf_<column>` tables (so the real-time scorer's adjustments equal
    Splink's). JSON-serialisable: column -> value -> frequency."""
    tables: TfTables = {}
    for column in columns:
        if isinstance(prepared, pa.Table):
            values = prepared.column(column).to_pylist() if column in prepared.column_names else []
        else:
            values = [row.get(column) for row in prepared]
        counts = Counter(v for v in values if v is not None)
        total = sum(counts.values())
        # int / int is correctly rounded, as is DuckDB's float8 / bigint.
        tables[column] = {value: count / total for value, count in counts.items()}
    return tables
