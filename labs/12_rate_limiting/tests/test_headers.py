"""Task 3: the RateLimit-* headers on every answer, Retry-After on a refusal."""

from __future__ import annotations

import pytest

from markets_ratelimit.limiter import Decision, rate_limit_headers

pytestmark = [pytest.mark.core, pytest.mark.task(3)]


def test_an_admitted_request_gets_the_three_ratelimit_headers() -> None:
    decision = Decision(allowed=True, limit=100, remaining=41, retry_after=0, reset=17)
    got = rate_limit_headers(decision)
    expected = {"RateLimit-Limit": "100", "RateLimit-Remaining": "41", "RateLimit-Reset": "17"}
    assert got == expected, (
        f"rate_limit_headers({decision}) returned {got}; expected {expected}: the limit, what "
        "is left and the seconds until more is, as text, and no Retry-After on a request "
        "that was allowed (task 3)"
    )


def test_a_refusal_adds_retry_after() -> None:
    decision = Decision(allowed=False, limit=5, remaining=0, retry_after=9, reset=9)
    got = rate_limit_headers(decision)
    expected = {
        "RateLimit-Limit": "5",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "9",
        "Retry-After": "9",
    }
    assert got == expected, (
        f"rate_limit_headers({decision}) returned {got}; expected {expected}: a 429 says "
        "when to come back, in whole seconds (RFC 9110 §10.2.3) (task 3)"
    )
