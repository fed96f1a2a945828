"""The hostile-input battery itself: a careful app passes it, each classic slip is reported.

Without these, a battery that accepted everything would make every lab look safe.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route
from patterns_workbook.testing.http import as_client

ROUTES = [
    Route("POST", "/things", task=1, body={"name": "Rain", "price": "1.50"}, money=("price",)),
    Route("GET", "/things/{id}", task=1),
    Route("GET", "/things", task=1, query={"limit": "2"}),
]
WHOLE = re.compile(r"[0-9]{1,9}")
STORABLE = re.compile(r"[^\x00\ud800-\udfff]+")  # no NUL, no lone surrogate


def _error(status: int, code: str, details: dict[str, list[str]] | None = None) -> Response:
    body = {"error": {"code": code, "message": code.replace("_", " "), "details": details or {}}}
    return Response(json.dumps(body), status, mimetype="application/json")


def careful_app(**slips: bool) -> Flask:
    """A two-route API that keeps the contract — unless a `slip` is switched on."""
    app = Flask("careful")
    things: dict[int, dict[str, str]] = {1: {"name": "Rain", "price": "1.50"}}

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        reply = _error(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"))
        if exc.code == 405 and not slips.get("allow_missing"):
            reply.headers["Allow"] = ", ".join(exc.valid_methods or [])  # type: ignore[attr-defined]
        return reply

    @app.post("/things")
    def create() -> Response:
        if request.mimetype != "application/json" and not slips.get("any_content_type"):
            return _error(415, "unsupported_media_type")
        try:
            data = json.loads(request.get_data())
        except (ValueError, RecursionError):
            return _error(400, "invalid_json")
        if not isinstance(data, dict):
            return _error(400, "invalid_json")
        errors = {k: ["Unknown field."] for k in data if k not in ("name", "price")}
        if not isinstance(data.get("name"), str) or not STORABLE.fullmatch(data["name"]):
            errors["name"] = ["A string of storable text is required."]
        price = data.get("price")
        if slips.get("float_money") and isinstance(price, float):
            price = str(price)
        try:
            amount = Decimal(price) if isinstance(price, str) else Decimal("NaN")
            if not amount.is_finite() or len(amount.as_tuple().digits) > 14:
                raise InvalidOperation
        except InvalidOperation:
            errors["price"] = ["A decimal string is required."]
        if errors:
            return _error(400, "validation_failed", errors)
        things[len(things) + 1] = {"name": data["name"], "price": price}
        return Response(json.dumps(things[len(things)]), 201, mimetype="application/json")

    @app.get("/things/<raw_id>")
    def retrieve(raw_id: str) -> Response:
        thing_id = int(raw_id) if slips.get("int_of_path") else None
        if thing_id is None and WHOLE.fullmatch(raw_id):
            thing_id = int(raw_id)
        if thing_id not in things:
            return _error(404, "not_found")
        return Response(json.dumps(things[thing_id]), mimetype="application/json")

    @app.get("/things")
    def listing() -> Response:
        raw = request.args.get("limit", "10")
        return Response(json.dumps({"limit": raw[:5]}), mimetype="application/json")

    return app


def survives(app: Flask) -> list[str]:
    client = as_client(app)
    problems = []
    for route in ROUTES:
        try:
            hostile.assert_survives(client, route, ids={"id": 1})
        except pytest.fail.Exception as exc:
            problems.append(str(exc))
    try:
        hostile.assert_methods_refused(client, ROUTES, ids={"id": 1})
    except pytest.fail.Exception as exc:
        problems.append(str(exc))
    return problems


def test_a_careful_app_survives_every_probe() -> None:
    assert survives(careful_app()) == []


@pytest.mark.parametrize(
    ("slip", "reported"),
    [
        ("any_content_type", "a JSON body sent as text/plain → 201"),
        ("float_money", "'price' as a JSON number → 201"),
        ("int_of_path", "{id} = 'abc' → 500"),
        ("allow_missing", "Allow must list every method the path serves"),
    ],
)
def test_each_classic_slip_is_reported(slip: str, reported: str) -> None:
    problems = "\n".join(survives(careful_app(**{slip: True})))
    assert reported in problems, problems


def test_an_error_outside_the_envelope_is_reported() -> None:
    app = careful_app()

    @app.errorhandler(404)
    def html_404(exc: Any) -> tuple[str, int]:
        return "<h1>Not Found</h1>", 404

    app.view_functions["retrieve"] = lambda raw_id: html_404(None)
    problems = "\n".join(survives(app))
    assert "an error is sent as application/json, not text/html" in problems, problems
