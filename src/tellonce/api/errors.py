"""API errors as JSON that name the field and the problem:
`{"errors": [{"field": "date_of_birth", "message": "Year must be 4 numbers"}]}`."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tellonce.core.claims import AlreadyDone
from tellonce.core.limits import RateLimitedError

logger = logging.getLogger("tellonce.api")


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        out: list[dict[str, Any]] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__", "detail") else str(key)
            out.extend(_flatten(value, name if field is None else f"{field}.{name}"))
        return out
    if isinstance(detail, list):
        return [item for value in detail for item in _flatten(value, field)]
    return [{"field": field, "message": str(detail)}]


def error_response(errors: list[dict[str, Any]], status_code: int, **extra: Any) -> Response:
    return Response({"errors": errors, **extra}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error an API view raises, as the one format. What no other branch knows is
    a server error: logged (the exception, never the request's data) and answered as a
    JSON 500, except with DEBUG on, where Django shows it."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return error_response(
            [{"field": None, "message": f"The body is larger than {limit} MB"}],
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return error_response(
            [{"field": None, "message": "The request could not be understood"}],
            status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, AlreadyDone):  # someone else took the step first
        return error_response(_flatten(exc.message_dict), status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return error_response(_flatten(detail), status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RateLimitedError):
        return error_response(
            [{"field": None, "message": str(exc)}], status.HTTP_429_TOO_MANY_REQUESTS
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such record, or you have no reason to see it")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None
        logger.error("API server error", exc_info=exc)
        return server_error_response()
    response.data = {"errors": _flatten(response.data)}
    return response


def server_error_response() -> Response:
    return error_response(
        [{"field": None, "message": SERVER_ERROR}], status.HTTP_500_INTERNAL_SERVER_ERROR
    )


SERVER_ERROR = (
    "Something went wrong on our side and nothing was saved. Try again; if it happens"
    " again, tell the partnership's support team the time it happened."
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(errors: list[dict[str, Any]], status_code: int) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status_code)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's own 400 (a body too large before any view read it, a bad host, a broken
    upload): under /api/ the one error format, elsewhere Django's page."""
    if not _is_api(request):
        return defaults.bad_request(request, exception)  # type: ignore[arg-type]
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return _json(
            [{"field": None, "message": f"The body is larger than {limit} MB"}],
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return _json(
        [{"field": None, "message": "The request could not be understood"}],
        status.HTTP_400_BAD_REQUEST,
    )


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _is_api(request):
        return defaults.permission_denied(request, exception)  # type: ignore[arg-type]
    return _json(
        [{"field": None, "message": str(exception or "") or "Not for your account"}],
        status.HTTP_403_FORBIDDEN,
    )


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A path under /api/ that matches no route is a JSON 404, as a record one may not
    see is: an agency system reads one format whatever went wrong."""
    if not _is_api(request):
        return defaults.page_not_found(request, exception)  # type: ignore[arg-type]
    return _json(
        [{"field": None, "message": "No such address in the API: see /api/v1/openapi.json"}],
        status.HTTP_404_NOT_FOUND,
    )


def handler500(request: HttpRequest) -> HttpResponse:
    """An error no view caught (in a middleware, or outside DRF): under /api/ the JSON
    500, elsewhere the page. Django has logged it already."""
    if not _is_api(request):
        return defaults.server_error(request)
    return _json([{"field": None, "message": SERVER_ERROR}], status.HTTP_500_INTERNAL_SERVER_ERROR)


#: The schema's description of an error answer, for every operation's 400, 403 and 404.
ERRORS = OpenApiResponse(description='{"errors": [{"field": ..., "message": ...}]}')


def flag_only(request: Request, person_id: UUID) -> Response:
    """The refusal for someone who may see the person's flag, not their record: a 403
    that says where the flag is."""
    return error_response(
        [
            {
                "field": None,
                "message": (
                    "Your agency is not working with this person: you can see who"
                    " to contact, not the record"
                ),
            }
        ],
        status.HTTP_403_FORBIDDEN,
        flag=request.build_absolute_uri(f"/api/v1/people/{person_id}/flag/"),
    )


def not_casework() -> Response:
    """The refusal for a role that does not look for named people (analysts, admins)."""
    return error_response(
        [{"field": None, "message": "Your role does not include searching for people"}],
        status.HTTP_403_FORBIDDEN,
    )
