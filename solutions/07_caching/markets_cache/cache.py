"""A cache-aside repository on Redis: exact values, negative caching, jittered TTLs,
single-flight loading, invalidation after each write, and the repository when Redis is down.
"""

from __future__ import annotations

import enum
import logging
import math
import random as random_module
import secrets
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from markets_cache.codec import decode_market, encode_market
from markets_cache.domain import Market, MarketRepository, Status
from markets_cache.keys import MISSING, lock_key, market_key

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
# Delete the lock only while it still holds our token: after our lock expired, it may be
# another caller's, and a plain DEL would let a third one in beside it.
RELEASE_LOCK = """
if redis.call("GET", KEYS[1]) == ARGV[1] then
    return redis.call("DEL", KEYS[1])
end
return 0
"""
# Store what we loaded only while the lock is still ours. A write that landed during our load
# deleted the lock with the key (`_invalidate`): what we hold is then the old market, and
# storing it would serve it for a whole TTL after the write returned.
FILL_IF_LOCKED = """
if redis.call("GET", KEYS[2]) == ARGV[1] then
    redis.call("SET", KEYS[1], ARGV[2], "PX", ARGV[3])
    return 1
end
return 0
"""


class Miss(enum.Enum):
    """Nothing usable in Redis for a key: absent, or an entry the codec cannot read."""

    MISS = "miss"


MISS = Miss.MISS
FIRST_POLL = 0.002  # seconds a waiter sleeps before it first looks again; doubles up to
MAX_POLL = 0.05


class CachedMarketRepository:
    """`inner`, with `get` answered from Redis when it can be, and never wrong because of it.

    ttl           seconds a market stays cached, less up to `jitter` × ttl at random, so keys
                  filled together do not all expire together
    negative_ttl  seconds "no such id" stays cached (short: the id may be created soon)
    lock_ttl      seconds a loader holds the single-flight lock at most, and a waiter waits
    random        returns a float in [0, 1); `sleep(seconds)` pauses a waiter (tests pass
                  their own)
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
        self._release = redis.register_script(RELEASE_LOCK)
        self._fill_if_locked = redis.register_script(FILL_IF_LOCKED)

    def get(self, market_id: int) -> Market | None:
        """The market or None: from Redis on a hit, from `inner` once per miss."""
        try:
            found = self._lookup(market_id)
        except REDIS_DOWN as exc:
            return self._bypass(exc, market_id)
        if found is not MISS:
            return found
        return self._load_once(market_id)

    def add(
        self, *, name: str, slug: str, volume: Decimal, status: Status = Status.DRAFT
    ) -> Market:
        market = self._inner.add(name=name, slug=slug, volume=volume, status=status)
        self._invalidate(market.id)  # a "no such id" cached a moment ago is now a lie
        return market

    def update(self, market_id: int, **changes: Any) -> Market:
        market = self._inner.update(market_id, **changes)
        self._invalidate(market_id)
        return market

    def delete(self, market_id: int) -> None:
        self._inner.delete(market_id)
        self._invalidate(market_id)

    def _load_once(self, market_id: int) -> Market | None:
        """Single flight: one caller loads behind a lock; the others wait, then read the cache."""
        token = secrets.token_hex(16)
        waited, pause = 0.0, FIRST_POLL
        try:
            while True:
                if self._redis.set(lock_key(market_id), token, nx=True, px=_ms(self._lock_ttl)):
                    return self._fill(market_id, token)
                if waited >= self._lock_ttl:  # the holder is stuck or gone: do not wait longer
                    return self._inner.get(market_id)
                self._sleep(pause)
                waited, pause = waited + pause, min(pause * 2, MAX_POLL)
                if (found := self._lookup(market_id)) is not MISS:
                    return found
        except REDIS_DOWN as exc:
            return self._bypass(exc, market_id)

    def _fill(self, market_id: int, token: str) -> Market | None:
        """Holding the lock: load from `inner` (unless someone just did) and cache the answer."""
        keys = [market_key(market_id), lock_key(market_id)]
        try:
            if (found := self._lookup(market_id)) is not MISS:
                return found
            market = self._inner.get(market_id)
            if market is None:
                self._fill_if_locked(keys=keys, args=[token, MISSING, _ms(self._negative_ttl)])
            else:
                self._fill_if_locked(keys=keys, args=[token, encode_market(market), self._ttl_ms()])
            return market
        finally:
            self._release(keys=[keys[1]], args=[token])

    def _lookup(self, market_id: int) -> Market | Miss | None:
        """What Redis holds for the market: a market, None ("no such id"), or MISS."""
        cached = self._redis.get(market_key(market_id))
        if cached is None:
            return MISS
        if cached == MISSING:
            return None
        try:
            return decode_market(cached)
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            # Written by another release or another writer: reload and overwrite, never a 500.
            log.warning(
                "Unreadable cache entry for market %s (%s): reloading it",
                market_id,
                type(exc).__name__,
            )
            return MISS

    def _ttl_ms(self) -> int:
        return math.ceil(self._ttl * 1000 * (1 - self._jitter * self._random()))

    def _invalidate(self, market_id: int) -> None:
        """Delete the entry, and the lock of a load in flight: that load read the old market."""
        try:
            self._redis.delete(market_key(market_id), lock_key(market_id))
        except REDIS_DOWN as exc:
            log.warning(
                "Redis unavailable (%s): market %s not invalidated; its entry expires on its TTL",
                type(exc).__name__,
                market_id,
            )

    def _bypass(self, exc: Exception, market_id: int) -> Market | None:
        log.warning(
            "Redis unavailable (%s): market %s read from the repository",
            type(exc).__name__,
            market_id,
        )
        return self._inner.get(market_id)


def _ms(seconds: float) -> int:
    return math.ceil(seconds * 1000)  # at least 1: PX 0 is an error
