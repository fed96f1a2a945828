"""The markets API in Flask, behind the request hooks you write. Given code.

Views read what the middleware stored on `g`: `g.request_id` (task 2) and, on a protected
route, `g.principal` (task 4). A route's endpoint is `api.<route name>` (the blueprint's
name, a dot, the name in `contract.PUBLIC_ROUTES`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask.views import MethodView
from werkzeug.exceptions import HTTPException, InternalServerError

from markets_middleware import auth
from markets_middleware.contract import (
    ApiError,
    error_body,
    framework_error,
    internal_error,
    invalid_credentials,
    not_found,
    read_login,
)
from markets_middleware.markets import MarketBook, as_json

bp = Blueprint("api", __name__, url_prefix="/api")
BOOK_KEY = "markets_middleware.book"
Reply = Response | tuple[Any, ...]


def book() -> MarketBook:
    return current_app.extensions[BOOK_KEY]


@bp.get("/health", endpoint="health")
def health() -> Reply:
    return jsonify(status="ok", request_id=g.request_id)


@bp.post("/auth/login", endpoint="login")
def login() -> Reply:
    body = read_login(request.get_data(), request.content_type)
    token = auth.login(body.username, body.password)
    if token is None:
        raise invalid_credentials()
    return jsonify(token=token, token_type="Bearer")


@bp.get("/auth/me", endpoint="me")
def me() -> Reply:
    return jsonify(username=g.principal, request_id=g.request_id)


@bp.get("/markets", endpoint="market-list")
def market_list() -> Reply:
    return jsonify(results=[as_json(m) for m in book().all()])


class MarketDetail(MethodView):
    def get(self, market_id: int) -> Reply:
        market = book().get(market_id)
        if market is None:
            raise not_found(f"market with id {market_id}")
        return jsonify(as_json(market))

    def delete(self, market_id: int) -> Reply:
        if not book().delete(market_id):
            raise not_found(f"market with id {market_id}")
        return "", 204


bp.add_url_rule("/markets/<int:market_id>", view_func=MarketDetail.as_view("market-detail"))


@bp.get("/markets/<int:market_id>/positions", endpoint="market-positions")
def market_positions(market_id: int) -> Reply:
    if book().get(market_id) is None:
        raise not_found(f"market with id {market_id}")
    return jsonify(results=book().positions_of(market_id, g.principal))


def error_response(error: ApiError) -> Response:
    """`error` in the envelope, with the id the request-id middleware stored (task 2)."""
    response = jsonify(error_body(error, g.get("request_id")))
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


# On the app, not the blueprint: a 404 or 405 is raised before any blueprint is chosen.
@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    return error_response(exc)


@bp.app_errorhandler(HTTPException)
def http_error_response(exc: HTTPException) -> Reply:
    """Werkzeug's own errors (404 no route, 405 wrong method) in the envelope, with `Allow`."""
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_response(framework_error(exc.code or 500, exc.description or "", headers))


@bp.app_errorhandler(InternalServerError)
def internal_error_response(exc: InternalServerError) -> Reply:
    """Any exception no handler took, which Flask has logged with its traceback: the 500
    that reveals nothing. The `after_request` hooks still run on it (request id, timing)."""
    return error_response(internal_error())


def create_app(book: MarketBook, install: Callable[[Flask], None]) -> Flask:
    """The app; `install` registers the middleware (yours: `flask_middleware.install`)."""
    app = Flask(__name__)
    app.extensions[BOOK_KEY] = book
    app.register_blueprint(bp)
    install(app)
    return app
