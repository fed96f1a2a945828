"""The Markets API in FastAPI: routes, the request-id middleware and the envelope. Given.

The middleware stack, outermost first: Starlette's ServerErrorMiddleware (the 500 handler
below), `RequestIdMiddleware`, your `AccessLogMiddleware` (task 4), then the routes.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from markets_logging.envelope import code_for_status, error_body, not_found, server_error
from markets_logging.fastapi_access import AccessLogMiddleware
from markets_logging.requestid import HEADER, accept_or_mint
from markets_logging.service import MarketNotFound, MarketService

log = logging.getLogger("markets.api")


class MarketOut(BaseModel):
    id: int
    name: str
    volume: str  # money travels as a decimal string


class SummaryOut(BaseModel):
    markets: int
    volume: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]
    request_id: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=`: these statuses and any other 4xx, all in the envelope.

    Naming "4XX" also stops FastAPI from advertising its default 422, which this API never
    sends.
    """
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorBody, "description": "In the error envelope"} for status in statuses
    }
    responses["4XX"] = {"model": ErrorBody, "description": "Any other client error"}
    return responses


router = APIRouter()


def market_service(request: Request) -> MarketService:
    return request.app.state.service


@router.get("/markets/summary", responses=errors())
def market_summary(request: Request) -> SummaryOut:
    """Total volume over all markets (a plain `def`: FastAPI runs it in a worker thread)."""
    return SummaryOut.model_validate(market_service(request).summary())


@router.get("/markets/{market_id:int}", responses=errors(404))
async def retrieve_market(market_id: int, request: Request) -> MarketOut:
    # Someone's debugging aid, left in: every header, verbatim. Redaction (task 1) is what
    # keeps the Authorization and Cookie values out of the log.
    log.info("request headers", extra={"headers": request.headers})
    market = await market_service(request).fetch(market_id)
    return MarketOut(id=market.id, name=market.name, volume=str(market.volume))


class RequestIdMiddleware:
    """Pure ASGI (lab 04 teaches it): the id in `scope["state"]` and on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_or_mint(Headers(scope=scope).get(HEADER))
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def request_id_of(request: Request) -> str:
    return request.state.request_id


def market_not_found(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MarketNotFound)
    return JSONResponse(not_found(exc.market_id, request_id_of(request)), 404)


def http_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own errors (404 no route, 405 wrong method) in the envelope, headers kept."""
    assert isinstance(exc, HTTPException)
    body = error_body(code_for_status(exc.status_code), str(exc.detail), request_id_of(request))
    return JSONResponse(body, exc.status_code, headers=dict(exc.headers or {}))


def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The 500, sent by ServerErrorMiddleware outside the other middleware: it adds the
    request-id header itself. It logs nothing: the access log middleware did (task 4)."""
    request_id = request_id_of(request)
    return JSONResponse(server_error(request_id), 500, headers={HEADER: request_id})


def create_app(service: MarketService) -> FastAPI:
    """The app; routes read the service from `app.state.service` (tests swap it)."""
    app = FastAPI(title="Markets API (lab 14)")
    app.state.service = service
    app.include_router(router)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)  # added last: the outer of the two
    app.add_exception_handler(MarketNotFound, market_not_found)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
    return app
