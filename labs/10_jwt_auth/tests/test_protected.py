"""Task 5: every markets route, in every framework, lets in a valid token's user — and only.

Each attack is sent as `Authorization: Bearer <forged token>` to GET /markets and must come
back 401 with `WWW-Authenticate: Bearer …, error="invalid_token"` and the error envelope.
"""

from __future__ import annotations

import forge
import pytest
from checks import refusal_problems, shown
from test_bearer import MALFORMED, TAB

from markets_jwt.config import JwtConfig
from markets_jwt.store import Services, User
from patterns_workbook.testing.http import HttpClient, Reply

pytestmark = pytest.mark.task(5)

ROUTES = [("GET", "/markets"), ("POST", "/markets"), ("GET", "/markets/1")]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _assert_refused(client: HttpClient, r: Reply, what: str, *, token_sent: bool) -> None:
    problems = refusal_problems(r, token_sent=token_sent)
    assert not problems, (
        f"[{client.framework}] GET /markets with {what} → {shown(r)}: {'; '.join(problems)}. "
        "Every markets route authenticates through `authenticate` (verify_token, "
        "bearer_token) in the framework's hook (task 5)"
    )


@pytest.mark.parametrize("attack", list(forge.ATTACKS))
def test_forged_tokens_are_401_invalid_token(
    client: HttpClient, ada: User, jwt_config: JwtConfig, attack: str
) -> None:
    token = forge.ATTACKS[attack](jwt_config, ada.subject)
    r = client.get("/markets", headers=_bearer(token))
    _assert_refused(client, r, f"a token that is {attack}", token_sent=True)


HEADERS_WITHOUT_BEARER = {
    "no Authorization header": {},
    "Basic credentials": {"Authorization": "Basic YWRhOmNvcnJlY3QgaG9yc2U="},
}


@pytest.mark.parametrize("what", list(HEADERS_WITHOUT_BEARER))
def test_no_bearer_credentials_is_401_with_a_bare_challenge(
    client: HttpClient, ada: User, what: str
) -> None:
    r = client.get("/markets", headers=HEADERS_WITHOUT_BEARER[what])
    _assert_refused(client, r, what, token_sent=False)


def test_every_markets_route_needs_a_token(
    client: HttpClient, ada: User, services: Services
) -> None:
    services.markets.create("Rain in Lisbon", creator=ada)
    for method, path in ROUTES:
        body = {"name": "Snow"} if method == "POST" else None
        r = client.request(method, path, json=body)
        problems = refusal_problems(r, token_sent=False)
        assert not problems, (
            f"[{client.framework}] {method} {path} without a token → {shown(r)}: "
            f"{'; '.join(problems)}. Every markets route is for logged-in users (task 5)"
        )


@pytest.mark.parametrize(
    "header",
    ["xxBearer {t}", "{t}", "Bearer Bearer {t}", "Bearer {t} junk", "Token {t}"],
)
def test_a_valid_token_in_a_malformed_header_is_refused(
    client: HttpClient, ada: User, jwt_config: JwtConfig, header: str
) -> None:
    sent = header.format(t=forge.valid(jwt_config, ada.subject))
    r = client.get("/markets", headers={"Authorization": sent})
    assert r.status == 401, (
        f"[{client.framework}] GET /markets with Authorization: "
        f"{header.format(t='<valid token>')!r} → {shown(r)}; only 'Bearer <token>' is "
        "Bearer credentials (RFC 6750 §2.1): a "
        "header read with .replace('Bearer ', '') or split() takes anything with a token "
        "in it (task 3, task 5)"
    )


def test_a_token_in_the_query_string_is_refused(
    client: HttpClient, ada: User, jwt_config: JwtConfig
) -> None:
    token = forge.valid(jwt_config, ada.subject)
    r = client.get("/markets", params={"access_token": token})
    _assert_refused(client, r, "the token in ?access_token= and no header", token_sent=False)


def test_a_token_in_a_cookie_is_refused(
    client: HttpClient, ada: User, jwt_config: JwtConfig
) -> None:
    token = forge.valid(jwt_config, ada.subject)
    r = client.get("/markets", headers={"Cookie": f"access_token={token}"})
    _assert_refused(client, r, "the token in a cookie and no header", token_sent=False)


def test_a_token_for_a_user_who_is_gone_is_refused(
    client: HttpClient, ada: User, services: Services, jwt_config: JwtConfig
) -> None:
    token = forge.valid(jwt_config, ada.subject)
    services.users.remove(ada)
    r = client.get("/markets", headers=_bearer(token))
    _assert_refused(client, r, "a valid token whose user was removed", token_sent=True)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_a_valid_token_lets_its_user_in(
    client: HttpClient, ada: User, jwt_config: JwtConfig, scheme: str
) -> None:
    token = forge.valid(jwt_config, ada.subject)
    r = client.get("/markets", headers={"Authorization": f"{scheme} {token}"})
    assert r.status == 200, (
        f"[{client.framework}] GET /markets with Authorization: {scheme} <valid token> → "
        f"{shown(r)}; expected 200 (the scheme is case-insensitive, RFC 9110 §11.1) (task 5)"
    )


def test_the_creator_is_the_user_the_token_names(
    client: HttpClient, ada: User, bob: User, jwt_config: JwtConfig
) -> None:
    for user in (ada, bob):
        token = forge.valid(jwt_config, user.subject)
        r = client.post(
            "/markets", json={"name": f"{user.username}'s market"}, headers=_bearer(token)
        )
        assert r.status == 201 and r.json().get("creator") == user.username, (
            f"[{client.framework}] POST /markets with {user.username}'s token → {shown(r)}; "
            f"expected 201 and creator {user.username!r}: the hook attaches the token's user "
            "to the request (DRF: authenticate() returns (user, None); FastAPI: the "
            "dependency returns it; Flask: g.user) (task 5)"
        )
    got = client.get("/markets/2", headers=_bearer(forge.valid(jwt_config, ada.subject)))
    assert got.status == 200 and got.json().get("creator") == "bob", (
        f"[{client.framework}] GET /markets/2 with ada's token → {shown(got)}; expected bob's "
        "market, 200 (task 5)"
    )


# What an HTTP request can carry (a header value never holds a newline).
MALFORMED_OVER_HTTP = {what: h for what, h in MALFORMED.items() if "\n" not in h}


@pytest.mark.parametrize("what", list(MALFORMED_OVER_HTTP))
def test_malformed_bearer_credentials_are_401_invalid_token(
    client: HttpClient, ada: User, what: str
) -> None:
    sent = MALFORMED_OVER_HTTP[what]
    r = client.get("/markets", headers={"Authorization": sent})
    _assert_refused(client, r, f"Authorization: {sent!r} ({what})", token_sent=True)


@pytest.mark.parametrize("sent", ["", "   "])
def test_an_empty_or_blank_header_is_401_not_authenticated(
    client: HttpClient, ada: User, sent: str
) -> None:
    r = client.get("/markets", headers={"Authorization": sent})
    _assert_refused(client, r, f"Authorization: {sent!r}", token_sent=False)


def test_a_tab_after_bearer_is_refused(
    client: HttpClient, ada: User, jwt_config: JwtConfig
) -> None:
    sent = TAB.replace(TAB.partition("\t")[2], forge.valid(jwt_config, ada.subject))
    r = client.get("/markets", headers={"Authorization": sent})
    assert r.status == 401, (
        f"[{client.framework}] GET /markets with Authorization: 'Bearer\\t<valid token>' → "
        f"{shown(r)}; expected 401: Bearer credentials are 'Bearer', spaces (1*SP), the "
        "token — a tab is not a space (RFC 6750 §2.1) (tasks 3, 5)"
    )


def test_a_non_ascii_header_is_401_invalid_token(client: HttpClient, ada: User) -> None:
    r = client.get("/markets", headers={"Authorization": "Bearer café"})
    _assert_refused(
        client,
        r,
        "Authorization: 'Bearer café' (not ASCII: Latin-1 or UTF-8 bytes on the wire), "
        "read as text from the framework's headers, never .decode()d as UTF-8 yourself",
        token_sent=True,
    )


def test_an_expired_token_is_401_saying_it_expired(
    client: HttpClient, ada: User, jwt_config: JwtConfig
) -> None:
    token = forge.ATTACKS["expired (past the leeway)"](jwt_config, ada.subject)
    r = client.get("/markets", headers=_bearer(token))
    _assert_refused(client, r, "an expired token", token_sent=True)
    message = r.json()["error"]["message"]
    assert "expired" in message.lower(), (
        f"[{client.framework}] GET /markets with an expired token → {shown(r)}; the message "
        "says the token has expired, so the client refreshes it instead of asking for a new "
        "login: let verify_token's InvalidToken out of the hook as it is, never a "
        "framework error with a message of your own (tasks 2, 5)"
    )
