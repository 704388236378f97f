"""The REST API for agency systems. Thin: every call goes through the same selectors
and services as the pages, so access and audit are decided in one place."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.access.services import break_glass_open
from tellonce.accounts.requests import acting_user
from tellonce.alerts.selectors import alert_get, alert_inbox
from tellonce.alerts.services import alert_mark_read
from tellonce.api import serializers as s
from tellonce.api.errors import ERRORS, error_response, flag_only, not_casework
from tellonce.audit.models import Action
from tellonce.audit.services import audit_via, via_request
from tellonce.chronology.selectors import ChronologyFilter, chronology_for
from tellonce.chronology.services import chronology_event_record
from tellonce.feeds.services import RowOutcome, agency_record_receive
from tellonce.involvements.models import Involvement
from tellonce.involvements.services import involvement_end, involvement_record
from tellonce.linkage import arrivals, review
from tellonce.linkage.arrivals import record_link
from tellonce.linkage.matching import person_match
from tellonce.linkage.models import LinkEvent, LinkEventKind
from tellonce.linkage.services import LinkageNotReadyError
from tellonce.organisations.selectors import team_directory
from tellonce.people import selectors, services
from tellonce.people.models import PersonIdentifier
from tellonce.voices.selectors import voices_for
from tellonce.voices.services import voice_record


class PersonSearchView(APIView):
    @extend_schema(
        summary="Find people by name and (partial) date of birth, or by identifier",
        description="A POST, so that names and dates of birth never appear in URLs or logs.",
        request=s.SearchQuerySerializer,
        responses={200: s.SearchHitSerializer(many=True), 400: ERRORS, 403: ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not user.does_casework:
            return not_casework()
        query = s.SearchQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        hits = selectors.person_search(
            user=user, query=query.validated_data["query"], via=via_request(request)
        )
        return Response(s.SearchHitSerializer(hits, many=True).data)


class PersonRecordView(APIView):
    @extend_schema(
        summary="A person's full record (needs a legitimate relationship)",
        responses={
            200: s.PersonRecordSerializer,
            403: OpenApiResponse(description="Flag only: see `flag` in the body"),
            404: ERRORS,
        },
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        try:
            record = selectors.person_record(
                user=acting_user(request), person_id=person_id, via=via_request(request)
            )
        except selectors.FlagOnlyError:
            return flag_only(request, person_id)
        return Response(s.PersonRecordSerializer(record).data)


class PersonFlagView(APIView):
    @extend_schema(
        summary="That a person is known, which agencies are involved and how to contact them",
        responses={200: s.PersonFlagSerializer, 404: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        flag = selectors.person_flag(
            user=acting_user(request), person_id=person_id, via=via_request(request)
        )
        return Response(s.PersonFlagSerializer(flag).data)


class BreakGlassView(APIView):
    @extend_schema(
        summary="Open a record without a relationship, giving a reason (practitioners only)",
        request=s.BreakGlassRequestSerializer,
        responses={201: s.BreakGlassGrantSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = selectors.person_get_for_user(user=user, person_id=person_id)
        body = s.BreakGlassRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        grant = break_glass_open(
            user=user, person=person, reason=body.validated_data["reason"], via=via_request(request)
        )
        return Response(s.BreakGlassGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


class AccessLogView(APIView):
    @extend_schema(
        summary="Who has looked at a person's record (managers of the teams involved)",
        responses={200: s.AuditEventSerializer(many=True), 403: ERRORS, 404: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        _, events = selectors.access_log(
            user=acting_user(request), person_id=person_id, via=via_request(request)
        )
        return Response(s.AuditEventSerializer(events[:500], many=True).data)


class IdentifierCreateView(APIView):
    @extend_schema(
        summary="Record an identifier for a person your agency works with",
        request=s.IdentifierCreateSerializer,
        responses={201: s.IdentifierSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = selectors.person_get_for_user(user=user, person_id=person_id)
        body = s.IdentifierCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        identifier = services.identifier_add(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(s.IdentifierSerializer(identifier).data, status=status.HTTP_201_CREATED)


class IdentifierArchiveView(APIView):
    @extend_schema(
        summary="Mark an identifier as wrong (archived with a reason, never deleted)",
        request=s.ArchiveRequestSerializer,
        responses={200: s.IdentifierSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID, identifier_id: int) -> Response:
        user = acting_user(request)
        person, _ = selectors.person_get_for_user(user=user, person_id=person_id)
        identifier = get_object_or_404(PersonIdentifier, pk=identifier_id, person=person)
        body = s.ArchiveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.identifier_archive(
            user=user,
            identifier=identifier,
            reason=body.validated_data["reason"],
            via=via_request(request),
        )
        return Response(s.IdentifierSerializer(identifier).data)


@extend_schema(
    summary="The partnership's teams and how to contact them",
    parameters=[OpenApiParameter("service", str, description="Filter by service")],
)
class TeamListView(ListAPIView):
    serializer_class = s.TeamSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return team_directory(
            user=acting_user(self.request),  # type: ignore[arg-type]
            service=self.request.query_params.get("service"),
        )


class AgencyRecordReceiveView(APIView):
    @extend_schema(
        summary="Send one of your agency's records, as a row of its feed would",
        description=(
            "For agency system accounts: the record is your agency's. Fields are TellOnce's"
            " (as in a feed mapping), dates YYYY-MM-DD; a field left out is left as it was."
            " 201: stored (new or updated: see `status`); 200: unchanged. A record not yet"
            " linked is linked at once (`linkage.outcome`: linked to a known person, a new"
            " person, a new person with a possible match waiting for review, or waiting for"
            " the first linkage run); `linkage.person` is the TellOnce person it belongs to."
        ),
        request=s.AgencyRecordReceiveSerializer,
        responses={
            201: s.AgencyRecordSerializer,
            200: s.AgencyRecordSerializer,
            400: ERRORS,
            401: ERRORS,
            403: ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not user.is_system_account or user.team is None:
            return error_response(
                [{"field": None, "message": "Only agency system accounts send records"}],
                status.HTTP_403_FORBIDDEN,
            )
        agency = user.team.agency
        body = s.AgencyRecordReceiveSerializer(data=request.data, context={"agency": agency})
        body.is_valid(raise_exception=True)
        received = agency_record_receive(
            user=user,
            agency=agency,
            system=body.validated_data["system"],
            row=body.validated_data["row"],
            via=via_request(request),
        )
        changed = received.outcome is not RowOutcome.UNCHANGED
        record = received.record
        linkage = (
            record_link(record.pk).outcome
            if record.person_id is None
            else arrivals.Outcome.ALREADY_LINKED
        )
        record.refresh_from_db(fields=["person"])
        data = s.AgencyRecordSerializer(
            record, context={"status": received.outcome.name.lower(), "linkage": linkage}
        ).data
        return Response(data, status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK)


class ReviewQueueView(APIView):
    @extend_schema(
        summary="Pairs of agency records the linkage model is unsure of (MASH staff)",
        responses={200: s.ReviewPairSerializer(many=True), 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        pairs = review.review_queue(user=acting_user(request))[:200]
        return Response(s.ReviewPairSerializer(pairs, many=True).data)


class ReviewDecisionView(APIView):
    @extend_schema(
        summary="Decide whether a pair is the same person; holds from the next linkage run",
        request=s.ReviewDecisionRequestSerializer,
        responses={201: s.ReviewDecisionSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, pair_id: int) -> Response:
        user = acting_user(request)
        pair = review.review_pair_get(user=user, pair_id=pair_id, via=via_request(request))
        body = s.ReviewDecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = review.review_decide(
            user=user, pair=pair, via=via_request(request), **body.validated_data
        )
        return Response(s.ReviewDecisionSerializer(decided).data, status=status.HTTP_201_CREATED)


class UnmergeView(APIView):
    @extend_schema(
        summary="Undo a merge now, with a reason (MASH managers)",
        request=s.UnmergeRequestSerializer,
        responses={200: s.PersonSummarySerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, event_id: int) -> Response:
        user = acting_user(request)
        if not review.can_unmerge(user):
            raise PermissionDenied("Undoing a merge is for MASH managers")
        event = get_object_or_404(LinkEvent, pk=event_id, kind=LinkEventKind.MERGE)
        body = s.UnmergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        restored = review.unmerge(
            user=user, event=event, reason=body.validated_data["reason"], via=via_request(request)
        )
        return Response(s.PersonSummarySerializer(restored).data)


class PersonMatchView(APIView):
    @extend_schema(
        summary="The persons a new record may be, ranked, with the evidence for each",
        description=(
            "Real-time matching with the trained linkage model: candidates from the"
            " blocking-key index, scored in the web process. A POST, so that names never"
            " appear in URLs or logs. Audited as a search."
        ),
        request=s.MatchRequestSerializer,
        responses={200: s.MatchCandidateSerializer(many=True), 400: ERRORS, 403: ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not user.does_casework:
            return not_casework()
        body = s.MatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            found = person_match(user=user, record=body.validated_data, via=via_request(request))
        except LinkageNotReadyError as exc:
            return error_response(
                [{"field": None, "message": str(exc)}], status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return Response(s.MatchCandidateSerializer(found, many=True).data)


class AlertInboxView(APIView):
    @extend_schema(
        summary="Your alerts (a system account: those to its agency's teams), newest first",
        parameters=[
            OpenApiParameter("unread", bool, description="Only alerts not yet read"),
        ],
        responses={200: s.AlertSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        alerts = alert_inbox(user=acting_user(request))
        if request.query_params.get("unread") in ("1", "true", "yes"):
            alerts = alerts.filter(read_on__isnull=True)
        return Response(s.AlertSerializer(alerts[:500], many=True).data)


class AlertReadView(APIView):
    @extend_schema(
        summary="Mark an alert read",
        request=None,
        responses={200: s.AlertSerializer, 404: ERRORS},
    )
    def post(self, request: Request, alert_id: int) -> Response:
        user = acting_user(request)
        alert = alert_mark_read(alert=alert_get(user=user, alert_id=alert_id), user=user)
        return Response(s.AlertSerializer(alert).data)


class InvolvementStartView(APIView):
    @extend_schema(
        summary="Record that your team now works with a person; everyone involved is told",
        description=(
            "For practitioners: the involvement is your team's, with you as the named"
            " worker. Everyone working with the child or their household is alerted, and"
            " you are told who they are. One lead professional per child."
        ),
        request=s.InvolvementStartSerializer,
        responses={201: s.InvolvementSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = selectors.person_get_for_user(user=user, person_id=person_id)
        body = s.InvolvementStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        involvement = involvement_record(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(s.InvolvementSerializer(involvement).data, status=status.HTTP_201_CREATED)


class InvolvementEndView(APIView):
    @extend_schema(
        summary="End your team's involvement, with the date and why",
        request=s.InvolvementEndSerializer,
        responses={200: s.InvolvementSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, involvement_id: int) -> Response:
        user = acting_user(request)
        involvement = get_object_or_404(Involvement, pk=involvement_id, team=user.team)
        body = s.InvolvementEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ended = involvement_end(
            user=user, involvement=involvement, via=via_request(request), **body.validated_data
        )
        return Response(s.InvolvementSerializer(ended).data)


class ChronologyView(APIView):
    @extend_schema(
        summary="A person's multi-agency chronology, newest first (full access only)",
        parameters=[s.ChronologyQuerySerializer],
        responses={200: s.ChronologyEventSerializer(many=True), 400: ERRORS, 403: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        query = s.ChronologyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = ChronologyFilter(
            agency_id=data.get("agency_id"),
            kind=data.get("kind"),
            since=data.get("since"),
            until=data.get("until"),
        )
        try:
            _, events = chronology_for(
                user=acting_user(request),
                person_id=person_id,
                filters=filters,
                via=via_request(request),
            )
        except selectors.FlagOnlyError:
            return flag_only(request, person_id)
        return Response(s.ChronologyEventSerializer(events[:2000], many=True).data)

    @extend_schema(
        summary="Add a significant event (your team or agency must be involved)",
        description=(
            "An agency system may send its own id for the event as `external_ref`: the same"
            " id from the same system again returns the event already stored (200)."
        ),
        request=s.ChronologyEventCreateSerializer,
        responses={
            201: s.ChronologyEventSerializer,
            200: s.ChronologyEventSerializer,
            400: ERRORS,
            403: ERRORS,
        },
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = selectors.person_get_for_user(user=user, person_id=person_id)
        body = s.ChronologyEventCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event, created = chronology_event_record(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(
            s.ChronologyEventSerializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class VoicesView(APIView):
    @extend_schema(
        summary="The child's voice and the family's account you may read (full access)",
        responses={200: s.VoiceSerializer(many=True), 403: ERRORS, 404: ERRORS},
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, access = selectors.person_get_for_user(user=user, person_id=person_id)
        if not access.is_full:
            return flag_only(request, person_id)
        audit_via(
            via_request(request),
            user=user,
            action=Action.VIEW,
            person=person,
            obj=person,
            detail={"what": "voices"},
        )
        return Response(s.VoiceSerializer(voices_for(user=user, person=person), many=True).data)

    @extend_schema(
        summary="Record the child's voice or the family's account, once, with its lawful basis",
        request=s.VoiceCreateSerializer,
        responses={201: s.VoiceSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, person_id: UUID) -> Response:
        user = acting_user(request)
        person, _ = selectors.person_get_for_user(user=user, person_id=person_id)
        body = s.VoiceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        voice = voice_record(
            user=user, person=person, via=via_request(request), **body.validated_data
        )
        return Response(s.VoiceSerializer(voice).data, status=status.HTTP_201_CREATED)
