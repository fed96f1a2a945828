"""The Markets API in Flask. Given code: every markets view wears `@login_required` (task 5,
`flask_auth.py`) and reads its user from `g.user`; the services live in
`app.extensions[SERVICES_KEY]`."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from markets_jwt.auth import grant, login, refresh
from markets_jwt.contract import (
    ApiError,
    AuthError,
    LoginIn,
    MarketIn,
    MarketOut,
    RefreshIn,
    api_error_from,
    code_for_status,
    error_body,
    is_json,
    not_found,
    read_json,
    unauthorized,
    unsupported_media_type,
)
from markets_jwt.flask_auth import login_required
from markets_jwt.store import SERVICES_KEY, Market, Services

bp = Blueprint("markets", __name__)
M = TypeVar("M", bound=BaseModel)
Reply = Response | tuple[Any, ...]


def services() -> Services:
    return current_app.extensions[SERVICES_KEY]


@bp.post("/auth/token")
def issue_token() -> Reply:
    """200 and a new access and refresh token for the right username and password (task 4)."""
    body = _parse_body(LoginIn)
    user = login(services().users, body.username, body.password)
    return jsonify(grant(services(), user).model_dump())


@bp.post("/auth/refresh")
def refresh_token() -> Reply:
    """200 and a new access and refresh token for an unused refresh token (task 6)."""
    body = _parse_body(RefreshIn)
    return jsonify(refresh(services(), body.refresh_token).model_dump())


@bp.get("/markets")
@login_required
def list_markets() -> Reply:
    return jsonify([_out(m) for m in services().markets.all()])


@bp.post("/markets")
@login_required
def create_market() -> Reply:
    """201: the market, its creator the user the token names (never a body field)."""
    body = _parse_body(MarketIn)
    return jsonify(_out(services().markets.create(body.name, creator=g.user))), 201


@bp.get("/markets/<int:market_id>")
@login_required
def retrieve_market(market_id: int) -> Reply:
    market = services().markets.get(market_id)
    if market is None:
        raise not_found(f"No market with id {market_id}.")
    return jsonify(_out(market))


def _out(market: Market) -> dict[str, Any]:
    return MarketOut.model_validate(market).model_dump(mode="json")


def _parse_body(model: type[M]) -> M:
    if not is_json(request.content_type):
        raise unsupported_media_type(request.content_type)
    try:
        return model.model_validate(read_json(request.get_data()))
    except ValidationError as exc:
        raise api_error_from(exc.errors()) from None


@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    return jsonify(exc.body), exc.status, exc.headers


@bp.app_errorhandler(AuthError)
def auth_error_response(exc: AuthError) -> Reply:
    return api_error_response(unauthorized(exc))


@bp.app_errorhandler(HTTPException)
def http_error_response(exc: HTTPException) -> Reply:
    """Werkzeug's own errors (404, 405 with its Allow) in the envelope."""
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(error_body(code_for_status(status), exc.description or "")), status, headers


def create_app(services: Services) -> Flask:
    app = Flask(__name__)
    app.extensions[SERVICES_KEY] = services
    app.register_blueprint(bp)
    return app
