"""Every route, in every framework, against the workbook's hostile-input battery.

The battery (`patterns_workbook.testing.hostile`) checks the envelope's keys as
{"code", "message", "details"}; this lab's envelope adds `request_id` (docs/design.md §2,
labs 04, 08 and 14). `IdChecked` checks that field on every error reply — the X-Request-ID
of that reply — and hands the battery the envelope without it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route
from patterns_workbook.testing.http import HttpClient, Reply

AUTH = {"Authorization": "Bearer editor-token"}
ROUTES = [
    Route("GET", "/markets/{id}", task=4),
    Route(
        "POST",
        "/markets",
        task=5,
        body={"name": "Rain in Lisbon", "slug": "rain-lisbon", "tag": "weather"},
        headers=AUTH,
    ),
]


class IdChecked(HttpClient):
    """An HttpClient that asserts each error body's request_id, then removes it."""

    def __init__(self, inner: HttpClient) -> None:
        self.inner = inner
        self.framework = inner.framework

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        reply = self.inner._send(method, path, body, headers)
        try:
            data = reply.json()
        except ValueError:
            return reply
        error = data.get("error") if isinstance(data, dict) else None
        if reply.status < 400 or not isinstance(error, dict) or "request_id" not in error:
            return reply  # the battery says what is wrong with it
        assert error["request_id"] == reply.header("X-Request-ID"), (
            f"[{self.framework}] {method} {path[:60]} answered request_id {error['request_id']!r} "
            f"with X-Request-ID {reply.header('X-Request-ID')!r}: the same id (task 4)"
        )
        error = {key: value for key, value in error.items() if key != "request_id"}
        return Reply(reply.status, json.dumps({**data, "error": error}).encode(), reply.headers)


@pytest.fixture
def market(client: HttpClient, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from markets_errors import access

    monkeypatch.setattr(access.CREATES, "limit", 10**9)  # the battery sends ~90 creates
    reply = client.post(
        "/markets", json={"name": "Snow", "slug": "snow", "tag": "weather"}, headers=AUTH
    )
    assert reply.status == 201, reply.text
    return reply.json()


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(
    client: HttpClient, route: Route, market: dict[str, Any]
) -> None:
    hostile.assert_survives(IdChecked(client), route, ids={"id": market["id"]})


@pytest.mark.task(5)
def test_unserved_methods_are_405_with_a_complete_allow(
    client: HttpClient, market: dict[str, Any]
) -> None:
    hostile.assert_methods_refused(IdChecked(client), ROUTES, ids={"id": market["id"]})
