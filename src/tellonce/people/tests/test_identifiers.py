from __future__ import annotations

import pytest

from tellonce.core.models import RecordCannotBeDeleted
from tellonce.people import identifiers


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919"])
def test_valid_nhs_numbers(value):
    assert identifiers.normalise_nhs_number(value) == "9434765919"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9434765918", "check digit does not match"),
        ("943476591", "must be 10 digits"),
        ("94347659AB", "must be 10 digits"),
        ("", "Enter an NHS number"),
    ],
)
def test_invalid_nhs_numbers(value, message):
    with pytest.raises(identifiers.InvalidIdentifierError, match=message):
        identifiers.normalise_nhs_number(value)


@pytest.mark.parametrize("digit", "0123456789")
def test_an_nhs_number_of_one_repeated_digit_is_refused(digit):
    """0000000000 and 1111111111 pass the modulus-11 check: a system's empty box."""
    with pytest.raises(identifiers.InvalidIdentifierError, match="one digit repeated"):
        identifiers.normalise_nhs_number(f"{digit * 3} {digit * 3} {digit * 4}")


def test_upn_check_letter_round_trip():
    body = "801200110001"
    upn = identifiers.upn_check_letter(body) + body
    assert identifiers.normalise_upn(upn.lower()) == upn


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("A801200110001", "check letter does not match"),
        ("Q80120011000", "13 characters"),
        ("I801200110001", "a letter followed by 12 digits"),
    ],
)
def test_invalid_upns(value, message):
    with pytest.raises(identifiers.InvalidIdentifierError, match=message):
        identifiers.normalise_upn(value)


@pytest.mark.django_db
def test_people_and_facts_are_never_hard_deleted(world):
    with pytest.raises(RecordCannotBeDeleted):
        world.jack.delete()
    with pytest.raises(RecordCannotBeDeleted):
        world.jack.identifiers.all().delete()
