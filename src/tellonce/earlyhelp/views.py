"""Pages for early help: ask for it for a child (naming the lead), the episode (its
lead, the family's agreement, the answer to a request to lead, a handover), and the
worklist. Forms parse, services write, selectors read and decide access."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tellonce.access.selectors import person_get_for_user
from tellonce.audit.services import audit_list, via_request
from tellonce.core.forms import form_errors_from
from tellonce.core.requests import acting_user, form_data
from tellonce.earlyhelp import selectors, services
from tellonce.earlyhelp.forms import AnswerForm, CloseForm, OfferForm, RequestForm
from tellonce.earlyhelp.models import EpisodeState

#: Where each service field's error goes on the forms.
_FIELDS = {"person": "", "answer": "answer"}


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not user.does_casework or user.is_system_account:
        raise PermissionDenied("Early help worklists are for practitioners")
    work = selectors.worklist_for(user=user)
    if work.people:
        audit_list(via_request(request), user=user, listed="early help", people=work.people)
    return render(request, "earlyhelp/worklist.html", {"work": work, "nav": "early_help"})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = acting_user(request)
    person, _ = person_get_for_user(user=user, person_id=person_id)
    if user.is_system_account or user.team is None or not user.does_casework:
        raise PermissionDenied("Early help is asked for by practitioners")
    people = list(selectors.lead_candidates())
    form = RequestForm(form_data(request), people=people)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.episode_request(
                user=user,
                person=person,
                request=services.EpisodeRequest(
                    reason=form.cleaned_data.get("reason", ""),
                    lead=form.chosen,
                    consent=form.consent(),
                ),
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc, _FIELDS)
        else:
            if episode.state == EpisodeState.OPEN:
                messages.success(
                    request, f"Early help is open: you lead it for {person.given_name}."
                )
            else:
                messages.success(
                    request,
                    f"Early help asked for: {form.chosen.get_full_name()} has been asked to"
                    " lead it. It opens when they accept.",
                )
            return redirect("earlyhelp:episode", episode_id=episode.pk)
    return render(
        request,
        "earlyhelp/request.html",
        {"person": person, "form": form, "nav": "early_help"},
    )


@login_required
def episode(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = acting_user(request)
    found, access = selectors.episode_get_for_user(
        user=user, episode_id=episode_id, via=via_request(request)
    )
    page = selectors.episode_page(user=user, episode=found, access=access)
    return render(
        request,
        "earlyhelp/episode.html",
        {"page": page, "episode": found, "person": found.person, "nav": "early_help"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The practitioner asked to lead accepts (with the family's agreement, if it is not
    yet recorded) or declines, saying why."""
    user = acting_user(request)
    found, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
    role = selectors.role_get_for_user(user=user, episode=found)
    form = AnswerForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        via = via_request(request)
        choice = form.cleaned_data.get("answer")
        try:
            if choice == "accept":
                services.lead_accept(user=user, role=role, via=via, consent=form.consent())
            elif choice == "decline":
                services.lead_decline(
                    user=user,
                    role=role,
                    reason=form.cleaned_data.get("decline_reason", ""),
                    via=via,
                )
            else:
                raise ValidationError({"answer": "Say whether you will lead this early help"})
        except ValidationError as exc:
            form_errors_from(form, exc, _FIELDS)
        else:
            messages.success(
                request,
                "You lead this early help."
                if choice == "accept"
                else "You declined. Whoever asked you has been told.",
            )
            return redirect("earlyhelp:episode", episode_id=found.pk)
    return render(
        request,
        "earlyhelp/answer.html",
        {
            "episode": found,
            "person": found.person,
            "role": role,
            "form": form,
            "nav": "early_help",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Ask someone (else) to lead: a handover by the lead, or a new request while the
    episode waits."""
    user = acting_user(request)
    found, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
    if not services.may_offer(user, found):
        raise PermissionDenied("You may not ask someone to lead this early help")
    lead = services.current_lead(found)
    form = OfferForm(
        form_data(request),
        people=list(selectors.lead_candidates(exclude=lead.practitioner if lead else None)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_offer(
                user=user, episode=found, lead=form.chosen, via=via_request(request)
            )
        except ValidationError as exc:
            form_errors_from(form, exc, _FIELDS)
        else:
            messages.success(
                request,
                f"{form.chosen.get_full_name()} has been asked to lead."
                + (
                    " You lead until they accept."
                    if lead and lead.practitioner_id == user.pk
                    else ""
                ),
            )
            return redirect("earlyhelp:episode", episode_id=found.pk)
    return render(
        request,
        "earlyhelp/offer.html",
        {"episode": found, "person": found.person, "lead": lead, "form": form, "nav": "early_help"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The lead closes early help, saying how and why."""
    user = acting_user(request)
    found, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
    if not services.may_close(user, found):
        raise PermissionDenied("The lead professional closes this early help")
    form = CloseForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_close(
                user=user,
                episode=found,
                closure=form.cleaned_data.get("closure") or "",
                reason=form.cleaned_data.get("close_reason", ""),
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc, _FIELDS)
        else:
            messages.success(
                request, "Early help closed. Everyone working with the child can see why."
            )
            return redirect("earlyhelp:episode", episode_id=found.pk)
    return render(
        request,
        "earlyhelp/close.html",
        {"episode": found, "person": found.person, "form": form, "nav": "early_help"},
    )
