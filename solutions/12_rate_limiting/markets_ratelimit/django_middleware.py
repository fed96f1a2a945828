"""The rate limit as Django middleware (task 4, Django track). The learner's file."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from markets_ratelimit.api import code_for_status, error_body
from markets_ratelimit.config import RateLimitConfig, user_for
from markets_ratelimit.identity import bucket_key, client_ip
from markets_ratelimit.limiter import rate_limit_headers


class RateLimitMiddleware:
    """Counts every request before any view runs; a refused one never reaches a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        config: RateLimitConfig = settings.MARKETS_RATE_LIMIT
        user = user_for(request.headers.get("Authorization"), config.tokens)
        ip = client_ip(
            request.META.get("REMOTE_ADDR", ""),
            request.headers.get("X-Forwarded-For"),
            config.trusted_proxies,
        )
        decision = config.limiter.hit(bucket_key(user, ip))
        if decision.allowed:
            response = self.get_response(request)
        else:
            message = f"Too many requests: retry in {decision.retry_after} s."
            response = JsonResponse(error_body(code_for_status(429), message), status=429)
        for name, value in rate_limit_headers(decision).items():
            response[name] = value
        return response
