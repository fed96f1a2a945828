"""Notebook 12 scaffolding: four rate-limit algorithms in memory, a racing Redis proxy, a timer.

The in-memory limiters are simulations driven by the caller's clock (`allow(t)`), so the
plots of admitted requests over time are exact and instant. They are not thread-safe and
keep state per process: the notebook shows why that is a trap before it moves to Redis.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any


class FixedWindow:
    """One counter per window [k*W, (k+1)*W): reset at each boundary."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.counts: dict[int, int] = {}

    def allow(self, t: float) -> bool:
        slot = math.floor(t / self.window)
        if self.counts.get(slot, 0) >= self.limit:
            return False
        self.counts[slot] = self.counts.get(slot, 0) + 1
        return True


class SlidingLog:
    """Every admitted time in (t - W, t]: exact, one entry per admitted request."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.log: deque[float] = deque()

    def allow(self, t: float) -> bool:
        while self.log and self.log[0] <= t - self.window:
            self.log.popleft()
        if len(self.log) >= self.limit:
            return False
        self.log.append(t)
        return True


class SlidingCounter:
    """Two fixed-window counters, the previous weighted by how much of it still overlaps."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.counts: dict[int, int] = {}

    def allow(self, t: float) -> bool:
        slot = math.floor(t / self.window)
        overlap = 1 - (t - slot * self.window) / self.window
        estimate = self.counts.get(slot - 1, 0) * overlap + self.counts.get(slot, 0)
        if estimate + 1 > self.limit:
            return False
        self.counts[slot] = self.counts.get(slot, 0) + 1
        return True


class TokenBucket:
    """`limit` tokens, refilled at limit/W per second; a request takes one."""

    def __init__(self, limit: int, window: float) -> None:
        self.capacity, self.rate = limit, limit / window
        self.tokens, self.last = float(limit), 0.0

    def allow(self, t: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (t - self.last) * self.rate)
        self.last = t
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


ALGORITHMS = {
    "fixed window": FixedWindow,
    "sliding log": SlidingLog,
    "sliding counter": SlidingCounter,
    "token bucket": TokenBucket,
}


def boundary_traffic(window: float, limit: int) -> list[float]:
    """A client that waits, bursts just before a boundary, bursts again just after, then
    keeps sending 2 requests a second: the pattern that finds a fixed window's 2x."""
    before = [window - 0.5 + i * 0.04 for i in range(limit)]
    after = [window + 0.05 + i * 0.04 for i in range(limit)]
    steady = [window + 1 + i * 0.5 for i in range(int(2.5 * window * 2))]
    return before + after + steady


def most_in_any_window(times: list[float], window: float) -> int:
    """The most admitted requests inside any window-long interval (t - W, t]."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


class RacingRedis:
    """A Redis client whose every thread, after its first read, waits until all have read.

    It forces the interleaving a check-then-act limiter loses to; an atomic script is one
    call that never waits (the same proxy as lab 12's concurrency test).
    """

    READS = frozenset({"get", "zcard", "zcount", "zrange", "llen", "lindex", "hget"})

    def __init__(self, real: Any, parties: int) -> None:
        self._real, self._state = real, threading.local()
        self._barrier = threading.Barrier(parties, timeout=3)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name not in self.READS:
            return attr

        def read(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if not getattr(self._state, "waited", False):
                self._state.waited = True
                with contextlib.suppress(threading.BrokenBarrierError):
                    self._barrier.wait()
            return result

        return read


def concurrently(check: Callable[[], bool], threads: int) -> int:
    """Run `check` once in each of `threads` threads; how many were admitted."""
    results: list[bool] = []
    workers = [threading.Thread(target=lambda: results.append(check())) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(results)


def checks_per_second(
    checks: dict[str, Callable[[], object]], rounds: int = 8, seconds: float = 0.1
) -> dict[str, float]:
    """Calls per second of each check, side by side: the checks take turns, `rounds` times,
    for about `seconds` each; the best round of each counts (the least disturbed one)."""
    best = dict.fromkeys(checks, 0.0)
    for _ in range(rounds):
        for name, check in checks.items():
            calls, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds:
                for _ in range(50):
                    check()
                calls += 50
            best[name] = max(best[name], calls / elapsed)
    return best


RUN = uuid.uuid4().hex[:8]


def run_key(name: str) -> str:
    """`name` under a prefix of this run's own, so a re-run on a real server starts clean."""
    return f"nb12:{RUN}:{name}"
