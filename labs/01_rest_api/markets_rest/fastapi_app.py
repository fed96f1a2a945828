"""The Markets API in FastAPI: an APIRouter, Pydantic v2 models and the error envelope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import WithJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException

from markets_rest.contract import (
    DEFAULT_LIMIT,
    DEFAULT_ORDERING,
    MAX_LIMIT,
    MAX_WHOLE_NUMBER,
    ORDERING_FIELDS,
    ApiError,
)
from markets_rest.domain import Status
from markets_rest.schemas import ErrorBody, MarketOut, MarketPage, MarketPatch, MarketWrite
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
    raise NotImplementedError(
        "TODO(task 3): refuse a body not sent as application/json (contract.is_json, "
        "contract.unsupported_media_type) — see README task 3"
    )


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
    raise NotImplementedError(
        "TODO(task 1): list markets with listing.parse_list_query and page_links "
        "— see README task 1"
    )


@router.get("/{market_id:int}", responses=errors(404))
def retrieve_market(market_id: int, store: Store) -> MarketOut:
    """200 and the market, or 404 in the envelope (task 2)."""
    raise NotImplementedError("TODO(task 2): retrieve one market — see README task 2")


@router.post("", status_code=201, dependencies=JsonBody, responses=errors(400, 409, 415))
def create_market(
    body: MarketWrite, request: Request, response: Response, store: Store
) -> MarketOut:
    """201 with a Location header and the new market (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): create the market, answer 201 + Location — see README task 3"
    )


@router.put("/{market_id:int}", dependencies=JsonBody, responses=errors(400, 404, 409, 415))
def replace_market(market_id: int, body: MarketWrite, store: Store) -> MarketOut:
    """Replace every writable field; omitted optional fields take their defaults (task 4)."""
    raise NotImplementedError("TODO(task 4): replace the market (PUT) — see README task 4")


@router.patch("/{market_id:int}", dependencies=JsonBody, responses=errors(400, 404, 409, 415))
def update_market(market_id: int, body: MarketPatch, store: Store) -> MarketOut:
    """Change only the fields sent (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): update only the fields sent (PATCH) — see README task 4"
    )


@router.delete("/{market_id:int}", status_code=204, responses=errors(404))
def delete_market(market_id: int, store: Store) -> None:
    """204 with no body (task 5)."""
    raise NotImplementedError("TODO(task 5): delete the market, answer 204 — see README task 5")


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    """An `ApiError` in the envelope, e.g. the 400 for a bad query (task 1)."""
    raise NotImplementedError(
        "TODO(task 1): render ApiError with contract.error_body — see README task 1"
    )


def store_error_response(request: Request, exc: StoreError) -> JSONResponse:
    """What the store refused: 404 for a missing market, 409 for a taken slug (task 2)."""
    raise NotImplementedError(
        "TODO(task 2): render a store error (contract.from_store_error) — see README task 2"
    )


def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body FastAPI could not parse or validate: 400 in the envelope, not 422 (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): render FastAPI's validation errors (schemas.api_error_from) as a 400 "
        "— see README task 3"
    )


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Errors FastAPI raises itself (404 no route, 405 wrong method) in the envelope (task 5).

    And one of task 3: a body FastAPI cannot parse at all (an object nested thousands deep)
    is an HTTPException(400), which the contract calls `invalid_json`.
    """
    raise NotImplementedError(
        "TODO(task 5): render FastAPI's own HTTP errors in the envelope (a 400 as "
        "invalid_json), with a 405's Allow header — see README task 5"
    )


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
