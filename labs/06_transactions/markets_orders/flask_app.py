"""POST /orders on Flask: an app factory and a blueprint over the SQLAlchemy service. Given."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Flask, current_app, request
from sqlalchemy.orm import Session, sessionmaker

from markets_orders import http_api as http
from markets_orders.orders import SIDES, OrderError
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
    key = http.valid_key(request.headers.get(http.IDEMPOTENCY_KEY))
    if key is None:
        return http.MISSING_KEY, 400
    order, problems = _parse(request.get_json(silent=True))
    if problems:
        return http.error_body("validation_error", "the order is invalid", problems), 422
    sessions: sessionmaker[Session] = current_app.extensions["sessions"]
    with sessions() as session:
        user = session.get(User, order["user_id"])
        market = session.get(Market, order["market_id"])
        if user is None or market is None:
            return http.NOT_FOUND, 404
        session.commit()  # end the read transaction: the service opens its own
        try:
            placed = services.place_order_once(
                session,
                key=key,
                user=user,
                market=market,
                amount=order["amount"],
                side=order["side"],
            )
        except OrderError as exc:
            status, body = http.refusal(exc)
            return body, status
    return http.order_json(placed), 201


def _parse(body: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The order's fields, converted, and a message per invalid field."""
    if not isinstance(body, dict):
        return {}, {"body": "send a JSON object"}
    order: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in ("user_id", "market_id"):
        value = body.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            order[field] = value
        else:
            problems[field] = "a positive integer is required"
    if body.get("side") in SIDES:
        order["side"] = body["side"]
    else:
        problems["side"] = f"one of {', '.join(SIDES)}"
    try:
        amount = Decimal(str(body.get("amount")))
        valid = amount.is_finite() and amount > 0 and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        valid = False
    if valid:
        order["amount"] = amount
    else:
        problems["amount"] = "a positive amount with at most 2 decimal places"
    return order, problems
