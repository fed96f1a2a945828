"""POST /markets and GET /markets/{id} on FastAPI, over the SQLAlchemy service. Given.

`create_app(sessions, queue)`; the views read both from `app.state`, so a test may swap them.
Every error leaves in the envelope (`http_api`), 400 for invalid input (FastAPI's default
422 is overridden), 415 for a body not sent as JSON, FastAPI's and Starlette's own 404/405 and
400s included; the OpenAPI schema says exactly that (`responses=`, no 422).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from markets_jobs import http_api as http
from markets_jobs.domain import SlugTaken
from markets_jobs.sqlalchemy_orm import services, store


class MarketIn(BaseModel):
    """Documents the body; `http.parse_market` checks it, as in the other two frameworks."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=http.MAX_NAME, examples=["Rain in Lisbon"])
    slug: str = Field(max_length=http.MAX_SLUG, pattern=http.SLUG_PATTERN, examples=["rain"])


class MarketOut(BaseModel):
    id: int
    name: str
    slug: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    error: ErrorDetail


def _responses(**codes: str) -> dict[int | str, dict[str, Any]]:
    # Naming "4XX" also stops FastAPI from advertising its default 422, which is never sent.
    described = {int(code[1:]): text for code, text in codes.items()}
    return {
        **{code: {"model": ErrorBody, "description": text} for code, text in described.items()},
        "4XX": {"model": ErrorBody, "description": "Any other client error (405)"},
    }


async def json_body(request: Request) -> Any:
    """The decoded body: 415 unless declared application/json, 400 if it is not JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise StarletteHTTPException(415, "send the body as application/json")
    try:
        return await request.json()
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deeply
        raise StarletteHTTPException(400, "the body is not valid JSON") from None


def create_app(sessions: sessionmaker[Session], queue: Queue) -> FastAPI:
    app = FastAPI(title="Markets")
    app.state.sessions = sessions
    app.state.queue = queue

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details: dict[str, list[str]] = {}
        for error in exc.errors():
            names = [str(part) for part in error["loc"][1:]]
            details.setdefault(names[0] if names else "body", []).append(error["msg"])
        return JSONResponse(http.invalid(details), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def framework_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's 404/405, and our 400/415 for a body it cannot use; a 405 keeps Allow.
        body = http.for_status(exc.status_code, str(exc.detail))
        if exc.status_code == 400:
            body = http.invalid_json(str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(http.SERVER_ERROR, status_code=500)

    @app.post(
        "/markets",
        status_code=201,
        response_model=MarketOut,
        responses=_responses(
            r400="Invalid input, per field", r409="The slug is taken", r415="Not JSON"
        ),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": MarketIn.model_json_schema()}},
            }
        },
    )
    def create_market(request: Request, body: Annotated[Any, Depends(json_body)]) -> Any:
        data, problems = http.parse_market(body)
        if data is None:
            return JSONResponse(http.invalid(problems), status_code=400)
        try:
            state = request.app.state
            created = services.create_market(state.sessions, data, state.queue)
        except SlugTaken as exc:
            return JSONResponse(http.slug_taken(exc.slug), status_code=409)
        return JSONResponse(
            http.market_json(created),
            status_code=201,
            headers={"Location": http.location(created.id)},
        )

    @app.get(
        "/markets/{market_id}",
        response_model=MarketOut,
        responses=_responses(r404="No such market"),
    )
    def market_detail(request: Request, market_id: str) -> Any:
        pk = http.parse_id(market_id)
        market = None if pk is None else store.get_market(request.app.state.sessions, pk)
        if market is None:
            return JSONResponse(http.NOT_FOUND, status_code=404)
        return http.market_json(market)

    return app
