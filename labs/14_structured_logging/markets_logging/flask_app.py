"""The Markets API in Flask: an app factory, a blueprint, request-id hooks, the envelope. Given.

Hooks, in the order Flask runs them: the request-id `before_request` (registered first),
then yours (`flask_access.install`, task 4); `after_request` hooks run in reverse, so yours
sees the response before the request-id hook adds its header.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from markets_logging import flask_access
from markets_logging.envelope import code_for_status, error_body, not_found, server_error
from markets_logging.requestid import HEADER, accept_or_mint
from markets_logging.service import MarketNotFound, MarketService

log = logging.getLogger("markets.api")
bp = Blueprint("markets", __name__)
SERVICE_KEY = "markets_logging.service"

Reply = Response | tuple[Any, ...]


def market_service() -> MarketService:
    return current_app.extensions[SERVICE_KEY]


@bp.get("/markets/summary")
def market_summary() -> Reply:
    return jsonify(market_service().summary())


@bp.get("/markets/<int:market_id>")
def retrieve_market(market_id: int) -> Reply:
    # Someone's debugging aid, left in: every header, verbatim. Redaction (task 1) is what
    # keeps the Authorization and Cookie values out of the log.
    log.info("request headers", extra={"headers": dict(request.headers)})
    market = market_service().get(market_id)
    return jsonify({"id": market.id, "name": market.name, "volume": str(market.volume)})


def start_request_id() -> None:
    g.request_id = accept_or_mint(request.headers.get(HEADER))


def send_request_id(response: Response) -> Response:
    response.headers[HEADER] = g.request_id
    return response


@bp.app_errorhandler(MarketNotFound)
def market_not_found(exc: MarketNotFound) -> Reply:
    return jsonify(not_found(exc.market_id, g.request_id)), 404


@bp.app_errorhandler(InternalServerError)
def unexpected_error(exc: InternalServerError) -> Reply:
    """Flask has already logged the exception (`app.logger`, with its traceback)."""
    return jsonify(server_error(g.request_id)), 500


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Reply:
    """Werkzeug's own errors (404 no route, 405 wrong method) in the envelope, headers kept."""
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    body = error_body(code_for_status(status), exc.description or "", g.request_id)
    return jsonify(body), status, headers


def create_app(service: MarketService) -> Flask:
    """The app; views read the service from `app.extensions` (tests swap it)."""
    app = Flask(__name__)
    app.extensions[SERVICE_KEY] = service
    app.before_request(start_request_id)
    app.after_request(send_request_id)
    flask_access.install(app)
    app.register_blueprint(bp)
    return app
