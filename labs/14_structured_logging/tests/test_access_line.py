"""Task 4: `log_access` itself — the fields, the unit, the level — before any framework."""

from __future__ import annotations

import io
import time

import pytest
from loglines import parse

from markets_logging.access import log_access
from markets_logging.logconfig import configure_logging

pytestmark = [pytest.mark.core, pytest.mark.task(4)]


def logged(status: int, started: float) -> dict[str, object]:
    stream = io.StringIO()
    configure_logging(stream)
    log_access(method="DELETE", route="/markets/{market_id}", status=status, started=started)
    lines = parse(stream.getvalue())
    assert len(lines) == 1, f"log_access() wrote {len(lines)} lines: {lines} (task 4)"
    return lines[0]


def test_the_line_has_the_request_fields_and_the_duration_in_milliseconds() -> None:
    line = logged(204, started=time.perf_counter() - 100.0)  # a request that began 100 s ago
    expected = {
        "logger": "markets.access",
        "event": "request",
        "level": "info",
        "method": "DELETE",
        "route": "/markets/{market_id}",
        "status": 204,
    }
    got = {key: line.get(key) for key in expected}
    assert got == expected, (
        f"log_access(method='DELETE', route='/markets/{{market_id}}', status=204, …) wrote "
        f"{line}; expected {expected} (task 4)"
    )
    duration = line.get("duration_ms")
    assert isinstance(duration, float | int) and abs(duration - 100_000) < 50, (
        f"a request started 100 s before log_access() logged duration_ms={duration!r}; "
        "expected 100000 (milliseconds: (perf_counter() - started) * 1000) (task 4)"
    )


LEVELS = [(200, "info"), (404, "info"), (499, "info"), (500, "error"), (503, "error")]


@pytest.mark.parametrize(("status", "level"), LEVELS)
def test_a_5xx_is_an_error_and_anything_else_info(status: int, level: str) -> None:
    line = logged(status, started=time.perf_counter())
    assert line.get("level") == level, (
        f"log_access(status={status}) logged at {line.get('level')!r}; expected {level!r}: a "
        "5xx is ours to fix (error), a 4xx is the client's (info) (task 4)"
    )
