"""The rate limit as Flask request hooks (task 4, Flask track). The learner's file."""

from __future__ import annotations

from flask import Response, current_app, g, jsonify, request

from markets_ratelimit.api import code_for_status, error_body
from markets_ratelimit.config import RateLimitConfig, user_for
from markets_ratelimit.identity import bucket_key, client_ip
from markets_ratelimit.limiter import rate_limit_headers

CONFIG_KEY = "markets_ratelimit"


def before_request() -> tuple[Response, int] | None:
    """Count the request; a refusal answers 429 here and the view never runs (task 4)."""
    config: RateLimitConfig = current_app.extensions[CONFIG_KEY]
    user = user_for(request.headers.get("Authorization"), config.tokens)
    ip = client_ip(
        request.remote_addr or "", request.headers.get("X-Forwarded-For"), config.trusted_proxies
    )
    g.rate_limit = decision = config.limiter.hit(bucket_key(user, ip))
    if decision.allowed:
        return None
    message = f"Too many requests: retry in {decision.retry_after} s."
    return jsonify(error_body(code_for_status(429), message)), 429


def after_request(response: Response) -> Response:
    """Every answer — a view's, an error handler's, the 429 — carries the headers (task 4)."""
    decision = g.get("rate_limit")
    if decision is not None:
        response.headers.update(rate_limit_headers(decision))
    return response
