"""Task 2: `verify_token` accepts this API's tokens and refuses every forged or unusable one.

Each attack below is a token built by hand (`forge.py`), so the test does not depend on
PyJWT agreeing to make it. A refusal is `InvalidToken` — never another exception, which
the apps would answer with a 500.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import forge
import jwt
import jwt.api_jwt
import pytest

from markets_jwt.auth import verify_token
from markets_jwt.config import JwtConfig
from markets_jwt.contract import InvalidToken

pytestmark = [pytest.mark.core, pytest.mark.task(2)]

WHY = {
    "alg=none, no signature": "with algorithms not pinned to one, `alg: none` needs no key",
    "alg=None, no signature": "with algorithms not pinned to one, `alg: none` needs no key",
    "HS256 signed with the public key (HS/EdDSA key confusion)": (
        "the public key is public: pin algorithms=[config.algorithm], never a list mixing "
        "HMAC and public-key algorithms, never the token's own header"
    ),
    "no exp: it would live forever": (
        "PyJWT checks exp only when present: options={'require': [...]}"
    ),
    "wrong iss": "pass issuer=config.issuer; PyJWT skips the check without it",
    "wrong aud (a token for another API)": "pass audience=config.audience",
    "expired (past the leeway)": "the leeway is config.leeway (30 s), for clock skew only",
}

DEFAULT_WHY = (
    "Decode with the one pinned algorithm, the public key, audience, issuer, the small "
    "leeway and every claim required"
)


def _verdict(token: str, config: JwtConfig) -> str | None:
    """None when verify_token refused the token properly, else what it did instead."""
    try:
        claims = verify_token(token, config)
    except InvalidToken:
        return None
    except NotImplementedError:
        raise
    except Exception as exc:
        return (
            f"raised {type(exc).__name__}: {exc} — a refusal is InvalidToken; catch "
            "jwt.PyJWTError (the base of every PyJWT error, InvalidKeyError included)"
        )
    return f"accepted it, returning {claims}"


@pytest.mark.parametrize("attack", list(forge.ATTACKS))
def test_forged_or_unusable_tokens_are_refused(attack: str, jwt_config: JwtConfig) -> None:
    token = forge.ATTACKS[attack](jwt_config, "1")
    verdict = _verdict(token, jwt_config)
    assert verdict is None, (
        f"verify_token(<{attack}>) {verdict}; it must raise InvalidToken. "
        f"{WHY.get(attack, DEFAULT_WHY)} "
        f"(token: {token[:60]}…) (task 2)"
    )


def test_a_valid_token_gives_its_claims(jwt_config: JwtConfig) -> None:
    token = forge.valid(jwt_config, "7")
    try:
        claims = verify_token(token, jwt_config)
    except InvalidToken as exc:
        pytest.fail(f"verify_token refused a valid token of this API ({exc}) (task 2)")
    assert claims.get("sub") == "7" and claims.get("iss") == jwt_config.issuer, (
        f"verify_token(valid token for sub '7') returned {claims}; return the decoded "
        "claims (task 2)"
    )


def test_a_token_expired_within_the_leeway_is_still_accepted(jwt_config: JwtConfig) -> None:
    now = int(time.time())
    token = forge.valid(jwt_config, "1", iat=now - 905, exp=now - 5)
    try:
        verify_token(token, jwt_config)
    except InvalidToken:
        pytest.fail(
            "verify_token refused a token that expired 5 s ago; clocks drift, so pass "
            f"leeway=config.leeway ({jwt_config.leeway.total_seconds():.0f} s) (task 2)"
        )


def test_an_expired_token_says_so(jwt_config: JwtConfig) -> None:
    token = forge.ATTACKS["expired (past the leeway)"](jwt_config, "1")
    with pytest.raises(InvalidToken) as refused:
        verify_token(token, jwt_config)
    assert "expired" in str(refused.value).lower(), (
        f"an expired token was refused with {str(refused.value)!r}; say it has expired, so "
        "a client knows to log in again (task 2)"
    )


def test_verifying_needs_only_the_public_key(jwt_config: JwtConfig) -> None:
    token = forge.valid(jwt_config, "7")
    verdict = _accepted(token, jwt_config.verifier())
    assert verdict is None, (
        f"verify_token(token, config.verifier()) {verdict}; an API that only verifies holds "
        "the public key, not the private one (which could mint tokens): decode with "
        "config.public_key (task 2)"
    )


def _accepted(token: str, config: JwtConfig) -> str | None:
    """None when verify_token accepted the token, else what it did instead."""
    try:
        verify_token(token, config)
    except NotImplementedError:
        raise
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"
    return None


@pytest.mark.parametrize("leeway", [30, 5, 120])
def test_the_leeway_is_the_configs(jwt_config: JwtConfig, leeway: int) -> None:
    config = replace(jwt_config, leeway=timedelta(seconds=leeway))
    now = int(time.time())
    late = forge.valid(config, "1", iat=now - 900 - leeway - 2, exp=now - leeway - 2)
    inside = forge.valid(config, "1", iat=now - 900 - leeway + 3, exp=now - leeway + 3)
    verdicts = {"expired leeway + 2 s ago": _verdict(late, config)}
    verdicts["expired leeway - 3 s ago"] = _accepted(inside, config)
    wrong = {what: verdict for what, verdict in verdicts.items() if verdict is not None}
    assert not wrong, (
        f"with config.leeway = {leeway} s, verify_token {wrong}; a token expired just past "
        "config.leeway is refused and one just inside is accepted: pass "
        "leeway=config.leeway, never a number of your own (task 2)"
    )


def test_only_the_configs_algorithm_is_allowed(
    jwt_config: JwtConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    decode = jwt.decode

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("algorithms"))
        return decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", spy)
    for token in (forge.valid(jwt_config, "1"), forge.hs256(forge.claims(jwt_config, "1"), b"k")):
        with contextlib.suppress(InvalidToken):
            verify_token(token, jwt_config)
    wrong = [algorithms for algorithms in calls if algorithms != [jwt_config.algorithm]]
    assert calls and not wrong, (
        f"verify_token called jwt.decode with algorithms={calls or '(never called)'}; pass "
        f"algorithms=[config.algorithm], exactly {[jwt_config.algorithm]}: a list mixing "
        "HMAC and public-key algorithms, or the token's own unverified `alg`, lets the "
        "token choose how it is checked (RFC 8725 §2.1, §3.1) — here only a TypeError, "
        "swallowed by a broad except, happens to stop the HS256 forgery (task 2)"
    )


def test_a_token_is_refused_once_it_expires(
    jwt_config: JwtConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = forge.valid(jwt_config, "1")
    verify_token(token, jwt_config)  # accepted now
    later = datetime.now(UTC) + jwt_config.lifetime + jwt_config.leeway + timedelta(minutes=1)

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return later.astimezone(tz)

    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)  # PyJWT's clock, 16 minutes on
    verdict = _verdict(token, jwt_config)
    assert verdict is None, (
        f"verify_token accepted a token, then, 16 minutes later (past exp and the leeway), "
        f"it {verdict}; it must raise InvalidToken: check every token each time — a cache "
        "of verified claims keyed by the token never checks exp again (task 2)"
    )
