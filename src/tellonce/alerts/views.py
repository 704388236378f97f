"""The inbox: the alerts delivered to you and your team, newest first; opening one
marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tellonce.alerts.selectors import alert_get_for_user, alert_inbox
from tellonce.alerts.services import alert_mark_read
from tellonce.core.requests import acting_user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    alerts = alert_inbox(user=acting_user(request))
    unread = alerts.filter(read_on__isnull=True).count()
    return render(
        request, "alerts/inbox.html", {"alerts": alerts[:200], "unread": unread, "nav": "alerts"}
    )


@login_required
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = acting_user(request)
    found = alert_mark_read(alert=alert_get_for_user(user=user, alert_id=alert_id), user=user)
    return render(request, "alerts/alert.html", {"alert": found, "nav": "alerts"})
