"""POST /orders on FastAPI: a thin adapter over the SQLAlchemy `place_order_once`. Given.

Every error leaves in the envelope (`http_api`), 400 for invalid input (FastAPI's default
422 is overridden), 415 for a body not sent as JSON, FastAPI's and Starlette's own 404/405 and
400s included; the OpenAPI schema says exactly that (`responses=`, no 422).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from markets_orders import http_api as http
from markets_orders.orders import OrderError, Side
from markets_orders.sqlalchemy_orm import services
from markets_orders.sqlalchemy_orm.models import Market, User

# An exclusive bound of 2**63: FastAPI's OpenAPI models hold bounds as floats, and 2**63 is
# one exactly (2**63 - 1 is not), so `_openapi` can print it back as the integer it is.
Id = Annotated[
    int,
    Field(strict=True, ge=1, lt=http.MAX_ID + 1),
    BeforeValidator(http.whole_float_as_int),  # runs first: 30.0 reaches the check as 30
]


class OrderIn(BaseModel):
    """A JSON object with exactly these fields; anything else is a 400 naming it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # `user_id` stands in for the authenticated user: authentication is its own pattern.
    user_id: Id
    market_id: Id
    side: Side
    amount: str = Field(
        pattern=http.AMOUNT_PATTERN,
        description="A decimal string of money, such as 30.00; a JSON number is refused",
        examples=["30.00"],
    )


class OrderOut(BaseModel):
    position_id: int
    user_id: int
    market_id: int
    side: Side
    amount: str = Field(examples=["30.00"])
    balance: str = Field(description="The buyer's balance right after this order")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    error: ErrorDetail


_ERRORS = {
    400: "Invalid input, per field (the Idempotency-Key header included)",
    404: "No such user or market",
    409: "Insufficient funds, a market not open, or a key reused for another order",
    415: "The body is not sent as application/json",
}
# Naming "4XX" also stops FastAPI from advertising its default 422, which is never sent.
RESPONSES: dict[int | str, dict[str, Any]] = {
    **{code: {"model": ErrorBody, "description": text} for code, text in _ERRORS.items()},
    "4XX": {"model": ErrorBody, "description": "Any other client error (405)"},
}


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def require_json(request: Request) -> None:
    """A body not declared `application/json` is a 415, not a 400 blaming its fields.

    FastAPI reads a body sent as text/plain, a form or with no Content-Type as raw bytes,
    and its validation error would blame the fields instead of the media type.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise StarletteHTTPException(415, "send the body as application/json")


SessionDep = Annotated[Session, Depends(get_session)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias=http.IDEMPOTENCY_KEY,
        min_length=1,
        max_length=http.MAX_KEY_LENGTH,
        # Documented, not validated here: `http.valid_key` refuses a key of only whitespace.
        json_schema_extra={"pattern": http.KEY_PATTERN},
        description="One key per order: a retry with the same key is answered once",
    ),
]


def _field(loc: tuple[Any, ...]) -> str:
    """The name a validation error's location gives the client: a field, the body, the key."""
    if loc[:1] == ("header",):
        return http.IDEMPOTENCY_KEY
    names = [str(part) for part in loc[1:] if isinstance(part, str)]
    return names[0] if names else "body"


BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


def _whole_bounds(node: Any) -> None:
    """Print each whole-number bound in the schema as an integer, in place.

    FastAPI's OpenAPI models hold bounds as floats, and a float prints as its shortest
    decimal: 2**63 as 9.223372036854776e+18, which a JSON reader takes for 9223372036854776000.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key in BOUNDS and isinstance(value, float) and value.is_integer():
                node[key] = int(value)
            else:
                _whole_bounds(value)
    elif isinstance(node, list):
        for item in node:
            _whole_bounds(item)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        _whole_bounds(FastAPI.openapi(app))
    return app.openapi_schema


def create_app(sessions: sessionmaker[Session]) -> FastAPI:
    app = FastAPI(title="Orders")
    app.state.sessions = sessions
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details: dict[str, list[str]] = {}
        for error in exc.errors():
            details.setdefault(_field(tuple(error["loc"])), []).append(error["msg"])
        return JSONResponse(http.invalid(details), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def framework_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's 404/405 and FastAPI's 400 for a body it cannot parse; a 405 keeps Allow.
        body = http.for_status(exc.status_code, str(exc.detail))
        if exc.status_code == 400:
            body = http.invalid_json(str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(http.SERVER_ERROR, status_code=500)

    @app.post(
        "/orders",
        status_code=201,
        response_model=OrderOut,
        dependencies=[Depends(require_json)],
        responses=RESPONSES,
    )
    def create_order(
        order: OrderIn, session: SessionDep, idempotency_key: IdempotencyKey
    ) -> Any:  # OrderOut, or an error envelope as a JSONResponse
        key = http.valid_key(idempotency_key)
        if key is None:  # only whitespace
            return JSONResponse(http.invalid({http.IDEMPOTENCY_KEY: [http.KEY_PROBLEM]}), 400)
        user = session.get(User, order.user_id)
        market = session.get(Market, order.market_id)
        if user is None or market is None:
            return JSONResponse(http.NOT_FOUND, status_code=404)
        session.commit()  # end the read transaction: the service opens its own
        try:
            placed = services.place_order_once(
                session,
                key=key,
                user=user,
                market=market,
                amount=Decimal(order.amount),
                side=order.side,
            )
        except OrderError as exc:
            status, body = http.refusal(exc)
            return JSONResponse(body, status_code=status)
        return OrderOut(**http.order_json(placed))

    return app
