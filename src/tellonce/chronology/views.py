"""The chronology page (filters, exports) and the form to add an event."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tellonce.access.selectors import FlagOnlyError, person_get_for_user
from tellonce.audit.services import via_request
from tellonce.chronology.exports import chronology_csv, chronology_pdf
from tellonce.chronology.forms import ChronologyEventForm, ChronologyFilterForm
from tellonce.chronology.selectors import agencies_in, chronology_events, chronology_person
from tellonce.chronology.services import chronology_event_record
from tellonce.core.forms import form_errors_from
from tellonce.core.requests import acting_user

EXPORTS = {"csv": "text/csv", "pdf": "application/pdf"}
#: Events on one page of the timeline (a download has them all).
PER_PAGE = 100


@login_required
def chronology(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = acting_user(request)
    via = via_request(request)
    try:
        person, access = chronology_person(user=user, person_id=person_id, via=via)
    except FlagOnlyError:
        return redirect("people:flag", person_id=person_id)
    form = ChronologyFilterForm(request.GET or None, agencies=agencies_in(person))
    export = request.GET.get("export", "")
    if export not in EXPORTS:
        export = ""
    events = chronology_events(
        user=user, person=person, filters=form.filters(), via=via, export=export
    )
    if export:
        stamp = timezone.localtime()
        name = f"chronology-{stamp:%Y%m%d-%H%M}.{export}"  # no names in file names
        content = (
            chronology_csv(events)
            if export == "csv"
            else chronology_pdf(person, events, produced_by=user.get_full_name(), produced_on=stamp)
        )
        response = HttpResponse(content, content_type=EXPORTS[export])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("page", None)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "chronology/chronology.html",
        {
            "person": person,
            "events": page.object_list,
            "page": page,
            "count": page.paginator.count,
            "form": form,
            "query": query.urlencode(),
            "can_add": access.can_change and not user.is_system_account,
            "nav": "search",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = acting_user(request)
    person, access = person_get_for_user(user=user, person_id=person_id)
    if not access.can_change:
        raise PermissionDenied("You can add to the chronology only while your team is involved")
    form = ChronologyEventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            chronology_event_record(
                user=user,
                person=person,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["date"],
                summary=form.cleaned_data["summary"],
                unscheduled=form.cleaned_data["unscheduled"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc, {"occurred_on": "day"})
        else:
            messages.success(request, "Added to the chronology")
            return redirect("chronology:chronology", person_id=person.pk)
    return render(
        request, "chronology/event_add.html", {"form": form, "person": person, "nav": "search"}
    )
