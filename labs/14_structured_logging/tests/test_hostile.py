"""Every route, in every framework, against the workbook's hostile-input battery (task 4).

`patterns_workbook.testing.hostile` sends each route what careless and malicious clients
send — ids no row can have, 8 KB and non-ASCII headers, every method the path does not serve
— and fails on any 5xx or any error outside the envelope. Your middleware runs on every one
of those requests, so none of them may break it.

In this lab every error body also carries `error.request_id` (docs/design.md §2, labs 04, 08
and 14). The battery knows the three-field envelope, so `RequestIdChecked` checks that field
against the `X-Request-ID` header first, then hands the battery the envelope without it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from loglines import access_lines

from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route
from patterns_workbook.testing.http import HttpClient, Reply

ROUTES = [
    Route("GET", "/markets/{id}", task=4),
    Route("GET", "/markets/summary", task=4),
]


class RequestIdChecked(HttpClient):
    """The lab's client, with each error body's `request_id` checked, then set aside."""

    def __init__(self, inner: HttpClient) -> None:
        self.inner = inner
        self.framework = inner.framework

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        reply = self.inner._send(method, path, body, headers)
        error = _error_of(reply)
        if error is None:
            return reply
        assert error.get("request_id") == reply.header("X-Request-ID"), (
            f"{method} {path[:80]} answered {reply.status} with error.request_id "
            f"{error.get('request_id')!r} and X-Request-ID {reply.header('X-Request-ID')!r}; the "
            "two are the same id, the one on every log line of the request (given code)"
        )
        envelope = {"error": {k: v for k, v in error.items() if k != "request_id"}}
        return Reply(reply.status, json.dumps(envelope).encode(), reply.headers)


def _error_of(reply: Reply) -> dict[str, Any] | None:
    if reply.status < 400:
        return None
    try:
        body = reply.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(
    client: HttpClient, route: Route, logs: Any
) -> None:
    hostile.assert_survives(RequestIdChecked(client), route, ids={"id": 1})


@pytest.mark.task(4)
def test_unserved_methods_are_405_with_a_complete_allow(client: HttpClient, logs: Any) -> None:
    hostile.assert_methods_refused(RequestIdChecked(client), ROUTES, ids={"id": 1})


@pytest.mark.task(4)
def test_every_hostile_request_wrote_its_access_line(client: HttpClient, logs: Any) -> None:
    probes = list(hostile.probes(ROUTES[0], {"id": 1}))
    for probe in probes:
        hostile.send(client, probe)
    found = len(access_lines(logs.lines()))
    assert found == len(probes), (
        f"{len(probes)} hostile requests (bad ids, 8 KB and non-ASCII headers) wrote "
        f"{found} access lines; every request writes one, however odd it is (task 4)"
    )
