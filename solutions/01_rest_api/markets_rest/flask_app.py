"""The Markets API in Flask: an app factory, a blueprint, Pydantic models and the envelope."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from markets_rest.contract import (
    ApiError,
    code_for_status,
    error_body,
    from_store_error,
    is_json,
    unsupported_media_type,
)
from markets_rest.domain import Market, MarketData
from markets_rest.listing import page_links, parse_list_query
from markets_rest.schemas import (
    MarketOut,
    MarketPage,
    MarketPatch,
    MarketWrite,
    api_error_from,
    read_json,
)
from markets_rest.store import MarketStore, StoreError

bp = Blueprint("markets", __name__, url_prefix="/markets")
STORE_KEY = "markets_rest.store"
M = TypeVar("M", bound=BaseModel)

# A view may return a Response, or a (body, status) / (body, status, headers) tuple.
Reply = Response | tuple[Any, ...]


def market_store() -> MarketStore:
    return current_app.extensions[STORE_KEY]


@bp.get("")
def list_markets() -> Reply:
    """200: one page of markets, filtered, ordered and paginated (task 1)."""
    query = parse_list_query(request.args)
    page = market_store().list(
        status=query.status, ordering=query.ordering, limit=query.limit, offset=query.offset
    )
    next_url, previous_url = page_links(request.url, query, page.count)
    results = [MarketOut.model_validate(market) for market in page.items]
    body = MarketPage(count=page.count, next=next_url, previous=previous_url, results=results)
    return jsonify(body.model_dump(mode="json"))


@bp.get("/<int:market_id>")
def retrieve_market(market_id: int) -> Reply:
    """200 and the market, or 404 in the envelope (task 2)."""
    return _market_json(market_store().get(market_id))


@bp.post("")
def create_market() -> Reply:
    """201 with a Location header and the new market (task 3)."""
    body = _parse_body(MarketWrite)
    market = market_store().create(MarketData(**body.model_dump()))
    location = url_for(".retrieve_market", market_id=market.id, _external=True)
    return _market_json(market), 201, {"Location": location}


@bp.put("/<int:market_id>")
def replace_market(market_id: int) -> Reply:
    """Replace every writable field; omitted optional fields take their defaults (task 4)."""
    body = _parse_body(MarketWrite)
    return _market_json(market_store().replace(market_id, MarketData(**body.model_dump())))


@bp.patch("/<int:market_id>")
def update_market(market_id: int) -> Reply:
    """Change only the fields sent (task 4)."""
    changes = _parse_body(MarketPatch).model_dump(exclude_unset=True)
    return _market_json(market_store().update(market_id, changes))


@bp.delete("/<int:market_id>")
def delete_market(market_id: int) -> Reply:
    """204 with no body (task 5)."""
    market_store().delete(market_id)
    return "", 204


def _parse_body(model: type[M]) -> M:
    """The request body validated as `model`; malformed JSON and bad fields become a 400.

    A body not declared as JSON (text/plain, a form, no Content-Type) is a 415 first.
    """
    if not is_json(request.content_type):
        raise unsupported_media_type(request.content_type)
    try:
        return model.model_validate(read_json(request.get_data()))
    except ValidationError as exc:
        raise api_error_from(exc.errors()) from None


def _market_json(market: Market) -> Response:
    # model_dump(mode="json"): Decimal → "1234.50" and datetime → ISO 8601, as in FastAPI.
    return jsonify(MarketOut.model_validate(market).model_dump(mode="json"))


# Registered on the app (app_errorhandler), not the blueprint: a 404 for an unknown URL and
# a 405 are raised by the router before any blueprint is chosen.
@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    """An `ApiError` in the envelope, e.g. the 400 for a bad query (task 1)."""
    return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status


@bp.app_errorhandler(StoreError)
def store_error_response(exc: StoreError) -> Reply:
    """What the store refused: 404 for a missing market, 409 for a taken slug (task 2)."""
    return api_error_response(from_store_error(exc))


@bp.app_errorhandler(HTTPException)
def http_error_response(exc: HTTPException) -> Reply:
    """Errors Werkzeug raises itself (404 no route, 405 wrong method, 500) in the envelope.

    Keeps the exception's headers, such as a 405's `Allow` (task 5).
    """
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(error_body(code_for_status(status), exc.description or "")), status, headers


def create_app(store: MarketStore, config: dict[str, Any] | None = None) -> Flask:
    """The app; views read the store through `market_store()` (tests swap the extension)."""
    app = Flask(__name__)
    app.config.update(config or {})
    app.extensions[STORE_KEY] = store
    app.register_blueprint(bp)
    return app
