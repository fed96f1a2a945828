"""FastAPI plumbing for the HTTP contract: response schemas and the error envelope. Given.

`install_error_handlers(app)` makes every error FastAPI or Starlette produces — a 404 for no
route, a 405 (with a complete `Allow`), a path id that cannot name a row, an unhandled
exception — answer in the envelope of `http_json`, never as `{"detail": ...}` or text/plain.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from markets_repository.domain import MarketStatus
from markets_repository.http_json import MAX_ID, ApiError, not_found_json, status_error_json

# A path id is a whole number a BIGINT can hold; anything else names no market: 404.
MarketId = Annotated[int, Path(ge=1, le=MAX_ID, description="The market's id")]


class MarketOut(BaseModel):
    """A market as the API sends it (`http_json.market_json`)."""

    id: int
    name: str
    slug: str
    status: MarketStatus
    volume: str = Field(description="Money as a decimal string", examples=["120.50"])
    creator: str
    tags: list[str]
    created_at: str = Field(description="ISO 8601, UTC", examples=["2026-03-01T12:00:00+00:00"])
    updated_at: str = Field(description="ISO 8601, UTC", examples=["2026-03-01T12:00:00+00:00"])


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    """Every error body, whatever the status."""

    error: ErrorDetail


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=`: these statuses and any other 4xx (a 405), all in the envelope.

    Naming "4XX" also stops FastAPI from advertising its default 422, which this API never
    sends.
    """
    descriptions = {404: "No such market", 500: "Something went wrong on the server"}
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorBody, "description": descriptions[status]} for status in statuses
    }
    responses["4XX"] = {"model": ErrorBody, "description": "Any other client error"}
    return responses


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)


def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, exc.status)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """These routes take no body or query: what fails validation is a path id → 404."""
    assert isinstance(exc, RequestValidationError)
    bad = [error for error in exc.errors() if error["loc"][:1] == ("path",)]
    if bad:
        return JSONResponse(not_found_json(str(bad[0]["input"])), 404)
    details = {".".join(map(str, e["loc"][1:])) or "body": [e["msg"]] for e in exc.errors()}
    body = status_error_json(400)
    body["error"]["details"] = details
    return JSONResponse(body, 400)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors; a 405's `Allow` is rebuilt from every route of the path.

    FastAPI makes one route per method, and Starlette's 405 lists only the methods of the
    first route whose path matched (`Allow: GET` on a path that also serves DELETE).
    """
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return JSONResponse(status_error_json(exc.status_code), exc.status_code, headers=headers)


def _server_error(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected: a 500 that says nothing of the cause (the server logs it)."""
    return JSONResponse(status_error_json(500), 500)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path: the router is asked once per method."""
    routes = request.app.router.routes
    return [
        method
        for method in ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]
