"""Form helpers shared by every app's views: `CheckedForm`, every form's base, which
holds each text field to clean text (`tellonce.core.text`); a service's problems shown
on the form's fields; and `GovukDateField`, the one way every form and filter asks for a
date (day, month and year boxes; hour and minute where a time is asked), rendered by
`{% govuk_field %}` (`tellonce.core.templatetags.govuk`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils import timezone

from tellonce.core.dates import InvalidDateError, PartialDate
from tellonce.core.text import TextKind, TextProblemError, text_checked


def form_field_kind(field: forms.Field) -> TextKind:
    """A text box is a line; a text area holds words."""
    return TextKind.WORDS if isinstance(field.widget, forms.Textarea) else TextKind.LINE


class CheckedForm(forms.Form):
    """Every form's base. Each text field's value is kept as clean text
    (`text_cleaned`), and refused with a reason naming the field ("Concern must not
    contain control characters", "Reason must be at most 1,000 characters") where it
    is not (`text_problem`). A field without its own `max_length` has its kind's."""

    def full_clean(self) -> None:
        super().full_clean()
        if not hasattr(self, "cleaned_data"):
            return
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if (
                not isinstance(field, forms.CharField)
                or isinstance(field.widget, forms.PasswordInput)
                or not isinstance(value, str)
            ):
                continue
            try:
                kept = text_checked(value, form_field_kind(field), max_length=field.max_length)
            except TextProblemError as problem:
                self.add_error(name, f"{field.label or name.capitalize()} {problem}")
            else:
                self.cleaned_data[name] = kept


def form_errors_from(
    form: Form, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's validation errors on the form: on their field where the form has
    it (or on the form field `fields` names for it), at the top otherwise."""
    for field, errors in exc.message_dict.items():
        target = (fields or {}).get(field, field)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)


#: What people in the UK write for a month, besides its number.
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")
#: The box widths (GOV.UK's `govuk-input--width-N`) of each part.
PART_WIDTHS = {"day": 2, "month": 2, "year": 4, "hour": 2, "minute": 2}
#: How far ahead of the clock a time "today or in the past" may be: clocks differ.
CLOCK_SLACK = timedelta(minutes=5)
_TYPED_TOGETHER = re.compile(
    r"^\s*(\d{1,2})[/.\- ](\d{1,2}|[A-Za-z]+)[/.\- ](\d{4})"
    r"(?:[ ,T]+(\d{1,2})[:.](\d{2}))?\s*$"
)


def form_problems_too(
    form: Form, problems: Mapping[str, str], fields: Mapping[str, str] | None = None
) -> None:
    """When a form is refused for what it could not read (a date that is not a date),
    show the service's other problems too, so the person fixes everything at once: one
    message per field, the form's own first."""
    for field, problem in problems.items():
        target = (fields or {}).get(field, field)
        if target in form.fields and not form.has_error(target):
            form.add_error(target, problem)


class DateInput(forms.MultiWidget):
    """The GOV.UK date input: a box for the day, the month and the year, and for the
    hour and minute where a time is asked. Its boxes are named after the field
    (`date_of_birth_day`, `date_of_birth_month`...). `{% govuk_field %}` draws it as one
    question: a fieldset whose legend is the field's label."""

    def __init__(self, *, with_time: bool = False) -> None:
        self.parts: tuple[str, ...] = DATE_PARTS + (TIME_PARTS if with_time else ())
        super().__init__(widgets={part: forms.TextInput() for part in self.parts})

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return [local.day, local.month, local.year, local.hour, f"{local.minute:02d}"]
        if isinstance(value, date):
            return [value.day, value.month, value.year][: len(self.parts)]
        return [None] * len(self.parts)


def _number(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def _hour(text: str) -> int | None:
    """ "23", "9", "9am", "11 pm", "12am" (midnight)."""
    match = re.fullmatch(r"(\d{1,2})\s*([ap]\.?m\.?)?", text.lower())
    if match is None:
        return None
    hour = int(match.group(1))
    if match.group(2) is None:
        return hour if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if match.group(2).startswith("p") else 0)


class GovukDateField(forms.MultiValueField):
    """A date (or, `with_time`, a date and time in local time), asked the GOV.UK way
    and read the way people in the UK write one: "3" or "03", the month as a number or
    a name ("Dec", "December"), a four-figure year, the hour on the 24-hour clock or
    with am/pm; "01/12/2026 23:10" typed all in the first box is read too. `when` says
    whether it must be "past" (today or before), "future" (today or after) or "any".
    Every problem is one message that names what was asked, `what` ("the date of
    birth" unless the label is a question): "The date of birth must include a month",
    "The date of the incident must be a real date"."""

    widget = DateInput

    def __init__(
        self,
        *,
        label: str,
        with_time: bool = False,
        when: Literal["past", "future", "any"] = "any",
        required: bool = False,
        help_text: str | None = None,
        what: str | None = None,
        partial: bool = False,
        **kwargs: Any,
    ) -> None:
        #: A date of birth as searched for: the year alone, or the month and year, will do
        #: (a `PartialDate`).
        self.partial = partial
        self.with_time = with_time
        self.when = when
        if what is None:
            if label.endswith("?"):
                raise ValueError(f"Say `what` is asked by the question {label!r}")
            what = "the " + label[:1].lower() + label[1:]
        self.what = what
        parts = DATE_PARTS + (TIME_PARTS if with_time else ())
        example = "For example, 27 3 2026" + (", 23 10" if with_time else "")
        if help_text is None:
            help_text = example + (" (hour and minute, 24-hour clock)" if with_time else "")
        super().__init__(
            fields=[forms.CharField(required=False, strip=True) for _ in parts],
            widget=DateInput(with_time=with_time),
            require_all_fields=False,
            required=required,
            label=label,
            help_text=help_text,
            error_messages={"required": f"Enter {what}", "incomplete": f"Enter {what}"},
            **kwargs,
        )

    def compress(self, data_list: Sequence[Any]) -> date | datetime | PartialDate | None:
        texts = [str(v or "").strip() for v in data_list]
        if not any(texts):
            return None
        together = _TYPED_TOGETHER.match(texts[0]) if not any(texts[1:]) else None
        if together:
            texts = [g or "" for g in together.groups()][: len(texts)]
        label = self.what[:1].upper() + self.what[1:]
        if self.partial:
            return self._partial(texts)
        names = DATE_PARTS + (TIME_PARTS if self.with_time else ())
        missing = [name for name, text in zip(names, texts, strict=True) if not text]
        if missing:
            article = "an" if missing[0] == "hour" else "a"
            raise ValidationError(f"{label} must include {article} {missing[0]}", code="incomplete")
        day = _number(texts[0], 1, 31)
        month = _number(texts[1], 1, 12) or MONTHS.get(texts[1].lower().rstrip("."))
        if not (len(texts[2]) == 4 and texts[2].isdigit()):
            raise ValidationError(f"The year of {self.what} must have 4 numbers", code="year")
        year = _number(texts[2], 1, 9999)
        try:
            when_date = date(year or 0, month or 0, day or 0)
        except ValueError:
            raise ValidationError(f"{label} must be a real date", code="invalid") from None
        value: date | datetime = when_date
        if self.with_time:
            hour = _hour(texts[3])
            minute = _number(texts[4], 0, 59) if len(texts[4]) <= 2 else None
            if hour is None or minute is None:
                raise ValidationError(
                    f"{label} must have a real time: the hour from 0 to 23, the minute"
                    " from 0 to 59",
                    code="invalid_time",
                )
            value = timezone.make_aware(
                datetime(when_date.year, when_date.month, when_date.day, hour, minute)
            )
        self._check_when(value, label)
        return value

    def _partial(self, texts: list[str]) -> PartialDate | None:
        day, month, year = texts[:3]
        month = str(MONTHS.get(month.lower().rstrip("."), month))
        try:
            return PartialDate.from_parts(day, month, year, today=timezone.localdate())
        except InvalidDateError as exc:
            raise ValidationError(str(exc), code="invalid") from None

    def _check_when(self, value: date | datetime, label: str) -> None:
        if self.when == "any":
            return
        if isinstance(value, datetime):
            now = timezone.now()
            late, early = value > now + CLOCK_SLACK, value.date() < timezone.localdate()
        else:
            today = timezone.localdate()
            late, early = value > today, value < today
        if self.when == "past" and late:
            past = "in the past" if isinstance(value, datetime) else "today or in the past"
            raise ValidationError(f"{label} must be {past}", code="future")
        if self.when == "future" and early:
            raise ValidationError(f"{label} must be today or in the future", code="past")


class DateForm(CheckedForm):
    """A form asking for one date, `date`, today or in the past (the day an involvement
    started, the day a child said something). Subclasses set `date_label`, and
    `date_after`, the field the date comes after on the page (first if None), so the
    error summary lists the problems in the page's order."""

    date_label = "Date"
    date_after: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        date_field = GovukDateField(label=self.date_label, when="past", required=True)
        names = list(self.fields)
        at = names.index(self.date_after) + 1 if self.date_after else 0
        self.fields = {
            **{name: self.fields[name] for name in names[:at]},
            "date": date_field,
            **{name: self.fields[name] for name in names[at:]},
        }
