"""Who is calling: a verified Bearer access token names a user id (lab 10 teaches it). Given.

`authenticate` answers *who*, never *what they may do*: the role is read from the user
store on every request, so a demotion takes effect at once, and whatever a token, a header
or a body claims about roles is never read. A token's extra claims (a `role`, `scope`…) are
verified along with the rest and then ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from markets_rbac.domain import NotAuthenticated, User
from markets_rbac.store import Store

ALGORITHM = "HS256"  # pinned: the token's own `alg` header is never trusted
SECRET = "markets-rbac-lab-signing-key-for-tests-only-" + "k" * 32  # ≥ 32 bytes for HS256
ISSUER = "https://auth.markets.example"
AUDIENCE = "markets-api"
LIFETIME = timedelta(minutes=15)
LEEWAY = timedelta(seconds=30)
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")
# RFC 6750 §2.1: "Bearer" (any case), one space, a b64token; nothing else on the line.
_BEARER = re.compile(r"Bearer ([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
_USER_ID = re.compile(r"[1-9][0-9]{0,17}")  # `sub`: a user id in ASCII digits, no sign


def issue_token(
    user_id: int,
    *,
    extra_claims: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
) -> str:
    """A signed access token for `user_id` (the auth service's job; tests and notebooks)."""
    issued = now or datetime.now(UTC)
    claims = {
        **(extra_claims or {}),
        "sub": str(user_id),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + lifetime,
    }
    return jwt.encode(claims, SECRET, algorithm=ALGORITHM)


def verify_token(token: str) -> dict[str, Any]:
    """The token's claims once its signature, algorithm, issuer, audience and times check out."""
    try:
        return jwt.decode(
            token,
            SECRET,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            leeway=LEEWAY,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.PyJWTError:
        raise NotAuthenticated("The access token is invalid.", invalid_token=True) from None


def authenticate(authorization: str | None, store: Store) -> User:
    """The user an `Authorization: Bearer <token>` header names, as the store holds them now.

    Raises NotAuthenticated (401) for no header, another scheme, a bad token, or a token
    whose user no longer exists.
    """
    if not authorization:
        raise NotAuthenticated("This endpoint needs a Bearer access token.")
    match = _BEARER.fullmatch(authorization)
    if match is None:
        raise NotAuthenticated("Send the token as 'Authorization: Bearer <token>'.")
    subject = verify_token(match.group(1))["sub"]
    if not isinstance(subject, str) or not _USER_ID.fullmatch(subject):
        raise NotAuthenticated("The access token is invalid.", invalid_token=True)
    user = store.find_user(int(subject))
    if user is None:
        raise NotAuthenticated("The access token names no user.", invalid_token=True)
    return user
