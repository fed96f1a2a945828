"""Task 4: the auth gate — a token on every route but the public ones, decided on the route.

These tests run the request-id middleware and the gate (`api("auth_gate")`). Which routes
exist is read from each app (tests/routes.py), so none is left unprotected by omission.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from checks import ADA, AS_ADA, AS_BOB, body_of, expect_error, shown
from routes import ROUTES_OF

from markets_middleware import auth
from markets_middleware.auth import PASSWORDS
from markets_middleware.contract import PUBLIC_ROUTES

pytestmark = pytest.mark.task(4)
OUTAGE = "token store down at redis://10.0.0.7:6379"

WHERE = {
    "django": "request.principal",
    "fastapi": "request.state.principal",
    "flask": "g.principal",
}


def expect_401(reply, call: str) -> None:
    expect_error(reply, 401, "not_authenticated", call, task=4)
    challenge = reply.header("www-authenticate") or ""
    assert challenge.lower().startswith("bearer"), (
        f"{call} answered 401 with WWW-Authenticate: {challenge!r}; a 401 names the scheme the "
        "client should use, `Bearer` (RFC 9110 §11.6.1; contract.not_authenticated) (task 4)"
    )


def test_the_apps_serve_the_routes_this_lab_protects(framework) -> None:
    served = {(r.method, r.name) for r in ROUTES_OF[framework]()}  # HEAD left out
    assert len(served) == 7 and served > {r for r in PUBLIC_ROUTES if r[0] != "HEAD"}, (
        f"[{framework}] the app serves {sorted(served)}; the given apps serve 7 routes, four of "
        "them public (contract.py): were the given views or URLs changed? (task 4)"
    )


def test_every_route_outside_the_allow_list_needs_a_token(api, framework) -> None:
    client = api("auth_gate")
    for route in ROUTES_OF[framework]():
        reply = client.request(route.method, route.path)
        call = f"[{framework}] {route.method} {route.path} (route {route.name!r}) with no token"
        if (route.method, route.name) in PUBLIC_ROUTES:
            assert reply.status != 401, (
                f"{call} answered {shown(reply)}; ({route.method}, {route.name!r}) is in "
                "PUBLIC_ROUTES: anyone may call it (task 4)"
            )
        else:
            expect_401(reply, call + f" — ({route.method}, {route.name!r}) is not public")


def test_a_public_path_does_not_make_other_methods_on_it_public(api, framework, book) -> None:
    client = api("auth_gate")
    reply = client.delete("/api/markets/1")
    expect_401(
        reply,
        f"[{framework}] DELETE /api/markets/1 with no token — GET on this path is public, "
        "DELETE is not: a route is a method and a path",
    )
    assert 1 in book.markets, f"[{framework}] market 1 was deleted by a request with no token"


def test_every_public_route_answers_without_a_token(api, framework) -> None:
    client = api("auth_gate")
    login = {"username": "ada", "password": PASSWORDS["ada"]}
    for method, path, json in (
        ("GET", "/api/health", None),
        ("POST", "/api/auth/login", login),
        ("GET", "/api/markets", None),
        ("GET", "/api/markets/2", None),
    ):
        reply = client.request(method, path, json=json)
        assert reply.status == 200, (
            f"[{framework}] {method} {path} with no token answered {shown(reply)}; it is a "
            "public route (contract.PUBLIC_ROUTES): expected 200 (task 4)"
        )
    token = (body_of(client.post("/api/auth/login", json=login)) or {}).get("token")
    assert token == ADA, f"[{framework}] the login answered token {token!r}"


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/me?",
        "/api/auth/me?next=/api/health",
        "/api/auth/me?=/api/auth/login",
        "/api/auth/me?public=/api/markets",
        "/api/markets/1/positions?from=/api/markets/1",
        "/api/auth/me#/api/health",
        "/api/auth/%6De",
        "/api/auth%2Fme",
        "/api/markets/%31/positions",
    ],
)
def test_a_path_that_names_a_protected_route_needs_a_token(api, framework, path) -> None:
    reply = api("auth_gate").get(path)
    expect_401(
        reply,
        f"[{framework}] GET {path} with no token — the router resolves it to a protected "
        "route; the query string, an escape or a fragment change nothing: decide on the "
        "resolved route, never on the text of the URL",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/../auth/me",
        "/api/auth/login/../me",
        "/api/health/../auth/me",
        "/api/auth/%2e%2e/auth/me",
        "/api/auth/login%2F..%2Fme",
        "/api/markets/1/../1/positions",
        "/api/auth/me/",
        "//api/auth/me",
        "/api//auth/me",
        "/API/auth/me",
        "/api/Auth/me",
        "/api/authx",
        "/api/auth/me%20",
        "/api/auth/me;",
        "/api/markets/1/positions/",
    ],
)
def test_bypass_attempts_never_reach_a_protected_view(api, framework, path) -> None:
    reply = api("auth_gate").get(path)
    leaked = '"username"' in reply.text or '"side"' in reply.text  # what the views answer
    assert reply.status in (401, 404, 308) and not leaked, (
        f"[{framework}] GET {path} with no token answered {shown(reply)}; a path that dodges "
        "a string check on the raw path must still end in a 401 (it resolved to a protected "
        "route), a 404 (it resolved to none) or a redirect — never the view (task 4)"
    )


def test_a_header_naming_another_path_changes_nothing(api, framework) -> None:
    headers = {"X-Original-URL": "/api/health", "X-Rewrite-URL": "/api/health"}
    reply = api("auth_gate").get("/api/auth/me", headers=headers)
    expect_401(reply, f"[{framework}] GET /api/auth/me, no token, X-Original-URL: /api/health")


def test_head_on_a_protected_route_reveals_nothing(api, framework) -> None:
    reply = api("auth_gate").request("HEAD", "/api/auth/me")
    assert reply.status in (401, 405), (
        f"[{framework}] HEAD /api/auth/me with no token answered {shown(reply)}; Django and "
        "Flask answer HEAD by running the GET view: the gate must refuse it (401), or the "
        "framework must not serve it (405) (task 4)"
    )


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer not-a-token", id="an unknown token"),
        pytest.param(f"Bearer {ADA}x", id="a known token with a suffix"),
        pytest.param(f"Bearer {ADA[:-1]}", id="a known token cut short"),
        pytest.param(f"Basic {ADA}", id="another scheme"),
        pytest.param(ADA, id="no scheme"),
        pytest.param("Bearer", id="a scheme without a token"),
        pytest.param("", id="an empty header"),
    ],
)
def test_a_bad_authorization_header_is_refused(api, framework, authorization) -> None:
    reply = api("auth_gate").get("/api/auth/me", headers={"Authorization": authorization})
    call = f"[{framework}] GET /api/auth/me with Authorization: {authorization[:30]!r}"
    expect_401(
        reply, f"{call} — a header is not a credential until auth.authenticate says whose it is"
    )
    token = authorization.split()[-1] if authorization else ""
    if token and token.lower() != "bearer":
        echoed = [name for name, value in reply.headers.items() if token in value]
        assert token not in reply.text and not echoed, (
            f"{call} answered {shown(reply)}{f' (in {echoed})' if echoed else ''}; the 401 "
            "repeats the refused credential: a token — maybe a real one, a little wrong — "
            "then lands in the client's logs, error trackers and caches, and whatever the "
            "client sent is reflected back. Answer contract.not_authenticated() as it is, "
            "with nothing of the header in it (task 4)"
        )


def test_a_token_in_the_query_string_is_refused(api, framework) -> None:
    reply = api("auth_gate").get(f"/api/auth/me?access_token={ADA}")
    expect_401(
        reply,
        f"[{framework}] GET /api/auth/me?access_token=<ada's token>, no Authorization header — "
        "a token in the URL lands in access logs, proxies, the Referer header and browser "
        "history (RFC 6750 §5.3): this API reads it from the Authorization header only",
    )


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
def test_the_bearer_scheme_is_case_insensitive(api, framework, scheme) -> None:
    reply = api("auth_gate").get("/api/auth/me", headers={"Authorization": f"{scheme} {ADA}"})
    seen = (body_of(reply) or {}).get("username")
    assert reply.status == 200 and seen == "ada", (
        f"[{framework}] GET /api/auth/me with Authorization: {scheme} <ada's token> answered "
        f"{shown(reply)}; the scheme of an Authorization header is case-insensitive (RFC 9110 "
        "§11.1, RFC 6750 §2.1), so this is ada: let auth.authenticate read the header, "
        "rather than parsing it yourself (task 4)"
    )


def test_a_token_check_that_raises_fails_closed(api, framework, book, monkeypatch, caplog) -> None:
    def unreachable(token: str) -> str | None:
        raise ConnectionError(OUTAGE)

    monkeypatch.setattr(auth, "lookup", unreachable)
    client = api("auth_gate")
    reply = client.delete("/api/markets/1", headers={**AS_ADA, "X-Request-ID": "outage-1"})
    call = (
        f"[{framework}] DELETE /api/markets/1 with ada's token and X-Request-ID: outage-1, "
        "while the token check raises ConnectionError,"
    )
    assert reply.status == 500 and 1 in book.markets, (
        f"{call} answered {shown(reply)} (market 1 "
        f"{'kept' if 1 in book.markets else 'deleted'}); expected a 500 and market 1 kept. A "
        "gate that cannot tell who is calling refuses the request — it fails closed: let the "
        "exception reach the framework, which answers 500 (docs/design.md: anything "
        "unexpected is a 500). Catching it and letting the request through opens every "
        "route whenever the token store is down; answering 401 tells a valid user their "
        "token is bad and hides the outage (task 4)"
    )
    error = expect_error(reply, 500, "internal_error", call, task=4)
    assert reply.header("x-request-id") == "outage-1", (
        f"{call} answered {shown(reply)}; the 500 carries the request's own id, the one to "
        "quote to support and to find in the log (task 2)"
    )
    leaked = [word for word in ("10.0.0.7", "redis", "ConnectionError") if word in reply.text]
    assert not leaked and error.get("details") == {}, (
        f"{call} answered {shown(reply)}; it shows {leaked or 'details'} of the exception. "
        "A 500 reveals nothing: the given handlers answer contract.internal_error() and the "
        "traceback goes to the log — let the exception propagate to them (task 4)"
    )
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is ConnectionError]
    assert len(logged) == 1, (
        f"{call} logged the ConnectionError's traceback {len(logged)} times; expected once, by "
        "the framework's own 500 handling: swallowing the exception loses the outage from "
        "the log, and logging it yourself before re-raising logs it twice (task 4)"
    )
    health = client.get("/api/health")
    assert health.status == 200, (
        f"[{framework}] GET /api/health while the token store is down answered "
        f"{shown(health)}; a public route never asks for a token, so it answers 200 whatever "
        "the token store's state: decide 'public' first (task 4)"
    )


def test_head_on_a_public_route_is_public_like_its_get(api, framework) -> None:
    client = api("auth_gate")
    for path in ("/api/health", "/api/markets", "/api/markets/1"):
        reply = client.request("HEAD", path)
        assert reply.status == 200, (
            f"[{framework}] HEAD {path} with no token answered {shown(reply)}; HEAD is GET "
            "without the body (RFC 9110 §9.3.2) and every framework here answers it with the "
            "GET view, so it is public wherever GET is: PUBLIC_ROUTES lists ('HEAD', name) "
            "beside each public ('GET', name) — look the request's own method up (task 4)"
        )


def _added_routes_client(framework: str, book, stack: ExitStack):
    """A client whose app serves two routes added after the gate was written."""
    from patterns_workbook.testing.http import as_client

    if framework == "django":
        from django.test import override_settings

        ours = "markets_middleware.django_app.middleware"
        order = [f"{ours}.RequestIdMiddleware", f"{ours}.AuthGateMiddleware"]
        stack.enter_context(
            override_settings(ROOT_URLCONF="added_routes", MIDDLEWARE=order, MARKETS_BOOK=book)
        )
        return as_client("django")
    if framework == "fastapi":
        from markets_middleware import fastapi_middleware
        from markets_middleware.fastapi_app import create_app

        def request_id(app) -> None:
            app.add_middleware(fastapi_middleware.RequestIdMiddleware)

        def orders(market_id: int) -> dict[str, str]:
            return {"orders": "the orders"}

        def health_deep() -> dict[str, str]:
            return {"orders": "the database's health"}

        app = create_app(book, request_id, fastapi_middleware.require_principal)
        path = "/api/markets/{market_id:int}/orders"
        app.add_api_route(path, orders, name="market-orders")
        app.add_api_route("/api/health/deep", health_deep, name="health-deep")
        return stack.enter_context(as_client(app))
    from flask import jsonify

    from markets_middleware import flask_middleware
    from markets_middleware.flask_app import create_app

    def pipeline(app) -> None:
        flask_middleware.request_id(app)
        flask_middleware.auth_gate(app)

    app = create_app(book, pipeline)
    app.add_url_rule(
        "/api/markets/<int:market_id>/orders",
        endpoint="api.market-orders",
        view_func=lambda market_id: jsonify(orders="the orders"),
    )
    app.add_url_rule(
        "/api/health/deep",
        endpoint="api.health-deep",
        view_func=lambda: jsonify(orders="the database's health"),
    )
    return as_client(app)


def test_a_route_added_later_is_protected_by_default(framework, book) -> None:
    with ExitStack() as stack:
        client = _added_routes_client(framework, book, stack)
        for path, name in (
            ("/api/markets/1/orders", "market-orders"),
            ("/api/health/deep", "health-deep"),
        ):
            reply = client.get(path)
            expect_401(
                reply,
                f"[{framework}] GET {path} (route {name!r}, added after the gate was written) "
                "with no token — a default-deny gate protects a new route the day it is "
                "added: look the resolved (method, name) up in PUBLIC_ROUTES, never a list "
                "of today's protected routes, and never the text of the path",
            )
            opened = client.get(path, headers=AS_ADA)
            assert opened.status == 200, (
                f"[{framework}] GET {path} as ada answered {shown(opened)}; expected 200 (task 4)"
            )


def test_a_valid_token_opens_the_protected_routes_as_its_user(api, framework, book) -> None:
    client = api("auth_gate")
    for headers, user in ((AS_ADA, "ada"), (AS_BOB, "bob")):
        reply = client.get("/api/auth/me", headers=headers)
        seen = (body_of(reply) or {}).get("username")
        assert reply.status == 200 and seen == user, (
            f"[{framework}] GET /api/auth/me as {user} answered {shown(reply)}; the handler reads "
            f"the user the gate stored in {WHERE[framework]} (task 4)"
        )
    positions = client.get("/api/markets/1/positions", headers=AS_ADA)
    assert positions.status == 200 and (body_of(positions) or {}).get("results"), (
        f"[{framework}] GET /api/markets/1/positions as ada answered {shown(positions)}; "
        "expected ada's position (task 4)"
    )
    deleted = client.delete("/api/markets/3", headers=AS_BOB)
    assert deleted.status == 204 and 3 not in book.markets, (
        f"[{framework}] DELETE /api/markets/3 as bob answered {shown(deleted)}; expected 204 "
        "(task 4)"
    )
    after = client.get("/api/auth/me")
    expect_401(after, f"[{framework}] GET /api/auth/me with no token, after requests with tokens")


@pytest.mark.flask
def test_flask_another_blueprints_endpoint_of_the_same_name_is_not_public() -> None:
    from flask import Blueprint, jsonify

    from markets_middleware import flask_middleware
    from markets_middleware.flask_app import create_app
    from markets_middleware.markets import MarketBook
    from patterns_workbook.testing.http import as_client

    def pipeline(app) -> None:
        flask_middleware.request_id(app)
        flask_middleware.auth_gate(app)

    app = create_app(MarketBook(), pipeline)
    admin = Blueprint("admin", __name__, url_prefix="/admin")
    admin.get("/health", endpoint="health")(lambda: jsonify(secret="the admin's health report"))
    app.register_blueprint(admin)
    reply = as_client(app).get("/admin/health")
    expect_401(
        reply,
        "[flask] GET /admin/health (endpoint 'admin.health') with no token — only 'api.health' "
        "is public: compare the whole endpoint, blueprint included, not the part after the dot",
    )
