"""Task 1: `issue_access_token` signs a short-lived EdDSA token with the registered claims."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import forge
import jwt
import pytest

from markets_jwt.auth import issue_access_token
from markets_jwt.config import JwtConfig
from markets_jwt.store import User

pytestmark = [pytest.mark.core, pytest.mark.task(1)]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_token_is_signed_with_eddsa_and_verifies_with_the_public_key(
    ada: User, jwt_config: JwtConfig
) -> None:
    token = issue_access_token(ada, jwt_config)
    header = forge.header_of(token)
    assert header.get("alg") == "EdDSA", (
        f"the token's header is {header}; sign with the config's algorithm, EdDSA (Ed25519): "
        "jwt.encode(claims, config.private_key, algorithm=config.algorithm) (task 1)"
    )
    try:
        jwt.decode(token, jwt_config.public_key, algorithms=["EdDSA"], audience="markets-api")
    except jwt.PyJWTError as exc:
        pytest.fail(f"the token does not verify with the config's public key: {exc} (task 1)")


def test_token_carries_the_registered_claims(ada: User, jwt_config: JwtConfig) -> None:
    payload = forge.payload_of(issue_access_token(ada, jwt_config, now=NOW))
    expected = {
        "sub": "1",
        "iss": jwt_config.issuer,
        "aud": jwt_config.audience,
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + jwt_config.lifetime).timestamp()),
    }
    wrong = {k: payload.get(k, "(missing)") for k, v in expected.items() if payload.get(k) != v}
    assert not wrong, (
        f"issue_access_token(ada, config, now={NOW.isoformat()}) gave the claims {payload}; "
        f"these are wrong: {wrong}, expected {expected}. sub is the user's id as a string "
        "(user.subject), iss/aud come from the config, iat is `now` and exp is now + "
        "config.lifetime (15 minutes): a token without exp lives forever (task 1)"
    )


def test_token_lives_exactly_the_configured_lifetime(ada: User, jwt_config: JwtConfig) -> None:
    payload = forge.payload_of(issue_access_token(ada, jwt_config, now=NOW))
    lifetime = payload.get("exp", 0) - payload.get("iat", 0)
    assert lifetime == jwt_config.lifetime.total_seconds(), (
        f"the token lives {lifetime} s (exp - iat); an access token lives "
        f"{jwt_config.lifetime.total_seconds():.0f} s (config.lifetime): short, so a stolen "
        "one is soon useless (task 1)"
    )


def test_now_defaults_to_the_current_time(ada: User, jwt_config: JwtConfig) -> None:
    before = int(time.time())
    iat = forge.payload_of(issue_access_token(ada, jwt_config)).get("iat")
    assert isinstance(iat, int) and before - 1 <= iat <= int(time.time()) + 1, (
        f"a token issued without `now` has iat={iat!r}, not the current time ({before}): "
        "default `now` to datetime.now(UTC) when the call does not pass one (task 1)"
    )


def test_now_is_utc_whatever_the_servers_time_zone(
    ada: User, jwt_config: JwtConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "JST-9")  # a server in Tokyo: local time is UTC+9
    time.tzset()
    try:
        payload = forge.payload_of(issue_access_token(ada, jwt_config))
    finally:
        monkeypatch.undo()
        time.tzset()
    now = int(time.time())
    off = {k: payload.get(k, 0) - now - d for k, d in (("iat", 0), ("exp", 900))}
    assert all(abs(v) <= 2 for v in off.values()), (
        f"on a server whose local time is UTC+9, a token issued without `now` has iat/exp "
        f"off the real time by {off} s; datetime.now() is naive local time, which PyJWT "
        "reads as UTC — tokens born hours in the future or already expired: default `now` "
        "to datetime.now(UTC) (task 1)"
    )


def test_token_reveals_nothing_secret(ada: User, jwt_config: JwtConfig) -> None:
    token = issue_access_token(ada, jwt_config)
    text = str(forge.payload_of(token)) + str(forge.header_of(token))
    leaked = [part for part in ada.password_hash.split("$")[-2:] if part in text]
    assert not leaked and "password" not in text, (
        f"the token's payload is {forge.payload_of(token)}: anyone holding the token can "
        "base64-decode it, so it carries claims, never a password or its hash (task 1)"
    )


def test_each_user_gets_their_own_subject(ada: User, bob: User, jwt_config: JwtConfig) -> None:
    subs = [forge.payload_of(issue_access_token(u, jwt_config)).get("sub") for u in (ada, bob)]
    assert subs == [ada.subject, bob.subject], (
        f"tokens for ada (id 1) and bob (id 2) carry sub={subs}; sub names the user the "
        "token was issued to, as a string: user.subject (task 1)"
    )
