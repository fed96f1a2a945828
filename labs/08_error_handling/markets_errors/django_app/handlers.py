"""Every error of the Django app, in one place: DRF's EXCEPTION_HANDLER, handler404, handler500.

`settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]` names `exception_handler` (see the lab's
conftest.py); `urls.py` names `not_found` and `server_error` as Django's `handler404` and
`handler500`. Each answers through `error_response`, so every error has one body.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from markets_errors.errors import (
    ApiError,
)


def error_response(request: HttpRequest, error: ApiError) -> JsonResponse:
    """`error` rendered for this request: its request id, its path, its Accept (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): render the error for this request as a JsonResponse — see README task 4"
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> JsonResponse | None:
    """DRF's EXCEPTION_HANDLER: an ApiError (task 4), DRF's own exceptions (task 5).

    Before answering an error, it marks the request's transaction for rollback (task 4):
    the view raised, but this handler turns that into a response, and ATOMIC_REQUESTS
    commits every response. Anything else returns None (task 6): DRF re-raises it, Django
    logs it once on "django.request" with its traceback, and `server_error` answers.
    """
    raise NotImplementedError(
        "TODO(task 4): answer an ApiError, then DRF's own exceptions (task 5) — see README task 4"
    )


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """handler404: a URL no route matches (task 5). Never str(exception): Django's lists
    every URL pattern of the project."""
    raise NotImplementedError("TODO(task 5): answer a URL no route matches — see README task 5")


def server_error(request: HttpRequest) -> JsonResponse:
    """handler500: a bug, already logged by Django with its traceback (task 6)."""
    raise NotImplementedError(
        "TODO(task 6): answer the generic 500 (Django has logged the bug) — see README task 6"
    )
