"""A cache-aside repository on Redis: exact values, negative caching, jittered TTLs,
single-flight loading, invalidation after each write, and the repository when Redis is down.
"""

from __future__ import annotations

import random as random_module
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from redis import Redis

from markets_cache.domain import Market, MarketRepository, Status


class CachedMarketRepository:
    """`inner`, with `get` answered from Redis when it can be, and never wrong because of it.

    ttl           seconds a market stays cached, less up to `jitter` × ttl at random, so keys
                  filled together do not all expire together
    negative_ttl  seconds "no such id" stays cached (short: the id may be created soon)
    lock_ttl      seconds a loader holds the single-flight lock at most, and a waiter waits
    random        returns a float in [0, 1); `sleep(seconds)` pauses a waiter (tests pass
                  their own)
    Keys and the MISSING sentinel are in `markets_cache.keys`; the codec in `codec.py`.
    """

    def __init__(
        self,
        inner: MarketRepository,
        redis: Redis,
        *,
        ttl: float = 300.0,
        jitter: float = 0.1,
        negative_ttl: float = 5.0,
        lock_ttl: float = 2.0,
        random: Callable[[], float] = random_module.random,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if min(ttl, negative_ttl, lock_ttl) <= 0 or not 0 <= jitter < 1:
            raise ValueError("TTLs must be positive and jitter within [0, 1).")
        self._inner = inner
        self._redis = redis
        self._ttl = ttl
        self._jitter = jitter
        self._negative_ttl = negative_ttl
        self._lock_ttl = lock_ttl
        self._random = random
        self._sleep = sleep

    def get(self, market_id: int) -> Market | None:
        """The market or None: from Redis on a hit, from `inner` once per miss."""
        raise NotImplementedError(
            "TODO(task 2): cache-aside read with a jittered TTL — see README task 2"
        )

    def add(
        self, *, name: str, slug: str, volume: Decimal, status: Status = Status.DRAFT
    ) -> Market:
        """Create through `inner`; a "no such id" cached for the new id must not hide it."""
        raise NotImplementedError(
            "TODO(task 3): create, then clear a negative entry for the new id — see README task 3"
        )

    def update(self, market_id: int, **changes: Any) -> Market:
        """Update through `inner`, then make sure no reader is served the old market."""
        raise NotImplementedError(
            "TODO(task 4): write, then invalidate — in that order — see README task 4"
        )

    def delete(self, market_id: int) -> None:
        """Delete through `inner`, then make sure no reader is served the deleted market."""
        raise NotImplementedError("TODO(task 4): delete, then invalidate — see README task 4")

    def _load_once(self, market_id: int) -> Market | None:
        """On a miss: one caller loads from `inner` behind a Redis lock, the others wait.

        The loader stores what it loaded only while the lock is still its own (a write that
        landed meanwhile deleted it), and releases only its own lock.
        """
        raise NotImplementedError(
            "TODO(task 5): single-flight loading with a lock in Redis — see README task 5"
        )
