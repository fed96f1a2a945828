"""The Markets API in FastAPI. Given code: every markets route depends on `current_user`
(task 5, `fastapi_auth.py`); `app.state.services` holds the stores and the token config."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from markets_jwt.auth import grant, login, refresh
from markets_jwt.contract import (
    ApiError,
    AuthError,
    ErrorBody,
    LoginIn,
    MarketIn,
    MarketOut,
    RefreshIn,
    TokenOut,
    api_error_from,
    code_for_status,
    error_body,
    invalid_json,
    is_json,
    not_found,
    unauthorized,
    unsupported_media_type,
)
from markets_jwt.fastapi_auth import current_user
from markets_jwt.store import Services, User

_ERRORS = {
    400: "Invalid input: `invalid_json` or `validation_failed`, per field",
    401: "No token, a refused token, a wrong username or password, a used refresh token",
    404: "No such market",
    415: "The body is not sent as application/json",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=`: these errors and any other 4xx, all in the envelope (no 422)."""
    responses: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody, "description": _ERRORS[code]} for code in statuses
    }
    responses["4XX"] = {"model": ErrorBody, "description": "Any other client error"}
    return responses


def get_services(request: Request) -> Services:
    return request.app.state.services


def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if not is_json(content_type):
        raise unsupported_media_type(content_type)


Svc = Annotated[Services, Depends(get_services)]
CurrentUser = Annotated[User, Depends(current_user)]
JsonBody = [Depends(require_json)]
router = APIRouter()


@router.post("/auth/token", dependencies=JsonBody, responses=errors(400, 401, 415))
def issue_token(body: LoginIn, services: Svc) -> TokenOut:
    """200 and a new access and refresh token for the right username and password (task 4)."""
    return grant(services, login(services.users, body.username, body.password))


@router.post("/auth/refresh", dependencies=JsonBody, responses=errors(400, 401, 415))
def refresh_token(body: RefreshIn, services: Svc) -> TokenOut:
    """200 and a new access and refresh token for an unused refresh token (task 6)."""
    return refresh(services, body.refresh_token)


@router.get("/markets", responses=errors(401))
def list_markets(user: CurrentUser, services: Svc) -> list[MarketOut]:
    return [MarketOut.model_validate(m) for m in services.markets.all()]


@router.post("/markets", status_code=201, dependencies=JsonBody, responses=errors(400, 401, 415))
def create_market(body: MarketIn, user: CurrentUser, services: Svc) -> MarketOut:
    """201: the market, its creator the user the token names (never a body field)."""
    return MarketOut.model_validate(services.markets.create(body.name, creator=user))


@router.get("/markets/{market_id:int}", responses=errors(401, 404))
def retrieve_market(market_id: int, user: CurrentUser, services: Svc) -> MarketOut:
    market = services.markets.get(market_id)
    if market is None:
        raise not_found(f"No market with id {market_id}.")
    return MarketOut.model_validate(market)


def api_error_response(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body, exc.status, headers=exc.headers)


def auth_error_response(request: Request, exc: AuthError) -> JSONResponse:
    return api_error_response(request, unauthorized(exc))


def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    return api_error_response(request, api_error_from(exc.errors()))


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """FastAPI's own errors (404, 405, a body it cannot parse) in the envelope; a 405's
    `Allow` lists every method of the path (Starlette names only the first route's)."""
    if exc.status_code == 400:
        return api_error_response(request, invalid_json())
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


def create_app(services: Services) -> FastAPI:
    app = FastAPI(title="Markets API (JWT)")
    app.state.services = services
    app.include_router(router)
    app.add_exception_handler(ApiError, api_error_response)
    app.add_exception_handler(AuthError, auth_error_response)
    app.add_exception_handler(RequestValidationError, validation_error_response)
    app.add_exception_handler(StarletteHTTPException, http_error_response)
    return app
