"""Notebook 10: a one-view DRF project, to mount a view defined in a cell.

`configure()` sets Django up once per kernel; `client_for(view_class)` serves that view at
/positions and returns a test client.
"""

from __future__ import annotations

from typing import Any

from django.urls import path

VIEW: list[Any] = []


def configure() -> None:
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="notebook-only-not-a-secret-" + "x" * 32,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["rest_framework"],
        DATABASES={},
        MIDDLEWARE=[],
        USE_TZ=True,
        REST_FRAMEWORK={
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "UNAUTHENTICATED_USER": None,
        },
    )
    import django

    django.setup()


def _dispatch(request: Any) -> Any:
    return VIEW[0](request)


urlpatterns = [path("positions", _dispatch)]


def client_for(view_class: Any) -> Any:
    from django.test import Client

    VIEW[:] = [view_class.as_view()]
    return Client(raise_request_exception=False)
