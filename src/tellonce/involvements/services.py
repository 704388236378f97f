"""Writing the involvement register.

`involvement_start` records that a team (and perhaps a named practitioner) is now
working with a person, and in the same transaction writes the alerts that tell
everyone else involved with the child and their household, and the newcomer who was
there already (`tellonce.alerts`): the involvement and its alerts are stored together
or not at all.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tellonce.involvements.models import Involvement


def involvement_start(**fields: Any) -> Involvement:
    """Store a new involvement (the model's fields) and its alerts, together."""
    from tellonce.alerts.services import involvement_started_alerts

    with transaction.atomic():
        involvement = Involvement.objects.create(**fields)
        if involvement.ended_on is None:
            involvement_started_alerts(involvement)
    return involvement
