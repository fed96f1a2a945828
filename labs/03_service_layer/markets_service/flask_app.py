"""Flask: an app factory, a blueprint of thin views, the service as an app extension.

`create_app(service=fake)` injects any object with `MarketService`'s methods; without one the
factory builds the real service over SQLAlchemy. Views find it with `market_service()`.
The factory also answers Flask's own errors (404, 405, 415, a body that is not JSON) in the
envelope; the views and the DomainError handler are yours (task 6).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Blueprint, Flask, Request, current_app
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.orm import sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from .domain import DomainError
from .orm import SqlAlchemyMarketRepository, make_engine
from .service import MarketService

EXTENSION = "markets_service"
Reply = tuple[dict[str, Any], int]


def market_service() -> MarketService:
    """The service this app was built with (`app.extensions`), for the current request."""
    return current_app.extensions[EXTENSION]


class MarketIdConverter(BaseConverter):
    """`<id:market_id>`: 1 to 19 ASCII digits. Werkzeug's `int` takes `\\d`, so "٧" is 7."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return int(value)


class JSONProvider(DefaultJSONProvider):
    """`json.loads` raises RecursionError for 10,000 nested arrays: a 400, not a 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None


class JSONRequest(Request):
    """`get_json()` reads `application/json` only; Werkzeug also takes `application/*+json`.

    Anything else makes `get_json()` raise 415 (a vendor type promises a format of its own).
    """

    @property
    def is_json(self) -> bool:
        return self.mimetype == "application/json"


def http_error_response(error: HTTPException) -> Any:
    """Flask's own errors (404, 405 with its Allow, 415, 400) in the envelope."""
    status: int = error.code  # type: ignore[assignment]  # every HTTPException here has one
    code = HTTPStatus(status).phrase.lower().replace(" ", "_")
    body = {"error": {"code": code, "message": str(error.description), "details": {}}}
    allow = error.get_response().headers.get("Allow")
    return body, status, {"Allow": allow} if allow else {}


def server_error_response(error: Exception) -> Reply:
    """A bug: 500 in the envelope, and nothing about it (the traceback goes to the log)."""
    body = {"error": {"code": "internal_error", "message": "Internal server error", "details": {}}}
    return body, 500


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
    app.json = JSONProvider(app)
    app.request_class = JSONRequest
    app.url_map.converters["id"] = MarketIdConverter
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(500, server_error_response)
    app.register_blueprint(bp)
    return app


# ------------------------------------------------------------------ yours (task 6)

bp = Blueprint("markets", __name__)


@bp.post("/markets")
def create_market() -> Reply:
    """201 with the new market."""
    raise NotImplementedError(
        "TODO(task 6): call service.create_market; answer 201 with market_json — see README task 6"
    )


@bp.get("/markets/search")
def search_markets() -> Reply:
    """200 with `{"results": [{"market": …, "score": …}, …]}`, best first."""
    raise NotImplementedError(
        "TODO(task 6): call service.search_markets; 200, hits in its order — see README task 6"
    )


@bp.get("/markets/<id:market_id>")
def get_market(market_id: int) -> Reply:
    """200 with the market."""
    raise NotImplementedError(
        "TODO(task 6): call service.get_market; answer 200 with market_json — see README task 6"
    )


@bp.post("/markets/<id:market_id>/transitions")
def transition_market(market_id: int) -> Reply:
    """200 with the market in its new status."""
    raise NotImplementedError(
        "TODO(task 6): call service.transition; answer 200 with market_json — see README task 6"
    )


@bp.errorhandler(DomainError)
def domain_error_response(error: DomainError) -> Reply:
    """Any DomainError a view lets through: its HTTP status and the JSON error envelope."""
    raise NotImplementedError(
        "TODO(task 6): answer a DomainError with error_status and error_body — see README task 6"
    )
