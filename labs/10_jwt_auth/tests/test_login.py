"""Task 4: `login` checks a password against its salted hash and answers one way for every
failure — a wrong password and an unknown user are indistinguishable, in words and in work."""

from __future__ import annotations

from typing import Any

import forge
import pytest
from checks import refusal_problems, shown

from markets_jwt.auth import login
from markets_jwt.contract import AuthError, InvalidCredentials
from markets_jwt.passwords import PasswordHasher
from markets_jwt.store import Services, User
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(4)

ADA_PASSWORD = "correct horse battery staple"  # conftest.py's `ada`
BOB_PASSWORD = "Tr0ub4dor&3 but longer"  # and `bob`


class CountingHasher(PasswordHasher):
    """The test's hasher: counts scrypt runs (hashes and verifications) — the work a login does."""

    runs = 0

    def hash(self, password: str) -> str:
        type(self).runs += 1
        return super().hash(password)

    def verify(self, password: str, stored: str) -> bool:
        type(self).runs += 1
        return super().verify(password, stored)


@pytest.mark.core
def test_the_right_password_gives_that_user(services: Services, ada: User, bob: User) -> None:
    got = [
        login(services.users, u.username, p) for u, p in ((ada, ADA_PASSWORD), (bob, BOB_PASSWORD))
    ]
    assert got == [ada, bob], (
        f"login('ada', ada's password) and login('bob', bob's password) returned {got}; "
        "each returns the user whose username and password were given (task 4)"
    )


@pytest.mark.core
@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("ada", "wrong"),
        ("ada", ADA_PASSWORD.upper()),
        ("ada", ADA_PASSWORD + " "),
        ("ada", ""),
        ("nobody", ADA_PASSWORD),
    ],
)
def test_a_wrong_password_or_unknown_user_is_refused(
    services: Services, ada: User, username: str, password: str
) -> None:
    try:
        user = login(services.users, username, password)
    except InvalidCredentials:
        return
    pytest.fail(
        f"login({username!r}, {password!r}) returned {user!r}; it must raise "
        "InvalidCredentials (task 4)"
    )


@pytest.mark.core
def test_unknown_user_and_wrong_password_say_the_same(services: Services, ada: User) -> None:
    messages = []
    for username, password in (("ada", "wrong"), ("nobody", "wrong")):
        try:
            login(services.users, username, password)
        except AuthError as exc:
            messages.append(f"{type(exc).__name__}({str(exc)!r})")
        else:
            pytest.fail(f"login({username!r}, 'wrong') let the user in (task 4)")
    assert len(set(messages)) == 1 and messages[0].startswith("InvalidCredentials"), (
        f"a wrong password and an unknown user were refused with {messages}; both are one "
        "InvalidCredentials(): a different answer tells an attacker which usernames exist "
        "(user enumeration) (task 4)"
    )


@pytest.mark.core
@pytest.mark.parametrize("username", ["nobody", "ada"])
def test_every_failed_login_costs_one_password_check(services: Services, username: str) -> None:
    users = services.users
    users.hasher = CountingHasher(n=users.hasher.n)
    users.add("ada", ADA_PASSWORD)
    assert users.hasher.dummy_hash  # made once, ahead of any login (a cached property)
    CountingHasher.runs = 0
    with pytest.raises(InvalidCredentials):
        login(users, username, "guess")
    assert CountingHasher.runs == 1, (
        f"login({username!r}, wrong password) ran scrypt {CountingHasher.runs} times; every "
        "failed login runs it exactly once — for an unknown user, a verification against "
        "users.hasher.dummy_hash — so the answer takes as long whether the user exists or "
        "not (timing says nothing about which usernames exist) (task 4)"
    )


def test_post_auth_token_answers_the_grant(client: HttpClient, ada: User) -> None:
    r = client.post("/auth/token", json={"username": "ada", "password": ADA_PASSWORD})
    body = r.json() if r.status == 200 else {}
    keys = {"access_token", "refresh_token", "token_type", "expires_in"}
    assert r.status == 200 and set(body) == keys, (
        f"[{client.framework}] POST /auth/token with ada's password → {shown(r)}; expected "
        f"200 and {sorted(keys)} (task 4)"
    )
    sub = forge.payload_of(body["access_token"]).get("sub")
    assert (sub, body["token_type"], body["expires_in"]) == ("1", "Bearer", 900), (
        f"[{client.framework}] the login answered sub={sub!r}, token_type="
        f"{body['token_type']!r}, expires_in={body['expires_in']!r}; expected ada's access "
        "token, 'Bearer' and 900 s: login returns the user whose password matched (task 4)"
    )
    listed = client.get("/markets", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert listed.status == 200, (
        f"[{client.framework}] GET /markets with the token POST /auth/token gave → "
        f"{shown(listed)}; a token from the login must open the API (tasks 4, 5)"
    )


def test_post_auth_token_refuses_alike(client: HttpClient, ada: User) -> None:
    replies: dict[str, Any] = {
        what: client.post("/auth/token", json=body)
        for what, body in (
            ("wrong password", {"username": "ada", "password": "wrong"}),
            ("unknown user", {"username": "nobody", "password": "wrong"}),
        )
    }
    for what, r in replies.items():
        problems = refusal_problems(r, token_sent=False, code="invalid_credentials")
        assert not problems, (
            f"[{client.framework}] POST /auth/token with a {what} → {shown(r)}: "
            f"{'; '.join(problems)} (task 4)"
        )
    bodies = {what: r.json() for what, r in replies.items()}
    assert len({str(b) for b in bodies.values()}) == 1, (
        f"[{client.framework}] POST /auth/token answered {bodies}; a wrong password and an "
        "unknown user get the same body, or the API tells who has an account (user "
        "enumeration) (task 4)"
    )
