"""The Markets API in Flask, every route behind `require_permission`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from markets_rbac import services
from markets_rbac.auth import authenticate
from markets_rbac.contract import (
    ApiError,
    code_for_status,
    error_body,
    forbidden,
    from_domain_error,
)
from markets_rbac.domain import DomainError, Permission, User
from markets_rbac.permissions import can_edit_market, has_permission
from markets_rbac.schemas import (
    MarketCreate,
    MarketOut,
    MarketPatch,
    Resolution,
    RoleChange,
    UserOut,
    parse_body,
)
from markets_rbac.store import Store

bp = Blueprint("markets", __name__)
STORE_KEY = "markets_rbac.store"
P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)
Reply = Response | tuple[Any, ...]


def store() -> Store:
    return current_app.extensions[STORE_KEY]


def current_user() -> User:
    """The caller, as the store holds them now; 401 without valid credentials. Given."""
    return authenticate(request.headers.get("Authorization"), store())


def require_permission(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A view decorator: 401 unless authenticated, then 403 unless the role grants
    `permission` (task 2). The view finds the caller in `g.user`."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            user = current_user()
            if not has_permission(user.role, permission):
                raise forbidden(f"Your role does not grant {permission}.")
            g.user = user
            return view(*args, **kwargs)

        return guarded

    return decorator


def body(model: type[M]) -> M:
    return parse_body(request.content_type, request.get_data(), model)


def market_json(market: Any, status: int = 200) -> Reply:
    return jsonify(MarketOut.model_validate(market).model_dump(mode="json")), status


@bp.get("/markets")
@require_permission(Permission.MARKETS_READ)
def list_markets() -> Reply:
    results = [MarketOut.model_validate(m).model_dump(mode="json") for m in store().list_markets()]
    return jsonify({"results": results})


@bp.post("/markets")
@require_permission(Permission.MARKETS_CREATE)
def create_market() -> Reply:
    return market_json(services.create_market(store(), g.user, body(MarketCreate)), 201)


@bp.get("/markets/<int:market_id>")
@require_permission(Permission.MARKETS_READ)
def retrieve_market(market_id: int) -> Reply:
    return market_json(store().get_market(market_id))


@bp.patch("/markets/<int:market_id>")
@require_permission(Permission.MARKETS_EDIT)
def update_market(market_id: int) -> Reply:
    # Object level, before the body is read: someone who may not edit learns nothing (task 3).
    if not can_edit_market(g.user, store().get_market(market_id)):
        raise forbidden(f"You may not edit market {market_id}.")
    return market_json(services.update_market(store(), g.user, market_id, body(MarketPatch)))


@bp.delete("/markets/<int:market_id>")
@require_permission(Permission.MARKETS_DELETE)
def delete_market(market_id: int) -> Reply:
    services.delete_market(store(), market_id)
    return "", 204


@bp.post("/markets/<int:market_id>/resolve")
@require_permission(Permission.MARKETS_RESOLVE)
def resolve_market(market_id: int) -> Reply:
    return market_json(services.resolve_market(store(), market_id, body(Resolution).outcome))


@bp.put("/users/<int:user_id>/role")
@require_permission(Permission.USERS_MANAGE)
def change_role(user_id: int) -> Reply:
    user = services.change_role(store(), user_id, body(RoleChange).role)
    return jsonify(UserOut.model_validate(user).model_dump(mode="json"))


# Registered on the app: the router's own 404 and 405 come before any blueprint is chosen.
@bp.app_errorhandler(ApiError)
def api_error_response(exc: ApiError) -> Reply:
    return jsonify(exc.body()), exc.status, exc.headers


@bp.app_errorhandler(DomainError)
def domain_error_response(exc: DomainError) -> Reply:
    return api_error_response(from_domain_error(exc))


@bp.app_errorhandler(HTTPException)
def http_error_response(exc: HTTPException) -> Reply:
    """Werkzeug's own errors (404, 405 with its Allow header) in the envelope."""
    status = exc.code or 500
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return jsonify(error_body(code_for_status(status), exc.description or "")), status, headers


def create_app(store: Store) -> Flask:
    app = Flask(__name__)
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False  # OPTIONS is not served: 405, as elsewhere
    app.extensions[STORE_KEY] = store
    app.register_blueprint(bp)
    return app
