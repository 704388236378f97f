"""Pages of access to a person's record: breaking the glass (a named practitioner
without a relationship opens a record for a few hours, giving a reason that the
managers of every team involved see), and the access log (who looked, for those
managers). `policy` and `selectors` decide; the views stay thin."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tellonce.access import selectors
from tellonce.access.forms import BreakGlassForm
from tellonce.access.services import break_glass_open
from tellonce.audit.services import via_request
from tellonce.core.forms import form_errors_from
from tellonce.core.limits import rate_limit
from tellonce.core.requests import acting_user


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = acting_user(request)
    person, access = selectors.person_get_for_user(user=user, person_id=person_id)
    if access.is_full:
        return redirect("people:record", person_id=person_id)
    if user.is_system_account:
        raise PermissionDenied("Only a named practitioner can break the glass")
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rate_limit(request, "break_glass")
        try:
            break_glass_open(
                user=user,
                person=person,
                reason=form.cleaned_data["reason"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.warning(
                request, "You have broken the glass. This access is logged and expires."
            )
            return redirect("people:record", person_id=person_id)
    return render(
        request, "access/break_glass.html", {"form": form, "person": person, "nav": "search"}
    )


@login_required
def access_log(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person, events = selectors.access_log(
        user=acting_user(request), person_id=person_id, via=via_request(request)
    )
    return render(
        request,
        "access/access_log.html",
        {"person": person, "events": events[:500], "nav": "search"},
    )
