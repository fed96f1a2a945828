"""The rate limit as Django middleware (task 4, Django track). The learner's file."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RateLimitMiddleware:
    """Counts every request before any view runs; a refused one never reaches a view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Read `settings.MARKETS_RATE_LIMIT`; a 429 in the envelope, or the view's answer,
        with the RateLimit-* headers either way (task 4)."""
        raise NotImplementedError(
            "TODO(task 4): key the request, hit the limiter, answer 429 or pass it on — "
            "see README task 4"
        )
