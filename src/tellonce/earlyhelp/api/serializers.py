"""What the early help API reads and writes.

The bodies check only what the schema can state (a date is a date, the lead is an
active practitioner's TellOnce username); whether the reason says enough, whether the
family's agreement is complete, and who may lead are the services' to decide
(`tellonce.earlyhelp.services`), so the pages and the API agree: those rules are each
operation's `x-refused-when`.

An episode is read as its reader may read it: the context's `named` (the ids of the
people the reader may be told of) says whether the child's name is given; an agency's
system is told the name only where its agency works with the child
(`access.policy.may_learn_who`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tellonce.accounts.selectors import practitioners_in
from tellonce.api.text import CheckedModelSerializer, CheckedSerializer
from tellonce.earlyhelp.models import Episode, EpisodeState, LeadRole, LeadState
from tellonce.earlyhelp.services import Consent


def _lead_field(help_text: str) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="username",
        queryset=practitioners_in(),
        help_text=help_text,
        error_messages={
            "does_not_exist": "No active practitioner in a team has the username {value}",
            "invalid": "Give the practitioner's TellOnce username",
        },
    )


class ConsentInputSerializer(CheckedSerializer):
    """The family's agreement, in a body: all of it, or none of it."""

    consent_given_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the family agreed to early help (ISO date)",
    )
    consent_given_by = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who agreed, and who they are to the child: 'Amina Taylor, mother'",
    )
    consent_to_share = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="What the family agreed may be shared, and with whom",
    )


def consent_of(data: dict[str, Any]) -> Consent:
    """The family's agreement as a body gave it (any of it, or none)."""
    return Consent(
        given_on=data["consent_given_on"],
        given_by=data["consent_given_by"],
        to_share=data["consent_to_share"],
    )


class EarlyHelpAskSerializer(ConsentInputSerializer):
    """A request for early help, naming its lead, with the family's agreement if known."""

    reason = serializers.CharField(
        min_length=20, help_text="What the family needs help with, and why now"
    )
    lead = _lead_field(
        "The lead professional's TellOnce username: a practitioner of any agency whose"
        " team does early help work"
    )
    external_ref = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="Your early help system's own reference for the episode",
    )
    lead_accepted = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Only from an agency's own system, for its own practitioner: its record says"
            " the lead has accepted, so the episode opens at once (with the family's"
            " agreement)"
        ),
    )


class LeadAnswerSerializer(ConsentInputSerializer):
    """The answer of the practitioner asked to lead."""

    answer = serializers.ChoiceField(choices=["accept", "decline"])
    decline_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why you cannot lead, so that whoever asked can find someone else",
    )


class LeadOfferSerializer(CheckedSerializer):
    lead = _lead_field("The TellOnce username of the practitioner asked to lead")


# ----- what is read -------------------------------------------------------------------


class EarlyHelpTeamSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    agency = serializers.CharField(source="agency.name")


class PractitionerRefSerializer(CheckedSerializer):
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    team = serializers.CharField(source="team.named", allow_null=True, default=None)


class LeadRoleSerializer(CheckedModelSerializer):
    episode = serializers.IntegerField(source="episode_id")
    practitioner = PractitionerRefSerializer()
    team = EarlyHelpTeamSerializer()
    state = serializers.ChoiceField(choices=LeadState.choices)
    offered_by = serializers.CharField(source="offered_by.get_full_name")

    class Meta:
        model = LeadRole
        fields = [
            "id",
            "episode",
            "practitioner",
            "team",
            "state",
            "offered_on",
            "offered_by",
            "answered_on",
            "decline_reason",
            "ended_on",
            "end_reason",
        ]


class EarlyHelpConsentSerializer(CheckedSerializer):
    given_on = serializers.DateField(source="consent_given_on")
    given_by = serializers.CharField(source="consent_given_by")
    to_share = serializers.CharField(source="consent_to_share")
    recorded_by = serializers.CharField(
        source="consent_recorded_by.get_full_name", allow_null=True, default=None
    )


def _roles(episode: Episode) -> list[LeadRole]:
    # The episode's roles, first asked first (read once, with `prefetch_related`).
    return list(episode.leads.all())


class EarlyHelpEpisodeSerializer(CheckedModelSerializer):
    person = serializers.UUIDField(source="person_id")
    child = serializers.SerializerMethodField(
        help_text="The child's name; blank for an agency's system whose agency does not"
        " work with them"
    )
    state = serializers.ChoiceField(choices=EpisodeState.choices)
    requested_by = serializers.CharField(source="requested_by.get_full_name")
    requesting_team = EarlyHelpTeamSerializer()
    consent = serializers.SerializerMethodField(
        help_text="The family's agreement; null until it is recorded"
    )
    lead = serializers.SerializerMethodField(help_text="The lead professional now, if any")
    offer = serializers.SerializerMethodField(
        help_text="The request to lead that waits for an answer, if any"
    )
    leads = serializers.SerializerMethodField(
        help_text="Everyone asked to lead, first asked first, with their answers"
    )
    lead_due = serializers.SerializerMethodField(
        help_text="While it waits for its lead: when it goes to the early help service's managers"
    )

    class Meta:
        model = Episode
        fields = [
            "id",
            "person",
            "child",
            "state",
            "route",
            "reason",
            "requested_on",
            "requested_by",
            "requesting_team",
            "opened_on",
            "external_ref",
            "consent",
            "lead",
            "offer",
            "leads",
            "lead_due",
            "closed_on",
        ]

    def get_child(self, episode: Episode) -> str:
        named = self.context.get("named", set())
        return episode.person.full_name if episode.person_id in named else ""

    @extend_schema_field(EarlyHelpConsentSerializer(allow_null=True))
    def get_consent(self, episode: Episode) -> dict[str, Any] | None:
        if not episode.has_consent:
            return None
        return dict(EarlyHelpConsentSerializer(episode).data)

    def _role(self, episode: Episode, state: str) -> dict[str, Any] | None:
        role = next((r for r in _roles(episode) if r.state == state), None)
        return None if role is None else dict(LeadRoleSerializer(role).data)

    @extend_schema_field(LeadRoleSerializer(allow_null=True))
    def get_lead(self, episode: Episode) -> dict[str, Any] | None:
        return self._role(episode, LeadState.ACCEPTED)

    @extend_schema_field(LeadRoleSerializer(allow_null=True))
    def get_offer(self, episode: Episode) -> dict[str, Any] | None:
        return self._role(episode, LeadState.OFFERED)

    @extend_schema_field(LeadRoleSerializer(many=True))
    def get_leads(self, episode: Episode) -> list[dict[str, Any]]:
        return list(LeadRoleSerializer(_roles(episode), many=True).data)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_lead_due(self, episode: Episode) -> str | None:
        if episode.state != EpisodeState.AWAITING_LEAD:
            return None
        return str(serializers.DateTimeField().to_representation(episode.lead_due))
