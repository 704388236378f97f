"""Pages about people: search, the record, the flag, break-glass, the access log and
recording identifiers. Views stay thin: selectors decide access and audit."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from tellonce.access.services import break_glass_open
from tellonce.accounts.models import User
from tellonce.accounts.requests import acting_user
from tellonce.audit.services import via_request
from tellonce.core.forms import form_errors_from
from tellonce.cpis.selectors import cp_is_flag
from tellonce.mash.selectors import cases_for_person
from tellonce.missing.selectors import flags_for as missing_flags_for
from tellonce.people import selectors, services
from tellonce.people.forms import ArchiveForm, BreakGlassForm, IdentifierAddForm, PersonSearchForm
from tellonce.people.models import Person, PersonIdentifier
from tellonce.voices.selectors import voices_for


def _person_to_change(user: User, person_id: UUID) -> Person:
    person, access = selectors.person_get_for_user(user=user, person_id=person_id)
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
    hits = None
    if form.is_bound and form.is_valid():
        hits = selectors.person_search(user=user, query=form.query, via=via_request(request))
    return render(request, "people/search.html", {"form": form, "hits": hits, "nav": "search"})


@login_required
def record(request: HttpRequest, person_id: UUID) -> HttpResponse:
    try:
        person_record = selectors.person_record(
            user=acting_user(request), person_id=person_id, via=via_request(request)
        )
    except selectors.FlagOnlyError:
        return redirect("people:flag", person_id=person_id)
    user = acting_user(request)
    context = {
        "record": person_record,
        "cp_is": cp_is_flag(user=user, person=person_record.person),
        "voices": voices_for(user=user, person=person_record.person),
        "mash_cases": cases_for_person(user=user, person_id=person_record.person.pk),
        "missing_flags": missing_flags_for(user=user, person=person_record.person),
        "nav": "search",
    }
    return render(request, "people/record.html", context)


@login_required
def flag(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person_flag = selectors.person_flag(
        user=acting_user(request), person_id=person_id, via=via_request(request)
    )
    cp_is = cp_is_flag(user=acting_user(request), person=person_flag.person)
    return render(
        request, "people/flag.html", {"flag": person_flag, "cp_is": cp_is, "nav": "search"}
    )


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
        request, "people/break_glass.html", {"form": form, "person": person, "nav": "search"}
    )


@login_required
def access_log(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person, events = selectors.access_log(
        user=acting_user(request), person_id=person_id, via=via_request(request)
    )
    return render(
        request,
        "people/access_log.html",
        {"person": person, "events": events[:500], "nav": "search"},
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
        "people/identifier_add.html",
        {"form": form, "person": person, "nav": "search"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def identifier_archive(request: HttpRequest, person_id: UUID, identifier_id: int) -> HttpResponse:
    user = acting_user(request)
    person = _person_to_change(user, person_id)
    identifier = get_object_or_404(PersonIdentifier, pk=identifier_id, person=person)
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
        "people/identifier_archive.html",
        {"form": form, "person": person, "identifier": identifier, "nav": "search"},
    )
