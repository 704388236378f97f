"""Column mappings: a new agency or data set is described, not coded."""

from __future__ import annotations

from datetime import date

import pytest

from tellonce.feeds.mapping import ColumnMapping, MappingError, SourceFileError, read_rows

SYSTMONE = {
    "agency": "RNB",
    "system": "SystmOne",
    "required": ["family_name", "date_of_birth"],
    "record_id": "PatientID",
    "given_name": "Forename",
    "family_name": "Surname",
    "date_of_birth": {"column": "DOB", "format": "%d/%m/%Y"},
    "sex": {"column": "Gender", "codes": {"1": "M", "2": "F"}},
    "nhs_number": "NHS",
    "postcode": "Postcode",
    "address": ["House", "Street", "Town"],
    "capacity": {"value": "health_visiting"},
}


def test_a_row_is_mapped_normalised_and_checked():
    mapping = ColumnMapping.from_dict(SYSTMONE)
    values, problems = mapping.apply(
        {
            "PatientID": "P1",
            "Forename": " Aisha ",
            "Surname": "Khan",
            "DOB": "27/03/2015",
            "Gender": "2",
            "NHS": "943 476 5919",
            "Postcode": "nb1 4qt",
            "House": "3",
            "Street": "Alder Road",
            "Town": "Northbrook",
        }
    )
    assert problems == []
    assert values == {
        "record_id": "P1",
        "given_name": "Aisha",
        "family_name": "Khan",
        "date_of_birth": date(2015, 3, 27),
        "sex": "F",
        "nhs_number": "9434765919",
        "postcode": "NB14QT",
        "address": "3, Alder Road, Northbrook",
        "capacity": "health_visiting",
    }


def test_every_problem_in_a_row_is_named_by_field():
    mapping = ColumnMapping.from_dict(SYSTMONE)
    _, problems = mapping.apply(
        {
            "PatientID": "P2",
            "Forename": "Sam",
            "Surname": "",
            "DOB": "2015-03-27",
            "Gender": "7",
            "NHS": "9434765918",
            "Postcode": "NOPE",
            "House": "",
            "Street": "",
            "Town": "",
        }
    )
    reasons = {p.field: p.reason for p in problems}
    assert reasons["family_name"] == "is missing"
    assert reasons["date_of_birth"] == "'2015-03-27' is not a date like 27/03/2015"
    assert reasons["sex"] == "'7' is not in the mapping's code list"
    assert "check digit does not match" in reasons["nhs_number"]
    assert reasons["postcode"] == "'NOPE' is not a UK postcode"


def test_several_date_formats_and_future_dates():
    mapping = ColumnMapping.from_dict(
        {"record_id": "id", "date_of_birth": {"column": "dob", "format": ["%Y%m%d", "%d/%m/%Y"]}}
    )
    assert mapping.apply({"id": "1", "dob": "20150327"})[0]["date_of_birth"] == date(2015, 3, 27)
    assert mapping.apply({"id": "1", "dob": "27/03/2015"})[0]["date_of_birth"] == date(2015, 3, 27)
    _, problems = mapping.apply({"id": "1", "dob": "20990101"})
    assert problems[0].reason == "'20990101' must be today or in the past"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"given_name": "first"}, "record_id: map the column"),
        ({"record_id": "id", "favourite_colour": "c"}, "unknown field(s) favourite_colour"),
        (
            {"record_id": "id", "given_name": {"column": "f", "format": "%d"}},
            "given_name: only dates take a format",
        ),
        (
            {"record_id": "id", "required": ["date_of_birth"]},
            "required: date_of_birth must also be mapped",
        ),
        ({"record_id": "id", "sex": {"codes": {"1": "M"}}}, "sex: name the column"),
        ({"record_id": "id", "encoding": "klingon"}, "encoding: 'klingon' is not an encoding"),
        ("just a string", "a mapping is a set of"),
    ],
)
def test_a_wrong_mapping_says_which_key_and_why(mapping, message):
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ColumnMapping.from_dict(mapping)


def test_a_csv_missing_a_mapped_column_is_refused_whole(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("PatientID,Forename\nP1,Aisha\n")
    with pytest.raises(SourceFileError, match="no column\\(s\\) DOB, Gender"):
        list(read_rows(path, ColumnMapping.from_dict(SYSTMONE)))


def test_csv_rows_are_numbered_by_line_and_ragged_rows_reported(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("id,first\n1,Aisha\n2,Sam,extra\n3,Tom\n")
    rows = list(
        read_rows(path, ColumnMapping.from_dict({"record_id": "id", "given_name": "first"}))
    )
    assert [(r.number, r.problem) for r in rows] == [
        (2, None),
        (3, "has more cells than the header"),
        (4, None),
    ]


def test_json_lists_nested_objects_and_json_lines(tmp_path):
    mapping = ColumnMapping.from_dict({"record_id": "id", "given_name": "name.given"})
    listing = tmp_path / "feed.json"
    listing.write_text('{"records": [{"id": 1, "name": {"given": "Aisha"}}, 7]}')
    rows = list(read_rows(listing, mapping))
    assert mapping.apply(rows[0].cells)[0] == {"record_id": "1", "given_name": "Aisha"}
    assert rows[1].problem == "is not an object"
    lines = tmp_path / "feed.jsonl"
    lines.write_text('{"id": 1}\n{not json}\n\n{"id": 3}\n')
    assert [(r.number, r.problem is None) for r in read_rows(lines, mapping)] == [
        (1, True),
        (2, False),
        (4, True),
    ]


def test_each_problem_can_be_told_without_the_value():
    mapping = ColumnMapping.from_dict(SYSTMONE)
    _, problems = mapping.apply(
        {"PatientID": "P2", "Forename": "Sam", "Surname": "Khan", "DOB": "2015-03-27",
         "Gender": "7", "NHS": "", "Postcode": "", "House": "", "Street": "", "Town": ""}
    )  # fmt: skip
    told = {p.field: p.reason_without_value for p in problems}
    assert told == {
        "date_of_birth": "is not a date like 27/03/2015",
        "sex": "is not in the mapping's code list",
    }


def test_a_csv_column_with_dots_in_its_name_is_a_column(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text("id,D.O.B\n1,27/03/2015\n")
    mapping = ColumnMapping.from_dict(
        {"record_id": "id", "date_of_birth": {"column": "D.O.B", "format": "%d/%m/%Y"}}
    )
    rows = list(read_rows(path, mapping))
    assert mapping.apply(rows[0].cells)[0]["date_of_birth"] == date(2015, 3, 27)
