"""The rate limit as FastAPI (Starlette) HTTP middleware (task 4, FastAPI track).

The learner's file. `create_app` registers it with `app.middleware("http")`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from markets_ratelimit.api import code_for_status, error_body
from markets_ratelimit.config import RateLimitConfig, user_for
from markets_ratelimit.identity import bucket_key, client_ip
from markets_ratelimit.limiter import rate_limit_headers


async def rate_limit(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Count the request; refuse it with a 429 before routing, or pass it on (task 4)."""
    config: RateLimitConfig = request.app.state.rate_limit
    user = user_for(request.headers.get("authorization"), config.tokens)
    # No client in the ASGI scope (a Unix socket): no address, so one shared "ip:" bucket.
    peer = request.client.host if request.client else ""
    # ASGI keeps repeated header lines apart; they are one comma-separated list (RFC 9110
    # §5.3), and the line our proxy appended is the last one.
    forwarded_for = ", ".join(request.headers.getlist("x-forwarded-for")) or None
    ip = client_ip(peer, forwarded_for, config.trusted_proxies)
    # redis-py is blocking: run the round trip off the event loop.
    decision = await run_in_threadpool(config.limiter.hit, bucket_key(user, ip))
    if decision.allowed:
        response = await call_next(request)
    else:
        message = f"Too many requests: retry in {decision.retry_after} s."
        response = JSONResponse(error_body(code_for_status(429), message), 429)
    response.headers.update(rate_limit_headers(decision))
    return response
