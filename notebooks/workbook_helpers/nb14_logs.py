"""Notebook 14: read captured JSON lines, and a minimal Django project for the middleware demo."""

from __future__ import annotations

import io
import json
import os
import sys
import types
from collections.abc import Callable, Iterable
from typing import Any

Line = dict[str, Any]
VARYING = ("timestamp", "duration_ms")  # differ on every run: shown as … by `show`


def lines_of(stream: io.StringIO) -> list[Line]:
    """Every line written to `stream` since the last call, parsed; the stream is emptied."""
    text = stream.getvalue()
    stream.seek(0)
    stream.truncate()
    return [json.loads(raw) for raw in text.splitlines() if raw.strip()]


FIRST = ("timestamp", "level", "logger", "event")


def show(lines: Iterable[Line], keys: tuple[str, ...] | None = None) -> None:
    """One line per record: the chosen keys (default: all, the usual four first, then the rest
    sorted — structlog merges bound fields in no fixed order), varying values as `…`."""
    for line in lines:
        order = keys or (*[k for k in FIRST if k in line], *sorted(set(line) - set(FIRST)))
        picked = {k: line.get(k) for k in order}
        shown = {k: ("…" if k in VARYING and v is not None else v) for k, v in picked.items()}
        print(json.dumps(shown))


def django_client(middleware: list[type], views: dict[str, Callable[..., Any]]) -> Any:
    """A Django test client over `views` (route → view) behind `middleware` classes.

    Settings are configured once per kernel; the middleware and URLconf live in an
    in-memory module, so no file is read.
    """
    from django.conf import settings

    module = sys.modules.get("nb14_project") or types.ModuleType("nb14_project")
    sys.modules["nb14_project"] = module
    for cls in middleware:
        setattr(module, cls.__name__, cls)
    from django.urls import path

    module.urlpatterns = [path(route, view) for route, view in views.items()]
    if not settings.configured:
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        settings.configure(
            DEBUG=False,
            SECRET_KEY="notebook-only-" + "x" * 40,
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF="nb14_project",
            MIDDLEWARE=[f"nb14_project.{cls.__name__}" for cls in middleware],
            USE_TZ=True,
            DATABASES={},
            LOGGING_CONFIG=None,  # the notebook configures logging itself
        )
        import django

        django.setup()
    from django.test import Client

    return Client(raise_request_exception=False)
