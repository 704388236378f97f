"""The API of the MASH front door: contacts from agency systems and signed-in
practitioners, and the MASH's work on each child (the queue, screening, requests for
information, decisions and their sign-off, actions, the daily meeting, strategy
discussions). Thin, as the rest of the API: the same selectors and services as the
pages decide who may do what, check everything at once and audit it."""

from __future__ import annotations

from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tellonce.api.errors import ERRORS
from tellonce.api.query import query_of
from tellonce.api.requests import named_as_sent, valid
from tellonce.api.schema import non_empty, refused_when
from tellonce.audit.services import audit_list, people_on, via_request
from tellonce.core.requests import acting_user
from tellonce.mash import rules, selectors, services
from tellonce.mash.api import serializers as ms
from tellonce.mash.models import Channel, MashCase
from tellonce.mash.selectors import hub_of

#: The services' names for fields the API names otherwise.
API_NAMES = {
    "referrer_name": "referrer.name",
    "referrer_role": "referrer.role",
    "referrer_phone": "referrer.phone",
    "referrer_email": "referrer.email",
    "rag_reason": "reason",
    "outcome_reason": "reason",
    "conference_held_on": "held_on",
}


def _case(request: Request, case_id: int) -> MashCase:
    return selectors.case_get_for_user(user=acting_user(request), case_id=case_id)


# ----- contacts ----------------------------------------------------------------------


class ContactCreateView(APIView):
    @extend_schema(
        summary="Tell the MASH about one or more children (a contact)",
        extensions=non_empty("children")
        | refused_when(
            **{
                "referrer.phone": "neither a phone number nor an email is given",
                "concern": "too short or vague to act on (a few sentences are needed)",
                "help_so_far": "empty or vague: say what has been done, or why nothing has",
                "child_needs": "only about the parents, or too short",
                "children": "a child's details are too few to match, or name no one",
                "child_voice": "empty or vague: say what the child said, or why not known",
                "household": "empty or vague: say who lives with the child",
                "sharing_reason": "missing or vague, when the family has not agreed",
                "children[].person": "no such person, or not one you may refer",
                "children[].nhs_number": "its check digit does not match",
                "children[].given_name": "missing, when the child is not a person_id",
                "children[].family_name": "missing, when the child is not a person_id",
                "children[].date_of_birth": "missing, when the child is not a person_id",
            }
        ),
        description=(
            "For agency systems and practitioners. Each child is either a person already in"
            " TellOnce (`person`, from a search) or their details, which are matched as a"
            " record of your agency would be (`match`: linked to a known child, new, or new"
            " with a possible match waiting for review). A case is opened for each child, or"
            " the contact joins the case opened for them in the last few days"
            " (`duplicate`). Values of the wrong type are reported first; then everything"
            " the MASH needs to know is checked at once, each problem by field"
            " (`children[0].date_of_birth`, `referrer.phone`). `external_ref`, your system's"
            " id for the contact, is accepted once per agency: sending it again is a 400"
            " naming `external_ref`, and nothing is written."
        ),
        request=ms.ContactCreateSerializer,
        responses={201: ms.ContactSerializer, 400: ERRORS, 403: ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        if not user.does_casework or user.team is None:
            raise PermissionDenied("Making a contact is for practitioners and agency systems")
        body = ms.ContactCreateSerializer(data=request.data)
        valid(body)
        with named_as_sent(API_NAMES):
            contact = services.contact_make(
                user=user, details=body.details(), channel=Channel.API, via=via_request(request)
            )
        return Response(ms.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


# ----- the queue and a case ----------------------------------------------------------


class ContactWithdrawView(APIView):
    @extend_schema(
        summary="Withdraw a contact recorded in error (a MASH manager of the MASH that"
        " received it)",
        description=(
            "The contact, its cases and their requests and actions leave the queue, the"
            " inboxes, the clocks and the figures; its entries leave the children's"
            " chronologies; everyone it set to work is told it was withdrawn. Refused once"
            " a decision on it is signed off or another contact has joined its case. A"
            " second withdrawal is a 409."
        ),
        request=ms.ContactWithdrawSerializer,
        responses={204: None, 400: ERRORS, 403: ERRORS, 404: ERRORS, 409: ERRORS},
        extensions=refused_when(
            contact="a decision on it is signed off, or another contact has joined its case"
        ),
    )
    def post(self, request: Request, contact_id: int) -> Response:
        user = acting_user(request)
        contact = selectors.contact_get_for_user(user=user, contact_id=contact_id)
        if not rules.may_withdraw_contact(user, contact):
            # Who may act is answered before what they sent.
            raise PermissionDenied(services.CONTACT_WITHDRAW_REFUSED)
        data = valid(ms.ContactWithdrawSerializer(data=request.data))
        with named_as_sent():
            services.contact_withdraw(
                user=user, contact=contact, reason=data["reason"], via=via_request(request)
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class QueueView(APIView):
    @extend_schema(
        summary="The MASH's cases, most urgent first, with their timers (MASH staff)",
        operation_id="mash_cases_list",
        parameters=[ms.QueueQuerySerializer],
        responses={200: ms.QueuePageSerializer, 400: ERRORS, 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        hub_of(user)  # Refused outside the MASH before the query is looked at.
        query = query_of(request, ms.QueueQuerySerializer)
        page = selectors.mash_queue(user=user, filters=query["filters"], page=query["page"])
        audit_list(
            via_request(request),
            user=user,
            listed="MASH queue",
            people=people_on(page.rows, lambda r: r.case.person_id),
        )
        return Response(ms.QueuePageSerializer(page).data)


class CaseView(APIView):
    @extend_schema(
        summary="A case and everything the MASH needs to decide (MASH staff; audited)",
        responses={200: ms.CasePictureSerializer, 403: ERRORS, 404: ERRORS},
    )
    def get(self, request: Request, case_id: int) -> Response:
        picture = selectors.case_picture(
            user=acting_user(request), case_id=case_id, via=via_request(request)
        )
        return Response(ms.CasePictureSerializer(picture).data)


class ScreeningView(APIView):
    @extend_schema(
        summary="Screen a case: red, amber or green, and why (MASH social workers)",
        request=ms.ScreeningSerializer,
        responses={200: ms.CaseSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = valid(ms.ScreeningSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            case = services.case_screen(
                user=acting_user(request),
                case=case,
                rag=data["rag"],
                reason=data["reason"],
                via=via_request(request),
            )
        return Response(ms.CaseSerializer(case).data)


class RequestCreateView(APIView):
    @extend_schema(
        summary="Ask a partner team what it knows; due by a deadline set by the rating",
        request=ms.RequestCreateSerializer,
        responses={201: ms.RequestSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = valid(ms.RequestCreateSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            rfi = services.rfi_send(
                user=acting_user(request),
                case=case,
                team=data["team"],
                question=data["question"],
                via=via_request(request),
            )
        return Response(ms.RequestSerializer(rfi).data, status=status.HTTP_201_CREATED)


class DecisionView(APIView):
    @extend_schema(
        summary="Propose the outcome, why, and the actions that follow (for sign-off)",
        description=(
            "Every action needs an owner and a due date: a problem with the first action is"
            " reported as `actions[0].due_on`."
        ),
        request=ms.DecisionSerializer,
        responses={200: ms.CaseSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        body = ms.DecisionSerializer(data=request.data)
        data = valid(body)
        with named_as_sent(API_NAMES):
            case = services.decision_propose(
                user=acting_user(request),
                case=case,
                outcome=data["outcome"],
                reason=data["reason"],
                advice=data["advice"],
                lead_professional_user=data["lead_professional"],
                actions=body.actions_details(),
                via=via_request(request),
            )
        return Response(ms.CaseSerializer(case).data)


class SignOffView(APIView):
    @extend_schema(
        summary="Sign off the proposed decision, or send it back saying why (MASH managers)",
        request=ms.SignOffSerializer,
        responses={200: ms.CaseSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = valid(ms.SignOffSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            case = services.decision_sign_off(
                user=acting_user(request),
                case=case,
                agree=data["agree"],
                note=data["note"],
                via=via_request(request),
            )
        return Response(ms.CaseSerializer(case).data)


class ActionCreateView(APIView):
    @extend_schema(
        summary="Add an action for the child: what, who, and by when",
        request=ms.ActionInputSerializer,
        responses={201: ms.ActionSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        details = ms.action_details(valid(ms.ActionInputSerializer(data=request.data)))
        with named_as_sent(API_NAMES):
            action = services.action_add(
                user=acting_user(request),
                case=case,
                description=details.description,
                owner=details.owner,
                due_on=details.due_on,
                via=via_request(request),
            )
        return Response(ms.ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class CloseView(APIView):
    @extend_schema(
        summary="Close a signed-off referral with its DfE reason for closure",
        request=ms.CloseSerializer,
        responses={200: ms.CaseSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = valid(ms.CloseSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            case = services.referral_close(
                user=acting_user(request),
                case=case,
                closure_reason=data["closure_reason"],
                note=data["note"],
                via=via_request(request),
            )
        return Response(ms.CaseSerializer(case).data)


class StrategyDiscussionPlanView(APIView):
    @extend_schema(
        summary="Plan a strategy discussion and invite teams; each is told",
        description="Social care, police and health must always be among the invitees.",
        request=ms.StrategyPlanSerializer,
        responses={201: ms.StrategyDiscussionSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = valid(ms.StrategyPlanSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            discussion = services.strategy_discussion_plan(
                user=acting_user(request),
                case=case,
                team_ids=data["invitees"],
                via=via_request(request),
            )
        return Response(
            ms.StrategyDiscussionSerializer(discussion).data, status=status.HTTP_201_CREATED
        )


class StrategyDiscussionRecordView(APIView):
    @extend_schema(
        summary="Record a strategy discussion: who came, what was shared, the decision",
        description=(
            "An s47 enquiry sets `conference_due`: the initial child protection conference,"
            " 15 working days after the discussion."
        ),
        request=ms.StrategyRecordSerializer,
        responses={200: ms.StrategyDiscussionSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, discussion_id: int) -> Response:
        discussion = selectors.strategy_discussion_get_for_user(
            user=acting_user(request), discussion_id=discussion_id
        )
        data = valid(ms.StrategyRecordSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            discussion = services.strategy_discussion_record(
                user=acting_user(request),
                discussion=discussion,
                held_on=data["held_on"],
                attended_team_ids=data["attended"],
                information_shared=data["information_shared"],
                outcome=data["outcome"],
                rationale=data["rationale"],
                via=via_request(request),
            )
        return Response(ms.StrategyDiscussionSerializer(discussion).data)


class ConferenceHeldView(APIView):
    @extend_schema(
        summary="Record that the initial child protection conference was held",
        request=ms.ConferenceSerializer,
        responses={200: ms.StrategyDiscussionSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, discussion_id: int) -> Response:
        discussion = selectors.strategy_discussion_get_for_user(
            user=acting_user(request), discussion_id=discussion_id
        )
        data = valid(ms.ConferenceSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            discussion = services.conference_held_record(
                user=acting_user(request),
                discussion=discussion,
                held_on=data["held_on"],
                via=via_request(request),
            )
        return Response(ms.StrategyDiscussionSerializer(discussion).data)


# ----- requests for information ------------------------------------------------------


class RequestInboxView(APIView):
    @extend_schema(
        summary="The MASH's requests for information to your team, soonest due first",
        parameters=[ms.InboxQuerySerializer],
        responses={200: ms.InboxRowSerializer(many=True), 400: ERRORS, 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = query_of(request, ms.InboxQuerySerializer)
        user = acting_user(request)
        rows = selectors.rfi_inbox(user=user, answered=query["answered"])
        audit_list(
            via_request(request),
            user=user,
            listed="requests for information",
            people=people_on(rows, lambda r: r.request.case.person_id),
        )
        return Response(ms.InboxRowSerializer(rows, many=True).data)


class RequestView(APIView):
    @extend_schema(
        summary="A request for information (the team asked, or the MASH that asked; audited)",
        responses={200: ms.RequestSerializer, 404: ERRORS},
    )
    def get(self, request: Request, request_id: int) -> Response:
        rfi = selectors.rfi_get_for_user(
            user=acting_user(request), request_id=request_id, via=via_request(request)
        )
        return Response(ms.RequestSerializer(rfi).data)


class RequestAnswerView(APIView):
    @extend_schema(
        summary="Answer a request for information (the team asked only); the MASH is told",
        request=ms.AnswerSerializer,
        responses={200: ms.RequestSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = acting_user(request)
        rfi = selectors.rfi_get_for_user(user=user, request_id=request_id, via=via_request(request))
        data = valid(ms.AnswerSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            rfi = services.rfi_answer(
                user=user, request=rfi, answer=data["answer"], via=via_request(request)
            )
        return Response(ms.RequestSerializer(rfi).data)


class ActionsMineView(APIView):
    @extend_schema(
        summary="The actions you own, soonest due first (`?done=true`: the ones done)",
        parameters=[ms.ActionsQuerySerializer],
        responses={200: ms.ActionSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        done = query_of(request, ms.ActionsQuerySerializer)["done"]
        user = acting_user(request)
        actions = selectors.actions_for(user=user, done=done)
        audit_list(via_request(request), user=user, listed="actions", people=people_on(actions))
        return Response(ms.ActionSerializer(actions, many=True).data)


class ActionDoneView(APIView):
    @extend_schema(
        summary="Mark an action done (its owner, or the MASH that set it)",
        request=None,
        responses={200: ms.ActionSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, action_id: int) -> Response:
        user = acting_user(request)
        action = selectors.action_get_for_user(user=user, action_id=action_id)
        with named_as_sent(API_NAMES):
            action = services.action_done(user=user, action=action, via=via_request(request))
        return Response(ms.ActionSerializer(action).data)


class ResponseTimesView(APIView):
    @extend_schema(
        summary="How quickly each agency answers the MASH (analysts and MASH managers)",
        description="Counts and median working hours per agency; no child is named.",
        parameters=[ms.ResponseTimesQuerySerializer],
        responses={200: ms.ResponseTimesSerializer(many=True), 400: ERRORS, 403: ERRORS},
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        selectors.response_times_reader(user)  # Refused before the query is looked at.
        query = query_of(request, ms.ResponseTimesQuerySerializer)
        since = query.get("since")
        rows = selectors.rfi_response_times(
            user=user,
            since=timezone.make_aware(datetime.combine(since, time.min)) if since else None,
        )
        return Response(ms.ResponseTimesSerializer(rows, many=True).data)


# ----- the daily meeting -------------------------------------------------------------


class MeetingOpenView(APIView):
    @extend_schema(
        summary="Open today's MASH meeting with its agenda (or get it if already open)",
        request=None,
        responses={201: ms.MeetingSerializer, 200: ms.MeetingSerializer, 403: ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = acting_user(request)
        already = selectors.meeting_today(user=user) is not None
        meeting = services.meeting_open(user=user, via=via_request(request))
        audit_list(
            via_request(request),
            user=user,
            listed="MASH meeting",
            people=people_on(meeting.items.all(), lambda i: i.case.person_id),
        )
        return Response(
            ms.MeetingSerializer(meeting).data,
            status=status.HTTP_200_OK if already else status.HTTP_201_CREATED,
        )


class MeetingMinutesView(APIView):
    @extend_schema(
        summary="Minute one child's item: what was discussed and decided",
        request=ms.MinutesInputSerializer,
        responses={200: ms.MeetingItemSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, item_id: int) -> Response:
        user = acting_user(request)
        item = selectors.meeting_item_get_for_user(user=user, item_id=item_id)
        data = valid(ms.MinutesInputSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            item = services.meeting_minute(
                user=user,
                item=item,
                minutes=data["minutes"],
                decisions=data["decisions"],
                via=via_request(request),
            )
        return Response(ms.MeetingItemSerializer(item).data)


class MeetingCloseView(APIView):
    @extend_schema(
        summary="Close the meeting: each child's minutes go onto their chronology",
        request=ms.MeetingCloseSerializer,
        responses={200: ms.MeetingSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS},
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        user = acting_user(request)
        meeting = selectors.meeting_get_for_user(user=user, meeting_id=meeting_id)
        data = valid(ms.MeetingCloseSerializer(data=request.data))
        with named_as_sent(API_NAMES):
            meeting = services.meeting_close(
                user=user, meeting=meeting, attendees=data["attendees"], via=via_request(request)
            )
        return Response(ms.MeetingSerializer(meeting).data)
