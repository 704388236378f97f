"""Pages of the MASH front door: a practitioner tells the MASH about a child; the MASH
works its queue and each case (screening, requests for information, the decision and
its sign-off, actions, strategy discussions); partner teams answer requests; the daily
meeting is minuted. Forms parse, services write, selectors read and decide access."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tellonce.access.selectors import person_get_for_user
from tellonce.accounts.models import User
from tellonce.accounts.selectors import practitioners_in
from tellonce.audit.services import Via, audit_list, people_on, via_request
from tellonce.core.forms import form_errors_from
from tellonce.core.pagination import Page, page_asked, page_of
from tellonce.core.requests import acting_user, form_data
from tellonce.mash import rules, selectors, services
from tellonce.mash.forms import (
    ActionForm,
    AnswerForm,
    CloseForm,
    ConferenceForm,
    ContactForm,
    ContactWithdrawForm,
    DecisionForm,
    MeetingCloseForm,
    MinutesForm,
    QueueFilterForm,
    RequestsForm,
    ScreenForm,
    SignOffForm,
    StrategyPlanForm,
    StrategyRecordForm,
    contact_fields,
    decision_fields,
)
from tellonce.mash.models import (
    Channel,
    MashCase,
    StrategyDiscussion,
)
from tellonce.mash.rules import Step
from tellonce.organisations.models import Role

# ----- telling the MASH -------------------------------------------------------------


def _may_make_contact(user: User) -> None:
    if not user.does_casework or user.team is None:
        raise PermissionDenied("Contacts to the MASH are made by practitioners in a team")


def _chosen_child(user: User, person_id: str | None) -> Any:
    """The child chosen from TellOnce (`?person=`), where the user may know of them."""
    if not person_id:
        return None
    try:
        UUID(person_id)
    except ValueError as exc:
        raise Http404("No such person") from exc
    person, _ = person_get_for_user(user=user, person_id=person_id)
    return person


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _may_make_contact(user)
    assert user.team is not None
    chosen = (
        request.POST.get("children-0-person")
        if request.method == "POST"
        else request.GET.get("person")
    )
    person = _chosen_child(user, chosen)
    initial = {
        "source": services.source_for(user.team.agency, user.team),
        "referrer_name": user.get_full_name(),
        "referrer_role": user.job_title or ", ".join(user.role_labels[:1]),
        "referrer_phone": user.phone or user.team.phone,
        "referrer_email": user.email or user.team.email,
    }
    form = ContactForm(form_data(request), person=person, initial=initial)
    if request.method == "POST":
        readable = form.is_valid()
        details, blocks = form.details()
        fields = contact_fields(blocks)
        if not readable:
            # Say everything else that is missing too, so nobody submits three times.
            problems = services.contact_check(details)
            unseen = {k: v for k, v in problems.items() if fields.get(k, k) not in form.errors}
            form_errors_from(form, ValidationError(unseen), fields)
        else:
            try:
                contact = services.contact_make(
                    user=user, details=details, channel=Channel.WEB, via=via_request(request)
                )
            except ValidationError as exc:
                form_errors_from(form, exc, fields)
            else:
                return redirect("mash:contact-sent", contact_id=contact.pk)
    return render(
        request, "mash/contact_new.html", {"form": form, "person": person, "nav": "mash-contact"}
    )


@login_required
def contact_sent(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The confirmation: for the referrer, and the MASH that received it."""
    user = acting_user(request)
    contact = selectors.contact_get_for_user(user=user, contact_id=contact_id)
    children = selectors.contact_children(contact)
    audit_list(via_request(request), user=user, listed="contact sent", people=people_on(children))
    return render(
        request,
        "mash/contact_sent.html",
        {
            "contact": contact,
            "children": children,
            # The reason may name another child: for the MASH, not the referrer.
            "in_the_mash": selectors.in_the_mash_of(user, contact),
            "nav": "mash-contact",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_withdraw(request: HttpRequest, contact_id: int) -> HttpResponse:
    """A MASH manager withdraws a contact recorded in error, saying why."""
    user = acting_user(request)
    via = via_request(request)
    contact = selectors.contact_get_for_user(user=user, contact_id=contact_id)
    if not rules.may_withdraw_contact(user, contact):
        raise PermissionDenied(services.CONTACT_WITHDRAW_REFUSED)
    children = selectors.contact_children(contact)
    audit_list(via, user=user, listed="contact to withdraw", people=people_on(children))
    form = ContactWithdrawForm(request.POST or None)
    problem = services.contact_withdraw_problem(contact)
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            services.contact_withdraw(
                user=user, contact=contact, reason=form.cleaned_data["reason"], via=via
            )
        except ValidationError as exc:
            form_errors_from(form, exc, {"reason": "reason", "contact": "reason"})
        else:
            messages.success(
                request,
                f"Contact {contact.pk} is withdrawn as recorded in error: its cases have left"
                " the queue, and everyone it set to work has been told.",
            )
            return redirect("mash:queue")
    return render(
        request,
        "mash/contact_withdraw.html",
        {"contact": contact, "children": children, "form": form, "problem": problem, "nav": "mash"},
    )


# ----- the queue --------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = QueueFilterForm(request.GET or None)
    filters = selectors.QueueFilter()
    if form.is_bound and form.is_valid():
        filters = selectors.QueueFilter(
            state=form.cleaned_data["state"],
            rag=form.cleaned_data["rag"],
            overdue=form.cleaned_data["overdue"],
            mine=form.cleaned_data["mine"],
            due_today=form.cleaned_data["due_today"],
        )
    page = selectors.mash_queue(
        user=user, filters=filters, page=page_asked(request.GET.get("page"))
    )
    audit_list(
        via_request(request),
        user=user,
        listed="MASH queue",
        people=people_on(page.rows, lambda r: r.case.person_id),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mash/queue.html",
        {
            "form": form,
            "filters": filters,
            "queue": page,
            "query": query.urlencode(),
            "paging": Page(
                rows=page.rows,
                number=page.page,
                pages=page.pages,
                total=page.total,
                per_page=page.per_page,
                query=query.urlencode(),
            ),
            "nav": "mash",
        },
    )


# ----- a case -----------------------------------------------------------------------


@dataclass
class CaseActions:
    """The steps this user may take on this case now (`rules`): the page shows a button
    for each, and no other."""

    screen: bool
    ask: bool
    decide: bool
    sign_off: bool
    add_action: bool
    close: bool
    plan_strategy: bool
    record_strategy: list[StrategyDiscussion]
    record_conference: list[StrategyDiscussion]
    #: The contacts on the case this user may withdraw as recorded in error.
    withdraw: set[int]


def _case_actions(user: User, picture: selectors.CasePicture) -> CaseActions:
    case = picture.case

    def may(step: Step) -> bool:
        return rules.may(step, user=user, case=case)

    def discussions(step: Step) -> list[StrategyDiscussion]:
        return [
            d for d in picture.discussions if rules.may(step, user=user, case=case, discussion=d)
        ]

    return CaseActions(
        screen=may(Step.SCREEN),
        ask=may(Step.ASK),
        decide=may(Step.DECIDE),
        sign_off=may(Step.SIGN_OFF),
        add_action=may(Step.ADD_ACTION),
        close=may(Step.CLOSE),
        plan_strategy=may(Step.PLAN_STRATEGY),
        record_strategy=discussions(Step.RECORD_STRATEGY),
        record_conference=discussions(Step.RECORD_CONFERENCE),
        withdraw={
            child.contact_id
            for child in picture.contacts
            if rules.may_withdraw_contact(user, child.contact)
            and services.contact_withdraw_problem(child.contact) is None
        },
    )


@login_required
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    picture = selectors.case_picture(user=user, case_id=case_id, via=via_request(request))
    return render(
        request,
        "mash/case.html",
        {
            "picture": picture,
            "case": picture.case,
            "can": _case_actions(user, picture),
            "now": timezone.now(),
            "today": timezone.localdate(),
            "nav": "mash",
        },
    )


def _case_form_page(
    request: HttpRequest,
    case_id: int,
    *,
    template: str,
    form_for: Callable[[selectors.CasePicture, Any], forms.Form],
    save: Callable[[forms.Form, MashCase, Via], str],
    fields: Callable[[forms.Form], Mapping[str, str]] = lambda form: {},
) -> HttpResponse:
    """A small page with one form about a case: on success, back to the case with what
    happened; otherwise the form again, with the service's problems on its fields."""
    user = acting_user(request)
    picture = selectors.case_picture(user=user, case_id=case_id, via=via_request(request))
    form = form_for(picture, form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            done = save(form, picture.case, via_request(request))
        except ValidationError as exc:
            form_errors_from(form, exc, fields(form))
        else:
            messages.success(request, done)
            return redirect("mash:case", case_id=case_id)
    return render(
        request, template, {"picture": picture, "case": picture.case, "form": form, "nav": "mash"}
    )


def _practitioners() -> list[Any]:
    """Who can own an action or lead: every practitioner in a team."""
    return list(practitioners_in())


@login_required
@require_http_methods(["GET", "POST"])
def case_screen(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        services.case_screen(
            user=user,
            case=case,
            rag=form.cleaned_data["rag"],
            reason=form.cleaned_data["rag_reason"],
            via=via,
        )
        return f"Rated {case.get_rag_display().lower()}."

    def form_for(picture: selectors.CasePicture, data: Any) -> forms.Form:
        case = picture.case
        initial = {"rag": case.rag, "rag_reason": case.rag_reason}
        return ScreenForm(data, initial=initial)

    return _case_form_page(
        request, case_id, template="mash/screen.html", form_for=form_for, save=save
    )


@login_required
@require_http_methods(["GET", "POST"])
def requests_send(request: HttpRequest, case_id: int) -> HttpResponse:
    """Ask partner teams: one request per ticked team, all sent or none."""
    user = acting_user(request)

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        assert isinstance(form, RequestsForm)
        teams = form.chosen()
        with transaction.atomic():
            for team in teams:
                services.rfi_send(
                    user=user, case=case, team=team, question=form.cleaned_data["question"], via=via
                )
        return "Asked " + ", ".join(t.name for t in teams) + "."

    def form_for(picture: selectors.CasePicture, data: Any) -> forms.Form:
        waiting = [r for r in picture.requests if not r.is_answered]
        return RequestsForm(data, teams=picture.rfi_teams, waiting=waiting)

    return _case_form_page(
        request,
        case_id,
        template="mash/requests_send.html",
        form_for=form_for,
        save=save,
        fields=lambda form: {"team": "teams"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    people = _practitioners()

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        assert isinstance(form, DecisionForm)
        actions, _ = form.actions()
        services.decision_propose(
            user=user,
            case=case,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["outcome_reason"],
            advice=form.cleaned_data["advice"],
            lead_professional_user=form.lead,
            actions=actions,
            via=via,
        )
        return "Decision proposed: a MASH manager will now sign it off or send it back."

    def fields(form: forms.Form) -> Mapping[str, str]:
        assert isinstance(form, DecisionForm)
        return decision_fields(form.actions()[1])

    return _case_form_page(
        request,
        case_id,
        template="mash/decision.html",
        form_for=lambda picture, data: DecisionForm(data, people=people),
        save=save,
        fields=fields,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    if not user.has_role(Role.MASH_MANAGER):
        raise PermissionDenied("Only a MASH manager signs off decisions")

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        agree = form.cleaned_data["agree"] == "yes"
        services.decision_sign_off(
            user=user, case=case, agree=agree, note=form.cleaned_data["note"], via=via
        )
        if agree:
            return f"Signed off: {case.get_outcome_display()}."
        return "Sent back to the social worker."

    return _case_form_page(
        request,
        case_id,
        template="mash/sign_off.html",
        form_for=lambda picture, data: SignOffForm(data),
        save=save,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)
    people = _practitioners()

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        assert isinstance(form, ActionForm)
        action = form.action()
        services.action_add(
            user=user,
            case=case,
            description=action.description,
            owner=action.owner,
            due_on=action.due_on,
            via=via,
        )
        return "Action added."

    return _case_form_page(
        request,
        case_id,
        template="mash/action_add.html",
        form_for=lambda picture, data: ActionForm(data, people=people),
        save=save,
        fields=lambda form: {"due_on": "due_on"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_close(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        services.referral_close(
            user=user,
            case=case,
            closure_reason=form.cleaned_data["closure_reason"],
            note=form.cleaned_data["note"],
            via=via,
        )
        return f"Referral closed: {case.get_closure_reason_display()}."

    return _case_form_page(
        request,
        case_id,
        template="mash/close.html",
        form_for=lambda picture, data: CloseForm(data),
        save=save,
    )


@login_required
@require_http_methods(["GET", "POST"])
def strategy_plan(request: HttpRequest, case_id: int) -> HttpResponse:
    user = acting_user(request)

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        discussion = services.strategy_discussion_plan(
            user=user, case=case, team_ids=form.cleaned_data["invitees"], via=via
        )
        return f"Strategy discussion planned: {discussion.invitees.count()} teams invited."

    return _case_form_page(
        request,
        case_id,
        template="mash/strategy_plan.html",
        form_for=lambda picture, data: StrategyPlanForm(data, invitees=picture.invitees),
        save=save,
        fields=lambda form: {"outcome": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def strategy_record(request: HttpRequest, discussion_id: int) -> HttpResponse:
    user = acting_user(request)
    # Access is the case's: the discussion is read through it.
    case_id = selectors.strategy_discussion_get_for_user(
        user=user, discussion_id=discussion_id
    ).case_id
    found: dict[str, StrategyDiscussion] = {}

    def form_for(picture: selectors.CasePicture, data: Any) -> forms.Form:
        discussion = next((d for d in picture.discussions if d.pk == discussion_id), None)
        if discussion is None:
            raise Http404("No such strategy discussion")
        found["discussion"] = discussion
        return StrategyRecordForm(data, teams=[i.team for i in discussion.invitees.all()])

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        discussion = found["discussion"]
        services.strategy_discussion_record(
            user=user,
            discussion=discussion,
            held_on=form.cleaned_data["held_on"],
            attended_team_ids=form.cleaned_data["attended"],
            information_shared=form.cleaned_data["information_shared"],
            outcome=form.cleaned_data["outcome"],
            rationale=form.cleaned_data["rationale"],
            via=via,
        )
        return f"Strategy discussion recorded: {discussion.get_outcome_display()}."

    return _case_form_page(
        request,
        case_id,
        template="mash/strategy_record.html",
        form_for=form_for,
        save=save,
        fields=lambda form: {"held_on": "held_on"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def conference_held(request: HttpRequest, discussion_id: int) -> HttpResponse:
    user = acting_user(request)
    case_id = selectors.strategy_discussion_get_for_user(
        user=user, discussion_id=discussion_id
    ).case_id
    found: dict[str, StrategyDiscussion] = {}

    def form_for(picture: selectors.CasePicture, data: Any) -> forms.Form:
        discussion = next((d for d in picture.discussions if d.pk == discussion_id), None)
        if discussion is None:
            raise Http404("No such strategy discussion")
        found["discussion"] = discussion
        return ConferenceForm(data)

    def save(form: forms.Form, case: MashCase, via: Via) -> str:
        held_on = form.cleaned_data["held_on"]
        services.conference_held_record(
            user=user, discussion=found["discussion"], held_on=held_on, via=via
        )
        return (
            f"The initial child protection conference is recorded as held on {held_on:%-d %B %Y}."
        )

    return _case_form_page(
        request,
        case_id,
        template="mash/conference.html",
        form_for=form_for,
        save=save,
        fields=lambda form: {"conference_held_on": "held_on"},
    )


# ----- requests for information -----------------------------------------------------


@login_required
def actions_mine(request: HttpRequest) -> HttpResponse:
    """The actions the user owns: what, for which child, by when."""
    user = acting_user(request)
    done = request.GET.get("done") == "1"
    today = timezone.localdate()
    actions = selectors.actions_for(user=user, done=done)
    audit_list(via_request(request), user=user, listed="actions", people=people_on(actions))
    return render(
        request,
        "mash/actions.html",
        {
            "actions": actions,
            "done": done,
            "today": today,
            "nav": "actions",
        },
    )


@login_required
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    user = acting_user(request)
    action = selectors.action_get_for_user(user=user, action_id=action_id)
    try:
        services.action_done(user=user, action=action, via=via_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Marked done: {action.description}")
    back = request.POST.get("next", "")
    if back.startswith("/mash/") and "//" not in back:
        return redirect(back)
    return redirect("mash:actions")


@login_required
def requests_inbox(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    answered = request.GET.get("answered") == "1"
    page = page_of(request, selectors.rfi_requests(user=user, answered=answered))
    audit_list(
        via_request(request),
        user=user,
        listed="requests for information",
        people=people_on(page.rows, lambda r: r.case.person_id),
    )
    return render(
        request,
        "mash/requests_inbox.html",
        {"page": page, "answered": answered, "nav": "rfis"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    user = acting_user(request)
    rfi = selectors.rfi_get_for_user(user=user, request_id=request_id, via=via_request(request))
    asked = user.team_id == rfi.team_id
    form = AnswerForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.rfi_answer(
                user=user, request=rfi, answer=form.cleaned_data["answer"], via=via_request(request)
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Answer sent. The MASH has been told.")
            return redirect("mash:request", request_id=rfi.pk)
    return render(
        request,
        "mash/request.html",
        {
            "rfi": rfi,
            "person": rfi.case.person,
            "form": form,
            "can_answer": asked and not rfi.is_answered,
            "nav": "rfis" if asked else "mash",
        },
    )


# ----- the daily meeting ------------------------------------------------------------


def _meeting_page(
    request: HttpRequest,
    *,
    bound: MinutesForm | None = None,
    bound_item: int | None = None,
    close_form: MeetingCloseForm | None = None,
) -> HttpResponse:
    user = acting_user(request)
    meeting = selectors.meeting_today(user=user)
    agenda = []
    if meeting is not None:
        items = meeting.items.select_related(
            "case__person", "case__allocated_to", "case__contact__referring_agency"
        )
        for item in items:
            form = (
                bound
                if bound is not None and item.pk == bound_item
                else MinutesForm(
                    prefix=f"item-{item.pk}",
                    initial={"minutes": item.minutes, "decisions": item.decisions},
                )
            )
            case = item.case
            agenda.append(
                {
                    "item": item,
                    "case": case,
                    "form": form,
                    "referrer": services.referrer_described(case.contact),
                }
            )
    audit_list(
        via_request(request),
        user=user,
        listed="MASH meeting",
        people=people_on(agenda, lambda a: a["case"].person_id),
    )
    # The form with errors, if any, leads the page's error summary.
    failed = bound if bound is not None and bound.errors else close_form
    return render(
        request,
        "mash/meeting.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "form": failed,
            "close_form": close_form or MeetingCloseForm(),
            "nav": "mash",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest) -> HttpResponse:
    """Today's meeting; POST starts it with its agenda."""
    user = acting_user(request)
    if request.method == "POST":
        services.meeting_open(user=user, via=via_request(request))
        return redirect("mash:meeting")
    return _meeting_page(request)


@login_required
@require_POST
def meeting_item(request: HttpRequest, item_id: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.meeting_item_get_for_user(user=user, item_id=item_id)
    form = MinutesForm(request.POST, prefix=f"item-{item.pk}")
    if form.is_valid():
        try:
            services.meeting_minute(
                user=user,
                item=item,
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"Minutes saved for {item.case.person.full_name}.")
            return redirect(reverse("mash:meeting") + f"#item-{item.pk}")
    return _meeting_page(request, bound=form, bound_item=item.pk)


@login_required
@require_POST
def meeting_close(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = acting_user(request)
    meeting = selectors.meeting_get_for_user(user=user, meeting_id=meeting_id)
    form = MeetingCloseForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_close(
                user=user,
                meeting=meeting,
                attendees=form.cleaned_data["attendees"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                "Meeting closed. Each child's minutes are now on their record and chronology.",
            )
            return redirect("mash:meeting")
    return _meeting_page(request, close_form=form)
