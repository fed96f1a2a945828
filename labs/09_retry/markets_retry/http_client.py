"""Task 4: an httpx client that retries what is safe to retry, when the server allows it.

    pricing = RetryingClient(httpx.Client(base_url="http://pricing.internal"), attempts=3)
    response = pricing.get("/prices/1")

    pricing = AsyncRetryingClient(httpx.AsyncClient(base_url=...))   # the same, awaited
    response = await pricing.get("/prices/1")

- Retried: timeouts and connection errors (`is_transient`), and the answers that mean "not
  now": 429, 502, 503, 504. Every other answer — 400, 401, 403, 404, 409, 422, 500 — comes
  back at once: asking again gets the same answer.
- Only a request that is safe to repeat is retried: an idempotent method (RFC 9110 §9.2.2),
  or a POST/PATCH carrying an `Idempotency-Key`. Any other request is sent exactly once.
- A `Retry-After` (seconds, or an HTTP date) replaces the backoff delay, capped by `cap`,
  and the deadline still holds. A value that is neither is ignored.
- When the attempts run out on an answer, that last answer is returned (the caller reads its
  status); on an exception, `RetryError` is raised from it.
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from markets_retry.backoff import Jitter
from markets_retry.retry import retry

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class RetryableResponse(Exception):
    """An answer worth asking again for, raised inside the retry loop to reach `hint`."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url}: {response.status_code}"
        )
        self.response = response
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` asks for: `"120"` or an HTTP date (RFC 9110 §10.2.3).

    A date in the past is 0; anything else (negative, fractional, garbage) is None.
    """
    raise NotImplementedError("TODO(task 4): read Retry-After — see README task 4")


def may_retry(request: httpx.Request) -> bool:
    """Is this request safe to send twice?"""
    raise NotImplementedError(
        "TODO(task 4): is this request safe to send twice? — see README task 4"
    )


def is_retryable(exc: Exception) -> bool:
    """`retry_if` for the client: a "not now" answer, or a transient failure."""
    raise NotImplementedError("TODO(task 4): what the client retries — see README task 4")


def retry_after_hint(exc: Exception) -> float | None:
    """`hint` for the client: the seconds a "not now" answer's `Retry-After` asked for."""
    raise NotImplementedError("TODO(task 4): the delay a Retry-After asked for — see README task 4")


class RetryingClient:
    """Wraps an `httpx.Client`; `request()` takes what `httpx.Client.build_request` takes."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        attempts: int = 3,
        base: float = 0.1,
        cap: float = 5.0,
        jitter: Jitter = Jitter.FULL,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: _random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self._now = now
        self._retrying = retry(
            self._send,
            attempts=attempts,
            base=base,
            cap=cap,
            jitter=jitter,
            deadline=deadline,
            retry_if=is_retryable,
            hint=retry_after_hint,
            sleep=sleep,
            random=random,
            clock=clock,
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send once, or with retries when `may_retry`; the last answer, or `RetryError`."""
        raise NotImplementedError(
            "TODO(task 4): send, retrying when it is safe — see README task 4"
        )

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def _send(self, request: httpx.Request) -> httpx.Response:
        """One attempt: the answer, or `RetryableResponse` for a "not now" one."""
        raise NotImplementedError("TODO(task 4): one attempt — see README task 4")


class AsyncRetryingClient:
    """`RetryingClient` over an `httpx.AsyncClient`: awaited, waiting with `async_sleep`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        attempts: int = 3,
        base: float = 0.1,
        cap: float = 5.0,
        jitter: Jitter = Jitter.FULL,
        deadline: float | None = None,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: _random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self._now = now
        self._retrying = retry(
            self._send,
            attempts=attempts,
            base=base,
            cap=cap,
            jitter=jitter,
            deadline=deadline,
            retry_if=is_retryable,
            hint=retry_after_hint,
            async_sleep=async_sleep,
            random=random,
            clock=clock,
        )

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send once, or with retries when `may_retry`; the last answer, or `RetryError`."""
        raise NotImplementedError("TODO(task 4): the same, awaited — see README task 4")

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """One attempt: the answer, or `RetryableResponse` for a "not now" one."""
        raise NotImplementedError("TODO(task 4): one awaited attempt — see README task 4")
