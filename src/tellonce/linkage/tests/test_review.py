"""People deciding what the model could not: MASH staff review possible matches, a MASH
manager undoes a wrong merge; through the pages and the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tellonce.accounts.models import User
from tellonce.audit.models import Action, AuditEvent
from tellonce.involvements.models import Capacity
from tellonce.linkage.models import (
    Decision,
    LinkageModel,
    LinkEvent,
    LinkEventKind,
    ReviewDecision,
    ReviewPair,
)
from tellonce.linkage.services import link_run
from tellonce.people.models import AgencyRecord, Person

pytestmark = pytest.mark.django_db


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))  # demo accounts: no 2FA in tests
    return client


def _waiting_pair() -> ReviewPair:
    """A pair in the queue: the run's own, or two records of different people."""
    pair = ReviewPair.objects.filter(decision__isnull=True).first()
    if pair is not None:
        return pair
    left = AgencyRecord.objects.order_by("pk").first()
    right = AgencyRecord.objects.exclude(person_id=left.person_id).order_by("pk").first()
    return ReviewPair.objects.create(
        left=left,
        right=right,
        model=LinkageModel.objects.get(is_active=True),
        match_probability=0.8,
        match_weight=2.0,
        explanation=[{"comparison": "Date of birth", "label": "same", "weight": 6.2}],
    )


def test_sam_reviews_a_pair_side_by_side_and_decides(linked):
    pair = _waiting_pair()
    sam = _as("sam.mash")
    queue = sam.get(reverse("linkage:queue")).content.decode()
    assert reverse("linkage:pair", args=[pair.pk]) in queue
    page = sam.get(reverse("linkage:pair", args=[pair.pk])).content.decode()
    assert "Are these the same person?" in page and "Why we think they may be the same" in page
    assert pair.left.agency.name in page and pair.right.agency.name in page
    refused = sam.post(reverse("linkage:pair", args=[pair.pk]), {"decision": "same", "reason": ""})
    assert "Say how you decided" in refused.content.decode()
    done = sam.post(
        reverse("linkage:pair", args=[pair.pk]),
        {"decision": "not_same", "reason": "Different mothers named on the two records"},
    )
    assert done.status_code == 302
    decided = ReviewDecision.objects.get(left=pair.left, right=pair.right)
    assert decided.decision == Decision.NOT_SAME and decided.decided_by.username == "sam.mash"
    assert (
        reverse("linkage:pair", args=[pair.pk])
        not in sam.get(reverse("linkage:queue")).content.decode()
    )
    assert AuditEvent.objects.filter(action=Action.CHANGE, detail__change="linkage review").exists()


def test_a_pair_the_model_would_link_says_why_it_waits(linked):
    pair = _waiting_pair()
    pair.match_probability = 0.8
    pair.save(update_fields=["match_probability"])
    sam = _as("sam.mash")
    page = sam.get(reverse("linkage:pair", args=[pair.pk])).content.decode()
    assert "The model would link these records, but did not" not in page
    pair.match_probability = 0.999
    pair.save(update_fields=["match_probability"])
    page = sam.get(reverse("linkage:pair", args=[pair.pk])).content.decode()
    assert "The model would link these records, but did not" in page
    assert "possible twins, two different NHS numbers" in page


def test_only_mash_staff_review(linked):
    _waiting_pair()
    assert _as("dana.dsl").get(reverse("linkage:queue")).status_code == 403
    assert _as("priya.visitor").get("/api/v1/linkage/review/").status_code == 403


def test_the_api_serves_the_queue_and_takes_decisions(linked):
    pair = _waiting_pair()
    sam = _as("sam.mash")
    queue = sam.get("/api/v1/linkage/review/").json()
    item = next(p for p in queue if p["id"] == pair.pk)
    assert item["explanation"] and item["left"]["agency"]
    bad = sam.post(
        f"/api/v1/linkage/review/{pair.pk}/decision/",
        {"decision": "maybe", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "decision"
    good = sam.post(
        f"/api/v1/linkage/review/{pair.pk}/decision/",
        {"decision": "same", "reason": "Same NHS number confirmed by the GP"},
        content_type="application/json",
    )
    assert good.status_code == 201 and good.json()["decision"] == "same"


def test_maria_undoes_a_wrong_merge_and_it_stays_undone(linked):
    # Two children in the MASH's work, whom Maria sees in full.
    two = list(
        Person.objects.filter(
            agency_records__isnull=False, involvements__capacity=Capacity.MASH_ENQUIRY
        ).distinct()[:2]
    )
    left = two[0].agency_records.order_by("pk").first()
    right = two[1].agency_records.order_by("pk").first()
    ReviewDecision.objects.create(
        left=min(left, right, key=lambda r: r.pk),
        right=max(left, right, key=lambda r: r.pk),
        decision=Decision.SAME,
        decided_by=User.objects.get(username="sam.mash"),
        reason="A wrong decision, to be undone",
    )
    link_run()
    merge = LinkEvent.objects.filter(kind=LinkEventKind.MERGE).latest("at")
    survivor = merge.person
    record_page = _as("maria.manager").get(reverse("people:record", args=[survivor.pk]))
    assert reverse("linkage:unmerge", args=[merge.pk]) in record_page.content.decode()
    assert (
        _as("sam.mash")
        .post(reverse("linkage:unmerge", args=[merge.pk]), {"reason": "Two different children"})
        .status_code
        == 403
    )
    done = _as("maria.manager").post(
        reverse("linkage:unmerge", args=[merge.pk]), {"reason": "Two different children, checked"}
    )
    assert done.status_code == 302
    restored = Person.objects.get(pk=merge.other_person_id)
    assert set(restored.agency_records.values_list("pk", flat=True)) == set(merge.record_ids)
    assert LinkEvent.objects.filter(kind=LinkEventKind.UNMERGE, person=survivor).exists()
    run = link_run()
    assert set(restored.agency_records.values_list("pk", flat=True)) == set(merge.record_ids)
    assert run.merges == 0
    again = _as("maria.manager").post(
        f"/api/v1/linkage/merges/{merge.pk}/undo/",
        {"reason": "Trying a second time"},
        content_type="application/json",
    )
    assert (
        again.status_code == 400 and "already been undone" in again.json()["errors"][0]["message"]
    )
