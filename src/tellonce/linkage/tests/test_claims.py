"""Sam and Maria decide the same possible match at the same moment (issue 13): one
decision is recorded, the other is told the pair has left the queue. In turn on any
database; at the same moment on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tellonce.audit.models import Channel
from tellonce.audit.services import Via
from tellonce.linkage import review
from tellonce.linkage.models import Decision, LinkageModel, ReviewDecision, ReviewPair
from tellonce.people.models import AgencyRecord
from tellonce.testing.races import (
    Race,
    one_refused_after_the_other,
    one_wins_at_once,
    postgres_only,
)

WEB = Via(Channel.WEB)


def waiting_pair(world: Any) -> int:
    """Jack as the school knows him and as the council does: are they the same boy?"""

    def known_by(agency: Any, system: str) -> AgencyRecord:
        return AgencyRecord.objects.create(
            agency=agency,
            system=system,
            local_id=f"{system}-1",
            given_name="Jack",
            family_name="Taylor",
            date_of_birth=world.jack.date_of_birth,
            person=world.jack,
        )

    model = LinkageModel.objects.create(
        version=1, splink_version="4", settings={}, records_trained_on=0, is_active=True
    )
    pair = ReviewPair.objects.create(
        left=known_by(world.school, "SIMS"),
        right=known_by(world.council, "Mosaic"),
        model=model,
        match_probability=0.8,
        match_weight=2.0,
    )
    return pair.pk


def decided(pair: ReviewPair, user: Any, decision: str) -> ReviewDecision:
    return review.review_decide(
        user=user, pair=pair, decision=decision, reason="Same school, same date of birth", via=WEB
    )


RACE = Race(
    prepare=waiting_pair,
    load=lambda pk: ReviewPair.objects.select_related("left", "right").get(pk=pk),
    first=lambda world, pair: decided(pair, world.sam, Decision.SAME),
    second=lambda world, pair: decided(pair, world.maria, Decision.NOT_SAME),
    written=lambda world: (ReviewDecision.objects.count(),),
)


@pytest.mark.django_db
def test_the_second_reviewer_of_a_pair_is_told_it_has_been_decided(world):
    refused = one_refused_after_the_other(world, RACE)
    assert refused.message_dict["decision"][0].startswith("Someone else has just decided")
    assert ReviewPair.objects.get().decision.decision == Decision.SAME


@postgres_only
def test_two_reviewers_deciding_a_pair_at_the_same_moment_record_one_decision(committed_world):
    one_wins_at_once(committed_world, RACE)
