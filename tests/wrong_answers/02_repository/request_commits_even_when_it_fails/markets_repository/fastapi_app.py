"""FastAPI wiring: endpoints receive a `MarketRepository`, never a session or a model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from markets_repository.http_json import market_json, not_found_json
from markets_repository.repository import MarketRepository
from markets_repository.sqlalchemy_orm.repository import SqlAlchemyMarketRepository


def get_repository(request: Request) -> Iterator[MarketRepository]:
    """One session, one transaction per request, behind the repository port.

    Committed when the endpoint returns, rolled back when it raises, closed either way.
    Tests (and the notebook) swap in a fake with `app.dependency_overrides[get_repository]`.
    """
    session_factory: sessionmaker[Session] = request.app.state.session_factory
    session = session_factory()
    try:
        yield SqlAlchemyMarketRepository(session)
    finally:
        session.commit()
        session.close()


Repository = Annotated[MarketRepository, Depends(get_repository)]
router = APIRouter()


@router.get("/markets/{market_id}")
def read_market(market_id: int, repository: Repository) -> JSONResponse:
    market = repository.get(market_id)
    if market is None:
        return JSONResponse(not_found_json(market_id), status_code=404)
    return JSONResponse(market_json(market))


@router.delete("/markets/{market_id}", status_code=204)
def delete_market(market_id: int, repository: Repository) -> Response:
    repository.delete(market_id)
    return Response(status_code=204)


def create_app(session_factory: sessionmaker[Session]) -> FastAPI:
    app = FastAPI(title="Markets — repository lab")
    app.state.session_factory = session_factory
    app.include_router(router)
    return app
