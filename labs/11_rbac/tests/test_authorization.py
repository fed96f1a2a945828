"""Task 2: `require_permission` — 401 before 403, and the role only ever from the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from checks import assert_401, assert_403, assert_allowed, shown

from markets_rbac.auth import issue_token
from markets_rbac.routes import ROUTE_PERMISSIONS

pytestmark = pytest.mark.task(2)

NEW = {"name": "Hail in Porto", "slug": "hail-porto"}
NOT_GRANTED = "the caller is known, and their role (read from the user store) lacks the permission"


def created(world) -> list[str]:
    return [m.slug for m in world.store.list_markets() if m.slug.startswith("hail")]


def bad_credentials(world) -> dict[str, str]:
    """Authorization values that must each be a 401."""
    vera = world.users["vera"].id
    good = issue_token(vera)
    header, payload, signature = good.split(".")
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    return {
        "a Basic header": "Basic dmVyYTpzZWNyZXQ=",
        "the scheme alone": "Bearer",
        "an empty token": "Bearer ",
        "a token that is not a JWT": "Bearer not-a-token",
        "a token with a forged signature": f"Bearer {header}.{payload}.{signature[::-1]}",
        "a token signed with another key": "Bearer "
        + jwt.encode({"sub": str(vera)}, "another-key-" + "x" * 40, algorithm="HS256"),
        "an expired token": f"Bearer {issue_token(vera, now=long_ago)}",
        "the token twice": f"Bearer {good} {good}",
    }


def test_no_credentials_is_401_with_a_bearer_challenge(client, world):
    r = client.post("/markets", json=NEW)
    assert_401(client.framework, r, "POST /markets with no Authorization header")
    assert not created(world), f"[{client.framework}] POST /markets with no token created a market"


def test_bad_credentials_are_401(client, world):
    for what, value in bad_credentials(world).items():
        r = client.post("/markets", json=NEW, headers={"Authorization": value})
        assert_401(client.framework, r, f"POST /markets with {what}")


def test_a_token_in_the_query_string_is_not_credentials(client, world):
    token = world.token("ada")
    r = client.get(f"/markets?access_token={token}")
    assert_401(
        client.framework, r, "GET /markets?access_token=<admin token> (no Authorization header)"
    )


def test_a_valid_token_whose_user_is_gone_is_401(client, world):
    headers = world.auth("carl")
    world.store.remove_user(world.users["carl"].id)
    r = client.post("/markets", json=NEW, headers=headers)
    assert_401(client.framework, r, "POST /markets with a valid token of a deleted user")


def test_no_token_is_401_even_where_no_role_would_be_allowed(client, world):
    r = client.put(f"/users/{world.users['vera'].id}/role", json={"role": "admin"})
    assert_401(client.framework, r, "PUT /users/{id}/role with no token (an admin-only route)")


BAD_BODIES = [
    ("broken JSON", b'{"name": ', "application/json"),
    ("a JSON list", b"[]", "application/json"),
    ("a text/plain body", b"hello", "text/plain"),
]
BODY_ROUTES = sorted(route for route in ROUTE_PERMISSIONS if route[0] in ("POST", "PUT", "PATCH"))


def body_route_path(world, template: str) -> str:
    return template.format(market_id=world.markets["carl_draft"].id, user_id=world.users["vera"].id)


@pytest.mark.parametrize("route", BODY_ROUTES, ids=" ".join)
def test_no_token_is_401_whatever_the_body(client, world, route):
    method, template = route
    path = body_route_path(world, template)
    for what, raw, content_type in BAD_BODIES:
        r = client.send(method, path, body=raw, headers={"Content-Type": content_type})
        assert_401(
            client.framework,
            r,
            f"{method} {template} with no token and {what} (a 400 or 415 here means the body "
            "was read before the guard ran: in FastAPI, declare the guard before the body "
            "parameter)",
        )


@pytest.mark.parametrize("route", BODY_ROUTES, ids=" ".join)
def test_a_role_without_the_permission_is_403_whatever_the_body(client, world, route):
    method, template = route
    path = body_route_path(world, template)
    for what, raw, content_type in BAD_BODIES:
        headers = {**world.auth("vera"), "Content-Type": content_type}
        r = client.send(method, path, body=raw, headers=headers)
        assert_403(
            client.framework,
            r,
            f"{method} {template} by a viewer, with {what}",
            f"a viewer lacks {ROUTE_PERMISSIONS[route]}, and the guard runs before the body "
            "is read: a 400 naming fields tells a caller who may not use the route what it "
            "takes",
        )


def test_a_role_without_the_permission_is_403(client, world):
    r = client.post("/markets", json=NEW, headers=world.auth("vera"))
    assert_403(client.framework, r, "POST /markets by a viewer", NOT_GRANTED)
    assert not created(world), f"[{client.framework}] a viewer's refused POST created a market"


@pytest.mark.parametrize("username", ["nobody", "blank", "shouty", "legacy"])
def test_a_missing_or_unknown_role_may_do_nothing(client, world, username):
    role = world.users[username].role
    headers = world.auth(username)
    why = (
        f"the stored role {role!r} is not in the table: default deny, no permission at all — "
        "not the permissions of some default role"
    )
    for method, path, body in (
        ("GET", "/markets", None),
        ("GET", f"/markets/{world.markets['carl_draft'].id}", None),
        ("POST", "/markets", NEW),
    ):
        r = client.request(method, path, json=body, headers=headers)
        assert_403(client.framework, r, f"{method} {path} by a user whose role is {role!r}", why)
    assert not created(world), f"[{client.framework}] a user with role {role!r} created a market"


ROLE_CLAIMS = {
    "role": "admin",
    "roles": ["admin"],
    "scope": "markets:create users:manage",
    "permissions": ["markets:create", "users:manage"],
}


def test_role_claims_in_the_token_grant_nothing(client, world):
    vera = world.users["vera"]
    token = issue_token(vera.id, extra_claims=ROLE_CLAIMS)
    headers = {"Authorization": f"Bearer {token}"}
    why = (
        "the token names the user; what the user may do comes from the user store. A role "
        "claim is stale the moment the user is demoted, and in a leaked token it is the "
        "attacker's wish list"
    )
    r = client.post("/markets", json=NEW, headers=headers)
    assert_403(
        client.framework, r, f"POST /markets by a viewer whose token claims {ROLE_CLAIMS}", why
    )
    r = client.put(f"/users/{vera.id}/role", json={"role": "admin"}, headers=headers)
    assert_403(client.framework, r, "PUT /users/<self>/role with that token", why)
    assert world.user("vera").role == "viewer", (
        f"[{client.framework}] the viewer made themself admin"
    )


@pytest.mark.parametrize(
    "header", ["X-Role", "X-User-Role", "X-Roles", "X-Permissions", "X-Impersonate-Role"]
)
def test_role_headers_from_the_client_grant_nothing(client, world, header):
    headers = {**world.auth("vera"), header: "admin"}
    r = client.post("/markets", json=NEW, headers=headers)
    assert_403(
        client.framework,
        r,
        f"POST /markets by a viewer with {header}: admin",
        "any header a client sends is the client's claim; only the server's user store says "
        "what a role is",
    )


def test_a_role_in_the_query_string_grants_nothing(client, world):
    r = client.post("/markets?role=admin&is_admin=true", json=NEW, headers=world.auth("vera"))
    assert_403(client.framework, r, "POST /markets?role=admin by a viewer", NOT_GRANTED)


def test_a_role_in_the_body_grants_nothing(client, world):
    for extra in ({"role": "admin"}, {"is_admin": True}, {"user": {"role": "admin"}}):
        r = client.post("/markets", json={**NEW, **extra}, headers=world.auth("vera"))
        assert_403(
            client.framework,
            r,
            f"POST /markets by a viewer with {extra} in the body",
            "the permission is checked before the body is read, and a body never names a role",
        )
    r = client.post("/markets", json={**NEW, "role": "admin"}, headers=world.auth("carl"))
    assert r.status == 400 and "role" in r.json()["error"]["details"], (
        f"[{client.framework}] POST /markets by a creator with 'role': 'admin' in the body "
        f"answered {shown(r)}; expected 400 naming 'role': an unknown field is refused, never "
        "read (task 2)"
    )
    assert world.user("carl").role == "creator", f"[{client.framework}] a body changed a role"


def test_a_user_may_not_change_their_own_role(client, world):
    carl = world.users["carl"]
    r = client.put(f"/users/{carl.id}/role", json={"role": "admin"}, headers=world.auth("carl"))
    assert_403(
        client.framework,
        r,
        "PUT /users/<own id>/role {'role': 'admin'} by a creator",
        "changing a role needs users:manage, whoever the target is",
    )
    assert world.user("carl").role == "creator", (
        f"[{client.framework}] a creator made themself admin"
    )


def test_a_demotion_takes_effect_on_the_next_request(client, world):
    carl = world.users["carl"]
    headers = world.auth("carl")  # issued before the demotion, still valid after it
    r = client.put(f"/users/{carl.id}/role", json={"role": "viewer"}, headers=world.auth("ada"))
    assert r.status == 200 and r.json()["role"] == "viewer", (
        f"[{client.framework}] PUT /users/{{id}}/role {{'role': 'viewer'}} by an admin answered "
        f"{shown(r)}; expected 200 and the user with role 'viewer' (task 2)"
    )
    r = client.post("/markets", json=NEW, headers=headers)
    assert_403(
        client.framework,
        r,
        "POST /markets by a creator just demoted to viewer, with their old (still valid) token",
        "the role is read from the store on every request, so a demotion takes effect at once — "
        "not when the token expires",
    )


def test_a_promotion_takes_effect_on_the_next_request(client, world):
    headers = world.auth("vera")
    world.store.set_role(world.users["vera"].id, "creator")
    r = client.post("/markets", json=NEW, headers=headers)
    assert_allowed(
        client.framework,
        r,
        "POST /markets by a viewer just promoted to creator",
        "the role is read from the store on every request",
    )


def test_a_creator_creates_a_draft_of_their_own(client, world):
    carl = world.users["carl"]
    r = client.post("/markets", json=NEW, headers=world.auth("carl"))
    assert r.status == 201, (
        f"[{client.framework}] POST /markets by a creator answered {shown(r)}; expected 201 "
        "(task 2)"
    )
    got = r.json()
    assert (got["creator_id"], got["status"]) == (carl.id, "draft"), (
        f"[{client.framework}] the market a creator made has creator_id {got['creator_id']!r} and "
        f"status {got['status']!r}; expected {carl.id} (the caller) and 'draft' (task 2)"
    )


def test_each_role_does_what_its_permissions_allow(client, world):
    m = world.markets
    cases = [
        ("vera", "GET", "/markets", None, 200),
        ("vera", "GET", f"/markets/{m['cleo_draft'].id}", None, 200),
        ("mona", "POST", f"/markets/{m['carl_active'].id}/resolve", {"outcome": "yes"}, 200),
        ("ada", "POST", f"/markets/{m['cleo_closed'].id}/resolve", {"outcome": "no"}, 200),
        ("ada", "DELETE", f"/markets/{m['cleo_draft'].id}", None, 204),
        ("ada", "PUT", f"/users/{world.users['vera'].id}/role", {"role": "moderator"}, 200),
    ]
    for username, method, path, body, status in cases:
        r = client.request(method, path, json=body, headers=world.auth(username))
        role = world.users[username].role
        assert r.status == status, (
            f"[{client.framework}] {method} {path} by a {role} answered {shown(r)}; expected "
            f"{status}: the table grants {role} this (task 2)"
        )
    assert world.market("carl_active").outcome == "yes", "the resolve did not resolve"
    assert world.user("vera").role == "moderator", "the role change did not change the role"


@pytest.mark.parametrize("role", ["superuser", "Admin", "", None, 7])
def test_an_admin_may_assign_only_known_roles(client, world, role):
    vera = world.users["vera"]
    r = client.put(f"/users/{vera.id}/role", json={"role": role}, headers=world.auth("ada"))
    assert r.status == 400 and "role" in r.json()["error"]["details"], (
        f"[{client.framework}] PUT /users/{{id}}/role {{'role': {role!r}}} by an admin answered "
        f"{shown(r)}; expected 400 naming 'role': only the roles of the table exist (task 2)"
    )
    assert world.user("vera").role == "viewer"
