"""Task 2: `verify_token` accepts this API's tokens and refuses every forged or unusable one.

Each attack below is a token built by hand (`forge.py`), so the test does not depend on
PyJWT agreeing to make it. A refusal is `InvalidToken` — never another exception, which
the apps would answer with a 500.
"""

from __future__ import annotations

import time

import forge
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
