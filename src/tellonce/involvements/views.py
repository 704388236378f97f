"""Pages for the involvement register: record that your team works with a child, and
end it."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from tellonce.access.selectors import person_get_for_user
from tellonce.accounts.requests import acting_user
from tellonce.audit.services import via_request
from tellonce.core.forms import form_errors_from
from tellonce.involvements import services
from tellonce.involvements.forms import InvolvementEndForm, InvolvementStartForm
from tellonce.involvements.models import Involvement

#: Where a service's field errors show on the forms (the date boxes share one message).
_START_FIELDS = {"started_on": "day"}
_END_FIELDS = {"ended_on": "day"}


@login_required
@require_http_methods(["GET", "POST"])
def involvement_add(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = acting_user(request)
    person, _ = person_get_for_user(user=user, person_id=person_id)
    form = InvolvementStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.involvement_record(
                user=user,
                person=person,
                capacity=form.cleaned_data["capacity"],
                started_on=form.cleaned_data["date"],
                is_lead_professional=form.cleaned_data["is_lead_professional"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc, _START_FIELDS)
        else:
            messages.success(
                request,
                f"Recorded: {user.team} is working with {person.full_name}."
                " Everyone already involved has been told.",
            )
            return redirect("people:record", person_id=person.pk)
    lead = services.lead_professional(person)
    return render(
        request,
        "involvements/start.html",
        {"form": form, "person": person, "lead": lead, "nav": "search"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_end(request: HttpRequest, involvement_id: int) -> HttpResponse:
    user = acting_user(request)
    involvement = get_object_or_404(
        Involvement.objects.select_related("person", "team"), pk=involvement_id, team=user.team
    )
    form = InvolvementEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.involvement_end(
                user=user,
                involvement=involvement,
                ended_on=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc, _END_FIELDS)
        else:
            messages.success(request, "The involvement has ended.")
            return redirect("people:record", person_id=involvement.person_id)
    return render(
        request,
        "involvements/end.html",
        {"form": form, "involvement": involvement, "person": involvement.person, "nav": "search"},
    )
