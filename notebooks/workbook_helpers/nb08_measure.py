"""Notebook 08, "Measured": five mistakes sent to each framework, without and with handlers.

The "default" apps serve the same route the idiomatic way with no error handler of their
own (Flask's `abort(404)`, FastAPI's `HTTPException(404)`, DRF's `NotFound`); the "pattern"
apps are the notebook's. Every cell of the table is what a request got back.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from patterns_workbook.testing.http import Reply, as_client
from workbook_helpers.nb08_setup import AsgiClient, errors_logged, read_market

MISTAKES = [
    ("GET", "/nowhere", "a URL no route has"),
    ("DELETE", "/markets/1", "a method the path does not serve"),
    ("GET", "/markets/abc", "an id that is not a number"),
    ("GET", "/markets/7", "a market that does not exist"),
    ("GET", "/markets/13", "a bug (the database fails)"),
]


def _flask_default() -> Any:
    from flask import Flask, abort

    app = Flask("flask_default")

    @app.get("/markets/<int:market_id>")
    def market(market_id: int) -> Any:
        return read_market(market_id) or abort(404)

    return app


def _fastapi_default() -> Any:
    from fastapi import FastAPI, HTTPException

    app = FastAPI()

    @app.get("/markets/{market_id}")
    def market(market_id: int) -> Any:
        if (found := read_market(market_id)) is None:
            raise HTTPException(404, "Not Found")
        return found

    return app


def _django_default_urls() -> str:
    from django.http import JsonResponse
    from django.urls import path
    from rest_framework import exceptions
    from rest_framework.decorators import api_view

    @api_view(["GET"])
    def market(request: Any, market_id: int) -> Any:
        if (found := read_market(market_id)) is None:
            raise exceptions.NotFound()
        return JsonResponse(found)

    module = types.ModuleType("nb08_default_urls")
    module.urlpatterns = [path("markets/<int:market_id>", market)]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module.__name__


def kind(reply: Reply) -> str:
    """What the body is: the envelope, {"detail"}, an HTML page, other JSON, or text."""
    media = (reply.header("content-type") or "").split(";")[0]
    if media == "text/html":
        return "HTML"
    try:
        body = reply.json()
    except ValueError:
        return "text" if reply.body else "empty"
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and "code" in body["error"]:
        return "envelope"
    if isinstance(body, dict) and "detail" in body:
        return "{detail}"
    return "JSON"


def _run(client: Any) -> tuple[list[str], str, int]:
    cells, allow = [], "-"
    with errors_logged() as records:
        for method, path, _ in MISTAKES:
            reply = client.request(method, path)
            cells.append(f"{reply.status} {kind(reply)}")
            if reply.status == 405:
                sent = reply.header("allow")  # sorted: frameworks list it in set order
                allow = ",".join(sorted(m.strip() for m in sent.split(","))) if sent else "missing"
    return cells, allow, len(records)


def measure_table(*, flask_app: Any, fastapi_app: Any, django_handler: str) -> str:
    from django.conf import settings
    from django.test import override_settings

    columns: dict[str, tuple[list[str], str, int]] = {}
    default_drf = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
    }
    with override_settings(ROOT_URLCONF=_django_default_urls(), REST_FRAMEWORK=default_drf):
        columns["Django default"] = _run(as_client("django"))
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": django_handler}
    ):
        columns["Django pattern"] = _run(as_client("django"))
    columns["FastAPI default"] = _run(AsgiClient(_fastapi_default()))
    columns["FastAPI pattern"] = _run(AsgiClient(fastapi_app))
    columns["Flask default"] = _run(as_client(_flask_default()))
    columns["Flask pattern"] = _run(as_client(flask_app))
    names = list(columns)
    rows = [("", names)]
    rows += [(what, [columns[n][0][i] for n in names]) for i, (_, _, what) in enumerate(MISTAKES)]
    rows.append(("Allow on the 405", [columns[n][1] for n in names]))
    rows.append(("ERROR records (5 requests)", [str(columns[n][2]) for n in names]))
    return "\n".join(
        f"{what:<33}" + "".join(f"{cell:>18}" for cell in cells) for what, cells in rows
    )
