"""Reading what the process logged: every line of stderr parsed as one JSON object."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

import pytest

Line = dict[str, Any]
# The HTTP test client logs an exception that escapes the ASGI app, as a server does
# (uvicorn's "Exception in ASGI application"): the server's line, not the app's.
SERVER_LOGGER = "patterns_workbook.testing.http"


class CurrentStderr:
    """A stream that writes to `sys.stderr` as it is at each write.

    pytest's `capsys` swaps in a new capture stream for each phase of a test: a handler made
    during set-up and holding that phase's stream would write into a closed file.
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class CapturedLog:
    """What was written to stderr since the last read (the `logs` fixture)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self.text = ""

    def lines(self) -> list[Line]:
        """Every line written since the last call, parsed; fails on a line that is not JSON."""
        self.text = self._capsys.readouterr().err
        return parse(self.text)


def parse(text: str) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        try:
            line = json.loads(raw)
        except ValueError:
            line = None
        assert isinstance(line, dict), (
            f"line {number} of the log is not one JSON object: {raw[:300]!r}. Every record "
            "is written as one line of JSON (json.dumps, no indent), and nothing else writes "
            "to the stream — a second handler, a print(), logging's own '--- Logging error "
            "---' report when format() raised (task 3)"
        )
        lines.append(line)
    return lines


def shown(lines: Iterable[Line], limit: int = 12) -> str:
    """Lines as a failure message lists them: one per row, each cut to 240 characters."""
    rows = [json.dumps(line)[:240] for line in lines]
    if not rows:
        return "\n    (nothing was logged)"
    more = f"\n    … and {len(rows) - limit} more" if len(rows) > limit else ""
    return "".join(f"\n    {row}" for row in rows[:limit]) + more


def access_lines(lines: Iterable[Line]) -> list[Line]:
    """The access log: lines of the `markets.access` logger that carry a status."""
    return [line for line in lines if line.get("logger") == "markets.access" and "status" in line]


def from_logger(lines: Iterable[Line], name: str, event: str | None = None) -> list[Line]:
    return [
        line
        for line in lines
        if line.get("logger") == name and (event is None or line.get("event") == event)
    ]


def app_lines(lines: Iterable[Line]) -> list[Line]:
    """Every line but the test server's own."""
    return [line for line in lines if line.get("logger") != SERVER_LOGGER]
