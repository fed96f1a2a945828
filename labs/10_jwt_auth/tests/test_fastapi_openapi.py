"""Task 5, FastAPI: the schema tells clients which routes need a Bearer token, and how."""

from __future__ import annotations

from typing import Any

import pytest

from markets_jwt.config import JwtConfig
from markets_jwt.store import MarketStore, Services, UserStore

pytestmark = [pytest.mark.fastapi, pytest.mark.task(5)]


@pytest.fixture
def schema(jwt_config: JwtConfig) -> dict[str, Any]:
    from markets_jwt.fastapi_app import create_app

    return create_app(Services(UserStore(), MarketStore(), jwt_config)).openapi()


def test_markets_routes_declare_the_bearer_scheme(schema: dict[str, Any]) -> None:
    schemes = schema.get("components", {}).get("securitySchemes", {})
    bearer = [
        n for n, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"
    ]
    assert bearer, (
        f"the OpenAPI schema declares the security schemes {schemes}; declare the Bearer "
        "scheme by depending on fastapi.security.HTTPBearer(auto_error=False) in "
        "current_user, so /docs and generated clients know to send a token (task 5)"
    )
    unsecured = [
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        if path.startswith("/markets")
        for method, op in ops.items()
        if not any(bearer[0] in requirement for requirement in op.get("security", []))
    ]
    assert not unsecured, (
        f"{unsecured} do not list the Bearer scheme under security in the OpenAPI schema; "
        "every markets route depends on current_user, which depends on the scheme (task 5)"
    )


def test_no_route_advertises_422(schema: dict[str, Any]) -> None:
    with_422 = [
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "422" in op.get("responses", {})
    ]
    assert not with_422, (
        f"{with_422} advertise a 422 this API never sends (invalid input is a 400): "
        "declare current_user's parameters as the request and the scheme only (task 5)"
    )
