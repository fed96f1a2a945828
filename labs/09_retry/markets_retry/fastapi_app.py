"""The price endpoint in FastAPI: the route, the envelope handlers. Given code.

The route reads the pricing client (a `RetryingClient`) from `app.state.pricing`.

It is a plain `def`, not `async def`: `RetryingClient` is synchronous and sleeps with
`time.sleep`, which inside an `async def` would stop the whole event loop — every other
request included — for as long as it waits. FastAPI runs a `def` route in a worker thread.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from markets_retry.api import ApiError, code_for_status, error_body, parse_market_id
from markets_retry.http_client import RetryingClient
from markets_retry.pricing import fetch_price


class ErrorObject(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    error: ErrorObject


class Price(BaseModel):
    market_id: int
    price: str


# "4XX" covers 404/405 in the envelope and stops FastAPI from advertising a 422 it never sends.
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such market"},
    502: {"model": ErrorBody, "description": "The pricing service answered something unusable"},
    503: {"model": ErrorBody, "description": "The pricing service is down; see Retry-After"},
    "4XX": {"model": ErrorBody, "description": "A client error, in the envelope"},
}


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message), exc.status, headers=exc.headers)


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Errors Starlette raises itself (404 no route, 405 wrong method), in the envelope."""
    body = error_body(code_for_status(exc.status_code), str(exc.detail))
    return JSONResponse(body, exc.status_code, headers=dict(exc.headers or {}))


def server_error_response(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)


def create_app(pricing: RetryingClient) -> FastAPI:
    app = FastAPI(title="Markets prices")
    app.state.pricing = pricing
    app.add_exception_handler(ApiError, api_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, server_error_response)

    @app.get("/markets/{market_id}/price", responses=RESPONSES)
    def market_price(market_id: str, request: Request) -> Price:
        return Price(**fetch_price(request.app.state.pricing, parse_market_id(market_id)))

    return app
