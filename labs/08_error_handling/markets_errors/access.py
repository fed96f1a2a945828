"""Who may create markets, and how often. Given.

Bearer tokens stand in for real authentication (lab 09 teaches JWTs): `editor-token` may
create markets, `viewer-token` may only read. Creates are limited per token to `limit` per
`window` seconds (a fixed window). FastAPI and Flask call `require_editor` and `throttle`,
which raise the lab's errors; Django REST framework runs the same rules through its own
authentication, permission and throttle classes (`django_app.views`), which raise DRF's
`NotAuthenticated`, `PermissionDenied` and `Throttled`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from markets_errors.errors import PermissionDenied, RateLimited, Unauthorized

TOKENS = {"editor-token": "editor", "viewer-token": "viewer"}
CHALLENGE = 'Bearer realm="markets"'  # the WWW-Authenticate of every 401


def token_of(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header that names a known one."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token in TOKENS else None


@dataclass
class FixedWindow:
    """`hit(key)`: None when the request is allowed, else the seconds until it would be."""

    limit: int = 3
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def hit(self, key: str) -> float | None:
        now = self.clock()
        start, count = self._windows.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        if count >= self.limit:
            return start + self.window - now
        self._windows[key] = (start, count + 1)
        return None

    def reset(self) -> None:
        self._windows.clear()


CREATES = FixedWindow()


def require_editor(authorization: str | None) -> str:
    """The caller's token, if it may create markets; else Unauthorized or PermissionDenied."""
    token = token_of(authorization)
    if token is None:
        raise Unauthorized(challenge=CHALLENGE)
    if TOKENS[token] != "editor":
        raise PermissionDenied()
    return token


def throttle(token: str) -> None:
    """RateLimited once `token` has created `CREATES.limit` markets in the window."""
    wait = CREATES.hit(token)
    if wait is not None:
        raise RateLimited(wait)
