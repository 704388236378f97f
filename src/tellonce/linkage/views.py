"""Pages for linkage review: the queue, one pair side by side, undoing a merge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tellonce.audit.services import audit_list, via_request
from tellonce.core.forms import form_errors_from
from tellonce.core.requests import acting_user
from tellonce.linkage import review
from tellonce.linkage.forms import ReviewForm, UnmergeForm

#: The agency record's fields shown side by side, with their labels.
RECORD_FIELDS = [
    ("given_name", "First name"),
    ("middle_names", "Middle names"),
    ("family_name", "Last name"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("address_line", "Address"),
    ("postcode", "Postcode"),
    ("uprn", "UPRN"),
    ("nhs_number", "NHS number"),
    ("upn", "Unique pupil number"),
    ("police_ref", "Police reference"),
    ("council_ref", "Council case number"),
]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    pairs = review.review_queue(user=user)
    shown = list(pairs[:200])
    audit_list(via_request(request), user=user, listed="possible matches", people=2 * len(shown))
    return render(request, "linkage/queue.html", {"pairs": shown, "waiting": pairs.count()})


@login_required
@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = acting_user(request)
    review_pair = review.review_pair_get_for_user(
        user=user, pair_id=pair_id, via=via_request(request)
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review.review_decide(
                user=user, pair=review_pair, via=via_request(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Decision recorded: it holds from the next linkage run")
            return redirect("linkage:queue")
    rows = [
        (
            label,
            getattr(review_pair.left, name),
            getattr(review_pair.right, name),
        )
        for name, label in RECORD_FIELDS
    ]
    return render(
        request,
        "linkage/pair.html",
        {"pair": review_pair, "rows": rows, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unmerge(request: HttpRequest, event_id: int) -> HttpResponse:
    user = acting_user(request)
    event = review.merge_get_for_user(user=user, event_id=event_id)
    form = UnmergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            restored = review.unmerge(
                user=user,
                event=event,
                reason=form.cleaned_data["reason"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Merge undone: the two are separate people again")
            return redirect("people:record", person_id=restored.pk)
    return render(request, "linkage/unmerge.html", {"event": event, "form": form})
