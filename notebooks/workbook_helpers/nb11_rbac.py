"""Notebook 11: a small positions domain, access tokens, and replies printed on one line.

The notebook protects *positions* (the lab protects markets): who may read them, open one,
cancel their own while it is open, or cancel anyone's.
"""

from __future__ import annotations

import dataclasses
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

SECRET = "notebook-11-signing-key-not-a-secret-" + "s" * 32  # ≥ 32 bytes for HS256
ISSUER, AUDIENCE = "https://auth.markets.example", "markets-api"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str | None  # as stored: a legacy row may hold None, "" or a role nobody defined


@dataclass(frozen=True)
class Position:
    id: int
    user_id: int
    market: str
    status: str = "open"  # open | settled | cancelled


class Store:
    """Users and positions in dicts, like two tables."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.positions: dict[int, Position] = {}

    def add_user(self, user_id: int, username: str, role: str | None) -> User:
        self.users[user_id] = User(user_id, username, role)
        return self.users[user_id]

    def set_role(self, user_id: int, role: str | None) -> None:
        self.users[user_id] = dataclasses.replace(self.users[user_id], role=role)

    def add_position(self, user_id: int, market: str, status: str = "open") -> Position:
        position = Position(len(self.positions) + 1, user_id, market, status)
        self.positions[position.id] = position
        return position

    def cancel(self, position_id: int) -> Position:
        cancelled = dataclasses.replace(self.positions[position_id], status="cancelled")
        self.positions[position_id] = cancelled
        return cancelled


def token(user_id: int, **claims: Any) -> str:
    """A signed access token naming `user_id`; extra `claims` ride along (a `role`, say)."""
    now = datetime.now(UTC)
    payload = {**claims, "sub": str(user_id), "iss": ISSUER, "aud": AUDIENCE, "iat": now}
    return jwt.encode({**payload, "exp": now + timedelta(minutes=15)}, SECRET, "HS256")


def claims_of(header: str | None) -> dict[str, Any] | None:
    """The verified claims of an `Authorization: Bearer …` header, or None."""
    scheme, _, raw = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not raw:
        return None
    try:
        return jwt.decode(
            raw, SECRET, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )  # fmt: skip
    except jwt.PyJWTError:
        return None


def user_of(header: str | None, store: Store) -> User | None:
    """Who the header names, as the store holds them *now*; None for no or bad credentials."""
    claims = claims_of(header)
    return None if claims is None else store.users.get(int(claims["sub"]))


def bearer(user_id: int, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(user_id, **claims)}"}


def show(label: str, reply: Any) -> None:
    """`label → status code`, and the challenge of a 401."""
    try:
        body = reply.json()
    except ValueError:  # an empty or non-JSON success body
        body = {}
    code = body.get("error", {}).get("code", "") if isinstance(body, dict) else ""
    challenge = reply.header("www-authenticate")
    extra = f"  WWW-Authenticate: {challenge}" if challenge else ""
    print(f"{label:<52} → {reply.status} {code}{extra}")


def django_setup() -> None:
    """Configure Django once per kernel: DRF, no database, the URLconf module `nb11_urls`,
    whose `Bearer` authentication class and `drf_errors` handler the notebook defines."""
    from django.conf import settings

    sys.modules.setdefault("nb11_urls", types.ModuleType("nb11_urls"))
    if settings.configured:
        return
    settings.configure(
        DEBUG=False, SECRET_KEY="notebook-only-" + "x" * 40, ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF="nb11_urls", MIDDLEWARE=[], USE_TZ=True, DATABASES={},
        INSTALLED_APPS=["rest_framework"],
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["nb11_urls.Bearer"],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "EXCEPTION_HANDLER": "nb11_urls.drf_errors",
        },
    )  # fmt: skip
    import django

    django.setup()


def django_serve(views: dict[str, Callable[..., Any]], **names: Any) -> None:
    """Serve `views` (route → view); `names` (Bearer, drf_errors) go into `nb11_urls`."""
    from django.urls import clear_url_caches, path

    module = sys.modules["nb11_urls"]
    for name, value in names.items():
        setattr(module, name, value)
    module.urlpatterns = [path(route, view) for route, view in views.items()]  # type: ignore[attr-defined]
    clear_url_caches()


class Refused(Exception):
    """A 4xx a guard raises; each framework's error handler renders `envelope(exc)`."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def unauthorized() -> Refused:
    challenge = {"WWW-Authenticate": 'Bearer realm="markets"'}
    return Refused(401, "not_authenticated", "Send a valid Bearer token.", challenge)


def forbidden(what: str) -> Refused:
    return Refused(403, "forbidden", f"Your role does not allow {what}.")


def envelope(exc: Refused) -> dict[str, Any]:
    return {"error": {"code": exc.code, "message": exc.message, "details": {}}}
