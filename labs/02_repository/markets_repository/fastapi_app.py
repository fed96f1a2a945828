"""FastAPI wiring: endpoints receive a `MarketRepository`, never a session or a model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from sqlalchemy.orm import Session, sessionmaker

from markets_repository.fastapi_errors import MarketId, MarketOut, errors, install_error_handlers
from markets_repository.http_json import ApiError, market_json, not_found_json
from markets_repository.repository import MarketRepository


def get_repository(request: Request, response: Response) -> Iterator[MarketRepository]:
    """One session, one transaction per request, behind the repository port.

    Commits when the endpoint returned and `response.status_code` (FastAPI injects the same
    `Response` into the endpoint, which may set it) is unset or below 400; when the endpoint
    raises, or answers an error, nothing is committed. The session closes either way.
    Tests (and the notebook) swap in a fake with `app.dependency_overrides[get_repository]`.
    """
    raise NotImplementedError(
        "TODO(task 6): open a session from request.app.state.session_factory, yield a "
        "SqlAlchemyMarketRepository over it, commit only a success — see README task 6"
    )


# TODO(task 6): the commit must happen before the response is sent (see README task 6).
Repository = Annotated[MarketRepository, Depends(get_repository)]
router = APIRouter()


@router.get("/markets/{market_id:int}", responses=errors(404, 500))
def read_market(market_id: MarketId, repository: Repository) -> MarketOut:
    market = repository.get(market_id)
    if market is None:
        raise ApiError(404, not_found_json(market_id))
    return MarketOut(**market_json(market))


@router.delete(
    "/markets/{market_id:int}", status_code=204, response_class=Response, responses=errors(404, 500)
)
def delete_market(market_id: MarketId, repository: Repository) -> None:
    repository.delete(market_id)


def create_app(session_factory: sessionmaker[Session]) -> FastAPI:
    app = FastAPI(title="Markets — repository lab")
    app.state.session_factory = session_factory
    app.include_router(router)
    install_error_handlers(app)
    return app
