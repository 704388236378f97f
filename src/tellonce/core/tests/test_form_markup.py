"""One way to ask each kind of question: every field of every form, drawn through
`{% govuk_field %}`, is GOV.UK markup a screen reader can follow (a label for each
control; a fieldset with the question as its legend for radios, checkboxes and dates;
the error beside the field, tied to it); and no template draws a control by hand."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.test.html import Element, parse_html

import tellonce
from tellonce.accounts.forms import SignInForm
from tellonce.core.forms import CheckedForm, DateInput
from tellonce.core.templatetags.govuk import govuk_anchor, govuk_field
from tellonce.testing.world import World

pytestmark = pytest.mark.django_db

SRC = Path(tellonce.__file__).parent


def _forms_modules() -> Iterator[str]:
    for module in pkgutil.iter_modules([str(SRC)]):
        if (SRC / module.name / "forms.py").exists():
            yield f"tellonce.{module.name}.forms"


def _every_form_class() -> list[type[forms.Form]]:
    for name in _forms_modules():
        importlib.import_module(name)
    found: list[type[forms.Form]] = []
    pending: list[type[forms.Form]] = [CheckedForm]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("tellonce.") and ".tests" not in sub.__module__:
                found.append(sub)
                pending.append(sub)
    return [*found, SignInForm]


def _builders(world: World) -> dict[str, Callable[..., forms.Form]]:
    """How to make each form that needs more than its data, as its page makes it."""
    from tellonce.earlyhelp.forms import LeadChoice, OfferForm, RequestForm
    from tellonce.mash.forms import (
        ActionForm,
        DecisionForm,
        RequestsForm,
        StrategyPlanForm,
        StrategyRecordForm,
    )
    from tellonce.mash.services import ProposedTeam

    proposed = [
        ProposedTeam(team=world.early_help, reasons=["works with Jack"]),
        ProposedTeam(team=world.oakfield_dsl, reasons=["Jack's school"], always=True),
    ]
    people = [world.erin, world.dana]
    return {
        "ChronologyFilterForm": lambda **kw: _chronology_filter(world, **kw),
        "DecisionForm": lambda **kw: DecisionForm(people=people, **kw),
        "ActionForm": lambda **kw: ActionForm(people=people, **kw),
        "RequestsForm": lambda **kw: RequestsForm(teams=proposed, **kw),
        "StrategyPlanForm": lambda **kw: StrategyPlanForm(invitees=proposed, **kw),
        "StrategyRecordForm": lambda **kw: StrategyRecordForm(
            teams=[world.early_help, world.oakfield_dsl], **kw
        ),
        "AssignForm": lambda **kw: _assign(world, **kw),
        "LeadChoice": lambda **kw: LeadChoice(people=people, **kw),
        "RequestForm": lambda **kw: RequestForm(people=people, **kw),
        "OfferForm": lambda **kw: OfferForm(people=people, **kw),
    }


def _chronology_filter(world: World, **kwargs: Any) -> forms.Form:
    from tellonce.chronology.forms import ChronologyFilterForm

    return ChronologyFilterForm(agencies=[(world.school.pk, world.school.name)], **kwargs)


def _assign(world: World, **kwargs: Any) -> forms.Form:
    from tellonce.accounts.models import User
    from tellonce.missing.forms import AssignForm
    from tellonce.organisations.models import Team

    return AssignForm(
        teams=Team.objects.filter(pk=world.early_help.pk),
        workers=User.objects.filter(pk=world.erin.pk),
        **kwargs,
    )


def _made(cls: type[forms.Form], world: World, **kwargs: Any) -> forms.Form:
    builder = _builders(world).get(cls.__name__)
    return builder(**kwargs) if builder else cls(**kwargs)


def _walk(element: Element) -> Iterator[Element]:
    for child in element.children:
        if isinstance(child, Element):
            yield child
            yield from _walk(child)


def _text(element: Element) -> str:
    return " ".join(
        str(c) if not isinstance(c, Element) else _text(c) for c in element.children
    ).strip()


def _attr(element: Element, name: str) -> str:
    return next((str(v or "") for k, v in element.attributes if k == name), "")


def _problems(field: forms.BoundField) -> list[str]:
    """What is wrong with how `field` is drawn; empty when it is right."""
    html = govuk_field(field)
    root = parse_html(f"<div>{html}</div>")
    elements = list(_walk(root))
    controls = [
        e
        for e in elements
        if e.name in ("input", "select", "textarea") and _attr(e, "type") != "hidden"
    ]
    labels = {_attr(e, "for"): _text(e) for e in elements if e.name == "label"}
    problems = []
    if isinstance(field.field.widget, forms.HiddenInput):
        return [] if not controls else ["a hidden field drew a visible control"]
    if not controls:
        problems.append("no control drawn")
    for control in controls:
        ident = _attr(control, "id")
        if not ident:
            problems.append(f"a {control.name} without an id")
        elif not labels.get(ident):
            problems.append(f"{ident}: no label for it")
        classes = _attr(control, "class")
        if not re.search(
            r"\bgovuk-(input|select|textarea|radios__input|checkboxes__input)\b", classes
        ):
            problems.append(f"{ident}: no GOV.UK class ({classes!r})")
    widget = field.field.widget
    grouped = isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | DateInput)
    if grouped:
        fieldsets = [e for e in elements if e.name == "fieldset"]
        legends = [_text(e) for f in fieldsets for e in _walk(f) if e.name == "legend"]
        if len(fieldsets) != 1 or legends != [str(field.label)]:
            problems.append(f"group not in one fieldset with its question as legend: {legends}")
        else:
            inside = {_attr(e, "id") for e in _walk(fieldsets[0])}
            if any(_attr(c, "id") not in inside for c in controls):
                problems.append("a control of the group outside its fieldset")
    elif len(controls) != 1:
        problems.append(f"{len(controls)} controls for one field")
    if field.errors:
        error_id = f"{field.auto_id}-error"
        messages = [e for e in elements if _attr(e, "id") == error_id]
        if len(messages) != 1 or "govuk-error-message" not in _attr(messages[0], "class"):
            problems.append("the error is not shown beside the field")
        described = [e for e in elements if error_id in _attr(e, "aria-describedby").split()]
        if not described:
            problems.append("the error is not tied to the control or its fieldset")
        anchor = govuk_anchor(field)
        if anchor not in {_attr(c, "id") for c in controls}:
            problems.append(f"the error summary's link #{anchor} lands on no control")
    return problems


def test_every_field_of_every_form_is_drawn_the_govuk_way(world):
    classes = _every_form_class()
    assert len(classes) > 30, [c.__name__ for c in classes]
    found: dict[str, list[str]] = {}
    for cls in classes:
        for form in (_made(cls, world), _made(cls, world, data={"-": "-"})):
            form.is_valid()
            for field in form:
                if problems := _problems(field):
                    found[f"{cls.__module__}.{cls.__name__}.{field.name}"] = problems
    assert found == {}


def test_a_date_is_asked_in_day_month_and_year_boxes_with_one_error(world):
    from tellonce.encompass.forms import IncidentForm

    form = IncidentForm(data={"occurred_at_day": "01/12/2026 23:10"})
    form.is_valid()
    assert "occurred_at" not in form.errors, form.errors
    form = IncidentForm(data={"occurred_at_day": "31", "occurred_at_month": "2"})
    form.is_valid()
    assert form.errors["occurred_at"] == ["The time of the incident must include a year"]
    html = govuk_field(form["occurred_at"])
    assert html.count("govuk-error-message") == 1
    for box in ("Day", "Month", "Year", "Hour", "Minute"):
        assert f">{box}</label>" in html


TEMPLATES = [p for p in SRC.glob("*/templates/**/*.html") if "core/templates/govuk" not in str(p)]
#: A control drawn by hand: any input but a hidden one, any list or text area.
BY_HAND = re.compile(r"<(select|textarea)\b|<input\b(?![^>]*type=\"hidden\")")
#: A field drawn by Django's own widget, or by the old includes.
RAW = re.compile(
    r"\{\{\s*form\.(?!errors|non_field_errors|prefix)\w+\s*\}\}"
    r"|govuk_widget|_choices\.html|govuk/field\.html|govuk/date_input\.html"
)


def test_no_template_draws_a_form_control_by_hand():
    drawn = {
        str(path.relative_to(SRC)): BY_HAND.findall(text) + RAW.findall(text)
        for path in TEMPLATES
        if BY_HAND.search(text := path.read_text()) or RAW.search(text)
    }
    assert drawn == {}


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ({"day": "3", "month": "11", "year": "2025"}, "2025-11-03"),
        ({"day": "03", "month": "Nov", "year": "2025"}, "2025-11-03"),
        ({"day": "3", "month": "november", "year": "2025"}, "2025-11-03"),
        ({"day": " 3 ", "month": "Sept.", "year": "2025"}, "2025-09-03"),
        ({"day": "3/11/2025"}, "2025-11-03"),
        ({"day": "3-11-2025"}, "2025-11-03"),
    ],
)
def test_a_date_is_read_as_people_in_the_uk_write_it(typed, read):
    from tellonce.core.forms import GovukDateField

    class Asked(CheckedForm):
        day = GovukDateField(label="Date of the event", when="past")

    form = Asked(data={f"day_{k}": v for k, v in typed.items()})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"].isoformat() == read


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ({}, "Enter the date of the event"),
        ({"day": "3", "year": "2025"}, "The date of the event must include a month"),
        ({"day": "31", "month": "2", "year": "2025"}, "The date of the event must be a real date"),
        (
            {"day": "3", "month": "11", "year": "25"},
            "The year of the date of the event must have 4 numbers",
        ),
        (
            {"day": "3", "month": "Smarch", "year": "2025"},
            "The date of the event must be a real date",
        ),
        (
            {"day": "3", "month": "11", "year": "2099"},
            "The date of the event must be today or in the past",
        ),
    ],
)
def test_a_date_that_cannot_be_read_gets_one_error_naming_it(typed, problem):
    from tellonce.core.forms import GovukDateField

    class Asked(CheckedForm):
        day = GovukDateField(label="Date of the event", when="past", required=True)

    form = Asked(data={f"day_{k}": v for k, v in typed.items()})
    assert not form.is_valid()
    assert form.errors["day"] == [problem]


@pytest.mark.parametrize(
    ("hour", "minute", "read"),
    [("23", "10", "23:10"), ("9", "05", "09:05"), ("11pm", "10", "23:10"), ("12am", "0", "00:00")],
)
def test_a_time_is_read_on_the_24_hour_clock_or_with_am_and_pm(hour, minute, read):
    from django.utils import timezone

    from tellonce.core.forms import GovukDateField

    class Asked(CheckedForm):
        at = GovukDateField(label="Time of the incident", with_time=True, when="any")

    data = {"at_day": "2", "at_month": "5", "at_year": "2026", "at_hour": hour, "at_minute": minute}
    form = Asked(data=data)
    assert form.is_valid(), form.errors
    assert f"{timezone.localtime(form.cleaned_data['at']):%H:%M}" == read
    form = Asked(data=data | {"at_hour": "25"})
    assert not form.is_valid()
    assert form.errors["at"] == [
        "The time of the incident must have a real time: the hour from 0 to 23, the minute"
        " from 0 to 59"
    ]
