"""The inbox: the alerts delivered to you and your team, newest first, the unread by
default, a page at a time; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tellonce.alerts.selectors import (
    INBOX_SHOWS,
    alert_action,
    alert_facts,
    alert_get_for_user,
    alert_inbox,
    alert_link,
    alert_list,
    unread_count,
)
from tellonce.alerts.services import alert_looked_at, alert_mark_read
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.pagination import page_of
from tellonce.core.requests import acting_user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    show = request.GET.get("show", "unread")
    if show not in INBOX_SHOWS:
        show = "unread"
    page = page_of(request, alert_list(user=user, show=show))
    audit_list(via_request(request), user=user, listed="alerts inbox", people=people_on(page.rows))
    return render(
        request,
        "alerts/inbox.html",
        {
            "page": page,
            "show": show,
            "shows": INBOX_SHOWS,
            "unread": unread_count(user=user),
            "has_any": bool(page.rows) or alert_inbox(user=user).exists(),
            "nav": "alerts",
        },
    )


@login_required
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = acting_user(request)
    found = alert_mark_read(alert=alert_get_for_user(user=user, alert_id=alert_id), user=user)
    alert_looked_at(via_request(request), user=user, alert=found)
    sentences, facts = alert_facts(found)
    return render(
        request,
        "alerts/alert.html",
        {
            "alert": found,
            "sentences": sentences,
            "facts": facts,
            # Who it is about, unless a fact already names them ("Child: Jack Taylor").
            "about": found.person
            if found.person is not None and all(v != found.person.full_name for _, v in facts)
            else None,
            "action": alert_action(found),
            "action_link": alert_link(found),
            "nav": "alerts",
        },
    )
