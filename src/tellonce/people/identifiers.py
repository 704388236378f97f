"""Identifiers the partner agencies use, with their validation rules.

- NHS number: 10 digits, the last a modulus-11 check digit (the `nhs-number` package).
  Ten of one digit (0000000000, 1111111111, ...) pass the check digit but are no one's
  number: they are what a system fills an empty box with, so they are refused.
- Unique pupil number (UPN): 13 characters, a check letter then 12 characters, the check
  letter computed modulo 23 over weighted positions (DfE specification).
- Police person reference and council case number: local formats, letters and digits.

Each validator returns the normalised value or raises `InvalidIdentifier` with a message
a practitioner can act on.
"""

from __future__ import annotations

import re

import nhs_number

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_LOCAL_REF = re.compile(r"^[A-Z0-9][A-Z0-9/\-]{2,19}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


class InvalidIdentifierError(ValueError):
    pass


def normalise_nhs_number(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", value or "")
    if not digits:
        raise InvalidIdentifierError("Enter an NHS number")
    if not digits.isdigit() or len(digits) != 10:
        raise InvalidIdentifierError("An NHS number must be 10 digits, like 485 777 3456")
    if len(set(digits)) == 1:
        raise InvalidIdentifierError(
            "This is not a real NHS number: it is one digit repeated. Check each digit"
        )
    if not nhs_number.is_valid(digits):
        raise InvalidIdentifierError(
            "This is not a valid NHS number: its check digit does not match. Check each digit"
        )
    return digits


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (digits; the last may be a letter)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        if char.isdigit():
            total += int(char) * weight
        else:
            total += UPN_LETTERS.index(char) * weight
    return UPN_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    upn = re.sub(r"\s", "", value or "").upper()
    if not upn:
        raise InvalidIdentifierError("Enter a unique pupil number")
    if len(upn) != 13:
        raise InvalidIdentifierError("A unique pupil number must be 13 characters long")
    body = upn[1:]
    if (
        upn[0] not in UPN_LETTERS
        or not body[:11].isdigit()
        or not (body[11].isdigit() or body[11] in UPN_LETTERS)
    ):
        raise InvalidIdentifierError(
            "A unique pupil number is a letter followed by 12 digits (the last may be a letter)"
        )
    if upn_check_letter(body) != upn[0]:
        raise InvalidIdentifierError(
            "This is not a valid unique pupil number: its check letter does not match"
        )
    return upn


def normalise_local_reference(value: str, label: str) -> str:
    ref = re.sub(r"\s", "", value or "").upper()
    if not ref:
        raise InvalidIdentifierError(f"Enter a {label}")
    if not _LOCAL_REF.match(ref):
        raise InvalidIdentifierError(f"A {label} is 3 to 20 letters, digits, slashes or hyphens")
    return ref


def normalise(scheme: str, value: str) -> str:
    """Validate and normalise `value` as an identifier of `scheme`."""
    if scheme == "nhs":
        return normalise_nhs_number(value)
    if scheme == "upn":
        return normalise_upn(value)
    if scheme == "police":
        return normalise_local_reference(value, "police person reference")
    if scheme == "council":
        return normalise_local_reference(value, "council case number")
    raise InvalidIdentifierError(f"Unknown identifier type {scheme!r}")


def looks_like_nhs_number(value: str) -> bool:
    digits = re.sub(r"[\s\-]", "", value or "")
    return digits.isdigit() and len(digits) == 10


def guess_schemes(value: str) -> list[tuple[str, str]]:
    """Every (scheme, normalised value) that `value` could be: for one search box.

    Ten digits are an NHS number and nothing else, so that a mistyped NHS number is
    reported as one rather than searched for as a local reference."""
    if looks_like_nhs_number(value):
        try:
            return [("nhs", normalise_nhs_number(value))]
        except InvalidIdentifierError:
            return []
    found = []
    for scheme in ("nhs", "upn", "police", "council"):
        try:
            found.append((scheme, normalise(scheme, value)))
        except InvalidIdentifierError:
            continue
    return found


def display(scheme: str, value: str) -> str:
    if scheme == "nhs" and len(value) == 10:
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    return value


def normalise_postcode(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def is_valid_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(normalise_postcode(value)))


IDENTIFIER_LABELS = {
    "nhs": "NHS number",
    "upn": "unique pupil number",
    "police": "police person reference",
    "council": "council case number",
}
