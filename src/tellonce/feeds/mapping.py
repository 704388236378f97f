"""Column mappings: which source column is which TellOnce field.

One YAML grammar serves agency feeds (`tellonce import`) and linkage evaluation on any
data (`tellonce link evaluate`), so onboarding an agency means writing a mapping, not
code. Keys are TellOnce field names; a value is one of:

    given_name: Forename                           # a column
    address: [house_no, addr1, addr2, town]        # columns, joined with ", "
    date_of_birth: {column: dob, format: "%Y%m%d"} # a date in this format (or a list)
    sex: {column: gender, codes: {1: M, 2: F}}     # a code list into TellOnce's codes
    capacity: {value: gp}                          # the same value on every row

A feed mapping may also name `agency` (its code), `system`, `required` (fields a row
must have), and for CSV `delimiter` and `encoding`. Every value is normalised and
validated the same way whichever command reads it; a bad value is reported by field.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from tellonce.core.dates import date_problem
from tellonce.core.text import TextKind, TextProblemError, text_checked
from tellonce.people import identifiers
from tellonce.people.models import Ethnicity

META_KEYS = frozenset({"agency", "system", "required", "delimiter", "encoding"})
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d")
SEX_CODES = {
    "f": "F",
    "female": "F",
    "girl": "F",
    "2": "F",
    "m": "M",
    "male": "M",
    "boy": "M",
    "1": "M",
    "u": "U",
    "unknown": "U",
    "not known": "U",
    "0": "U",
    "9": "U",
}
_SPACES = re.compile(r"\s+")
_ETHNICITY_CODES = frozenset(Ethnicity.values)


class MappingError(ValueError):
    """The mapping file itself is wrong: says which key and why."""


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str
    #: The reason without the cell's value ("is not a date like 27/03/2015"): what is
    #: printed, logged or kept, since the value may be a name or an identifier.
    reason_without_value: str = ""

    def __post_init__(self) -> None:
        if not self.reason_without_value:
            object.__setattr__(self, "reason_without_value", self.reason)

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class _Invalid(ValueError):
    """A value that fails its check; the message quotes the value when there is one."""

    def __init__(self, problem: str, value: str | None = None) -> None:
        self.problem = problem
        super().__init__(problem if value is None else f"{value!r} {problem}")


def _text(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _checked(kind: TextKind) -> Callable[[str], str]:
    """A cell's text with its runs of white space folded to one space, checked as every
    text field is (`core.text`): a control character, a bidirectional override or a
    zero-width character makes the row a problem. The value is not quoted: it may be
    a name."""

    def check(value: str) -> str:
        try:
            return text_checked(_text(value), kind)
        except TextProblemError as exc:
            raise _Invalid(str(exc)) from None

    return check


_NAME, _SHORT, _LINE, _WORDS = (_checked(kind) for kind in TextKind)


@functools.lru_cache(maxsize=65536)
def _parsed(value: str, formats: tuple[str, ...]) -> date | None:
    # A feed repeats its dates many times over (birthdays, term starts), and strptime
    # is the slowest check of a row.
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _date(value: str, formats: tuple[str, ...]) -> date:
    parsed = _parsed(value, formats)
    if parsed is None:
        expected = " or ".join(_format_example(f) for f in formats)
        raise _Invalid(f"is not a date like {expected}", value)
    if problem := date_problem(parsed):
        raise _Invalid(problem, value)
    return parsed


def _format_example(fmt: str) -> str:
    return date(2015, 3, 27).strftime(fmt)


def _identifier(scheme: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            return identifiers.normalise(scheme, value)
        except identifiers.InvalidIdentifierError as exc:
            raise _Invalid(str(exc)) from None

    return check


def _time_of_day(value: str) -> time:
    text = value.strip()
    for fmt in ("%H:%M", "%H:%M:%S", "%H%M"):
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise _Invalid("is not a time like 23:10", value)


def _postcode(value: str) -> str:
    if not identifiers.is_valid_postcode(value):
        raise _Invalid("is not a UK postcode", value)
    return identifiers.normalise_postcode(value)


def _uprn(value: str) -> str:
    digits = value.strip()
    if not digits.isdigit() or len(digits) > 12:
        raise _Invalid("is not a UPRN (up to 12 digits)", value)
    return digits


def _sex(value: str) -> str:
    code = SEX_CODES.get(value.strip().lower())
    if code is None:
        raise _Invalid("is not a sex code we know (F, M or U)", value)
    return code


def _ethnicity(value: str) -> str:
    code = value.strip().upper()
    if code not in _ETHNICITY_CODES:
        raise _Invalid("is not a DfE ethnicity code", value)
    return code


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "y"):
        return True
    if lowered in ("0", "false", "no", "n", ""):
        return False
    raise _Invalid("is not yes or no", value)


#: Every field a mapping may fill, with how its value is checked. Dates are special:
#: they take the mapping's formats.
FIELD_CHECKS: dict[str, Callable[[str], Any] | None] = {
    "record_id": _SHORT,
    "given_name": _NAME,
    "middle_names": _NAME,
    "family_name": _NAME,
    "date_of_birth": None,
    "sex": _sex,
    "ethnicity": _ethnicity,
    "postcode": _postcode,
    "address": _LINE,
    "uprn": _uprn,
    "nhs_number": _identifier("nhs"),
    "upn": _identifier("upn"),
    "police_ref": _identifier("police"),
    "council_ref": _identifier("council"),
    "national_id": _SHORT,
    # What an involvement feed adds about the agency's work with the person.
    "team": _NAME,
    "capacity": _SHORT,
    "started_on": None,
    "ended_on": None,
    "end_reason": _LINE,
    "practitioner": _NAME,
    "lead_professional": _boolean,
    # A significant event for the multi-agency chronology.
    "event_kind": _SHORT,
    "event_date": None,
    "event_time": _time_of_day,
    "event_summary": _WORDS,
    "event_ref": _SHORT,
    "event_unscheduled": _boolean,
    # Who the person lives with and how they are related to the agency's other records
    # (`tellonce.feeds.family`): the agency's own household or family reference; up to
    # RELATIVES other records of the same system, each with what they are to the person;
    # and up to CONTACTS people the record names (a pupil's parents), as a school's
    # system keeps them.
    "household_ref": _SHORT,
}
#: How many relatives and contacts one record may name.
RELATIVES, CONTACTS = 3, 2
for _n in range(1, RELATIVES + 1):
    FIELD_CHECKS |= {
        f"relative{_n}_record": _SHORT,
        f"relative{_n}_is": _SHORT,
        f"relative{_n}_parental_responsibility": _boolean,
        f"relative{_n}_lives_with": _boolean,
    }
for _n in range(1, CONTACTS + 1):
    FIELD_CHECKS |= {
        f"contact{_n}_given_name": _NAME,
        f"contact{_n}_family_name": _NAME,
        f"contact{_n}_date_of_birth": None,
        f"contact{_n}_is": _SHORT,
        f"contact{_n}_phone": _SHORT,
        f"contact{_n}_parental_responsibility": _boolean,
        f"contact{_n}_lives_with": _boolean,
    }
DATE_FIELDS = frozenset(
    {"date_of_birth", "started_on", "ended_on", "event_date"}
    | {f"contact{n}_date_of_birth" for n in range(1, CONTACTS + 1)}
)
#: Fields that are yes or no.
BOOLEAN_FIELDS = frozenset(name for name, check in FIELD_CHECKS.items() if check is _boolean)


@dataclass(frozen=True)
class FieldSpec:
    field: str
    columns: tuple[str, ...] = ()
    formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    codes: Mapping[str, str] | None = None
    constant: str | None = None
    join: str = ", "

    def raw(self, row: Mapping[str, Any]) -> str:
        if self.constant is not None:
            return self.constant
        parts = [_cell(row, column) for column in self.columns]
        return self.join.join(p for p in parts if p)

    def value(self, row: Mapping[str, Any]) -> Any:
        """The normalised value, None when blank; raises `_Invalid`."""
        raw = self.raw(row).strip()
        if not raw:
            return None
        if self.codes is not None:
            if raw not in self.codes:
                raise _Invalid("is not in the mapping's code list", raw)
            raw = self.codes[raw]
        if self.field in DATE_FIELDS:
            return _date(raw, self.formats)
        check = FIELD_CHECKS[self.field]
        assert check is not None
        return check(raw)


def _cell(row: Mapping[str, Any], column: str) -> str:
    """A column's text; `a.b` reaches into nested JSON objects, unless the row has a
    column of that very name (a CSV's "D.O.B")."""
    value: Any = row.get(column)
    if value is None and "." in column and column not in row:
        value = row
        for part in column.split("."):
            if not isinstance(value, Mapping):
                return ""
            value = value.get(part)
    if value is None:
        return ""
    return str(value)


@dataclass(frozen=True)
class ColumnMapping:
    fields: Mapping[str, FieldSpec]
    agency: str | None = None
    system: str | None = None
    required: frozenset[str] = frozenset({"record_id"})
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    source: str = field(default="", compare=False)

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise MappingError(f"cannot read the mapping {path}: {exc.strerror}") from exc
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise MappingError(f"the mapping {path} is not valid YAML: {exc}") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "") -> ColumnMapping:
        if not isinstance(data, dict):
            raise MappingError("a mapping is a set of `field: column` lines")
        unknown = set(data) - set(FIELD_CHECKS) - META_KEYS
        if unknown:
            known = ", ".join(sorted(FIELD_CHECKS))
            raise MappingError(
                f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; fields are: {known}"
            )
        specs = {name: _spec(name, value) for name, value in data.items() if name in FIELD_CHECKS}
        if "record_id" not in specs:
            raise MappingError("record_id: map the column that identifies each record")
        required = data.get("required", ["record_id"])
        if not isinstance(required, list) or not all(r in FIELD_CHECKS for r in required):
            raise MappingError("required: a list of field names")
        missing = [r for r in required if r not in specs]
        if missing:
            raise MappingError(f"required: {', '.join(missing)} must also be mapped")
        encoding = _optional_str(data, "encoding") or "utf-8-sig"
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise MappingError(f"encoding: {encoding!r} is not an encoding we know") from None
        return cls(
            fields=specs,
            agency=_optional_str(data, "agency"),
            system=_optional_str(data, "system"),
            required=frozenset({"record_id", *required}),
            delimiter=_optional_str(data, "delimiter") or ",",
            encoding=encoding,
            source=source,
        )

    @property
    def columns(self) -> set[str]:
        return {c.split(".")[0] for spec in self.fields.values() for c in spec.columns}

    def field_of_column(self, column: str) -> str:
        """The TellOnce field a source column (or `a.b` path) is read into, or "" when
        the mapping reads it into none; the first by name when it feeds several."""
        for name in sorted(self.fields):
            if any(c == column or column.startswith(f"{c}.") for c in self.fields[name].columns):
                return name
        return ""

    def missing_columns(self, header: list[str]) -> list[str]:
        """Mapped columns the file does not have: the whole file is refused for these.
        A dotted name is a column of that name or the top of a nested one."""
        present = set(header)
        return sorted(
            {
                column.split(".")[0]
                for spec in self.fields.values()
                for column in spec.columns
                if column not in present and column.split(".")[0] not in present
            }
        )

    def apply(
        self, row: Mapping[str, Any], *, only: Collection[str] | None = None
    ) -> tuple[dict[str, Any], list[FieldError]]:
        """Map one source row: the values by TellOnce field (`only` those fields, when
        given), and every problem found."""
        values: dict[str, Any] = {}
        problems: list[FieldError] = []
        for name, spec in self.fields.items():
            if only is not None and name not in only:
                continue
            try:
                values[name] = spec.value(row)
            except _Invalid as exc:
                problems.append(FieldError(name, str(exc), exc.problem))
                continue
            if values[name] is None and name in self.required:
                problems.append(FieldError(name, "is missing"))
        return values, problems


#: For data from elsewhere (`tellonce link evaluate`), a value that fails a UK check is
#: still worth comparing in a plain form: an Australian postcode, an identifier whose
#: check digit another scheme computes. Fields not here are blanked instead.
LENIENT_FORMS: dict[str, Callable[[str], str]] = {
    "postcode": identifiers.normalise_postcode,
    "uprn": str.strip,
    "nhs_number": lambda value: re.sub(r"\D", "", value),
    "upn": lambda value: re.sub(r"\s", "", value).upper(),
}


def apply_lenient(
    mapping: ColumnMapping, row: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """Map a row of data from elsewhere: a value that fails its check is kept in a plain
    form where it can still be compared (`LENIENT_FORMS`), blanked otherwise; the
    problems are returned so that the caller can count them. A missing record id is the
    only problem that still matters."""
    values, problems = mapping.apply(row)
    for problem in problems:
        spec = mapping.fields[problem.field]
        lenient = LENIENT_FORMS.get(problem.field)
        raw = spec.raw(row).strip()
        values[problem.field] = lenient(raw) or None if lenient and raw else None
    return values, problems


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int):
        raise MappingError(f"{key}: give a single value")
    return str(value)


def _spec(name: str, value: Any) -> FieldSpec:
    if isinstance(value, str):
        return FieldSpec(name, columns=(value,))
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) for v in value):
            raise MappingError(f"{name}: a list of column names to join")
        return FieldSpec(name, columns=tuple(value))
    if not isinstance(value, dict):
        raise MappingError(f"{name}: give a column, a list of columns or settings")
    allowed = {"column", "columns", "format", "codes", "value", "join"}
    unknown = set(value) - allowed
    if unknown:
        raise MappingError(f"{name}: unknown setting(s) {', '.join(sorted(unknown))}")
    if "value" in value:
        return FieldSpec(name, constant=str(value["value"]))
    columns = value.get("columns", value.get("column"))
    if isinstance(columns, str):
        columns = [columns]
    if not columns or not all(isinstance(c, str) for c in columns):
        raise MappingError(f"{name}: name the column (column: NAME)")
    formats = value.get("format", DEFAULT_DATE_FORMATS)
    if isinstance(formats, str):
        formats = [formats]
    if "format" in value and name not in DATE_FIELDS:
        raise MappingError(f"{name}: only dates take a format")
    for fmt in formats:
        try:
            _format_example(fmt)
        except ValueError as exc:
            raise MappingError(f"{name}: {fmt!r} is not a date format") from exc
    codes = value.get("codes")
    if codes is not None and not isinstance(codes, dict):
        raise MappingError(f"{name}: codes is a list of `source: tellonce` lines")
    return FieldSpec(
        name,
        columns=tuple(columns),
        formats=tuple(formats),
        codes={str(k): str(v) for k, v in codes.items()} if codes else None,
        join=str(value.get("join", ", ")),
    )


class SourceFileError(ValueError):
    """The file as a whole cannot be read: says why."""


@dataclass(frozen=True)
class SourceRow:
    """One row of a source file: its number (the line for CSV, whose header is line 1,
    and for JSON Lines; the position from 1 in a JSON list), its cells, or why it could
    not be read (`problem`, and the TellOnce field it is in when known)."""

    number: int
    cells: Mapping[str, Any]
    problem: str | None = None
    problem_field: str = ""


#: Bytes the file's encoding cannot decode are read as lone surrogates (Python's
#: "surrogateescape"), so that one bad byte spoils its own row and no other; and NUL,
#: which no database column can hold, nor a lone surrogate (which JSON can escape).
_UNREADABLE = re.compile("[\x00\ud800-\udfff]")
_BOM = "\ufeff"


def read_rows(path: str | Path, mapping: ColumnMapping) -> Iterator[SourceRow]:
    """Each row of a CSV file, a JSON list of objects, or JSON Lines.

    A byte the encoding cannot decode, or a NUL, makes its row a problem (row, field,
    position) and the other rows are read as usual; a byte order mark is dropped
    whatever the format. `SourceFileError` is raised only for the file as a whole: not
    a feed's kind of file, a header without a mapped column, a JSON file that is not a
    list of records, or a file that cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            yield from _csv_rows(path, mapping)
        elif suffix in (".json", ".jsonl", ".ndjson"):
            yield from _json_rows(path, suffix, mapping)
        else:
            raise SourceFileError(f"{path.name}: feeds are .csv, .json or .jsonl files")
    except OSError as exc:
        raise SourceFileError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        # Only an encoding whose decoder cannot step over a bad byte gets here.
        raise SourceFileError(f"{path.name} is not {mapping.encoding} text: {exc.reason}") from exc


def _encoding_name(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return "UTF-8" if name in ("utf-8", "utf-8-sig") else name


def _unreadable_problem(
    number: int, cells: Mapping[str, Any], mapping: ColumnMapping, encoding: str
) -> SourceRow | None:
    """The row as a problem when a cell holds a byte the encoding could not decode (or
    a NUL): which field, which byte, where in the cell; never the cell's text."""
    # TODO(issue 13, clean): other control characters, through core.text.text_problem.
    for column, text in _texts(cells):
        found = _UNREADABLE.search(text)
        if found is None:
            continue
        char = found.group()
        # Bytes before it, as the file has them (less the mark a "-sig" codec would add).
        codec = codecs.lookup(encoding).name.removesuffix("-sig")
        before = text[: found.start()].encode(codec, "surrogateescape")
        position = len(before) + 1
        if char == "\x00":
            reason = f"holds a NUL character (byte 0x00 at position {position})"
        elif not 0xDC80 <= ord(char) <= 0xDCFF:
            reason = f"holds a lone surrogate, which is not text (at position {position})"
        else:
            byte = ord(char) - 0xDC00
            reason = (
                f"is not valid {_encoding_name(encoding)} (byte 0x{byte:02X} at position"
                f" {position})"
            )
        field_name = mapping.field_of_column(column)
        if not field_name and column:
            reason = f"column {_printable(column)!r} {reason}"
        return SourceRow(number, {}, reason, field_name)
    return None


def _texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every text in a row with where it is: the column, or `a.b` in nested JSON."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _texts(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner, path)
    elif isinstance(value, str):
        yield path, value


def _printable(text: str) -> str:
    """A header or key as it can be shown: an undecodable byte as \\xNN."""
    return "".join(
        f"\\x{ord(c) - 0xDC00:02x}"
        if 0xDC80 <= ord(c) <= 0xDCFF
        else c.encode("utf-8", "backslashreplace").decode()
        for c in text
    )


def _csv_rows(path: Path, mapping: ColumnMapping) -> Iterator[SourceRow]:
    with path.open("rb") as raw:
        handle = io.TextIOWrapper(
            raw, encoding=mapping.encoding, errors="surrogateescape", newline=""
        )
        lines = iter(handle)
        first = next(lines, "").removeprefix(_BOM)
        reader = csv.DictReader(itertools.chain([first], lines), delimiter=mapping.delimiter)
        header = list(reader.fieldnames or [])
        missing = mapping.missing_columns(header)
        if missing:
            unreadable = [_printable(c) for c in header if _UNREADABLE.search(c)]
            said = (
                f" (its header has bytes that are not {_encoding_name(mapping.encoding)}:"
                f" {', '.join(unreadable)})"
                if unreadable
                else ""
            )
            raise SourceFileError(
                f"{path.name} has no column(s) {', '.join(missing)} that the mapping names{said}"
            )
        for row in reader:
            if None in row:
                yield SourceRow(reader.line_num, {}, "has more cells than the header")
                continue
            # One search of the whole row first: most rows have nothing to find.
            whole = "\x1f".join(filter(None, row.values()))
            bad = _UNREADABLE.search(whole) and _unreadable_problem(
                reader.line_num, row, mapping, mapping.encoding
            )
            yield bad or SourceRow(reader.line_num, row)


def _json_rows(path: Path, suffix: str, mapping: ColumnMapping) -> Iterator[SourceRow]:
    # JSON is UTF-8 (RFC 8259), whatever the mapping says for CSV.
    if suffix != ".json":
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                text = line.decode("utf-8", "surrogateescape")
                if number == 1:
                    text = text.removeprefix(_BOM)
                if text.strip():
                    yield _json_line(number, text, mapping)
        return
    text = path.read_bytes().decode("utf-8", "surrogateescape").removeprefix(_BOM)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFileError(f"{path.name} is not valid JSON: {exc.msg}") from exc
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise SourceFileError(f"{path.name}: expected a list of records (or {{'records': [...]}})")
    for number, item in enumerate(data, start=1):
        if isinstance(item, dict):
            yield _unreadable_problem(number, item, mapping, "utf-8") or SourceRow(number, item)
        else:
            yield SourceRow(number, {}, "is not an object")


def _json_line(number: int, line: str, mapping: ColumnMapping) -> SourceRow:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        cells = {"": line}
        return _unreadable_problem(number, cells, mapping, "utf-8") or SourceRow(
            number, {}, f"is not valid JSON: {exc.msg}"
        )
    if not isinstance(item, dict):
        return SourceRow(number, {}, "is not an object")
    # JSON's escapes (\\u0000) can make what the line's own characters do not.
    unreadable = _UNREADABLE.search(line) or "\\u" in line
    bad = unreadable and _unreadable_problem(number, item, mapping, "utf-8")
    return bad or SourceRow(number, item)
