"""Words a practitioner reads every day: a team named once, their own job title,
figures with thousands separators and the period they cover."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_a_school_team_is_named_once_wherever_it_is_shown(world, signed_in):
    dsl = world.oakfield_dsl
    dsl.name = f"Designated safeguarding lead, {world.school.name}"
    dsl.save()
    assert str(dsl) == dsl.name and dsl.named == dsl.name
    assert str(world.early_help) == f"{world.early_help.name}, {world.early_help.agency.name}"
    assert world.early_help.named == f"{world.early_help.name} ({world.early_help.agency.name})"
    page = signed_in(world.dana).get("/").content.decode()
    assert dsl.name in page
    assert f"{dsl.name}, {world.school.name}" not in page


def test_home_says_the_persons_job_title_rather_than_a_role_list(world, signed_in):
    world.hannah.job_title = "Health visitor"
    world.hannah.save()
    page = signed_in(world.hannah).get("/").content.decode()
    assert "Health visitor" in page
    assert "Practitioner (health visitor, GP, officer, housing…)" not in page


@pytest.mark.parametrize(
    ("template", "figures", "shown"),
    [
        (
            "encompass/figures.html",
            {
                "incidents": 12345,
                "school_notifications": 2500,
                "schools": 1200,
                "schools_signed_up": 1100,
                "since": date(2025, 9, 1),
                "until": date(2026, 12, 4),
            },
            ["12,345", "2,500", "1,100 of 1,200", "from 1 September 2025 to 4 December 2026"],
        ),
        (
            "missing/figures.html",
            {
                "episodes": 1570,
                "returns": 1499,
                "since": date(2026, 9, 5),
                "until": date(2026, 12, 4),
            },
            ["1,570", "1,499", "from 5 September 2026 to 4 December 2026"],
        ),
    ],
)
def test_figures_have_separators_and_say_their_period(template, figures, shown):
    html = render_to_string(template, {"figures": figures})
    for text in shown:
        assert text in html
