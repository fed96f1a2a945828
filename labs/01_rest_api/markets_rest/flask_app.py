"""The Markets API in Flask: an app factory, a blueprint, Pydantic models and the envelope."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app
from werkzeug.exceptions import HTTPException

from markets_rest.contract import ApiError
from markets_rest.store import MarketStore, StoreError

bp = Blueprint("markets", __name__, url_prefix="/markets")
STORE_KEY = "markets_rest.store"

# A view may return a Response, or a (body, status) / (body, status, headers) tuple.
Reply = Response | tuple[Any, ...]


def market_store() -> MarketStore:
    return current_app.extensions[STORE_KEY]


@bp.get("")
def list_markets() -> Reply:
    """200: one page of markets, filtered, ordered and paginated (task 1)."""
    raise NotImplementedError(
        "TODO(task 1): list markets with listing.parse_list_query and page_links "
        "— see README task 1"
    )


@bp.get("/<int:market_id>")
def retrieve_market(market_id: int) -> Reply:
    """200 and the market, or 404 in the envelope (task 2)."""
    raise NotImplementedError("TODO(task 2): retrieve one market — see README task 2")


@bp.post("")
def create_market() -> Reply:
    """201 with a Location header and the new market (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): validate the body with schemas.MarketWrite, create, answer 201 + "
        "Location — see README task 3"
    )


@bp.put("/<int:market_id>")
def replace_market(market_id: int) -> Reply:
    """Replace every writable field; omitted optional fields take their defaults (task 4)."""
    raise NotImplementedError("TODO(task 4): replace the market (PUT) — see README task 4")


@bp.patch("/<int:market_id>")
def update_market(market_id: int) -> Reply:
    """Change only the fields sent (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): update only the fields sent (PATCH) — see README task 4"
    )


@bp.delete("/<int:market_id>")
def delete_market(market_id: int) -> Reply:
    """204 with no body (task 5)."""
    raise NotImplementedError("TODO(task 5): delete the market, answer 204 — see README task 5")


# Registered on the app (app_errorhandler), not the blueprint: a 404 for an unknown URL and
# a 405 are raised by the router before any blueprint is chosen.
@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    """An `ApiError` in the envelope, e.g. the 400 for a bad query (task 1)."""
    raise NotImplementedError(
        "TODO(task 1): render ApiError with contract.error_body — see README task 1"
    )


@bp.app_errorhandler(StoreError)
def store_error_response(exc: StoreError) -> Reply:
    """What the store refused: 404 for a missing market, 409 for a taken slug (task 2)."""
    raise NotImplementedError(
        "TODO(task 2): render a store error (contract.from_store_error) — see README task 2"
    )


# TODO(task 5): register this one too, for every werkzeug HTTPException.
def http_error_response(exc: HTTPException) -> Reply:
    """Errors Werkzeug raises itself (404 no route, 405 wrong method, 500) in the envelope.

    Keeps the exception's headers, such as a 405's `Allow` (task 5).
    """
    raise NotImplementedError(
        "TODO(task 5): register this handler and render Werkzeug's HTTP errors, keeping a "
        "405's Allow header — see README task 5"
    )


def create_app(store: MarketStore, config: dict[str, Any] | None = None) -> Flask:
    """The app; views read the store through `market_store()` (tests swap the extension)."""
    app = Flask(__name__)
    app.config.update(config or {})
    app.extensions[STORE_KEY] = store
    app.register_blueprint(bp)
    return app
