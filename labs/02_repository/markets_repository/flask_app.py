"""Flask wiring: views ask `get_repository()`, never for a session or a model."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy.orm import Session, sessionmaker

from markets_repository.http_json import market_json, not_found_json
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
    """`after_request`: persist the request's work, unless the response reports an error."""
    raise NotImplementedError(
        "TODO(task 6): commit the request's session when the response is a success — see "
        "README task 6"
    )


def close_session(error: BaseException | None) -> None:
    """`teardown_appcontext`: always close; closing rolls back whatever was not committed."""
    raise NotImplementedError(
        "TODO(task 6): close the request's session, if one was opened — see README task 6"
    )


@markets.get("/markets/<int:market_id>")
def read_market(market_id: int) -> tuple[Response, int]:
    market = get_repository().get(market_id)
    if market is None:
        return jsonify(not_found_json(market_id)), 404
    return jsonify(market_json(market)), 200


@markets.delete("/markets/<int:market_id>")
def delete_market(market_id: int) -> tuple[str, int]:
    get_repository().delete(market_id)
    return "", 204


def create_app(session_factory: sessionmaker[Session]) -> Flask:
    app = Flask(__name__)
    app.extensions[SESSION_FACTORY] = session_factory
    app.register_blueprint(markets)
    app.after_request(commit_session)
    app.teardown_appcontext(close_session)
    return app
