"""Checking what an agency or a practitioner says about a person before any app stores
it: a child given by their details (`child_details_problems`). What may be changed on a
person's record, and by whom, is `tellonce.access.policy.require_change`; the record's
own changes (identifiers) are `tellonce.record.services`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tellonce.people import identifiers
from tellonce.people.models import IdentifierScheme, Sex


def child_details_problems(
    child: Any, prefix: str, *, today: date, oldest_years: int, too_old: str, no_birth: str
) -> dict[str, str]:
    """The problems with a child given by their details (a contact to the MASH, a
    police incident): names, date of birth, sex, and an NHS number, which is checked
    and normalised in place. `prefix` names the fields ("children-0-")."""
    problems: dict[str, str] = {}
    if not child.given_name.strip():
        problems[prefix + "given_name"] = "Enter the child's first name"
    if not child.family_name.strip():
        problems[prefix + "family_name"] = "Enter the child's last name"
    if child.date_of_birth is None:
        problems[prefix + "date_of_birth"] = no_birth
    elif child.date_of_birth > today:
        problems[prefix + "date_of_birth"] = "The child's date of birth must be in the past"
    elif child.date_of_birth < today - timedelta(days=round(oldest_years * 365.25)):
        problems[prefix + "date_of_birth"] = too_old
    if child.sex and child.sex not in Sex.values:
        problems[prefix + "sex"] = "Choose the child's sex, or leave it blank"
    if child.nhs_number:
        try:
            child.nhs_number = identifiers.normalise(IdentifierScheme.NHS_NUMBER, child.nhs_number)
        except identifiers.InvalidIdentifierError as exc:
            problems[prefix + "nhs_number"] = str(exc)
    return problems
