"""Every error of the Django app, in one place: DRF's EXCEPTION_HANDLER, handler404, handler500.

`settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]` names `exception_handler` (see the lab's
conftest.py); `urls.py` names `not_found` and `server_error` as Django's `handler404` and
`handler500`. Each answers through `error_response`, so every error has one body.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.views import set_rollback

from markets_errors.errors import (
    ApiError,
    ContentTooLarge,
    InternalError,
    MalformedJson,
    NotFound,
    RateLimited,
    ValidationFailed,
    http_error,
)
from markets_errors.rendering import render


def error_response(request: HttpRequest, error: ApiError) -> JsonResponse:
    """`error` rendered for this request: its request id, its path, its Accept (task 4)."""
    rendered = render(
        error,
        request_id=request.request_id,  # type: ignore[attr-defined]
        instance=request.path,
        accept=request.headers.get("Accept"),
    )
    return JsonResponse(
        rendered.body,
        status=rendered.status,
        headers=rendered.headers,
        content_type=rendered.media_type,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> JsonResponse | None:
    """DRF's EXCEPTION_HANDLER: an ApiError (task 4), DRF's own exceptions (task 5).

    Before answering an error, it marks the request's transaction for rollback (task 4):
    the view raised, but this handler turns that into a response, and ATOMIC_REQUESTS
    commits every response. Anything else returns None (task 6): DRF re-raises it, Django
    logs it once on "django.request" with its traceback, and `server_error` answers.
    """
    error = _as_api_error(exc)
    if error is None:
        return None
    set_rollback()
    return error_response(context["request"], error)


def _as_api_error(exc: Exception) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RequestDataTooBig):  # Django's, raised when the view reads request.body
        return ContentTooLarge()
    if isinstance(exc, exceptions.ValidationError):
        return ValidationFailed(_field_errors(exc.detail))
    if isinstance(exc, exceptions.ParseError):
        return MalformedJson()
    if isinstance(exc, exceptions.Throttled):
        return RateLimited(exc.wait or 0)  # pragma: no mutate (or 1: the same 1 s floor)
    if isinstance(exc, exceptions.APIException):
        # NotAuthenticated and AuthenticationFailed carry their challenge as `auth_header`;
        # a 405's Allow is added by DRF to every APIView response.
        challenge = getattr(exc, "auth_header", None)
        return http_error(exc.status_code, {"WWW-Authenticate": challenge} if challenge else {})
    return None


def _field_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's `{"field": [ErrorDetail, …]}` as `{"field": ["message", …]}`."""
    return {field: [str(m) for m in messages] for field, messages in detail.items()}


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """handler404: a URL no route matches (task 5). Never str(exception): Django's lists
    every URL pattern of the project."""
    return error_response(request, NotFound())


def server_error(request: HttpRequest) -> JsonResponse:
    """handler500: a bug, already logged by Django with its traceback (task 6)."""
    return error_response(request, InternalError())
