"""Pages of Operation Encompass: the police record an incident; the school's
safeguarding lead reads and acknowledges its notifications; the partnership sees the
coverage of schools and the figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tellonce.access.selectors import person_get_for_user
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.forms import form_errors_from
from tellonce.core.pagination import page_of
from tellonce.core.requests import acting_user
from tellonce.encompass import selectors, services
from tellonce.encompass.forms import IncidentForm, WithdrawForm
from tellonce.encompass.models import Channel
from tellonce.organisations.selectors import school_get_for_user


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    services.require_police(user)
    chosen = None
    if request.GET.get("person"):
        chosen, _ = person_get_for_user(user=user, person_id=request.GET["person"])
    form = IncidentForm(request.POST or None, chosen=chosen)
    if request.method == "POST":
        form.is_valid()
        try:
            incident = services.incident_record(
                user=user, details=form.details(), via=via_request(request), channel=Channel.WEB
            )
        except ValidationError as exc:
            form_errors_from(form, exc, form.fields_map())
        else:
            messages.success(
                request,
                f"Incident {incident.police_ref} recorded. Below: whom each child was matched"
                " to, and who will be told and by when.",
            )
            return redirect("encompass:incident", incident.pk)
    # The form's own address keeps ?person= so the chosen child stays chosen.
    return render(request, "encompass/incident_new.html", {"form": form})


@login_required
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The recording force's own page of an incident: its children, who was told and
    whether they acknowledged, and (for those who may) the way to withdraw it."""
    user = acting_user(request)
    found = selectors.incident_get_for_user(
        user=user, incident_id=incident_id, via=via_request(request)
    )
    told = selectors.incident_told(found)
    children = [
        {"child": child, "told": [n for n in told if n.incident_child_id == child.pk]}
        for child in found.children.select_related("person").order_by("pk")
    ]
    return render(
        request,
        "encompass/incident.html",
        {
            "incident": found,
            "children": children,
            "told": told,
            "may_withdraw": found.archived_on is None
            and selectors.may_withdraw_incident(user, found),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_withdraw(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Withdraw an incident recorded in error, saying why."""
    user = acting_user(request)
    via = via_request(request)
    found = selectors.incident_get_for_user(user=user, incident_id=incident_id, via=via)
    if not selectors.may_withdraw_incident(user, found):
        raise PermissionDenied(services.WITHDRAW_REFUSED)
    if found.archived_on is not None:
        messages.error(request, "This incident has already been withdrawn")
        return redirect("encompass:incident", found.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_withdraw(
                user=user, incident=found, reason=form.cleaned_data["reason"], via=via
            )
        except ValidationError as exc:
            form_errors_from(form, exc, {"reason": "reason"})
        else:
            messages.success(
                request,
                f"Incident {found.police_ref} is withdrawn as recorded in error: everyone"
                " told of it has been told.",
            )
            return redirect("encompass:incident", found.pk)
    return render(request, "encompass/incident_withdraw.html", {"incident": found, "form": form})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    # To acknowledge (the default: open work first), acknowledged, or all.
    show = {"1": "acknowledged", "all": "all"}.get(request.GET.get("acknowledged", ""), "waiting")
    acknowledged = {"waiting": False, "acknowledged": True, "all": None}[show]
    user = acting_user(request)
    page = page_of(request, selectors.notifications_for_team(user=user, acknowledged=acknowledged))
    audit_list(
        via_request(request),
        user=user,
        listed="Operation Encompass notifications",
        people=people_on(page.rows),
    )
    return render(
        request,
        "encompass/notifications.html",
        {"page": page, "show": show},
    )


@login_required
def notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    found = selectors.notification_get_for_user(
        user=acting_user(request), notification_id=notification_id, via=via_request(request)
    )
    return render(
        request,
        "encompass/notification.html",
        {
            "notification": found,
            "fields": services.notification_fields(found),
            "may_acknowledge": found.team_id == acting_user(request).team_id
            and not found.is_acknowledged
            and found.incident.archived_on is None,
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, notification_id: int) -> HttpResponse:
    via = via_request(request)
    found = selectors.notification_get_for_user(
        user=acting_user(request), notification_id=notification_id, via=via
    )
    try:
        services.notification_acknowledge(user=acting_user(request), notification=found, via=via)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Acknowledged: thank you.")
    return redirect("encompass:notification", notification_id)


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "encompass/coverage.html",
        {
            "coverage": selectors.coverage(user=acting_user(request)),
            "may_sign_up": services.may_record_sign_up(acting_user(request)),
        },
    )


@login_required
@require_POST
def sign_up(request: HttpRequest, school_id: int) -> HttpResponse:
    user = acting_user(request)
    school = school_get_for_user(user=user, school_id=school_id)
    services.school_sign_up_record(user=user, school=school, via=via_request(request))
    messages.success(request, f"{school.name} is signed up: its safeguarding lead is now told.")
    return redirect("encompass:coverage")


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    return render(
        request, "encompass/figures.html", {"figures": selectors.figures(user=acting_user(request))}
    )
