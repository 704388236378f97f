"""`{% demo_logins as logins %}`: the demo's logins for the sign-in page, in the demo
only (`TELLONCE_ENV=demo`) and once `tellonce seed` has made them; never anywhere
else, so a production sign-in page can never offer an account."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings

from tellonce.borough import demo

register = template.Library()


@dataclass(frozen=True)
class DemoLogins:
    #: (username, role, team) of each login, in the order of `demo.DEMO_LOGINS`.
    rows: list[tuple[str, str, str]]
    password: str


@register.simple_tag
def demo_logins() -> DemoLogins | None:
    if settings.TELLONCE_ENV != "demo":
        return None
    rows = demo.demo_logins()
    if not rows:
        return None
    return DemoLogins(rows=rows, password=demo.DEMO_PASSWORD)
