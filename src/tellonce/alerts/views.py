"""The inbox: the alerts delivered to you and your team, newest first; opening one
marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tellonce.alerts.selectors import alert_get_for_user, alert_inbox
from tellonce.alerts.services import alert_looked_at, alert_mark_read
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.requests import acting_user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    alerts = alert_inbox(user=user)
    unread = alerts.filter(read_on__isnull=True).count()
    shown = list(alerts[:200])
    audit_list(via_request(request), user=user, listed="alerts inbox", people=people_on(shown))
    return render(
        request, "alerts/inbox.html", {"alerts": shown, "unread": unread, "nav": "alerts"}
    )


@login_required
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = acting_user(request)
    found = alert_mark_read(alert=alert_get_for_user(user=user, alert_id=alert_id), user=user)
    alert_looked_at(via_request(request), user=user, alert=found)
    return render(request, "alerts/alert.html", {"alert": found, "nav": "alerts"})
