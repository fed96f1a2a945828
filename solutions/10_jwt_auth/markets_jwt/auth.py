"""Tokens: issue and verify access tokens, read them from a request, log a user in, rotate
refresh tokens.

The learner's file (tasks 1-4 and 6, and `authenticate` for task 5; `grant` is given).
Every framework's hook calls `authenticate`; nothing here knows which framework asked.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import jwt

from markets_jwt.config import REQUIRED_CLAIMS, JwtConfig
from markets_jwt.contract import InvalidCredentials, InvalidToken, NotAuthenticated, TokenOut
from markets_jwt.store import Services, User, UserStore

# RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive.
_BEARER = re.compile(r"(?i:bearer) +([A-Za-z0-9\-._~+/]+=*)")


def issue_access_token(user: User, config: JwtConfig, *, now: datetime | None = None) -> str:
    """A signed access token for `user`, valid for `config.lifetime` from `now` (task 1)."""
    issued = now or datetime.now(UTC)
    claims = {
        "sub": user.subject,
        "iss": config.issuer,
        "aud": config.audience,
        "iat": issued,
        "exp": issued + config.lifetime,
    }
    return jwt.encode(claims, config.private_key, algorithm=config.algorithm)


def verify_token(token: str, config: JwtConfig) -> dict[str, Any]:
    """The claims of a token this API issued, or `InvalidToken` (task 2)."""
    try:
        return jwt.decode(
            token,
            config.public_key,
            algorithms=[config.algorithm],
            audience=config.audience,
            issuer=config.issuer,
            leeway=config.leeway,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("The access token has expired.") from None
    except jwt.PyJWTError:
        raise InvalidToken() from None


def bearer_token(authorization: str | None) -> str:
    """The token in an `Authorization: Bearer <token>` header (task 3).

    No header, or another scheme: `NotAuthenticated`. A Bearer header whose credentials are
    not one b64token: `InvalidToken`.
    """
    scheme, _, _ = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        raise NotAuthenticated()
    match = _BEARER.fullmatch(authorization or "")
    if match is None:
        raise InvalidToken("The Authorization header must be 'Bearer <token>'.")
    return match.group(1)


def login(users: UserStore, username: str, password: str) -> User:
    """The user with this username and password, else `InvalidCredentials` (task 4).

    An unknown user costs one hash verification too, so the answer's timing does not say
    whether the username exists.
    """
    user = users.find(username)
    stored = user.password_hash if user is not None else users.hasher.dummy_hash
    if not users.hasher.verify(password, stored) or user is None:
        raise InvalidCredentials()
    return user


def authenticate(services: Services, authorization: str | None) -> User:
    """The user a request's Bearer token names (task 5): every framework's hook calls this."""
    claims = verify_token(bearer_token(authorization), services.jwt)
    user = services.users.by_subject(claims["sub"])
    if user is None:
        raise InvalidToken("The access token names no user.")
    return user


def grant(
    services: Services, user: User, *, family: str | None = None, expires_at: datetime | None = None
) -> TokenOut:
    """What a login (a new family) or a refresh (`family`, ending at `expires_at`) answers:
    a new access token and a new refresh token. Given code."""
    now = datetime.now(UTC)
    ends = expires_at or now + services.jwt.refresh_lifetime
    refresh_token = services.refresh.issue(user, ends, family)
    access_token = issue_access_token(user, services.jwt, now=now)
    lifetime = int(services.jwt.lifetime.total_seconds())
    return TokenOut(access_token=access_token, refresh_token=refresh_token, expires_in=lifetime)


def refresh(services: Services, refresh_token: str) -> TokenOut:
    """A new access token and refresh token for a refresh token used once (task 6).

    A token used a second time — by its owner and a thief, who cannot be told apart — revokes
    its whole family, the tokens its thief or owner would rotate to next.
    """
    store = services.refresh
    row = store.find(refresh_token)
    if row is None or store.is_revoked(row.family) or row.expires_at <= datetime.now(UTC):
        raise InvalidToken("The refresh token is invalid.")
    if not store.claim(row):
        store.revoke(row.family)
        raise InvalidToken("The refresh token was used already: this login is revoked.")
    user = services.users.by_subject(row.subject)
    if user is None:
        raise InvalidToken("The refresh token names no user.")
    return grant(services, user, family=row.family, expires_at=row.expires_at)
