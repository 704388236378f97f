"""Pages for missing children: report a child missing, the episode (the police's
acknowledgement, the return, the interview), the police desk's missing inbox, the
interview team's worklist, and the figures. Forms parse, services write, selectors
read and decide access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tellonce.access.selectors import person_get_for_user
from tellonce.accounts.models import User
from tellonce.accounts.selectors import practitioners_in
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.forms import form_errors_from, form_problems_too
from tellonce.core.pagination import page_of
from tellonce.core.requests import acting_user, form_data
from tellonce.missing import selectors, services
from tellonce.missing.forms import (
    ArchiveForm,
    AssignForm,
    EpisodeForm,
    FlagReviewForm,
    InterviewForm,
    RefuseForm,
    ReturnForm,
)
from tellonce.missing.models import MissingEpisode, ReturnHomeInterview


def _saved(form: forms.Form, write: Callable[[], Any], fields: dict[str, str]) -> bool:
    """Call the service; its problems land on the form, by field."""
    try:
        write()
    except ValidationError as exc:
        form_errors_from(form, exc, fields)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user = acting_user(request)
    person, _ = person_get_for_user(user=user, person_id=person_id)
    if user.is_system_account or user.team is None or not user.does_casework:
        raise PermissionDenied("Missing children are reported by practitioners in a team")
    initial = {
        "reporter_name": user.get_full_name(),
        "reporter_role": user.job_title,
        "reporter_phone": user.phone or user.team.phone,
    }
    form = EpisodeForm(form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        made: list[MissingEpisode] = []
        if _saved(
            form,
            lambda: made.append(
                services.episode_report(
                    user=user, person=person, details=form.details(), via=via_request(request)
                )
            ),
            EpisodeForm.FIELDS,
        ):
            episode = made[0]
            told = (
                f" {episode.police_team.name} has been told."
                if episode.police_notified_on and episode.police_team
                else ""
            )
            messages.success(request, f"{person.full_name} is reported missing.{told}")
            return redirect("missing:episode", episode_id=episode.pk)
    elif request.method == "POST":
        problems = services.episode_check(form.details(), now=timezone.now())
        form_problems_too(form, problems, EpisodeForm.FIELDS)
    return render(request, "missing/report.html", {"person": person, "form": form})


@login_required
def episode(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = acting_user(request)
    found, access = selectors.episode_get_for_user(
        user=user, episode_id=episode_id, via=via_request(request)
    )
    interview: ReturnHomeInterview | None = getattr(found, "interview", None)
    context = {
        "episode": found,
        "person": found.person,
        "access": access,
        "interview": interview,
        "can_record_return": found.returned_on is None
        and (access.police or access.reporter or access.involved),
        "can_interview": interview is not None
        and interview.is_open
        and services.may_interview(user, interview),
        "can_assign": interview is not None
        and interview.is_open
        and services.may_assign(user, interview),
        "nav": "missing",
    }
    return render(request, "missing/episode.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = acting_user(request)
    found, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
    services.police_acknowledge(user=user, episode=found, via=via_request(request))
    messages.success(request, "Acknowledged: the reporter can see that the police have it.")
    return redirect("missing:episode", episode_id=found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def flag_review(request: HttpRequest, flag_id: int) -> HttpResponse:
    """A manager takes down a flag they have acted on, saying what was done."""
    user = acting_user(request)
    flag = selectors.flag_get_for_user(user=user, flag_id=flag_id)
    person = flag.person
    form = FlagReviewForm(form_data(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.flag_review(
                user=user, flag=flag, reason=form.cleaned_data["reason"], via=via_request(request)
            ),
            {},
        )
    ):
        messages.success(request, "The flag is taken down; it stays in the record's history.")
        return redirect("people:record", person_id=person.pk)
    return render(
        request, "missing/flag_review.html", {"flag": flag, "person": person, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Withdraw an episode recorded in error, saying why."""
    user = acting_user(request)
    found, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
    form = ArchiveForm(form_data(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.episode_archive(
                user=user,
                episode=found,
                reason=form.cleaned_data["reason"],
                via=via_request(request),
            ),
            {},
        )
    ):
        messages.success(request, "The episode is withdrawn as recorded in error.")
        return redirect("people:flag", person_id=found.person_id)
    return render(
        request, "missing/archive.html", {"episode": found, "person": found.person, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_return(request: HttpRequest, episode_id: int) -> HttpResponse:
    user = acting_user(request)
    found, _ = selectors.episode_get_for_user(user=user, episode_id=episode_id)
    form = ReturnForm(form_data(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.episode_return(
                user=user,
                episode=found,
                returned_on=form.returned_on(),
                details=form.cleaned_data["return_details"],
                via=via_request(request),
            ),
            ReturnForm.FIELDS,
        )
    ):
        messages.success(request, "Return recorded. The return home interview is assigned.")
        return redirect("missing:episode", episode_id=found.pk)
    return render(
        request, "missing/return.html", {"episode": found, "person": found.person, "form": form}
    )


def _interview_page(
    request: HttpRequest,
    interview_id: int,
    *,
    template: str,
    form_class: type[forms.Form],
    save: Callable[[User, ReturnHomeInterview, Any], Any],
    done: str,
) -> HttpResponse:
    user = acting_user(request)
    interview = selectors.interview_get_for_user(user=user, interview_id=interview_id)
    if not services.may_interview(user, interview):
        raise PermissionDenied("Only the team the interview is assigned to records it")
    form = form_class(form_data(request))
    saved = request.method == "POST" and form.is_valid()
    if saved and _saved(form, lambda: save(user, interview, form), {}):
        messages.success(request, done)
        return redirect("missing:episode", episode_id=interview.episode_id)
    context = {"interview": interview, "episode": interview.episode, "person": interview.person}
    return render(request, template, {**context, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def interview_record(request: HttpRequest, interview_id: int) -> HttpResponse:
    def save(user: User, interview: ReturnHomeInterview, form: Any) -> Any:
        return services.interview_complete(
            user=user, interview=interview, details=form.details(), via=via_request(request)
        )

    return _interview_page(
        request,
        interview_id,
        template="missing/interview.html",
        form_class=InterviewForm,
        save=save,
        done="Interview recorded and shared in writing with the police and the social worker.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_refuse(request: HttpRequest, interview_id: int) -> HttpResponse:
    def save(user: User, interview: ReturnHomeInterview, form: Any) -> Any:
        return services.interview_refuse(
            user=user,
            interview=interview,
            reason=form.cleaned_data["refused_reason"],
            via=via_request(request),
        )

    return _interview_page(
        request,
        interview_id,
        template="missing/refuse.html",
        form_class=RefuseForm,
        save=save,
        done="The refusal is recorded and shared with the police and the social worker.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_assign(request: HttpRequest, interview_id: int) -> HttpResponse:
    user = acting_user(request)
    interview = selectors.interview_get_for_user(user=user, interview_id=interview_id)
    if not services.may_assign(user, interview):
        raise PermissionDenied("Managers of the interview team or of the MASH assign interviews")
    teams = services.independent_teams(interview.person)
    form = AssignForm(
        form_data(request),
        teams=teams,
        workers=practitioners_in(teams=teams),
        initial={"team": interview.assigned_team_id, "assigned_to": interview.assigned_to_id},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.interview_assign(
                user=user,
                interview=interview,
                team=form.cleaned_data["team"],
                assigned_to=form.cleaned_data["assigned_to"],
                via=via_request(request),
            ),
            {},
        )
    ):
        messages.success(request, "Interview assigned.")
        return redirect("missing:episode", episode_id=interview.episode_id)
    context = {"interview": interview, "episode": interview.episode, "person": interview.person}
    return render(request, "missing/assign.html", {**context, "form": form})


@login_required
def police_inbox(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    show = request.GET.get("show", "open")
    if show not in selectors.POLICE_LIST_SHOWS:
        show = "open"
    page = page_of(request, selectors.police_list(user=user, show=show))
    audit_list(
        via_request(request), user=user, listed="police missing inbox", people=people_on(page.rows)
    )
    return render(
        request,
        "missing/police_inbox.html",
        {"page": page, "show": show, "shows": selectors.POLICE_LIST_SHOWS, "nav": "missing"},
    )


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    interviews = list(selectors.interview_worklist(user=user))
    audit_list(
        via_request(request),
        user=user,
        listed="return home interviews",
        people=people_on(interviews),
    )
    return render(request, "missing/worklist.html", {"interviews": interviews, "nav": "missing"})


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    found = selectors.missing_figures(user=acting_user(request))
    return render(request, "missing/figures.html", {"figures": found, "nav": "missing"})
