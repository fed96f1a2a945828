"""Flask wiring: views ask `get_repository()`, never for a session or a model."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy.orm import Session, sessionmaker

from markets_repository.flask_errors import install_error_handlers
from markets_repository.http_json import ApiError, market_json, not_found_json
from markets_repository.repository import MarketRepository

SESSION_FACTORY = "markets_session_factory"  # key in app.extensions
markets = Blueprint("markets", __name__)


def get_repository() -> MarketRepository:
    """This request's repository, over one session opened on first use and kept on `g`."""
    raise NotImplementedError(
        "TODO(task 6): open a session from current_app.extensions[SESSION_FACTORY] once per "
        "request, keep it on g, wrap it in SqlAlchemyMarketRepository — see README task 6"
    )


def commit_session(response: Response) -> Response:
    """`after_request`: persist the request's work only when the response is a success (< 400)."""
    raise NotImplementedError(
        "TODO(task 6): commit the request's session when the status is below 400 — see "
        "README task 6"
    )


def close_session(error: BaseException | None) -> None:
    """`teardown_appcontext`: always close; closing rolls back whatever was not committed."""
    raise NotImplementedError(
        "TODO(task 6): close the request's session, if one was opened — see README task 6"
    )


@markets.get("/markets/<market_id:market_id>")
def read_market(market_id: int) -> Response:
    market = get_repository().get(market_id)
    if market is None:
        raise ApiError(404, not_found_json(market_id))
    return jsonify(market_json(market))


@markets.delete("/markets/<market_id:market_id>")
def delete_market(market_id: int) -> tuple[str, int]:
    get_repository().delete(market_id)
    return "", 204


def create_app(session_factory: sessionmaker[Session]) -> Flask:
    app = Flask(__name__)
    app.extensions[SESSION_FACTORY] = session_factory
    install_error_handlers(app)  # before the blueprint: its rules use the market_id converter
    app.register_blueprint(markets)
    app.after_request(commit_session)
    app.teardown_appcontext(close_session)
    return app
