"""Pages of the person's record: search, the record page, the flag, recording or
archiving identifiers, and saying that your team now works with the person or has
stopped (the involvement register's rules are `tellonce.involvements`'; its pages are
here because finding the person needs `tellonce.access`, which the register sits
below). Views stay thin: `tellonce.access` decides access, the selectors
gather each domain's part of the record and audit the look."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tellonce.access.selectors import FlagOnlyError, person_get_for_user
from tellonce.accounts.models import User
from tellonce.audit.services import audit_list, via_request
from tellonce.core.forms import form_errors_from
from tellonce.core.limits import rate_limit
from tellonce.core.requests import acting_user
from tellonce.cpis.selectors import cp_is_flag
from tellonce.earlyhelp.selectors import early_help_now
from tellonce.involvements import selectors as involvement_selectors
from tellonce.involvements import services as involvement_services
from tellonce.involvements.selectors import involvement_get_for_user
from tellonce.involvements.services import involvement_end as involvement_end_
from tellonce.involvements.services import involvement_record, lead_professional
from tellonce.mash.selectors import cases_for_person
from tellonce.missing.selectors import flags_for as missing_flags_for
from tellonce.people.models import Person
from tellonce.record import selectors, services
from tellonce.record.forms import (
    ArchiveForm,
    IdentifierAddForm,
    InvolvementEndForm,
    InvolvementRefuseForm,
    InvolvementStartForm,
    PersonSearchForm,
)
from tellonce.voices.selectors import voices_for


def _person_to_change(user: User, person_id: UUID) -> Person:
    person, access = person_get_for_user(user=user, person_id=person_id)
    if not access.can_change:
        raise PermissionDenied(
            "You can change this record only while your team is working with this person"
        )
    return person


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """A POST form: names and dates of birth stay out of URLs, history and logs."""
    user = acting_user(request)
    if not user.does_casework:
        raise PermissionDenied("Your role does not include searching for people")
    form = PersonSearchForm(request.POST or None)
    found = None
    if form.is_bound and form.is_valid():
        rate_limit(request, "search")
        found = selectors.person_search_results(
            user=user, query=form.query, via=via_request(request)
        )
    return render(
        request,
        "record/search.html",
        {"form": form, "found": found, "hits": found.hits if found else None, "nav": "search"},
    )


@login_required
def record(request: HttpRequest, person_id: UUID) -> HttpResponse:
    try:
        person_record = selectors.person_record(
            user=acting_user(request), person_id=person_id, via=via_request(request)
        )
    except FlagOnlyError:
        return redirect("people:flag", person_id=person_id)
    user = acting_user(request)
    context = {
        "record": person_record,
        "cp_is": cp_is_flag(user=user, person=person_record.person),
        "voices": voices_for(user=user, person=person_record.person, access=person_record.access),
        "mash_cases": cases_for_person(user=user, person_id=person_record.person.pk),
        "missing_flags": missing_flags_for(
            user=user, person=person_record.person, access=person_record.access
        ),
        "early_help": early_help_now(person_record.person),
        "nav": "search",
    }
    return render(request, "record/record.html", context)


@login_required
def flag(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person_flag = selectors.person_flag(
        user=acting_user(request), person_id=person_id, via=via_request(request)
    )
    cp_is = cp_is_flag(user=acting_user(request), person=person_flag.person)
    return render(
        request, "record/flag.html", {"flag": person_flag, "cp_is": cp_is, "nav": "search"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def identifier_add(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = acting_user(request)
    person = _person_to_change(user, person_id)
    form = IdentifierAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identifier_add(
                user=user,
                person=person,
                scheme=form.cleaned_data["scheme"],
                value=form.cleaned_data["value"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Identifier recorded")
            return redirect("people:record", person_id=person_id)
    return render(
        request,
        "record/identifier_add.html",
        {"form": form, "person": person, "nav": "search"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def identifier_archive(request: HttpRequest, person_id: UUID, identifier_id: int) -> HttpResponse:
    user = acting_user(request)
    person = _person_to_change(user, person_id)
    identifier = selectors.identifier_get_for_user(
        user=user, person_id=person.pk, identifier_id=identifier_id
    )
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identifier_archive(
                user=user,
                identifier=identifier,
                reason=form.cleaned_data["reason"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Identifier archived")
            return redirect("people:record", person_id=person_id)
    return render(
        request,
        "record/identifier_archive.html",
        {"form": form, "person": person, "identifier": identifier, "nav": "search"},
    )


# ----- the involvement register: a team says it works with the person, or has stopped


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
            involvement_record(
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
                " Everyone already involved has been told. A manager of your team, the"
                " lead professional or a MASH manager confirms it before the record opens"
                " to you.",
            )
            return redirect("people:record", person_id=person.pk)
    lead = lead_professional(person)
    form.lead_is(lead, person)
    return render(
        request,
        "record/involvement_start.html",
        {"form": form, "person": person, "lead": lead, "nav": "search"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_end(request: HttpRequest, involvement_id: int) -> HttpResponse:
    user = acting_user(request)
    involvement = involvement_get_for_user(user=user, involvement_id=involvement_id)
    form = InvolvementEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            involvement_end_(
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
        "record/involvement_end.html",
        {"form": form, "involvement": involvement, "person": involvement.person, "nav": "search"},
    )


@login_required
def involvements_to_confirm(request: HttpRequest) -> HttpResponse:
    """What practitioners have said and nobody has confirmed, for those who may."""
    user = acting_user(request)
    waiting = list(involvement_selectors.involvements_to_confirm(user=user)[:200])
    audit_list(
        via_request(request), user=user, listed="involvements to confirm", people=len(waiting)
    )
    return render(
        request,
        "record/involvements_to_confirm.html",
        {"involvements": waiting, "nav": "to-confirm"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_confirm(request: HttpRequest, involvement_id: int) -> HttpResponse:
    user = acting_user(request)
    involvement = involvement_selectors.involvement_to_confirm_get_for_user(
        user=user, involvement_id=involvement_id
    )
    refusing = request.method == "POST" and request.POST.get("decision") == "refuse"
    form = InvolvementRefuseForm(request.POST if refusing else None)
    if request.method == "POST":
        try:
            if not refusing:
                involvement_services.involvement_confirm(
                    user=user, involvement=involvement, via=via_request(request)
                )
                messages.success(
                    request,
                    f"Confirmed: {involvement.team.name} works with"
                    f" {involvement.person.full_name}.",
                )
                return redirect("involvements:to-confirm")
            if form.is_valid():
                involvement_services.involvement_refuse(
                    user=user,
                    involvement=involvement,
                    reason=form.cleaned_data["reason"],
                    via=via_request(request),
                )
                messages.success(request, "Not confirmed: the involvement has ended.")
                return redirect("involvements:to-confirm")
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(
        request,
        "record/involvement_confirm.html",
        {"form": form, "involvement": involvement, "person": involvement.person},
    )
