"""What the missing-children API reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from tellonce.api.text import CheckedModelSerializer, CheckedSerializer
from tellonce.missing.models import MissingEpisode, ReturnHomeInterview, Risk
from tellonce.missing.selectors import EpisodeAccess
from tellonce.missing.services import last_seen_problem


class EpisodeCreateSerializer(CheckedSerializer):
    """What the schema states is what is checked first; the service's own rules (last
    seen in the past 60 days, circumstances of 20 characters once spaces are collapsed)
    are the operation's `x-refused-when`."""

    last_seen_at = serializers.DateTimeField()
    last_seen_where = serializers.CharField(max_length=300)
    circumstances = serializers.CharField(min_length=20)
    risk = serializers.ChoiceField(choices=Risk.choices)
    reporter_name = serializers.CharField(max_length=200)
    reporter_role = serializers.CharField(required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=40)

    def validate_last_seen_at(self, value: datetime) -> datetime:
        # Checked with the other fields, so that one answer names every problem.
        problem = last_seen_problem(value, now=timezone.now())
        if problem:
            raise serializers.ValidationError(problem)
        return value

    police_ref = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(CheckedSerializer):
    returned_on = serializers.DateTimeField(required=False, allow_null=True)
    return_details = serializers.CharField(required=False, allow_blank=True, default="")


class EpisodeWithdrawSerializer(CheckedSerializer):
    reason = serializers.CharField(help_text="Why the episode was recorded in error")


class FlagReviewSerializer(CheckedSerializer):
    reason = serializers.CharField(help_text="What was done about the flag")


class InterviewRecordSerializer(CheckedSerializer):
    outcome = serializers.ChoiceField(choices=["completed", "refused"])
    offered_on = serializers.DateTimeField(required=False, allow_null=True)
    why_left = serializers.CharField(required=False, allow_blank=True, default="")
    where_went = serializers.CharField(required=False, allow_blank=True, default="")
    with_whom = serializers.CharField(required=False, allow_blank=True, default="")
    risks = serializers.CharField(required=False, allow_blank=True, default="")
    push_factors = serializers.CharField(required=False, allow_blank=True, default="")
    pull_factors = serializers.CharField(required=False, allow_blank=True, default="")
    child_said = serializers.CharField(required=False, allow_blank=True, default="")
    cse_indicators = serializers.BooleanField(required=False, default=False)
    cce_indicators = serializers.BooleanField(required=False, default=False)
    refused_reason = serializers.CharField(required=False, allow_blank=True, default="")


class InterviewSerializer(CheckedModelSerializer):
    assigned_team = serializers.CharField(source="assigned_team.name", default=None)
    assigned_to = serializers.CharField(source="assigned_to.get_full_name", default=None)

    class Meta:
        model = ReturnHomeInterview
        fields = [
            "id",
            "state",
            "due_on",
            "assigned_team",
            "assigned_to",
            "assigned_on",
            "warned_on",
            "offered_on",
            "completed_on",
            "why_left",
            "where_went",
            "with_whom",
            "risks",
            "push_factors",
            "pull_factors",
            "child_said",
            "cse_indicators",
            "cce_indicators",
            "refused_reason",
            "shared_with_police_on",
            "shared_with_social_worker_on",
        ]


# What a reporting team that does not work with the child reads of the interview.
INTERVIEW_STATE_FIELDS = ("id", "state", "due_on", "assigned_team", "assigned_on", "completed_on")


# An episode as its reader may read it: the context's `access` (episode id to
# `EpisodeAccess`, from `selectors.episodes_access`) says whether they are told who the
# child is and what the child said in the interview; without it, neither.
class EpisodeSerializer(CheckedModelSerializer):
    person = serializers.UUIDField(source="person_id")
    child = serializers.SerializerMethodField(
        help_text="The child's name; blank for an agency's system that does not work with them"
    )
    reporting_team = serializers.CharField(source="reporting_team.name")
    police_team = serializers.CharField(source="police_team.name", default=None)
    interview = serializers.SerializerMethodField(
        help_text=(
            "The return home interview. What the child said is given to the police, the"
            " interviewer and those working with the child; a reporting team that does not"
            " work with them reads only its state"
        )
    )

    class Meta:
        model = MissingEpisode
        fields = [
            "id",
            "person",
            "child",
            "reported_on",
            "reporting_team",
            "reporter_name",
            "reporter_role",
            "reporter_phone",
            "last_seen_at",
            "last_seen_where",
            "circumstances",
            "risk",
            "police_ref",
            "reported_by_police",
            "police_team",
            "police_notified_on",
            "police_acknowledged_on",
            "police_escalated_on",
            "returned_on",
            "return_details",
            "interview",
        ]

    def _access(self, episode: MissingEpisode) -> EpisodeAccess:
        return self.context.get("access", {}).get(episode.pk, EpisodeAccess(named=False))

    def get_child(self, episode: MissingEpisode) -> str:
        return episode.person.full_name if self._access(episode).named else ""

    def get_interview(self, episode: MissingEpisode) -> dict[str, Any] | None:
        interview = getattr(episode, "interview", None)
        if interview is None:
            return None
        data = InterviewSerializer(interview).data
        if self._access(episode).reads_interview:
            return data
        return {field: data[field] for field in INTERVIEW_STATE_FIELDS}


class FiguresQuerySerializer(CheckedSerializer):
    since = serializers.DateTimeField(
        required=False, help_text="ISO date-time; 90 days ago if not given"
    )


class FiguresSerializer(CheckedSerializer):
    since = serializers.DateTimeField()
    episodes = serializers.IntegerField()
    notified_to_police = serializers.IntegerField()
    notified_share = serializers.FloatField(allow_null=True)
    returns = serializers.IntegerField()
    interviews_offered_or_due = serializers.IntegerField()
    offered_within_72_hours = serializers.IntegerField()
    offered_in_time_share = serializers.FloatField(allow_null=True)
    interviews_completed = serializers.IntegerField()
    interviews_refused = serializers.IntegerField()
    completed_shared_with_police = serializers.IntegerField()
    shared_with_police_share = serializers.FloatField(allow_null=True)
