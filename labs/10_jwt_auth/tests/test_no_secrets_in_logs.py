"""Tasks 4-6: no password and no token, access or refresh, is ever written to a log.

A log is read by more people than the database, kept longer and shipped to other services:
a token in it can be replayed until it expires, and a typed password is often the user's
password elsewhere too. Every logger, at DEBUG, in every framework.
"""

from __future__ import annotations

import logging

import forge
import pytest
from checks import shown

from markets_jwt.config import JwtConfig
from markets_jwt.store import User
from patterns_workbook.testing.http import HttpClient


def _leaks(caplog: pytest.LogCaptureFixture, secrets: dict[str, str]) -> list[str]:
    records = [f"{r.name} {r.levelname}: {r.getMessage()}" for r in caplog.records]
    text = "\n".join(records) + caplog.text
    return [f"{what} ({secret[:12]}…)" for what, secret in secrets.items() if secret in text]


def _fail(
    client: HttpClient, caplog: pytest.LogCaptureFixture, leaked: list[str], task: int
) -> str:
    lines = "\n".join(r.getMessage()[:160] for r in caplog.records)
    return (
        f"[{client.framework}] these reached the logs: {leaked}. Log records (all loggers, "
        f"DEBUG):\n{lines}\nNever log a password, a token or an Authorization header — log "
        f"who (a username, a user id) and what happened, never the credential (task {task})"
    )


@pytest.mark.task(4)
def test_a_login_logs_no_password(
    client: HttpClient, ada: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    typo = forge.ADA_PASSWORD + "!"
    bad = client.post("/auth/token", json={"username": "ada", "password": typo})
    good = client.post("/auth/token", json={"username": "ada", "password": forge.ADA_PASSWORD})
    assert (bad.status, good.status) == (401, 200), (
        f"[{client.framework}] POST /auth/token with a wrong, then the right password → "
        f"{shown(bad)}, {shown(good)}; expected 401 then 200 (task 4)"
    )
    body = good.json()
    leaked = _leaks(
        caplog,
        {
            "the mistyped password": typo,
            "the password": forge.ADA_PASSWORD,
            "the access token": body["access_token"],
            "the refresh token": body["refresh_token"],
        },
    )
    assert not leaked, _fail(client, caplog, leaked, 4)


@pytest.mark.task(5)
def test_a_protected_request_logs_no_token(
    client: HttpClient, ada: User, jwt_config: JwtConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = forge.valid(jwt_config, ada.subject)
    expired = forge.ATTACKS["expired (past the leeway)"](jwt_config, ada.subject)
    ok = client.get("/markets", headers={"Authorization": f"Bearer {token}"})
    refused = client.get("/markets", headers={"Authorization": f"Bearer {expired}"})
    assert (ok.status, refused.status) == (200, 401), (
        f"[{client.framework}] GET /markets with a valid, then an expired token → "
        f"{shown(ok)}, {shown(refused)}; expected 200 then 401 (task 5)"
    )
    leaked = _leaks(caplog, {"the access token": token, "the refused token": expired})
    assert not leaked, _fail(client, caplog, leaked, 5)


@pytest.mark.task(6)
def test_a_refresh_logs_no_token(
    client: HttpClient, ada: User, caplog: pytest.LogCaptureFixture
) -> None:
    login = client.post("/auth/token", json={"username": "ada", "password": forge.ADA_PASSWORD})
    assert login.status == 200, f"[{client.framework}] POST /auth/token → {shown(login)} (task 4)"
    first = login.json()["refresh_token"]
    caplog.set_level(logging.DEBUG)
    rotated = client.post("/auth/refresh", json={"refresh_token": first})
    reused = client.post("/auth/refresh", json={"refresh_token": first})
    assert (rotated.status, reused.status) == (200, 401), (
        f"[{client.framework}] POST /auth/refresh with the login's refresh token, then again "
        f"→ {shown(rotated)}, {shown(reused)}; expected 200 then 401 (task 6)"
    )
    body = rotated.json()
    secrets = {"the used refresh token": first, "the new refresh token": body["refresh_token"]}
    leaked = _leaks(caplog, secrets | {"the new access token": body["access_token"]})
    assert not leaked, _fail(client, caplog, leaked, 6)
