"""Task 2: every route of every app is in the permission table and enforces its permission.

The routes are read from each framework (Django's URL resolver, FastAPI's `app.routes`,
Flask's `url_map`), not from a list in this file: a route added without protection, in one
framework only, fails here.
"""

from __future__ import annotations

import re
from itertools import count
from typing import Any

import pytest
from checks import assert_401, assert_403, assert_allowed
from conftest import USERS
from spec import expected

from markets_rbac import permissions
from markets_rbac.domain import Permission
from markets_rbac.routes import ROUTE_PERMISSIONS

pytestmark = pytest.mark.task(2)

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
IGNORED_METHODS = {"HEAD", "OPTIONS", "TRACE"}  # served by the framework for every route
FASTAPI_DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
BODIES = {
    ("POST", "/markets"): {"name": "Hail in Porto", "slug": "hail-porto-{n}"},
    ("PATCH", "/markets/{market_id}"): {"name": "Renamed"},
    ("POST", "/markets/{market_id}/resolve"): {"outcome": "yes"},
    ("PUT", "/users/{user_id}/role"): {"role": "viewer"},
}
_fresh = count(1)


def _template(path: str) -> str:
    """`/markets/<int:market_id>`, `markets/<int:market_id>`, `/markets/{market_id}` → one form."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    return "/" + path.lstrip("^/").removesuffix("$")


def served_routes(framework: str, app: Any) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, asked of the framework."""
    if framework == "django":
        from django.urls import get_resolver

        routes = set()
        for pattern in get_resolver().url_patterns:
            view = pattern.callback.view_class
            for method in view.http_method_names:
                if hasattr(view, method) and method.upper() not in IGNORED_METHODS:
                    routes.add((method.upper(), _template(str(pattern.pattern))))
        return routes
    if framework == "fastapi":
        from fastapi.routing import iter_route_contexts  # routes of included routers too

        return {
            (method, _template(route.path_format))
            for route in iter_route_contexts(app.routes)
            if route.path not in FASTAPI_DOCS
            for method in getattr(route, "methods", None) or ()
            if method not in IGNORED_METHODS
        }
    assert framework == "flask", framework
    return {
        (method, _template(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods or ()
        if method not in IGNORED_METHODS
    }


def request(client: Any, world: Any, route: tuple[str, str], username: str | None) -> Any:
    """One valid request on `route`, as `username` (None: no credentials).

    The market is a fresh draft of the caller's own, so only the permission decides.
    """
    method, template = route
    n = next(_fresh)
    owner = world.users[username].id if username else world.users["carl"].id
    market = world.store.add_market(name=f"Market {n}", slug=f"market-{n}", creator_id=owner)
    path = template.format(market_id=market.id, user_id=world.users["vera"].id)
    body = BODIES.get(route)
    if body is not None:
        body = {key: value.replace("{n}", str(n)) for key, value in body.items()}
    headers = world.auth(username) if username else {}
    return client.request(method, path, json=body, headers=headers)


def test_every_route_the_app_serves_is_in_the_permission_table(client, app):
    served = served_routes(client.framework, app)
    undeclared = sorted(served - set(ROUTE_PERMISSIONS))
    assert not undeclared, (
        f"[{client.framework}] the app serves {undeclared}, which routes.ROUTE_PERMISSIONS does "
        "not list: every route is declared with the permission it needs, so none is left open "
        "by accident (task 2)"
    )
    missing = sorted(set(ROUTE_PERMISSIONS) - served)
    assert not missing, f"[{client.framework}] the app does not serve {missing} (task 2)"


@pytest.mark.parametrize("route", sorted(ROUTE_PERMISSIONS), ids=" ".join)
def test_every_route_refuses_a_request_without_a_token(client, world, route):
    what = "write" if route[0] in WRITES else "read"
    r = request(client, world, route, None)
    assert_401(client.framework, r, f"{' '.join(route)} (a {what}) with no token")


@pytest.mark.parametrize("route", sorted(ROUTE_PERMISSIONS), ids=" ".join)
def test_every_route_refuses_each_role_without_its_permission(client, world, route):
    permission = ROUTE_PERMISSIONS[route]
    for username, role in USERS.items():
        if not expected(role, permission):
            r = request(client, world, route, username)
            assert_403(
                client.framework,
                r,
                f"{' '.join(route)} by a user whose role is {role!r}",
                f"the route needs {permission}, which {role!r} does not hold",
            )


@pytest.mark.parametrize("route", sorted(ROUTE_PERMISSIONS), ids=" ".join)
def test_every_route_lets_each_role_with_its_permission_through(client, world, route):
    permission = ROUTE_PERMISSIONS[route]
    for username, role in USERS.items():
        if expected(role, permission):
            r = request(client, world, route, username)
            assert_allowed(
                client.framework,
                r,
                f"{' '.join(route)} by a {role}, on a draft of their own",
                f"{role} holds {permission}",
            )


@pytest.mark.parametrize("route", sorted(ROUTE_PERMISSIONS), ids=" ".join)
def test_every_route_needs_exactly_its_permission(client, world, route, monkeypatch):
    permission = ROUTE_PERMISSIONS[route]
    table = {
        **permissions.ROLE_PERMISSIONS,
        "only-this": frozenset({permission}),
        "all-but-this": frozenset(Permission) - {permission},
        "admin": frozenset(Permission) - {permission},
    }
    monkeypatch.setattr(permissions, "ROLE_PERMISSIONS", table)
    world.store.set_role(world.users["vera"].id, "only-this")
    world.store.set_role(world.users["cleo"].id, "all-but-this")
    r = request(client, world, route, "vera")
    assert_allowed(
        client.framework,
        r,
        f"{' '.join(route)} by a role holding only {permission}",
        f"the route needs {permission} and nothing else",
    )
    for username in ("cleo", "ada"):
        r = request(client, world, route, username)
        assert_403(
            client.framework,
            r,
            f"{' '.join(route)} by {username}, whose role ({world.user(username).role}) holds "
            f"every permission but {permission}",
            f"the route needs {permission}: guarding it with another permission that today's "
            "roles happen to hold together, or letting 'admin' through by name, is a bug the "
            "next table change exposes",
        )


@pytest.mark.parametrize("path", ["/markets", "/markets/{market_id}"])
def test_head_is_guarded_like_get(client, world, path):
    r = client.request("HEAD", path.format(market_id=world.markets["carl_draft"].id))
    assert r.status in (401, 405), (
        f"[{client.framework}] HEAD {path} with no token answered {r.status}; expected 401 (or "
        "405 where HEAD is not served): HEAD runs the GET view, so a guard keyed on the method "
        "name that lets unlisted methods through is bypassed by changing the verb (task 2)"
    )


@pytest.mark.parametrize("path", ["/markets", "/markets/{market_id}"])
def test_an_authorised_head_is_answered_like_get(client, world, path):
    path = path.format(market_id=world.markets["carl_draft"].id)
    r = client.request("HEAD", path, headers=world.auth("vera"))
    want = 405 if client.framework == "fastapi" else 200
    assert r.status == want, (
        f"[{client.framework}] HEAD {path} by a viewer answered {r.status}; expected {want}: "
        "HEAD is a GET without the body (RFC 9110 §9.3.2), so it needs what GET needs, "
        "markets:read, which a viewer holds — map HEAD to GET's permission, do not leave it "
        "to fail closed (FastAPI serves no HEAD: 405, see README task 2) (task 2)"
    )


@pytest.mark.parametrize("username", [None, "vera", "ada"])
def test_options_is_not_served_to_anyone(client, world, username):
    headers = world.auth(username) if username else {}
    caller = f"a {world.users[username].role}" if username else "no token"
    ids = {"market_id": world.markets["carl_draft"].id, "user_id": world.users["vera"].id}
    for template in sorted({path for _, path in ROUTE_PERMISSIONS}):
        path = template.format(**ids)
        r = client.request("OPTIONS", path, headers=headers)
        assert r.status == 405 and r.header("allow"), (
            f"[{client.framework}] OPTIONS {path} with {caller} answered {r.status} "
            f"{r.text[:120]!r}; expected 405 with Allow, in every framework: this API serves "
            "no OPTIONS (README task 2) — DRF's own OPTIONS answer describes the view to "
            "anyone, Flask's automatic one bypasses every guard; a Django view serves the "
            "methods its http_method_names lists (task 2)"
        )
