"""Task 6: refresh tokens rotate on every use, and a reused one revokes its whole family.

A refresh token used twice was copied: its owner and a thief both hold it, and the server
cannot tell which is which. So the second use refuses *and* revokes every token rotated from
that login (RFC 9700 §4.14.2) — the thief's next one and the owner's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import forge
import pytest
from checks import refusal_problems, shown

from markets_jwt import auth
from markets_jwt.auth import grant, refresh
from markets_jwt.contract import InvalidToken, TokenOut
from markets_jwt.store import RefreshRow, RefreshStore, Services, User
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(6)


def _refusal(services: Services, token: str) -> str | None:
    """None when refresh(token) raised InvalidToken, else what it did instead."""
    try:
        out = refresh(services, token)
    except InvalidToken:
        return None
    except NotImplementedError:
        raise
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc} — a refusal is InvalidToken (a 401)"
    return f"answered new tokens ({out.refresh_token[:8]}…)"


def _rotate(services: Services, token: str) -> TokenOut:
    try:
        return refresh(services, token)
    except InvalidToken as exc:
        pytest.fail(f"refresh(<an unused refresh token>) refused it: {exc} (task 6)")


@pytest.mark.core
def test_a_refresh_gives_new_tokens_for_the_same_user(services: Services, ada: User) -> None:
    token = grant(services, ada).refresh_token
    seen = {token}
    for step in range(3):
        out = _rotate(services, token)
        sub = forge.payload_of(out.access_token).get("sub")
        assert sub == ada.subject and out.refresh_token not in seen, (
            f"rotation {step + 1}: refresh() answered an access token for sub={sub!r} and "
            f"{'an already seen' if out.refresh_token in seen else 'a new'} refresh token; "
            "each refresh answers grant(services, user, …): a new access token for the "
            "token's user and a new refresh token (task 6)"
        )
        token = out.refresh_token
        seen.add(token)


@pytest.mark.core
def test_a_used_refresh_token_is_refused(services: Services, ada: User) -> None:
    first = grant(services, ada).refresh_token
    _rotate(services, first)
    verdict = _refusal(services, first)
    assert verdict is None, (
        f"refresh(<a refresh token already used once>) {verdict}; a refresh token works once: "
        "claim it with services.refresh.claim(row), which is True only for the first use "
        "(task 6)"
    )


@pytest.mark.core
def test_reuse_revokes_the_whole_family(services: Services, ada: User) -> None:
    first = grant(services, ada).refresh_token
    second = _rotate(services, first).refresh_token  # the owner rotated
    _refusal(services, first)  # a thief replays the copy of the first
    verdict = _refusal(services, second)
    assert verdict is None, (
        f"after the first refresh token was reused, refresh(<the owner's current token>) "
        f"{verdict}; a reuse means a copy exists, so revoke the family "
        "(services.refresh.revoke(row.family)) and refuse every token of it (task 6)"
    )


@pytest.mark.core
def test_reuse_spares_the_users_other_logins(services: Services, ada: User) -> None:
    laptop, phone = grant(services, ada).refresh_token, grant(services, ada).refresh_token
    _rotate(services, laptop)
    _refusal(services, laptop)  # the laptop's family is revoked
    try:
        refresh(services, phone)
    except InvalidToken:
        pytest.fail(
            "after a reuse on one login, refresh(<a token of the user's other login>) was "
            "refused; revoke the reused token's family (row.family), not everything the "
            "user holds (task 6)"
        )


@pytest.mark.core
def test_rotation_keeps_the_familys_end(services: Services, ada: User) -> None:
    first = grant(services, ada).refresh_token
    ends = services.refresh.find(first).expires_at  # type: ignore[union-attr]
    second = _rotate(services, first).refresh_token
    row = services.refresh.find(second)
    got = row.expires_at if row else None
    assert got == ends, (
        f"the rotated token ends at {got}, its login's family at {ends}; rotation keeps the "
        "family and its end (grant(..., family=row.family, expires_at=row.expires_at)): "
        "otherwise a thief who keeps rotating stays in forever (task 6)"
    )


@pytest.mark.core
def test_an_expired_refresh_token_is_refused(services: Services, ada: User) -> None:
    token = services.refresh.issue(ada, datetime.now(UTC) - timedelta(seconds=1))
    verdict = _refusal(services, token)
    assert verdict is None, (
        f"refresh(<a refresh token whose family ended a second ago>) {verdict}; refuse a row "
        "whose expires_at has passed (task 6)"
    )


@pytest.mark.core
def test_a_refresh_token_is_refused_at_its_end(
    services: Services, ada: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = datetime.now(UTC) + timedelta(minutes=5)
    token = services.refresh.issue(ada, end)

    class AtTheEnd(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return end.astimezone(tz)

    monkeypatch.setattr(auth, "datetime", AtTheEnd)  # auth.py's clock reads exactly `end`
    verdict = _refusal(services, token)
    assert verdict is None, (
        f"refresh(<a refresh token>) at the very instant its family ends (now == "
        f"expires_at) {verdict}; expires_at is the first moment the token is no longer "
        "valid: refuse when expires_at <= now (task 6)"
    )


@pytest.mark.core
@pytest.mark.parametrize("what", ["an unknown token", "an access token", "an empty string"])
def test_anything_else_is_refused(services: Services, ada: User, what: str) -> None:
    token = {
        "an unknown token": "x" * 43,
        "an access token": forge.valid(services.jwt, ada.subject),
        "an empty string": "",
    }[what]
    verdict = _refusal(services, token)
    assert verdict is None, f"refresh(<{what}>) {verdict}; it must raise InvalidToken (task 6)"


@pytest.mark.core
def test_a_removed_users_refresh_token_is_refused(services: Services, ada: User) -> None:
    token = grant(services, ada).refresh_token
    services.users.remove(ada)
    verdict = _refusal(services, token)
    assert verdict is None, (
        f"refresh(<the refresh token of a removed user>) {verdict}; look the user up "
        "(services.users.by_subject(row.subject)) and refuse when there is none (task 6)"
    )


class RacingRefreshStore(RefreshStore):
    """A store where a second refresh with the same token runs between a find and a claim,
    as two requests on two workers would."""

    services: Services | None = None
    competitor: str | None = "did not run"

    def find(self, token: str) -> RefreshRow | None:
        row = super().find(token)
        services, self.services = self.services, None
        if services is not None:
            self.competitor = _refusal(services, token)  # the other request, start to end
        return row  # the snapshot read before it ran


@pytest.mark.core
def test_two_refreshes_with_one_token_never_both_succeed(services: Services, ada: User) -> None:
    services.refresh = store = RacingRefreshStore()
    token = grant(services, ada).refresh_token
    store.services = services
    verdict = _refusal(services, token)
    assert not (verdict is not None and store.competitor is not None), (
        "two refreshes with one token, interleaved (the second ran between the first's "
        "find() and its next step), both answered new tokens; a snapshot's row.used is stale "
        "by then: decide with the atomic services.refresh.claim(row), and treat False as a "
        "reuse (task 6)"
    )
    assert verdict is None, (
        f"the refresh that lost the race {verdict}; losing the claim is a reuse: revoke the "
        "family and refuse (task 6)"
    )


def _login(client: HttpClient) -> dict[str, str]:
    r = client.post("/auth/token", json={"username": "ada", "password": forge.ADA_PASSWORD})
    assert r.status == 200, f"[{client.framework}] POST /auth/token → {shown(r)} (task 4)"
    return r.json()


def test_post_auth_refresh_rotates_and_detects_reuse(client: HttpClient, ada: User) -> None:
    first = _login(client)["refresh_token"]
    r = client.post("/auth/refresh", json={"refresh_token": first})
    body = r.json() if r.status == 200 else {}
    assert r.status == 200 and body.get("refresh_token") not in (None, first), (
        f"[{client.framework}] POST /auth/refresh with the login's refresh token → "
        f"{shown(r)}; expected 200 with a new access token and a new refresh token (task 6)"
    )
    for what, token in (
        ("the used first token", first),
        ("the second, after the reuse", body["refresh_token"]),
    ):
        again = client.post("/auth/refresh", json={"refresh_token": token})
        problems = refusal_problems(again, token_sent=True)
        assert not problems, (
            f"[{client.framework}] POST /auth/refresh with {what} → {shown(again)}: "
            f"{'; '.join(problems)} (task 6)"
        )
