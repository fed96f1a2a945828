"""POST /orders on Flask: an app factory and a blueprint over the SQLAlchemy service. Given.

Every error leaves in the envelope (`http_api`): Werkzeug's own 404/405 (with `Allow`) and a
crash's 500 through the app-wide `HTTPException` handler below.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException, InternalServerError

from markets_orders import http_api as http
from markets_orders.orders import OrderError
from markets_orders.sqlalchemy_orm import services
from markets_orders.sqlalchemy_orm.models import Market, User

orders = Blueprint("orders", __name__)


def create_app(sessions: sessionmaker[Session]) -> Flask:
    app = Flask(__name__)
    app.extensions["sessions"] = sessions
    app.register_blueprint(orders)
    return app


@orders.post("/orders")
def create_order() -> tuple[dict[str, Any], int]:
    if request.mimetype != "application/json":
        return http.for_status(415, "send the body as application/json"), 415
    try:
        body = json.loads(request.get_data())
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deeply
        return http.invalid_json(), 400
    order, problems = http.parse_order(body)
    key = http.valid_key(request.headers.get(http.IDEMPOTENCY_KEY))
    if key is None:
        problems[http.IDEMPOTENCY_KEY] = [http.KEY_PROBLEM]
    if order is None or key is None:
        return http.invalid(problems), 400
    sessions: sessionmaker[Session] = current_app.extensions["sessions"]
    with sessions() as session:
        user = session.get(User, order.user_id)
        market = session.get(Market, order.market_id)
        if user is None or market is None:
            return http.NOT_FOUND, 404
        session.commit()  # end the read transaction: the service opens its own
        try:
            placed = services.place_order_once(
                session,
                key=key,
                user=user,
                market=market,
                amount=order.amount,
                side=order.side,
            )
        except OrderError as exc:
            status, body = http.refusal(exc)
            return body, status
    return http.order_json(placed), 201


# Registered on the app (app_errorhandler), not the blueprint: a 404 for an unknown URL and a
# 405 are raised before any blueprint view runs. An unhandled exception arrives here as an
# InternalServerError (500) that reveals nothing.
@orders.app_errorhandler(HTTPException)
def framework_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    body = http.SERVER_ERROR if isinstance(exc, InternalServerError) else http.for_status(code)
    response = jsonify(body)
    response.status_code = code
    if allow := exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = allow
    return response
