"""Notebook 04: the cost of a middleware pipeline, per request, in each framework."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def per_request_us(
    sends: dict[str, Callable[[], Any]], n: int = 200, rounds: int = 9
) -> dict[str, float]:
    """Microseconds per call of each sender: the best of `rounds` runs of `n` calls.

    The rounds go round-robin over the senders, so a burst of load on a shared machine
    slows one round of every sender rather than every round of one.
    """
    best = {name: float("inf") for name in sends}
    for send in sends.values():
        send()  # warm up
    for _ in range(rounds):
        for name, send in sends.items():
            started = time.perf_counter()
            for _ in range(n):
                send()
            best[name] = min(best[name], (time.perf_counter() - started) / n)
    return {name: seconds * 1e6 for name, seconds in best.items()}


def measure(sends: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """`per_request_us` on a thread of its own: the notebook's own event loop is running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(per_request_us, sends).result()


def tasks_per_request(app: Any, path: str) -> int:
    """How many asyncio tasks one GET `path` starts inside an ASGI app (a counting factory)."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # the notebook's own loop is running
        return pool.submit(_count_tasks, app, path).result()


def _count_tasks(app: Any, path: str) -> int:
    loop, started = asyncio.new_event_loop(), []

    def counting(loop: Any, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        started.append(coro)
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting)
    try:
        loop.run_until_complete(_call(app, path))
    finally:
        loop.close()
    return len(started) - 1  # run_until_complete's own task


async def _call(app: Any, path: str) -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    await app(_scope(path), receive, send)


def _scope(path: str) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
            "headers": [], "query_string": b"", "http_version": "1.1", "scheme": "http",
            "server": ("testserver", 80), "client": ("127.0.0.1", 1), "root_path": ""}  # fmt: skip


def asgi_sender(app: Any, path: str) -> Callable[[], Any]:
    """Send GET `path` straight to an ASGI app, on a loop of its own (no HTTP client)."""
    loop = asyncio.new_event_loop()
    return lambda: loop.run_until_complete(_call(app, path))


def table(rows: dict[str, float]) -> str:
    """Rows of µs per request; each framework's extra cost over its own first ("bare") row."""
    width = max(map(len, rows))
    lines = [f"{'pipeline':<{width}}  µs/request  extra"]
    bare: dict[str, float] = {}
    for name, us in rows.items():
        framework = name.split(",")[0]
        base = bare.setdefault(framework, us)
        extra = "" if us is base else f"{us - base:+.0f}"
        lines.append(f"{name:<{width}}  {us:>10.0f}  {extra}")
    return "\n".join(lines)
