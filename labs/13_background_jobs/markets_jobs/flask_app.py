"""POST /markets and GET /markets/{id} on Flask: an app factory and a blueprint. Given.

`create_app(sessions, queue)`; the views read both from `app.extensions`, so a test may swap
them. Every error leaves in the envelope (`http_api`): Werkzeug's own 404/405 (with `Allow`)
and a crash's 500 through the app-wide `HTTPException` handler below.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException, InternalServerError

from markets_jobs import http_api as http
from markets_jobs.domain import SlugTaken
from markets_jobs.sqlalchemy_orm import services, store

markets = Blueprint("markets", __name__)
SESSIONS = "markets_jobs.sessions"
QUEUE = "markets_jobs.queue"


def create_app(sessions: sessionmaker[Session], queue: Queue) -> Flask:
    app = Flask(__name__)
    app.extensions[SESSIONS] = sessions
    app.extensions[QUEUE] = queue
    app.register_blueprint(markets)
    return app


@markets.post("/markets")
def create_market() -> Any:
    if request.mimetype != "application/json":
        return http.for_status(415, "send the body as application/json"), 415
    try:
        body = json.loads(request.get_data())
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deeply
        return http.invalid_json(), 400
    data, problems = http.parse_market(body)
    if data is None:
        return http.invalid(problems), 400
    try:
        created = services.create_market(
            current_app.extensions[SESSIONS], data, current_app.extensions[QUEUE]
        )
    except SlugTaken as exc:
        return http.slug_taken(exc.slug), 409
    return http.market_json(created), 201, {"Location": http.location(created.id)}


@markets.get("/markets/<market_id>")
def market_detail(market_id: str) -> Any:
    pk = http.parse_id(market_id)
    market = None if pk is None else store.get_market(current_app.extensions[SESSIONS], pk)
    if market is None:
        return http.NOT_FOUND, 404
    return http.market_json(market)


# Registered on the app (app_errorhandler), not the blueprint: a 404 for an unknown URL and a
# 405 are raised before any blueprint view runs. An unhandled exception arrives here as an
# InternalServerError (500) that reveals nothing.
@markets.app_errorhandler(HTTPException)
def framework_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    body = http.SERVER_ERROR if isinstance(exc, InternalServerError) else http.for_status(code)
    response = jsonify(body)
    response.status_code = code
    if allow := exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = allow
    return response
