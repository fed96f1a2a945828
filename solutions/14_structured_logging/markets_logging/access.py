"""The access log line, one per request, shared by the three frameworks (task 4)."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("markets.access")


def log_access(*, method: str, route: str | None, status: int, started: float) -> None:
    """One line for a finished request; `started` is its `time.perf_counter()` reading.

    `route` is the template (`/markets/{market_id}`), None when no route matched: the raw
    path would make one series per URL ever requested. A 5xx is ours to fix (error); a 4xx
    is the client's (info).
    """
    duration_ms = round((time.perf_counter() - started) * 1000, 3)
    level = logging.ERROR if status >= 500 else logging.INFO
    fields = {"method": method, "route": route, "status": status, "duration_ms": duration_ms}
    log.log(level, "request", extra=fields)
