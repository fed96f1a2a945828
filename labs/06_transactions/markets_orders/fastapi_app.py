"""POST /orders on FastAPI: a thin adapter over the SQLAlchemy `place_order_once`. Given."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from markets_orders import http_api as http
from markets_orders.orders import OrderError, Side
from markets_orders.sqlalchemy_orm import services
from markets_orders.sqlalchemy_orm.models import Market, User


class OrderIn(BaseModel):
    # `user_id` stands in for the authenticated user: authentication is its own pattern.
    user_id: int = Field(ge=1)
    market_id: int = Field(ge=1)
    side: Side
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def create_app(sessions: sessionmaker[Session]) -> FastAPI:
    app = FastAPI(title="Orders")
    app.state.sessions = sessions

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        body = http.error_body("validation_error", "the order is invalid", details)
        return JSONResponse(body, status_code=422)

    @app.post("/orders", status_code=201, response_model=None)
    def create_order(
        order: OrderIn,
        session: SessionDep,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse | dict[str, Any]:
        key = http.valid_key(idempotency_key)
        if key is None:
            return JSONResponse(http.MISSING_KEY, status_code=400)
        user = session.get(User, order.user_id)
        market = session.get(Market, order.market_id)
        if user is None or market is None:
            return JSONResponse(http.NOT_FOUND, status_code=404)
        session.commit()  # end the read transaction: the service opens its own
        try:
            placed = services.place_order_once(
                session, key=key, user=user, market=market, amount=order.amount, side=order.side
            )
        except OrderError as exc:
            status, body = http.refusal(exc)
            return JSONResponse(body, status_code=status)
        return http.order_json(placed)

    return app
