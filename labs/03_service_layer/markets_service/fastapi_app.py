"""FastAPI: thin routes over `MarketService`, injected with `Depends`.

Tests swap the service with `app.dependency_overrides[get_market_service] = lambda: fake`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import sessionmaker

from .domain import DomainError, Status
from .orm import SqlAlchemyMarketRepository, make_engine
from .service import MarketService
from .web import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
)


class MarketIn(BaseModel):
    name: str


class TransitionIn(BaseModel):
    to: Status


def get_market_service(request: Request) -> MarketService:
    """The app's service; the one dependency tests override."""
    return request.app.state.market_service


ServiceDep = Annotated[MarketService, Depends(get_market_service)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def create_app(database_url: str = "sqlite://") -> FastAPI:
    app = FastAPI(title="Markets service")
    repository = SqlAlchemyMarketRepository(sessionmaker(make_engine(database_url)))
    app.state.market_service = MarketService(repository)
    app.add_exception_handler(RequestValidationError, invalid_request_response)
    app.add_exception_handler(DomainError, domain_error_response)
    app.include_router(router)
    return app


# ------------------------------------------------------------------ yours (task 6)

router = APIRouter()


@router.post("/markets", status_code=201)
def create_market(body: MarketIn, service: ServiceDep) -> dict[str, Any]:
    """201 with the new market."""
    raise NotImplementedError(
        "TODO(task 6): call service.create_market; answer 201 with market_json — see README task 6"
    )


@router.get("/markets/search")
def search_markets(
    service: ServiceDep, q: str = "", limit: Limit = DEFAULT_LIMIT
) -> dict[str, Any]:
    """200 with `{"results": [{"market": …, "score": …}, …]}`, best first."""
    raise NotImplementedError(
        "TODO(task 6): call service.search_markets; 200, hits in its order — see README task 6"
    )


@router.get("/markets/{market_id}")
def get_market(market_id: int, service: ServiceDep) -> dict[str, Any]:
    """200 with the market."""
    raise NotImplementedError(
        "TODO(task 6): call service.get_market; answer 200 with market_json — see README task 6"
    )


@router.post("/markets/{market_id}/transitions")
def transition_market(market_id: int, body: TransitionIn, service: ServiceDep) -> dict[str, Any]:
    """200 with the market in its new status."""
    raise NotImplementedError(
        "TODO(task 6): call service.transition; answer 200 with market_json — see README task 6"
    )


async def domain_error_response(request: Request, exc: DomainError) -> JSONResponse:
    """Any DomainError a route lets through: its HTTP status and the JSON error envelope."""
    raise NotImplementedError(
        "TODO(task 6): answer a DomainError with error_status and error_body — see README task 6"
    )


async def invalid_request_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Pydantic's 422 in the workbook's envelope instead of FastAPI's `{"detail": […]}`."""
    raise NotImplementedError(
        "TODO(task 6): a validation error → 422 + the envelope — see README task 6"
    )
