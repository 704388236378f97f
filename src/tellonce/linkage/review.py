"""People deciding what the model could not: the review queue and undoing merges.

- Who may review: MASH social workers and managers (the MASH already sees across
  agencies to decide on referrals). A decision is remembered and overrides the model
  on every later run (`services.cluster_with_decisions`). A pair is decided once: two
  reviewers at the same moment, and the second is told it has left the queue.
- Who may undo a merge: MASH managers, with a reason. It takes effect at once: the
  merged person comes back with the records that were merged, every pair across the two
  is recorded as "not the same" so no later run joins them again, and it is audited;
  undone once, however many managers press at the same moment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from tellonce.audit.models import Action
from tellonce.audit.services import Via, audit_via
from tellonce.core.claims import AlreadyDone, claim
from tellonce.linkage.models import (
    Decision,
    LinkEvent,
    LinkEventKind,
    ReviewDecision,
    ReviewPair,
)
from tellonce.linkage.services import FOLLOW_THEIR_RECORD
from tellonce.organisations.models import Role
from tellonce.people.models import AgencyRecord, LinkMethod, Person

if TYPE_CHECKING:
    from tellonce.accounts.models import User

MINIMUM_REASON = 10


def can_review(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.MASH_SOCIAL_WORKER, Role.MASH_MANAGER)


def can_unmerge(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.MASH_MANAGER)


def review_queue(*, user: User) -> QuerySet[ReviewPair]:
    """Undecided pairs, most likely first."""
    if not can_review(user):
        raise PermissionDenied("Reviewing possible matches is for MASH social workers and managers")
    return (
        ReviewPair.objects.filter(decision__isnull=True)
        .select_related("left__agency", "right__agency", "model")
        .order_by("-match_probability", "pk")
    )


def review_pair_get_for_user(*, user: User, pair_id: int, via: Via) -> ReviewPair:
    """One pair, side by side; looking at it is audited (it shows two people's details)."""
    pair = review_queue(user=user).filter(pk=pair_id).first()
    if pair is None:
        raise Http404("No such pair waiting for review")
    for record in (pair.left, pair.right):
        audit_via(
            via,
            user=user,
            action=Action.VIEW,
            person=record.person,
            obj=record,
            detail={"page": "review pair", "pair": pair.pk},
        )
    return pair


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if len(reason) < MINIMUM_REASON:
        raise ValidationError(
            {field: f"Say how you decided, in at least {MINIMUM_REASON} characters"}
        )
    return reason


def review_decide(
    *, user: User, pair: ReviewPair, decision: str, reason: str, via: Via
) -> ReviewDecision:
    """Record a reviewer's decision on a pair; it holds from the next linkage run on."""
    if not can_review(user):
        raise PermissionDenied("Reviewing possible matches is for MASH social workers and managers")
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose whether these are the same person"})
    reason = _reason(reason)
    with transaction.atomic():
        decided = ReviewDecision.objects.create(
            left=pair.left, right=pair.right, decision=decision, decided_by=user, reason=reason
        )
        # Two reviewers deciding the pair at once: the one whose claim lands decides; the
        # other's decision is rolled back with its refusal.
        claim(
            ReviewPair,
            pair.pk,
            expected={"decision__isnull": True},
            changes={"decision": decided},
            field="decision",
            refused=(
                "Someone else has just decided this pair: it has left the queue. Open the next pair"
            ),
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            obj=decided,
            reason=reason,
            detail={"change": "linkage review", "decision": decision, "pair": pair.pk},
        )
    return decided


def merges_of(*, person: Person) -> QuerySet[LinkEvent]:
    """Merges into this person that can still be undone."""
    undone = LinkEvent.objects.filter(kind=LinkEventKind.UNMERGE, person=person).values(
        "other_person_id"
    )
    return (
        LinkEvent.objects.filter(kind=LinkEventKind.MERGE, person=person)
        .exclude(other_person_id__in=undone)
        .order_by("-at")
    )


def merge_get_for_user(*, user: User, event_id: int) -> LinkEvent:
    """A merge, for a MASH manager who may undo it (refused for everyone else)."""
    if not can_unmerge(user):
        raise PermissionDenied("Undoing a merge is for MASH managers")
    event = (
        LinkEvent.objects.select_related("person")
        .filter(pk=event_id, kind=LinkEventKind.MERGE)
        .first()
    )
    if event is None:
        raise Http404("No such merge")
    return event


def unmerge(*, user: User, event: LinkEvent, reason: str, via: Via) -> Person:
    """Undo a merge now: the merged person returns with the records that were merged."""
    if not can_unmerge(user):
        raise PermissionDenied("Undoing a merge is for MASH managers")
    if event.kind != LinkEventKind.MERGE or event.other_person_id is None:
        raise ValidationError({"event": "Only a merge can be undone"})
    if not merges_of(person=event.person).filter(pk=event.pk).exists():
        raise ValidationError({"event": "This merge has already been undone"})
    reason = _reason(reason)
    moved = [int(r) for r in event.record_ids]
    with transaction.atomic():
        restored = Person.all_objects.select_for_update().get(pk=event.other_person_id)
        # Held now: a manager undoing the same merge a moment earlier has finished.
        if not merges_of(person=event.person).filter(pk=event.pk).exists():
            raise AlreadyDone("event", "Someone else has just undone this merge")
        Person.all_objects.filter(pk=restored.pk).update(
            archived_on=None, archived_by=None, archive_reason=""
        )
        AgencyRecord.objects.filter(pk__in=moved).update(
            person=restored, link_method=LinkMethod.REVIEW
        )
        for model in FOLLOW_THEIR_RECORD:
            model.all_objects.filter(source_record_id__in=moved).update(person=restored)
        staying = list(
            AgencyRecord.objects.filter(person=event.person).values_list("pk", flat=True)
        )
        ReviewDecision.objects.bulk_create(
            [
                ReviewDecision(
                    left_id=min(a, b),
                    right_id=max(a, b),
                    decision=Decision.NOT_SAME,
                    decided_by=user,
                    reason=f"Merge undone: {reason}",
                )
                for a in moved
                for b in staying
            ]
        )
        LinkEvent.objects.create(
            kind=LinkEventKind.UNMERGE,
            person=event.person,
            other_person=restored,
            record_ids=moved,
            by=user,
            reason=reason,
            at=timezone.now(),
        )
        audit_via(
            via,
            user=user,
            action=Action.CHANGE,
            person=event.person,
            obj=event,
            reason=reason,
            detail={"change": "merge undone", "restored": str(restored.pk)},
        )
    restored.refresh_from_db()
    return restored
