"""Recording the family's account or the child's voice."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tellonce.access.selectors import person_get_for_user
from tellonce.accounts.models import User
from tellonce.audit.services import via_request
from tellonce.core.forms import form_errors_from
from tellonce.voices.forms import VoiceForm
from tellonce.voices.services import voice_record


@login_required
@require_http_methods(["GET", "POST"])
def voice_add(request: HttpRequest, person_id: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person, access = person_get_for_user(user=user, person_id=person_id)
    if not access.can_change:
        raise PermissionDenied("You can record this only while your team is involved")
    form = VoiceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            voice_record(
                user=user,
                person=person,
                kind=form.cleaned_data["kind"],
                speaker=form.cleaned_data["speaker"],
                words=form.cleaned_data["words"],
                said_on=form.cleaned_data["date"],
                consent=form.cleaned_data["consent"],
                safeguarding_reason=form.cleaned_data["safeguarding_reason"],
                via=via_request(request),
            )
        except ValidationError as exc:
            form_errors_from(form, exc, {"said_on": "day"})
        else:
            messages.success(request, "Recorded once, for everyone working with them")
            return redirect("people:record", person_id=person.pk)
    return render(request, "voices/add.html", {"form": form, "person": person, "nav": "search"})
