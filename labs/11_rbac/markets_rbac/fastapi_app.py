"""The Markets API in FastAPI. Task 2: put every route behind `require_permission`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from markets_rbac import services
from markets_rbac.auth import authenticate
from markets_rbac.contract import (
    ApiError,
    code_for_status,
    error_body,
    from_domain_error,
)
from markets_rbac.domain import DomainError, Permission, User
from markets_rbac.schemas import (
    ErrorBody,
    MarketCreate,
    MarketList,
    MarketOut,
    MarketPatch,
    Resolution,
    RoleChange,
    UserOut,
    openapi_body,
    parse_body,
)
from markets_rbac.store import Store

M = TypeVar("M", bound=BaseModel)
# Declared so the OpenAPI schema shows the Bearer scheme; the header itself is parsed by
# auth.authenticate, the one parser all three tracks share (auto_error=False: our 401).
bearer = HTTPBearer(auto_error=False)
_ERRORS = {
    400: "Invalid input, each bad field named in details",
    401: "No valid Bearer token (WWW-Authenticate says why)",
    403: "The caller's role does not grant this",
    404: "No such market or user",
    409: "The slug is taken, or the market's status forbids this",
    415: "The body is not sent as application/json",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=`: these errors and any other 4xx, all in the envelope (no 422)."""
    responses: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody, "description": _ERRORS[code]} for code in (401, 403, *statuses)
    }
    responses["4XX"] = {"model": ErrorBody, "description": "Any other client error"}
    return responses


def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


def current_user(
    request: Request,
    store: StoreDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    """The caller, as the store holds them now; 401 without valid credentials. Given."""
    return authenticate(request.headers.get("authorization"), store)


def require_permission(permission: Permission) -> Any:
    """A dependency: 401 unless authenticated, then 403 unless the role grants `permission`;
    its value is the caller (task 2)."""

    raise NotImplementedError(
        "TODO(task 2): a dependency on current_user that checks has_permission and returns "
        "the user, wrapped in Depends — see README task 2"
    )


def json_body(model: type[M]) -> Any:
    """A dependency reading the body as `model`; declare it after the permission, so an
    unauthenticated request is a 401 whatever its body. Given."""

    async def read(request: Request) -> M:
        return parse_body(request.headers.get("content-type"), await request.body(), model)

    return Depends(read)


router = APIRouter()
Caller = Annotated[User, Depends(current_user)]  # authenticated, nothing more


@router.get("/markets", responses=errors())
def list_markets(store: StoreDep) -> MarketList:
    return MarketList(results=[MarketOut.model_validate(m) for m in store.list_markets()])


@router.post(
    "/markets", status_code=201, responses=errors(400, 409, 415),
    openapi_extra=openapi_body(MarketCreate),
)  # fmt: skip
def create_market(
    store: StoreDep,
    actor: Caller,
    data: Annotated[MarketCreate, json_body(MarketCreate)],
) -> MarketOut:
    return MarketOut.model_validate(services.create_market(store, actor, data))


@router.get("/markets/{market_id:int}", responses=errors(404))
def retrieve_market(market_id: int, store: StoreDep) -> MarketOut:
    return MarketOut.model_validate(store.get_market(market_id))


@router.patch(
    "/markets/{market_id:int}", responses=errors(400, 404, 409, 415),
    openapi_extra=openapi_body(MarketPatch),
)  # fmt: skip
def update_market(
    market_id: int,
    store: StoreDep,
    actor: Caller,  # TODO(task 3): 403 before the body is read, unless can_edit_market
    changes: Annotated[MarketPatch, json_body(MarketPatch)],
) -> MarketOut:
    return MarketOut.model_validate(services.update_market(store, actor, market_id, changes))


@router.delete(
    "/markets/{market_id:int}", status_code=204, responses=errors(404),
)  # fmt: skip
def delete_market(market_id: int, store: StoreDep) -> None:
    services.delete_market(store, market_id)


@router.post(
    "/markets/{market_id:int}/resolve", responses=errors(400, 404, 409, 415),
    openapi_extra=openapi_body(Resolution),
)  # fmt: skip
def resolve_market(
    market_id: int, store: StoreDep, data: Annotated[Resolution, json_body(Resolution)]
) -> MarketOut:
    return MarketOut.model_validate(services.resolve_market(store, market_id, data.outcome))


@router.put(
    "/users/{user_id:int}/role", responses=errors(400, 404, 415),
    openapi_extra=openapi_body(RoleChange),
)  # fmt: skip
def change_role(
    user_id: int, store: StoreDep, data: Annotated[RoleChange, json_body(RoleChange)]
) -> UserOut:
    return UserOut.model_validate(services.change_role(store, user_id, data.role))


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), exc.status, headers=exc.headers)


def domain_error_response(request: Request, exc: DomainError) -> JSONResponse:
    return api_error_response(request, from_domain_error(exc))


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """FastAPI's own 404 and 405 in the envelope; a 405's Allow lists every method of the path
    (Starlette names only the first matching route's)."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    body = error_body(code_for_status(exc.status_code), str(exc.detail))
    return JSONResponse(body, exc.status_code, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


def create_app(store: Store) -> FastAPI:
    app = FastAPI(title="Markets API (RBAC)")
    app.state.store = store
    app.include_router(router)
    handlers: dict[Any, Callable[..., Any]] = {
        ApiError: api_error_response,
        DomainError: domain_error_response,
        StarletteHTTPException: http_error_response,
    }
    for exc_type, handler in handlers.items():
        app.add_exception_handler(exc_type, handler)
    return app
