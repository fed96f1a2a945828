"""Tokens: issue and verify access tokens, read them from a request, log a user in, rotate
refresh tokens.

The learner's file (tasks 1-4 and 6, and `authenticate` for task 5; `grant` is given).
Every framework's hook calls `authenticate`; nothing here knows which framework asked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markets_jwt.config import JwtConfig
from markets_jwt.contract import TokenOut
from markets_jwt.store import Services, User, UserStore


def issue_access_token(user: User, config: JwtConfig, *, now: datetime | None = None) -> str:
    """A signed access token for `user`, valid for `config.lifetime` from `now` (task 1).

    Claims: sub (`user.subject`), iss, aud, iat, exp; signed with `config.private_key` and
    `config.algorithm`. `now` defaults to the current time (UTC).
    """
    raise NotImplementedError("TODO(task 1): sign the registered claims — see README task 1")


def verify_token(token: str, config: JwtConfig) -> dict[str, Any]:
    """The claims of a token this API issued, or `InvalidToken` (task 2).

    One pinned algorithm, the public key, the audience and issuer checked, every claim in
    `REQUIRED_CLAIMS` required, `config.leeway` for clock skew. Any PyJWT error is an
    `InvalidToken` (an expired token says it has expired).
    """
    raise NotImplementedError("TODO(task 2): verify signature and claims — see README task 2")


def bearer_token(authorization: str | None) -> str:
    """The token in an `Authorization: Bearer <token>` header (task 3).

    No header, or another scheme: `NotAuthenticated`. A Bearer header whose credentials are
    not one b64token: `InvalidToken`.
    """
    raise NotImplementedError("TODO(task 3): parse the Bearer header — see README task 3")


def login(users: UserStore, username: str, password: str) -> User:
    """The user with this username and password, else `InvalidCredentials` (task 4).

    An unknown user costs one hash verification too (`users.hasher.dummy_hash`).
    """
    raise NotImplementedError("TODO(task 4): check the password — see README task 4")


def authenticate(services: Services, authorization: str | None) -> User:
    """The user a request's Bearer token names (task 5): every framework's hook calls this.

    `bearer_token`, then `verify_token`, then the user its `sub` names
    (`services.users.by_subject`); a token naming no user is an `InvalidToken`.
    """
    raise NotImplementedError("TODO(task 5): token → user — see README task 5")


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

    Unknown, expired or revoked: `InvalidToken`. Used already (`services.refresh.claim`
    says so): revoke its family, then `InvalidToken`. Else `grant` in the same family,
    ending when it ends.
    """
    raise NotImplementedError("TODO(task 6): rotate, detect reuse — see README task 6")
