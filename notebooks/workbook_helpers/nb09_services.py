"""Notebook 09 scaffolding: fake time, scripted upstream services, a Django client.

Nothing here sleeps or opens a socket: `FakeTime.sleep` records a delay and moves the fake
clock; the services are `httpx.MockTransport`s that play a script and count requests.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from workbook_helpers.django_urls import django_client as django_client  # svc.django_client


class FakeTime:
    """`sleep(s)` records `s` and moves `now()` forward by it; nothing really waits."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.t += seconds


class Scripted:
    """An upstream that answers each request with the next step of `script` (the last
    repeats): a status code, or an exception instance to raise."""

    def __init__(self, *script: int | Exception, body: dict[str, Any] | None = None) -> None:
        self.script, self.body, self.requests = list(script), body or {}, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        step = self.script[min(self.requests, len(self.script) - 1)]
        self.requests += 1
        if isinstance(step, Exception):
            raise step
        body = self.body if step == 200 else {"error": f"upstream says {step}"}
        return httpx.Response(step, json=body, headers=self.headers(step))

    def headers(self, status: int) -> dict[str, str]:
        return {"Retry-After": "2"} if status in (429, 503) else {}

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self), base_url="http://upstream")


class OrderService:
    """POST /orders applies the order, then the first answer is lost on the way back
    (a read timeout): the client cannot tell whether the order was placed. Orders carrying
    an `Idempotency-Key` are applied once per key, as a careful server does."""

    def __init__(self) -> None:
        self.orders: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.answers = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key")
        if key is None or key not in self.by_key:
            order = {"id": len(self.orders) + 1, **json.loads(request.content)}
            self.orders.append(order)
            if key is not None:
                self.by_key[key] = order
        self.answers += 1
        if self.answers == 1:
            raise httpx.ReadTimeout("the answer was lost on the way back", request=request)
        return httpx.Response(201, json=self.by_key.get(key or "", self.orders[-1]))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self), base_url="http://orders")
