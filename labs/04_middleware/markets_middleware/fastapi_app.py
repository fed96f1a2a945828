"""The markets API in FastAPI, behind the middleware and the gate you write. Given code.

Handlers read what the pipeline stored in the request's state: `request.state.request_id`
(task 2) and, on a protected route, `request.state.principal` (task 4). Route names are
those of `contract.PUBLIC_ROUTES`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from markets_middleware import auth
from markets_middleware.contract import (
    LOGIN_FIELDS,
    MAX_FIELD_LENGTH,
    REQUEST_ID_HEADER,
    ApiError,
    ErrorCode,
    error_body,
    framework_error,
    internal_error,
    invalid_credentials,
    not_found,
    read_login,
)
from markets_middleware.markets import MarketBook, as_json

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]
    request_id: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class MarketOut(BaseModel):
    id: int
    name: str
    slug: str
    status: str
    volume: str


class MarketList(BaseModel):
    results: list[MarketOut]


class Position(BaseModel):
    side: str
    amount: str


class PositionList(BaseModel):
    results: list[Position]


class Token(BaseModel):
    token: str
    token_type: str


class Me(BaseModel):
    username: str
    request_id: str


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=`: these errors and any other 4xx, all in the envelope (no 422)."""
    responses: dict[int | str, dict[str, Any]] = {s: {"model": ErrorBody} for s in statuses}
    responses["4XX"] = {"model": ErrorBody, "description": "Any other client error"}
    return responses


LOGIN_BODY = {  # read by contract.read_login, so FastAPI does not parse it: documented here
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(LOGIN_FIELDS),
                    "properties": {
                        name: {"type": "string", "minLength": 1, "maxLength": MAX_FIELD_LENGTH}
                        for name in LOGIN_FIELDS
                    },
                }
            }
        },
    }
}

router = APIRouter(prefix="/api")


def get_book(request: Request) -> MarketBook:
    return request.app.state.book


class Health(BaseModel):
    status: str
    request_id: str


@router.get("/health", name="health")
def health(request: Request) -> Health:
    return Health(status="ok", request_id=request.state.request_id)


@router.post("/auth/login", name="login", responses=errors(400, 401, 415), openapi_extra=LOGIN_BODY)
async def login(request: Request) -> Token:
    body = read_login(await request.body(), request.headers.get("content-type"))
    token = auth.login(body.username, body.password)
    if token is None:
        raise invalid_credentials()
    return Token(token=token, token_type="Bearer")


@router.get("/auth/me", name="me", responses=errors(401))
def me(request: Request) -> Me:
    return Me(username=request.state.principal, request_id=request.state.request_id)


@router.get("/markets", name="market-list")
def market_list(request: Request) -> MarketList:
    return MarketList(results=[MarketOut(**as_json(m)) for m in get_book(request).all()])


@router.get("/markets/{market_id:int}", name="market-detail", responses=errors(404))
def market_detail(market_id: int, request: Request) -> MarketOut:
    market = get_book(request).get(market_id)
    if market is None:
        raise not_found(f"market with id {market_id}")
    return MarketOut(**as_json(market))


@router.delete(
    "/markets/{market_id:int}", name="market-detail", status_code=204, responses=errors(401, 404)
)
def market_delete(market_id: int, request: Request) -> Response:
    if not get_book(request).delete(market_id):
        raise not_found(f"market with id {market_id}")
    return Response(status_code=204)


@router.get(
    "/markets/{market_id:int}/positions", name="market-positions", responses=errors(401, 404)
)
def market_positions(market_id: int, request: Request) -> PositionList:
    book = get_book(request)
    if book.get(market_id) is None:
        raise not_found(f"market with id {market_id}")
    positions = book.positions_of(market_id, request.state.principal)
    return PositionList(results=[Position(**p) for p in positions])


def _serve_head(api: APIRouter) -> None:
    """HEAD is GET without the body (RFC 9110 §9.3.2); FastAPI's `@router.get` serves GET only.

    So each GET route is added again for HEAD, under the same name (the route the gate
    decides on), out of the OpenAPI schema. The app's dependencies — the gate — run for it.
    """
    for route in list(api.routes):
        if isinstance(route, APIRoute) and "GET" in route.methods:
            path = route.path.removeprefix(api.prefix)
            api.add_api_route(
                path, route.endpoint, methods=["HEAD"], name=route.name, include_in_schema=False
            )


_serve_head(router)


def error_response(request: Request, error: ApiError) -> JSONResponse:
    """`error` in the envelope, with the id the request-id middleware stored (task 2)."""
    request_id = getattr(request.state, "request_id", None)
    return JSONResponse(error_body(error, request_id), error.status, headers=error.headers)


def api_error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(request, exc)


def http_error_response(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own errors (404 no route, 405 wrong method) in the envelope.

    A 405's `Allow` lists every route of the path: Starlette names only the first one's.
    """
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(request, framework_error(exc.status_code, str(exc.detail), headers))


def validation_error_response(request: Request, exc: Exception) -> JSONResponse:
    """Never a 422: this API has no FastAPI-validated input, but the contract says 400."""
    error = ApiError(400, ErrorCode.VALIDATION_FAILED, "The request is not valid.")
    return error_response(request, error)


def last_resort_response(request: Request, exc: Exception) -> JSONResponse:
    """An exception raised in the middleware itself, answered by Starlette's outermost
    ServerErrorMiddleware, which re-raises it for the server to log. No middleware is left
    outside it to add the request id, so the header is set here, when there is one."""
    response = error_response(request, internal_error())
    request_id = getattr(request.state, "request_id", None)
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


class UnexpectedErrors:
    """The 500 for an exception no handler took, answered *inside* your middleware.

    Starlette's own 500 comes from its outermost layer, outside every added middleware, so
    it would go out without the request id and the timing. Added before `install(app)`,
    this is the innermost middleware: it logs the exception once, with its traceback, and
    answers the envelope on the way out through your pipeline.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except Exception:
            if started:  # half a response is out: no 500 can follow it
                raise
            log.exception("%s %s raised", scope["method"], scope["path"])
            await error_response(Request(scope), internal_error())(scope, receive, send)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


def create_app(
    book: MarketBook,
    install: Callable[[FastAPI], None],
    gate: Callable[..., Any] | None = None,
) -> FastAPI:
    """The app; `install` adds the middleware, `gate` is a dependency every route runs.

    Yours: `fastapi_middleware.install` and `fastapi_middleware.require_principal`. A
    dependency of the app runs after routing, so it knows the route; a middleware does not.
    The stack, outermost first: Starlette's ServerErrorMiddleware (`last_resort_response`),
    the middleware `install` adds, `UnexpectedErrors`, the exception handlers, the routes.
    """
    dependencies = [] if gate is None else [Depends(gate)]
    app = FastAPI(title="Markets API", redirect_slashes=False, dependencies=dependencies)
    app.state.book = book
    app.include_router(router)
    app.add_exception_handler(ApiError, api_error_response)
    app.add_exception_handler(StarletteHTTPException, http_error_response)
    app.add_exception_handler(RequestValidationError, validation_error_response)
    app.add_exception_handler(Exception, last_resort_response)
    app.add_middleware(UnexpectedErrors)  # added first: inside the middleware `install` adds
    install(app)
    return app
