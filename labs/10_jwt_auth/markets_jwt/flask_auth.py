"""The Flask decorator every markets view wears (task 5)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def login_required(view: F) -> F:
    """Run `view` only for a valid Bearer token, with its user in `g.user`; else the
    AuthError propagates and the app answers 401. The services are
    `current_app.extensions[SERVICES_KEY]`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("TODO(task 5): authenticate, set g.user — see README task 5")

    return wrapper  # type: ignore[return-value]
