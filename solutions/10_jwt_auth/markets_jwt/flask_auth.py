"""The Flask decorator every markets view wears (task 5)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from markets_jwt.auth import authenticate
from markets_jwt.store import SERVICES_KEY

F = TypeVar("F", bound=Callable[..., Any])


def login_required(view: F) -> F:
    """Run `view` only for a valid Bearer token, with its user in `g.user`; else the
    AuthError propagates and the app answers 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        services = current_app.extensions[SERVICES_KEY]
        g.user = authenticate(services, request.headers.get("Authorization"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
