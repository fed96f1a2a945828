"""The price endpoint in Flask: an app factory, a blueprint and the envelope. Given code.

The view reads the pricing client (a `RetryingClient`) from `app.extensions[PRICING_KEY]`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException

from markets_retry.api import ApiError, code_for_status, error_body, parse_market_id
from markets_retry.http_client import RetryingClient
from markets_retry.pricing import fetch_price

PRICING_KEY = "markets_pricing"
bp = Blueprint("prices", __name__, url_prefix="/markets")
Reply = Response | tuple[Any, ...]


@bp.get("/<market_id>/price")
def market_price(market_id: str) -> Reply:
    pricing = current_app.extensions[PRICING_KEY]
    return jsonify(fetch_price(pricing, parse_market_id(market_id)))


@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    return jsonify(error_body(exc.code, exc.message)), exc.status, exc.headers


@bp.app_errorhandler(HTTPException)
def http_error_response(exc: HTTPException) -> Reply:
    """Errors Werkzeug raises itself (404, 405 with its Allow), in the envelope."""
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(error_body(code_for_status(status), exc.description or "")), status, headers


@bp.app_errorhandler(Exception)
def server_error_response(exc: Exception) -> Reply:
    return jsonify(error_body("internal_error", "Something went wrong on our side.")), 500


def create_app(pricing: RetryingClient) -> Flask:
    app = Flask(__name__)
    app.extensions[PRICING_KEY] = pricing
    app.register_blueprint(bp)
    return app
