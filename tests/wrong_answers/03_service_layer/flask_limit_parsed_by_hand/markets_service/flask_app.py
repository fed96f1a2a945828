"""Flask: an app factory, a blueprint of thin views, the service as an app extension.

`create_app(service=fake)` injects any object with `MarketService`'s methods; without one the
factory builds the real service over SQLAlchemy. Views find it with `market_service()`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, request
from sqlalchemy.orm import sessionmaker

from .domain import DomainError
from .orm import SqlAlchemyMarketRepository, make_engine
from .service import MarketService
from .web import (
    DEFAULT_LIMIT,
    error_body,
    error_status,
    hit_json,
    market_json,
    read_name,
    read_status,
)

EXTENSION = "markets_service"
Reply = tuple[dict[str, Any], int]


def market_service() -> MarketService:
    """The service this app was built with (`app.extensions`), for the current request."""
    return current_app.extensions[EXTENSION]


def create_app(
    config: dict[str, Any] | None = None, *, service: MarketService | None = None
) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DATABASE_URL="sqlite://")
    app.config.update(config or {})
    if service is None:
        engine = make_engine(app.config["DATABASE_URL"])
        service = MarketService(SqlAlchemyMarketRepository(sessionmaker(engine)))
    app.extensions[EXTENSION] = service
    app.register_blueprint(bp)
    return app


# ------------------------------------------------------------------ yours (task 6)

bp = Blueprint("markets", __name__)


@bp.post("/markets")
def create_market() -> Reply:
    """201 with the new market."""
    name = read_name(request.get_json(silent=True))
    return market_json(market_service().create_market(name)), 201


@bp.get("/markets/search")
def search_markets() -> Reply:
    """200 with `{"results": [{"market": …, "score": …}, …]}`, best first."""
    query = request.args.get("q", "")
    limit = int(request.args.get("limit", DEFAULT_LIMIT))
    hits = market_service().search_markets(query, limit)
    return {"results": [hit_json(hit) for hit in hits]}, 200


@bp.get("/markets/<int:market_id>")
def get_market(market_id: int) -> Reply:
    """200 with the market."""
    return market_json(market_service().get_market(market_id)), 200


@bp.post("/markets/<int:market_id>/transitions")
def transition_market(market_id: int) -> Reply:
    """200 with the market in its new status."""
    target = read_status(request.get_json(silent=True))
    return market_json(market_service().transition(market_id, target)), 200


@bp.errorhandler(DomainError)
def domain_error_response(error: DomainError) -> Reply:
    """Any DomainError a view lets through: its HTTP status and the JSON error envelope."""
    return error_body(error), error_status(error)
