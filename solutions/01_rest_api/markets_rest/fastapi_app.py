"""The Markets API in FastAPI: an APIRouter, Pydantic v2 models and the error envelope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import WithJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from markets_rest.contract import (
    DEFAULT_LIMIT,
    DEFAULT_ORDERING,
    MAX_LIMIT,
    MAX_WHOLE_NUMBER,
    ORDERING_FIELDS,
    ApiError,
    code_for_status,
    error_body,
    from_store_error,
    invalid_json,
    is_json,
    unsupported_media_type,
)
from markets_rest.domain import MarketData, Status
from markets_rest.listing import page_links, parse_list_query
from markets_rest.schemas import (
    ErrorBody,
    MarketOut,
    MarketPage,
    MarketPatch,
    MarketWrite,
    api_error_from,
)
from markets_rest.store import MarketStore, StoreError

_ERRORS = {
    400: "Invalid input: `invalid_query`, `invalid_json` or `validation_failed`, per field",
    404: "No such market",
    409: "The slug is taken by another market",
    415: "The body is not sent as application/json",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=`: these errors, and any other 4xx (a 405), all in the envelope.

    Naming "4XX" also stops FastAPI from advertising its default 422, which this API never
    sends (a validation error is a 400).
    """
    responses: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody, "description": _ERRORS[code]} for code in statuses
    }
    responses["4XX"] = {"model": ErrorBody, "description": "Any other client error"}
    return responses


def get_store(request: Request) -> MarketStore:
    return request.app.state.store


def require_json(request: Request) -> None:
    """A write's body must be declared `application/json`: anything else is a 415 (task 3).

    FastAPI reads a body sent as text/plain, a form or with no Content-Type as raw bytes,
    and its validation error would blame the fields (a 400) instead of the media type.
    """
    content_type = request.headers.get("content-type")
    if not is_json(content_type):
        raise unsupported_media_type(content_type)


Store = Annotated[MarketStore, Depends(get_store)]
JsonBody = [Depends(require_json)]
router = APIRouter(prefix="/markets", tags=["markets"])


# The list's query parameters, declared so the OpenAPI schema shows them. They arrive as
# strings: `parse_list_query` is the one place that validates them (the digit rule, the cap,
# every bad parameter named in one 400), so FastAPI is not asked to convert them.
def _query(schema: dict[str, Any], description: str) -> Any:
    # str | None as FastAPI sees it (never null, never converted); `schema` in the OpenAPI schema.
    return Annotated[str | None, WithJsonSchema(schema), Query(description=description)]


StatusParam = _query({"type": "string", "enum": list(Status)}, "Only markets in this status")
OrderingParam = _query(
    {"type": "string", "enum": [*ORDERING_FIELDS, *(f"-{f}" for f in ORDERING_FIELDS)]},
    f"The sort field (default {DEFAULT_ORDERING}); a leading '-' sorts descending",
)
LimitParam = _query(
    {"type": "integer", "minimum": 1, "maximum": MAX_WHOLE_NUMBER},
    f"Page size (default {DEFAULT_LIMIT}): a whole number from 1 to {MAX_WHOLE_NUMBER} in "
    f"ASCII digits; above {MAX_LIMIT} it is capped",
)
OffsetParam = _query(
    {"type": "integer", "minimum": 0, "maximum": MAX_WHOLE_NUMBER},
    f"How many markets to skip (default 0): a whole number from 0 to {MAX_WHOLE_NUMBER} in "
    "ASCII digits",
)


@router.get("", responses=errors(400))
def list_markets(
    request: Request,
    store: Store,
    status: StatusParam = None,
    ordering: OrderingParam = None,
    limit: LimitParam = None,
    offset: OffsetParam = None,
) -> MarketPage:
    """200: one page of markets, filtered, ordered and paginated (task 1)."""
    sent = {"status": status, "ordering": ordering, "limit": limit, "offset": offset}
    query = parse_list_query({name: value for name, value in sent.items() if value is not None})
    page = store.list(
        status=query.status, ordering=query.ordering, limit=query.limit, offset=query.offset
    )
    next_url, previous_url = page_links(str(request.url), query, page.count)
    results = [MarketOut.model_validate(market) for market in page.items]
    return MarketPage(count=page.count, next=next_url, previous=previous_url, results=results)


@router.get("/{market_id:int}", responses=errors(404))
def retrieve_market(market_id: int, store: Store) -> MarketOut:
    """200 and the market, or 404 in the envelope (task 2)."""
    return MarketOut.model_validate(store.get(market_id))


@router.post("", status_code=201, dependencies=JsonBody, responses=errors(400, 409, 415))
def create_market(
    body: MarketWrite, request: Request, response: Response, store: Store
) -> MarketOut:
    """201 with a Location header and the new market (task 3)."""
    market = store.create(MarketData(**body.model_dump()))
    response.headers["Location"] = str(request.url_for("retrieve_market", market_id=market.id))
    return MarketOut.model_validate(market)


@router.put("/{market_id:int}", dependencies=JsonBody, responses=errors(400, 404, 409, 415))
def replace_market(market_id: int, body: MarketWrite, store: Store) -> MarketOut:
    """Replace every writable field; omitted optional fields take their defaults (task 4)."""
    return MarketOut.model_validate(store.replace(market_id, MarketData(**body.model_dump())))


@router.patch("/{market_id:int}", dependencies=JsonBody, responses=errors(400, 404, 409, 415))
def update_market(market_id: int, body: MarketPatch, store: Store) -> MarketOut:
    """Change only the fields sent (task 4)."""
    changes = body.model_dump(exclude_unset=True)
    return MarketOut.model_validate(store.update(market_id, changes))


@router.delete("/{market_id:int}", status_code=204, responses=errors(404))
def delete_market(market_id: int, store: Store) -> None:
    """204 with no body (task 5)."""
    store.delete(market_id)


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    """An `ApiError` in the envelope, e.g. the 400 for a bad query (task 1)."""
    return JSONResponse(error_body(exc.code, exc.message, exc.details), exc.status)


def store_error_response(request: Request, exc: StoreError) -> JSONResponse:
    """What the store refused: 404 for a missing market, 409 for a taken slug (task 2)."""
    return api_error_response(request, from_store_error(exc))


def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body FastAPI could not parse or validate: 400 in the envelope, not 422 (task 3)."""
    return api_error_response(request, api_error_from(exc.errors()))


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Errors FastAPI raises itself (404 no route, 405 wrong method) in the envelope (task 5).

    And one of task 3: a body FastAPI cannot parse at all (an object nested thousands deep)
    is an HTTPException(400), which the contract calls `invalid_json`.

    A 405's `Allow` is rebuilt: FastAPI declares one route per method, and Starlette lists
    only the methods of the first route whose path matched (`Allow: GET` for a DELETE on
    /markets, though POST is allowed too).
    """
    if exc.status_code == 400:  # a body FastAPI could not parse at all (nested too deeply)
        return api_error_response(request, invalid_json())
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    body = error_body(code_for_status(exc.status_code), str(exc.detail))
    return JSONResponse(body, exc.status_code, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


def create_app(store: MarketStore) -> FastAPI:
    """The app; views read the store through `get_store` (the tests swap `app.state.store`)."""
    app = FastAPI(title="Markets API")
    app.state.store = store
    app.include_router(router)
    app.add_exception_handler(ApiError, api_error_response)
    app.add_exception_handler(StoreError, store_error_response)
    app.add_exception_handler(RequestValidationError, validation_error_response)
    app.add_exception_handler(StarletteHTTPException, http_error_response)
    return app
