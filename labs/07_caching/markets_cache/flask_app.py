"""The two routes in Flask: an app factory, a blueprint and the envelope. Given code.

The repository is `app.extensions[REPOSITORY_KEY]` (a `CachedMarketRepository`; tests swap it).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from markets_cache.api import ApiError, code_for_status, edit, error_body, show
from markets_cache.cache import CachedMarketRepository

REPOSITORY_KEY = "markets_cache.repository"
bp = Blueprint("markets", __name__, url_prefix="/markets")
Reply = Response | tuple[Any, ...]


@bp.get("/<int:market_id>")
def retrieve_market(market_id: int) -> Reply:
    return jsonify(show(current_app.extensions[REPOSITORY_KEY], market_id))


@bp.patch("/<int:market_id>")
def update_market(market_id: int) -> Reply:
    repository = current_app.extensions[REPOSITORY_KEY]
    return jsonify(edit(repository, market_id, request.get_data(), request.content_type))


@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status


@bp.app_errorhandler(HTTPException)
def http_error_response(exc: HTTPException) -> Reply:
    """Errors Werkzeug raises itself (404, 405 with its Allow), in the envelope."""
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(error_body(code_for_status(status), exc.description or "")), status, headers


def create_app(repository: CachedMarketRepository) -> Flask:
    app = Flask(__name__)
    app.extensions[REPOSITORY_KEY] = repository
    app.register_blueprint(bp)
    return app
