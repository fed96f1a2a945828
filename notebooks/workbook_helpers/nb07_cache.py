"""Notebook 07 scaffolding: a slow positions store that counts its queries, and measuring aids."""

from __future__ import annotations

import random
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

RUN = uuid.uuid4().hex[:8]


def run_key(name: str) -> str:
    """`name` under a prefix of this run's own, so a re-run on a real server starts clean."""
    return f"nb07:{RUN}:{name}"


@dataclass(frozen=True)
class Position:
    id: int
    market_id: int
    side: str  # "yes" | "no"
    amount: Decimal
    created_at: datetime  # timezone-aware UTC


class PositionStore:
    """Positions per market, like a table behind an ORM: each `positions()` is one query.

    `delay` seconds per query (a database round trip); `calls` counts queries; `hold`, when
    set, runs inside each query before it reads (the notebook holds queries at a barrier),
    `after_read` after it has read, before it returns.
    Market 1 has two positions, market 2 none yet, market 3 does not exist.
    """

    def __init__(self, delay: float = 0.0) -> None:
        start = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
        self._rows = {
            1: [
                Position(1, 1, "yes", Decimal("0.10"), start),
                Position(2, 1, "no", Decimal("12345678901234567.89"), start + timedelta(1)),
            ],
            2: [],
        }
        self.delay = delay
        self.calls = 0
        self.hold: Callable[[], Any] | None = None
        self.after_read: Callable[[], Any] | None = None
        self._lock = threading.Lock()

    def positions(self, market_id: int) -> list[Position] | None:
        """The market's positions, or None when there is no such market."""
        with self._lock:
            self.calls += 1
        if self.hold is not None:
            self.hold()
        if self.delay:
            time.sleep(self.delay)
        rows = self._rows.get(market_id)
        answer = None if rows is None else list(rows)
        if self.after_read is not None:
            self.after_read()
        return answer

    def add(self, market_id: int, side: str, amount: str) -> Position:
        rows = self._rows.setdefault(market_id, [])
        last = rows[-1] if rows else Position(0, market_id, side, Decimal(0), datetime.now(UTC))
        position = replace(last, id=last.id + 1, side=side, amount=Decimal(amount))
        rows.append(position)
        return position

    def add_markets(self, ids: Iterable[int]) -> None:
        for market_id in ids:
            self._rows.setdefault(market_id, [])


def in_threads(call: Callable[[], Any], threads: int) -> list[Any]:
    """Run `call` in `threads` threads released together; what each returned."""
    start = threading.Barrier(threads)
    results: list[Any] = []

    def run() -> None:
        start.wait()
        results.append(call())

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


class BrokenRedis:
    """A client for a Redis server that is down: every command raises ConnectionError."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        import redis

        def command(*args: Any, **kwargs: Any) -> Any:
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

        return command


def zipf_ids(markets: int, requests: int, s: float = 1.1, seed: int = 7) -> list[int]:
    """`requests` market ids drawn with P(rank k) ∝ 1/k^s: a few hot markets, a long tail."""
    weights = [1 / k**s for k in range(1, markets + 1)]
    return random.Random(seed).choices(range(1, markets + 1), weights=weights, k=requests)


def uniform_ids(markets: int, requests: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(1, markets) for _ in range(requests)]


def simulated_hit_ratio(ids: list[int], rate: float, ttl: float) -> float:
    """Cache-aside with a TTL over `ids` arriving `rate` per second (simulated clock)."""
    expires: dict[int, float] = {}
    hits = 0
    for n, market_id in enumerate(ids):
        now = n / rate
        if expires.get(market_id, -1.0) > now:
            hits += 1
        else:
            expires[market_id] = now + ttl
    return hits / len(ids)


def expiry_seconds(keys: int, ttl: float, jitter: float, seed: int = 7) -> Counter[int]:
    """Keys filled in the same second: how many expire in each whole second after."""
    rng = random.Random(seed)
    return Counter(int(ttl * (1 - jitter * rng.random())) for _ in range(keys))


def latency_ms(call: Callable[[], Any], times: int) -> tuple[float, float]:
    """Median and 95th percentile of `call`, in milliseconds, over `times` runs."""
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[-1]
