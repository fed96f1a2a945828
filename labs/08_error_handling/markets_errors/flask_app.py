"""Flask: the markets API, its request-id hooks and its error handlers.

Given: the hooks that carry the request id, the views, and `create_app`, which registers
every handler and hook in one place. Yours (the section marked so): what each handler
answers, and when the request's session commits (tasks 3-6).

Flask logs an exception that no handler takes (`Exception on /path [GET]`, with its
traceback, on `app.logger`) and then calls the handler registered for
`InternalServerError` with it: so that handler answers, and Flask has already logged.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Request, Response, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import BaseConverter

from markets_errors import access, db
from markets_errors.errors import ApiError
from markets_errors.request_id import HEADER, RequestIdFilter, accept_or_mint, current
from markets_errors.schemas import MAX_BODY_BYTES, MarketIn, MarketOut, api_error_from

SESSIONS = "markets_errors.sessions"

# ------------------------------------------------------------------ request id (given)


def bind_request_id() -> None:
    """before_request: the id on `g.request_id` and in `current` until the request ends."""
    g.request_id = accept_or_mint(request.headers.get(HEADER))
    g.request_id_token = current.set(g.request_id)


def send_request_id(response: Response) -> Response:
    """after_request: every response, error pages included, carries the id."""
    response.headers[HEADER] = g.request_id
    return response


def unbind_request_id(exc: BaseException | None) -> None:
    """teardown_request: the context variable back as it was."""
    if (token := g.pop("request_id_token", None)) is not None:
        current.reset(token)


# ------------------------------------------------------------------ parsing (given)


class MarketIdConverter(BaseConverter):
    """`<id:market_id>`: 1 to 19 ASCII digits. Werkzeug's `int` takes `\\d`, so "٧" is 7."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return int(value)


class JSONProvider(DefaultJSONProvider):
    """`json.loads` raises RecursionError for 10,000 nested arrays: a 400, not a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


class JSONRequest(Request):
    """`get_json()` reads `application/json` only (Werkzeug also takes `application/*+json`):
    anything else is Werkzeug's UnsupportedMediaType (415), broken JSON its BadRequest."""

    @property
    def is_json(self) -> bool:
        return self.mimetype == "application/json"


def open_session() -> None:
    """before_request: one session for the request."""
    g.session = current_app.extensions[SESSIONS]()


def close_session(exc: BaseException | None) -> None:
    """teardown_request: the session closed, whatever happened."""
    if (open_ := g.pop("session", None)) is not None:
        open_.close()


def session() -> Session:
    """The request's session (opened by `open_session`)."""
    return g.session


# ------------------------------------------------------------------ yours (tasks 3-6)


def error_response(error: ApiError) -> Response:
    """`error` rendered for this request: its request id, its path, its Accept (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): render the error for this request as a Response — see README task 4"
    )


def api_error_response(error: ApiError) -> Response:
    """Any ApiError a view raised (task 4)."""
    raise NotImplementedError("TODO(task 4): answer an ApiError — see README task 4")


def http_error_response(error: HTTPException) -> Response:
    """Werkzeug's own errors — 404 no route, 405 with its Allow, 400, 415 (task 5)."""
    raise NotImplementedError(
        "TODO(task 5): answer Werkzeug's own HTTPException, keeping its Allow — see README task 5"
    )


def server_error_response(error: InternalServerError) -> Response:
    """A bug, logged by Flask with its traceback: answered with nothing about it (task 6)."""
    raise NotImplementedError(
        "TODO(task 6): answer the generic 500 (Flask has logged the bug) — see README task 6"
    )


def finish_session(response: Response) -> Response:
    """after_request: commit a success; roll back any error response, handled ones included
    (a view that wrote a row and then raised Conflict is answered 409 by a handler) (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): commit a success, roll back any error response — see README task 3"
    )


# ------------------------------------------------------------------ the views (given)

bp = Blueprint("markets", __name__)


@bp.get("/markets/<id:market_id>")
def get_market(market_id: int) -> Any:
    return MarketOut(**db.get_market(session(), market_id)).model_dump()


@bp.post("/markets")
def create_market() -> Any:
    access.throttle(access.require_editor(request.headers.get("Authorization")))
    try:
        body = MarketIn.model_validate(request.get_json())
    except ValidationError as exc:
        raise api_error_from(exc.errors()) from None
    market = db.create_market(session(), name=body.name, slug=body.slug, tag=body.tag)
    return MarketOut(**market).model_dump(), 201


def create_app(sessions: sessionmaker[Session] | None = None) -> Flask:
    """The app over `sessions` (default: a fresh in-memory SQLite database)."""
    app = Flask(__name__)
    app.extensions[SESSIONS] = sessions or sessionmaker(db.make_engine())
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # a larger body: Werkzeug's 413
    # No redirects: "/markets//1" would be a 308 with an HTML body (Werkzeug merges slashes);
    # a URL no route names is a 404, as in Django and FastAPI.
    app.url_map.merge_slashes = False
    app.json = JSONProvider(app)
    app.request_class = JSONRequest
    app.url_map.converters["id"] = MarketIdConverter
    app.logger.addFilter(RequestIdFilter())  # Flask's "Exception on …" line gets the id too
    # before_request hooks run in registration order, after_request and teardown_request
    # hooks in reverse: the id is bound before the session opens and until it is closed.
    app.before_request(bind_request_id)
    app.before_request(open_session)
    app.after_request(send_request_id)
    app.after_request(finish_session)
    app.teardown_request(unbind_request_id)
    app.teardown_request(close_session)
    # On the app, not the blueprint: the router's 404 and 405 happen before any blueprint.
    app.register_error_handler(ApiError, api_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    # Without it, the HTTPException handler would answer the same generic 500.
    app.register_error_handler(InternalServerError, server_error_response)  # pragma: no mutate
    app.register_blueprint(bp)
    return app
