"""The Markets API in FastAPI: an APIRouter, Pydantic v2 models and the error envelope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from markets_rest.contract import ApiError
from markets_rest.schemas import MarketOut, MarketPage, MarketPatch, MarketWrite
from markets_rest.store import MarketStore, StoreError


def get_store(request: Request) -> MarketStore:
    return request.app.state.store


Store = Annotated[MarketStore, Depends(get_store)]
router = APIRouter(prefix="/markets", tags=["markets"])


@router.get("")
def list_markets(request: Request, store: Store) -> MarketPage:
    """200: one page of markets, filtered, ordered and paginated (task 1)."""
    raise NotImplementedError(
        "TODO(task 1): list markets with listing.parse_list_query and page_links "
        "— see README task 1"
    )


@router.get("/{market_id:int}")
def retrieve_market(market_id: int, store: Store) -> MarketOut:
    """200 and the market, or 404 in the envelope (task 2)."""
    raise NotImplementedError("TODO(task 2): retrieve one market — see README task 2")


@router.post("")
def create_market(
    body: MarketWrite, request: Request, response: Response, store: Store
) -> MarketOut:
    """201 with a Location header and the new market (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): create the market, answer 201 + Location — see README task 3"
    )


@router.put("/{market_id:int}")
def replace_market(market_id: int, body: MarketWrite, store: Store) -> MarketOut:
    """Replace every writable field; omitted optional fields take their defaults (task 4)."""
    raise NotImplementedError("TODO(task 4): replace the market (PUT) — see README task 4")


@router.patch("/{market_id:int}")
def update_market(market_id: int, body: MarketPatch, store: Store) -> MarketOut:
    """Change only the fields sent (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): update only the fields sent (PATCH) — see README task 4"
    )


@router.delete("/{market_id:int}")
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
    """Errors the router raises itself (404 no route, 405 wrong method) in the envelope (task 5)."""
    raise NotImplementedError(
        "TODO(task 5): render the router's own HTTP errors, with a 405's Allow header "
        "— see README task 5"
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
