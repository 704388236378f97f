"""The API of linkage: an agency's record arriving (linked in the same request), the
review queue and its decisions, undoing a merge, and real-time matching."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.api.errors import ERRORS, error_response, not_casework
from tellonce.api.schema import REFUSES_UNKNOWN, refused_when
from tellonce.audit.services import audit_list, via_request
from tellonce.core.limits import rate_limit
from tellonce.core.requests import acting_user
from tellonce.feeds.services import RowOutcome, agency_record_receive
from tellonce.linkage import arrivals, review
from tellonce.linkage.api import serializers as s
from tellonce.linkage.arrivals import record_link
from tellonce.linkage.matching import person_match
from tellonce.linkage.services import LinkageNotReadyError


class AgencyRecordReceiveView(APIView):
    @extend_schema(
        summary="Send one of your agency's records, as a row of its feed would",
        extensions={
            **REFUSES_UNKNOWN,
            **refused_when(
                team="missing, when the row names a practitioner",
                event_kind="given without event_summary, or not a kind of event known",
                event_summary="missing, when the row gives an event",
                event_date="in the future",
                ended_on="in the future, or before started_on",
                started_on="in the future",
                date_of_birth="in the future",
                nhs_number="its check digit does not match",
                upn="its check letter does not match",
                sex="not a code the agency's mapping knows",
                ethnicity="not a code the agency's mapping knows",
            ),
        },
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
        # The contacts it names are records of their own: linked now too, which makes
        # the relationships and household it reports.
        arrivals.contacts_link(record)
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
        user = acting_user(request)
        pairs = list(review.review_queue(user=user)[:200])
        audit_list(
            via_request(request), user=user, listed="possible matches", people=2 * len(pairs)
        )
        return Response(s.ReviewPairSerializer(pairs, many=True).data)


class ReviewDecisionView(APIView):
    @extend_schema(
        summary="Decide whether a pair is the same person; holds from the next linkage run",
        request=s.ReviewDecisionRequestSerializer,
        responses={201: s.ReviewDecisionSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, pair_id: int) -> Response:
        user = acting_user(request)
        pair = review.review_pair_get_for_user(user=user, pair_id=pair_id, via=via_request(request))
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
        event = review.merge_get_for_user(user=user, event_id=event_id)
        body = s.UnmergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        restored = review.unmerge(
            user=user, event=event, reason=body.validated_data["reason"], via=via_request(request)
        )
        return Response(s.PersonSummarySerializer(restored).data)


class PersonMatchView(APIView):
    @extend_schema(
        summary="The persons a new record may be, ranked, with the evidence for each",
        extensions={
            **REFUSES_UNKNOWN,
            **refused_when(
                given_name="neither a name nor an identifier is given",
                date_of_birth="in the future",
                nhs_number="its check digit does not match",
                upn="its check letter does not match",
            ),
        },
        description=(
            "Real-time matching with the trained linkage model: candidates from the"
            " blocking-key index, scored in the web process. A POST, so that names never"
            " appear in URLs or logs. Audited as a search."
        ),
        request=s.MatchRequestSerializer,
        responses={
            200: s.MatchCandidateSerializer(many=True),
            400: ERRORS,
            403: ERRORS,
            503: OpenApiResponse(description="The linkage model is not trained yet"),
        },
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not user.does_casework:
            return not_casework()
        body = s.MatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rate_limit(request, "match")
        try:
            found = person_match(user=user, record=body.validated_data, via=via_request(request))
        except LinkageNotReadyError as exc:
            return error_response(
                [{"field": None, "message": str(exc)}], status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return Response(s.MatchCandidateSerializer(found, many=True).data)
