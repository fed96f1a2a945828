"""Notebook 04: a small Django project for the middleware demos (settings, URLs, views).

`configure()` sets Django up once per kernel; `client(middleware)` is a test client whose
project runs exactly that middleware list (dotted paths; `__main__.X` names a cell's class).
"""

from __future__ import annotations

from typing import Any

from django.urls import path

TRACE: list[str] = []  # what ran, in order: the tracing middleware and the views append


def configure() -> None:
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="notebook-only-not-a-secret-" + "x" * 32,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
        DATABASES={},
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",  # no database
        LOGIN_URL="/login",
        MIDDLEWARE=[],
        USE_TZ=True,
    )
    import django

    django.setup()


def client(middleware: list[str], *, raise_exceptions: bool = False) -> Any:
    """A test client over this project with `middleware` as settings.MIDDLEWARE.

    `raise_exceptions`: a view's exception reaches the caller instead of becoming a 500.
    """
    from django.conf import settings
    from django.test import Client

    settings.MIDDLEWARE = middleware
    return Client(raise_request_exception=raise_exceptions)


def health(request: Any) -> Any:
    from django.http import JsonResponse

    TRACE.append("view")
    return JsonResponse({"status": "ok"})


def positions(request: Any, market_id: int) -> Any:
    """A view written against django.contrib.auth: it reads request.user."""
    from django.contrib.auth.decorators import login_required
    from django.http import JsonResponse

    @login_required
    def view(request: Any, market_id: int) -> Any:
        TRACE.append("view")
        return JsonResponse({"market": market_id, "user": request.user.get_username()})

    return view(request, market_id)


urlpatterns = [
    path("api/health", health, name="health"),
    path("api/markets/<int:market_id>/positions", positions, name="market-positions"),
]
