"""The rate limit as FastAPI (Starlette) HTTP middleware (task 4, FastAPI track).

The learner's file. `create_app` registers it with `app.middleware("http")`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response


async def rate_limit(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Count the request; refuse it with a 429 before routing, or pass it on (task 4).

    The config is `request.app.state.rate_limit`; every answer carries the RateLimit-* headers.
    """
    raise NotImplementedError(
        "TODO(task 4): key the request, hit the limiter, answer 429 or call_next — "
        "see README task 4"
    )
