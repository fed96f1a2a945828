"""The Markets API in Flask: an app factory, a blueprint and the envelope. Given code.

The rate limit is two hooks (`flask_hooks`, task 4): `before_request` runs before every
view — and before the 404/405 of an unknown route — and `after_request` on every response.
They read the `RateLimitConfig` from `app.extensions[CONFIG_KEY]` (tests swap it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from markets_ratelimit import flask_hooks
from markets_ratelimit.api import (
    MARKETS,
    ApiError,
    code_for_status,
    error_body,
    get_market,
    parse_position,
    position_json,
)
from markets_ratelimit.config import RateLimitConfig

bp = Blueprint("markets", __name__, url_prefix="/markets")
Reply = Response | tuple[Any, ...]


@bp.get("")
def list_markets() -> Reply:
    return jsonify({"results": list(MARKETS.values())})


@bp.get("/<int:market_id>")
def retrieve_market(market_id: int) -> Reply:
    return jsonify(get_market(market_id))


@bp.post("/<int:market_id>/positions")
def create_position(market_id: int) -> Reply:
    get_market(market_id)
    position = parse_position(request.get_data(), request.content_type)
    return jsonify(position_json(market_id, position)), 201


@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status


@bp.app_errorhandler(HTTPException)
def http_error_response(exc: HTTPException) -> Reply:
    """Errors Werkzeug raises itself (404, 405 with its Allow), in the envelope."""
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(error_body(code_for_status(status), exc.description or "")), status, headers


def create_app(config: RateLimitConfig) -> Flask:
    app = Flask(__name__)
    app.extensions[flask_hooks.CONFIG_KEY] = config
    app.before_request(flask_hooks.before_request)
    app.after_request(flask_hooks.after_request)
    app.register_blueprint(bp)
    return app
