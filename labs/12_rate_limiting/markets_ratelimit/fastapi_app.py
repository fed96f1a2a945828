"""The Markets API in FastAPI: routes, the envelope, and where the rate limit runs. Given code.

The rate limit is an HTTP middleware (`fastapi_middleware.rate_limit`, task 4): it runs for
every request, before routing, so a 404 or a 405 counts too. It reads its
`RateLimitConfig` from `app.state.rate_limit` (tests swap it).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from markets_ratelimit.api import (
    MARKETS,
    ApiError,
    PositionIn,
    code_for_status,
    error_body,
    get_market,
    parse_position,
    position_json,
)
from markets_ratelimit.config import RateLimitConfig
from markets_ratelimit.fastapi_middleware import rate_limit


class ErrorObject(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    error: ErrorObject


# "4XX" covers 400/404/405/415/429, all in the envelope, and stops FastAPI from advertising
# a 422 this API never sends.
ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "A client error, in the envelope"}
}
POSITION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PositionIn.model_json_schema()}},
    }
}


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, exc.details), exc.status)


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Errors Starlette raises itself (404 no route, 405 wrong method), in the envelope."""
    body = error_body(code_for_status(exc.status_code), str(exc.detail))
    return JSONResponse(body, exc.status_code, headers=dict(exc.headers or {}))


def create_app(config: RateLimitConfig) -> FastAPI:
    app = FastAPI(title="Markets API (rate limited)")
    app.state.rate_limit = config
    app.middleware("http")(rate_limit)
    app.add_exception_handler(ApiError, api_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_response)  # type: ignore[arg-type]

    @app.get("/markets", responses=ERRORS)
    def list_markets() -> dict[str, list[dict[str, Any]]]:
        return {"results": list(MARKETS.values())}

    @app.get("/markets/{market_id:int}", responses=ERRORS)
    def retrieve_market(market_id: int) -> dict[str, Any]:
        return get_market(market_id)

    @app.post(
        "/markets/{market_id:int}/positions",
        status_code=201,
        responses=ERRORS,
        openapi_extra=POSITION_BODY,
    )
    async def create_position(market_id: int, request: Request) -> dict[str, Any]:
        get_market(market_id)
        position = parse_position(await request.body(), request.headers.get("content-type"))
        return position_json(market_id, position)

    return app
