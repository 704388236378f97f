"""Operation Encompass in the synthetic borough: the borough's term dates, and most
schools signed up; every tenth school (by code) is not, so the coverage page has
schools to chase."""

from __future__ import annotations

from datetime import date

from tellonce.encompass.calendar import borough_calendar_ensure
from tellonce.encompass.models import SchoolSignUp
from tellonce.organisations.models import Agency, AgencyKind

NOT_SIGNED_UP_EVERY = 10


def encompass_seed(*, as_of: date) -> dict[str, int]:
    borough_calendar_ensure()
    schools = list(Agency.objects.filter(kind=AgencyKind.SCHOOL).order_by("code"))
    signing = [
        s for n, s in enumerate(schools) if n % NOT_SIGNED_UP_EVERY != NOT_SIGNED_UP_EVERY - 1
    ]
    SchoolSignUp.objects.bulk_create(
        [SchoolSignUp(school=s, signed_up_on=date(as_of.year - 1, 9, 1)) for s in signing],
        ignore_conflicts=True,
    )
    return {"schools": len(schools), "signed_up": len(signing)}
