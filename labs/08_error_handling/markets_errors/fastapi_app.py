"""FastAPI: the markets API, its request-id middleware and its error handlers.

Given: the middleware, the routes and their dependencies, and `create_app`, which registers
every handler in one place. Yours (the section marked so): what each handler answers, and
the request's database session (tasks 3-6).

Middleware, outermost first: `RequestIdMiddleware` → `UnexpectedErrors` → `BodyLimit` →
FastAPI's exception handlers → the route. Starlette answers an exception that no handler took with a
500 and then *re-raises* it, so the server logs it — without the request id, outside the
app. `UnexpectedErrors` catches it first, inside the request, and hands it to
`server_error_response`, which answers (and logs) it once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from markets_errors import access, db
from markets_errors.errors import ApiError, UnsupportedMediaType
from markets_errors.rendering import PROBLEM_JSON
from markets_errors.request_id import HEADER, accept_or_mint, current
from markets_errors.schemas import MAX_BODY_BYTES, MarketIn, MarketOut

# ------------------------------------------------------------------ middleware (given)


class RequestIdMiddleware:
    """Pure ASGI: the id on `request.state.request_id`, in `current`, on the response."""

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

        token = current.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Each request runs in a task of its own, with a copy of the context: no test can
            # see the id outlive the request, and the reset is hygiene.
            current.reset(token)  # pragma: no mutate


class UnexpectedErrors:
    """Pure ASGI: an exception no handler answered becomes `server_error_response`'s reply,
    here, instead of propagating to the server (which would log it a second time)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            # No route streams, so nothing raises once a response has started: kept for those
            # that will (a second response then would break the ASGI protocol).
            started = started or message["type"] == "http.response.start"  # pragma: no mutate
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except Exception as exc:
            if started:  # half a response is out: nothing else can be sent
                raise
            response = server_error_response(Request(scope), exc)
            await response(scope, receive, send)


class BodyLimit:
    """Pure ASGI: a body over MAX_BODY_BYTES is Starlette's 413, raised where the route reads
    it — inside the exception middleware, so `http_error_response` answers it (FastAPI reads
    the body before any dependency runs; a dependency would be too late)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise HTTPException(413)
            return message

        await self.app(scope, limited, send)


# ------------------------------------------------------------------ models and checks (given)


class _IdConvertor(Convertor[int]):
    """`{market_id:id}`: 1 to 19 ASCII digits, so a 5,000-digit id never reaches `int()`."""

    regex = "[0-9]{1,19}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", _IdConvertor())


class ErrorFields(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]
    request_id: str


class ErrorBody(BaseModel):
    error: ErrorFields


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str
    errors: list[dict[str, str]] | None = None


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=`: each error in both formats, and "4XX" for the router's own (which
    also keeps FastAPI from advertising its default 422: this API answers 400)."""
    content = {"application/json": {"schema": ErrorBody.model_json_schema()}}
    content[PROBLEM_JSON] = {"schema": Problem.model_json_schema()}
    return {
        status: {"model": ErrorBody, "description": "An error", "content": content}
        for status in (*statuses, "4XX")
    }


def require_json(content_type: Annotated[str | None, Header()] = None) -> None:
    """415 for a body not declared `application/json` (FastAPI would read it anyway)."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType()


def authorize_create(authorization: Annotated[str | None, Header()] = None) -> None:
    """401 without an editor's token, 403 for a viewer's, 429 past the create limit."""
    access.throttle(access.require_editor(authorization))


# ------------------------------------------------------------------ yours (tasks 3-6)


def error_response(request: Request, error: ApiError) -> JSONResponse:
    """`error` rendered for this request: its request id, its path, its Accept (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): render the error for this request as a JSONResponse — see README task 4"
    )


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    """Any ApiError a route or dependency raised (task 4)."""
    raise NotImplementedError("TODO(task 4): answer an ApiError — see README task 4")


def http_error_response(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's own errors — 404 no route, 405 with its Allow, 400 unreadable body (task 5)."""
    raise NotImplementedError(
        "TODO(task 5): answer Starlette's own HTTPException, keeping its Allow — see README task 5"
    )


def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body FastAPI could not parse or validate: 400, never FastAPI's 422 (task 5)."""
    raise NotImplementedError(
        "TODO(task 5): answer a RequestValidationError with a 400 — see README task 5"
    )


def server_error_response(request: Request, exc: Exception) -> JSONResponse:
    """A bug: logged once, with its traceback, and answered with nothing about it (task 6)."""
    raise NotImplementedError(
        "TODO(task 6): log the bug once and answer the generic 500 — see README task 6"
    )


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: committed when the route returns, rolled back when it raises
    — even when a handler then turns the error into a response (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): one session per request, committed only on success — see README task 3"
    )


# scope="function": the commit runs before the response is sent, so a failed commit is a 500.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# ------------------------------------------------------------------ the routes (given)

router = APIRouter()


@router.get("/markets/{market_id:id}", responses=errors(404))
def get_market(market_id: int, session: SessionDep) -> MarketOut:
    return MarketOut(**db.get_market(session, market_id))


@router.post(
    "/markets",
    status_code=201,
    responses=errors(400, 401, 403, 409, 415, 429),
    dependencies=[Depends(authorize_create), Depends(require_json)],
)
def create_market(body: MarketIn, session: SessionDep) -> MarketOut:
    return MarketOut(**db.create_market(session, name=body.name, slug=body.slug, tag=body.tag))


def create_app(sessions: sessionmaker[Session] | None = None) -> FastAPI:
    """The app over `sessions` (default: a fresh in-memory SQLite database)."""
    # redirect_slashes=False: "/markets/1/" is a 404 as in Django and Flask, not a 307 to
    # "/markets/1" (a redirect a client may not follow for a POST).
    app = FastAPI(title="Markets, with one error body", redirect_slashes=False)
    app.state.sessions = sessions or sessionmaker(db.make_engine())
    app.include_router(router)
    app.add_exception_handler(ApiError, api_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_response)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit)  # added first: the innermost, where the route reads
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RequestIdMiddleware)  # added last: the outermost, around everything
    return app
