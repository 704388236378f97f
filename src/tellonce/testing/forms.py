"""What a person types into a GOV.UK date input (`tellonce.core.forms.GovukDateField`),
for tests that post forms: `date_typed("last_seen", moment)` gives the day, month and
year boxes (and hour and minute for a date and time) of the field `last_seen`."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def date_typed(name: str, value: date | datetime) -> dict[str, str]:
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return {
            f"{name}_day": str(local.day),
            f"{name}_month": str(local.month),
            f"{name}_year": str(local.year),
            f"{name}_hour": str(local.hour),
            f"{name}_minute": f"{local.minute:02d}",
        }
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }
