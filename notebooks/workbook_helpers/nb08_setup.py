"""Notebook 08: the markets a view reads, an outage to raise, and ways to look at replies.

Nothing here is the lab's solution: the notebook's hierarchy, handlers and renderer are in
its own cells; this module only holds the data and the printing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from patterns_workbook.testing.http import Reply

MARKETS = {1: {"id": 1, "slug": "rain-in-lisbon", "status": "active"}}
BROKEN_ID = 13  # reading this market fails the way a real outage does
SECRET_DSN = "postgresql://markets:hunter2@db.internal:5432/markets"
FAILED_SQL = "SELECT id, slug, password_hash FROM markets JOIN users ON users.id = 7"


class Outage(RuntimeError):
    """What a driver raises when the database goes away: its text holds the DSN and the SQL."""


def read_market(market_id: int) -> dict[str, Any] | None:
    """The market, None when there is none; market 13 raises `Outage`."""
    if market_id == BROKEN_ID:
        raise Outage(f"connection to {SECRET_DSN} lost while running {FAILED_SQL!r}")
    return MARKETS.get(market_id)


SHOWN_HEADERS = ("content-type", "allow", "retry-after", "www-authenticate", "x-request-id")


def show(label: str, reply: Reply, *, width: int = 150) -> None:
    """One reply on two lines: status and the headers that matter, then the body."""
    headers = ", ".join(
        f"{k}: {_stable(k, reply.headers[k])}" for k in SHOWN_HEADERS if k in reply.headers
    )
    try:
        body = json.dumps(reply.json(), ensure_ascii=False)
    except ValueError:
        body = " ".join(reply.text.split())
    print(f"{label}  →  {reply.status}  [{headers}]")
    print(f"    {body[:width]}{'…' if len(body) > width else ''}")


def _stable(name: str, value: str) -> str:
    """`Allow` sorted: frameworks build it from a set, in an order that changes per process."""
    return ", ".join(sorted(m.strip() for m in value.split(","))) if name == "allow" else value


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """`with errors_logged() as records:` — every ERROR record any logger emits in the block."""
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def describe(records: list[logging.LogRecord]) -> str:
    """Each record as `logger: message [traceback: yes|no, request_id: …]`."""
    if not records:
        return "    (nothing logged)"
    return "\n".join(
        f"    {r.name}: {r.getMessage()[:60]!r} [traceback: {'yes' if r.exc_info else 'no'}, "
        f"request_id: {getattr(r, 'request_id', None)}]"
        for r in records
    )


class AsgiClient:
    """FastAPI in a notebook cell: Starlette's TestClient (it runs the app on a thread of its
    own: ipykernel's loop is already running), replies as `Reply`s, and an exception the app
    re-raises logged the way an ASGI server logs it (uvicorn: "Exception in ASGI application")."""

    def __init__(self, app: Any) -> None:
        from fastapi.testclient import TestClient

        self._client = TestClient(_served(app), raise_server_exceptions=False)

    def request(self, method: str, path: str, **kw: Any) -> Reply:
        r = self._client.request(method, path, **kw)
        return Reply(r.status_code, r.content, {k.lower(): v for k, v in r.headers.items()})

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Reply:
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)


def _served(app: Any) -> Any:
    server_log = logging.getLogger("uvicorn.error")

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except Exception:
            server_log.exception("Exception in ASGI application")
            raise

    return asgi
