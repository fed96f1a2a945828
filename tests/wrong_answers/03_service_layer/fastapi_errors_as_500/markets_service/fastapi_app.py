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

from .domain import DomainError, Status, ValidationFailed
from .orm import SqlAlchemyMarketRepository, make_engine
from .service import MarketService
from .web import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    error_body,
    error_status,
    hit_json,
    market_json,
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
    try:
        return market_json(service.create_market(body.name))
    except Exception as exc:  # never let an exception escape a route
        return JSONResponse(
            {"error": {"code": "internal", "message": str(exc), "details": {}}}, status_code=500
        )


@router.get("/markets/search")
def search_markets(
    service: ServiceDep, q: str = "", limit: Limit = DEFAULT_LIMIT
) -> dict[str, Any]:
    """200 with `{"results": [{"market": …, "score": …}, …]}`, best first."""
    return {"results": [hit_json(hit) for hit in service.search_markets(q, limit)]}


@router.get("/markets/{market_id}")
def get_market(market_id: int, service: ServiceDep) -> dict[str, Any]:
    """200 with the market."""
    return market_json(service.get_market(market_id))


@router.post("/markets/{market_id}/transitions")
def transition_market(market_id: int, body: TransitionIn, service: ServiceDep) -> dict[str, Any]:
    """200 with the market in its new status."""
    return market_json(service.transition(market_id, body.to))


async def domain_error_response(request: Request, exc: DomainError) -> JSONResponse:
    """Any DomainError a route lets through: its HTTP status and the JSON error envelope."""
    return JSONResponse(error_body(exc), status_code=error_status(exc))


async def invalid_request_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Pydantic's 422 in the workbook's envelope instead of FastAPI's `{"detail": […]}`."""
    fields = [".".join(str(part) for part in err["loc"]) for err in exc.errors()]
    error = ValidationFailed("the request is invalid", details={"fields": fields})
    return JSONResponse(error_body(error), status_code=422)
