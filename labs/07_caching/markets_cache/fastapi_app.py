"""The two routes in FastAPI, and the envelope for every error. Given code.

The repository is `app.state.repository` (a `CachedMarketRepository`; tests swap it).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from markets_cache.api import PATCH_SCHEMA, ApiError, code_for_status, edit, error_body, show
from markets_cache.cache import CachedMarketRepository


class ErrorObject(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    error: ErrorObject


# "4XX" covers 400/404/405/415, all in the envelope, and stops FastAPI from advertising a 422
# this API never sends.
ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "A client error, in the envelope"}
}
PATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PATCH_SCHEMA}},
    }
}


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message, exc.details), exc.status)


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Errors Starlette raises itself (404 no route, 405 wrong method), in the envelope.

    A 405's `Allow` is rebuilt: Starlette lists only the methods of the first route whose
    path matched (`Allow: GET` for a DELETE, though PATCH is served too).
    """
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    body = error_body(code_for_status(exc.status_code), str(exc.detail))
    return JSONResponse(body, exc.status_code, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


def create_app(repository: CachedMarketRepository) -> FastAPI:
    app = FastAPI(title="Markets API (cached)")
    app.state.repository = repository
    app.add_exception_handler(ApiError, api_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_response)  # type: ignore[arg-type]

    # Plain `def` views: the cache and Redis client block, so FastAPI runs them in a thread.
    @app.get("/markets/{market_id:int}", responses=ERRORS)
    def retrieve_market(market_id: int, request: Request) -> dict[str, Any]:
        return show(request.app.state.repository, market_id)

    @app.patch("/markets/{market_id:int}", responses=ERRORS, openapi_extra=PATCH_BODY)
    async def update_market(market_id: int, request: Request) -> dict[str, Any]:
        body = await request.body()
        repository = request.app.state.repository
        content_type = request.headers.get("content-type")
        return await run_in_threadpool(edit, repository, market_id, body, content_type)

    return app
