"""Task 4: `update` and `delete` invalidate — after the write has landed, never before it,
and not when it failed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import HookedRedis

from markets_cache.codec import encode_market
from markets_cache.domain import Market, MarketNotFound, Status
from markets_cache.keys import lock_key, market_key

pytestmark = [pytest.mark.core, pytest.mark.task(4)]


def test_a_get_after_update_returns_the_new_market(make_cache, inner, market: Market) -> None:
    cache = make_cache()
    cache.get(market.id)  # cached
    updated = cache.update(market.id, name="Rain in Porto", volume=Decimal("9.90"))
    got = cache.get(market.id)
    assert updated.name == "Rain in Porto" and got == updated, (
        f"after update(name='Rain in Porto') returned {updated!r}, get() returned {got!r}; "
        "a reader must never see the old market once update has returned: the cache is "
        "invalidated by the write — an `invalidate` method nobody calls serves stale data "
        "for the whole TTL (task 4)"
    )


def test_update_deletes_the_key(make_cache, redis, market: Market) -> None:
    cache = make_cache()
    cache.get(market.id)
    cache.update(market.id, status=Status.CLOSED)
    left = redis.get(market_key(market.id))
    assert left is None, (
        f"after update, {market_key(market.id)!r} still holds {left!r}; invalidate by "
        "deleting the key, and let the next reader load the new market: writing the new "
        "value yourself (write-through) races another writer and can leave the older one "
        "cached (task 4)"
    )


def test_a_get_after_delete_returns_none(make_cache, inner, market: Market) -> None:
    cache = make_cache()
    cache.get(market.id)
    cache.delete(market.id)
    got = cache.get(market.id)
    assert got is None and inner.get(market.id) is None, (
        f"after delete({market.id}), get() returned {got!r}; a deleted market must not be "
        "served from the cache (task 4)"
    )


def _reader_during_the_write(inner, cache, market_id: int) -> list[Market | None]:
    """While the repository's write is in flight, another request reads the market."""
    seen: list[Market | None] = []

    def read_in_between(written_id: int) -> None:
        inner.before_write = None
        seen.append(cache.get(written_id))  # the old market, still in the repository

    inner.before_write = read_in_between
    return seen


def test_no_stale_read_after_update_when_a_reader_refills_during_the_write(
    make_cache, inner, market: Market
) -> None:
    cache = make_cache()
    seen = _reader_during_the_write(inner, cache, market.id)
    updated = cache.update(market.id, name="Rain in Faro")
    got = cache.get(market.id)
    assert got == updated, (
        f"a reader during the write saw {seen!r} (fine: the write had not landed) and cached "
        f"it; after update returned, get() gave {got!r}, expected {updated!r}. Deleting the "
        "key BEFORE the write lets a reader in between refill it with the old market, stale "
        "for the whole TTL: invalidate AFTER the write has landed (task 4)"
    )


def test_no_stale_read_after_delete_when_a_reader_refills_during_the_write(
    make_cache, inner, market: Market
) -> None:
    cache = make_cache()
    _reader_during_the_write(inner, cache, market.id)
    cache.delete(market.id)
    got = cache.get(market.id)
    assert got is None, (
        f"a reader refilled the cache during delete({market.id}); after delete returned, "
        f"get() gave {got!r}: invalidate AFTER the write has landed (task 4)"
    )


@pytest.mark.parametrize("write", ["update", "delete"])
def test_a_failed_write_raises_and_keeps_the_cached_market(
    make_cache, inner, market: Market, write
) -> None:
    cache = make_cache()
    cache.get(market.id)

    def refuse(market_id: int) -> None:
        raise RuntimeError("database refused the write")

    inner.before_write = refuse
    with pytest.raises(RuntimeError, match="refused"):
        cache.update(market.id, name="Never") if write == "update" else cache.delete(market.id)
    inner.before_write = None
    calls = inner.calls["get"]
    got = cache.get(market.id)
    assert got == market and inner.calls["get"] == calls, (
        f"a {write} the repository refused left get() returning {got!r} with "
        f"{inner.calls['get'] - calls} new repository reads; expected the cached {market!r} "
        "and none: nothing changed, so nothing is invalidated — a failing write (a conflict, "
        "a bad value, a flood of bad PATCHes or DELETEs) must not turn a hot key into a miss "
        "(task 4)"
    )


@pytest.mark.parametrize("write", ["update", "delete"])
def test_the_key_and_the_lock_go_in_one_delete(make_cache, redis, market: Market, write) -> None:
    hooked = HookedRedis(redis)
    old = encode_market(market)
    redis.set(lock_key(market.id), "loader-token", px=60_000)  # a load of the old row in flight
    sent: list[tuple[object, ...]] = []
    filled: list[tuple[object, ...]] = []

    def the_loader_stores_now(result: object, *keys: object) -> None:
        # Right after each DEL the writer sends, the in-flight loader stores what it read —
        # through its lease: only while the lock still holds its token.
        sent.append(keys)
        if redis.get(lock_key(market.id)) == "loader-token" and not filled:
            redis.set(market_key(market.id), old, px=60_000)
            filled.append(keys)

    hooked.after["delete"] = the_loader_stores_now
    cache = make_cache(client=hooked)
    cache.update(market.id, name="Rain in Faro") if write == "update" else cache.delete(market.id)
    left = redis.get(market_key(market.id))
    assert left is None, (
        f"{write} sent DEL {sent}; a loader that had read the old market stored it right "
        f"after DEL {filled[0] if filled else '?'} — its lock was still there — so "
        f"{market_key(market.id)!r} holds the old market after {write} returned, for a whole "
        "TTL. Delete the key and the lock in ONE DEL (`delete(key, lock)`): then no moment "
        "exists where the key is gone and the lease still valid (task 4)"
    )


def test_update_and_delete_of_a_missing_id_raise(make_cache) -> None:
    cache = make_cache()
    for call in (lambda: cache.update(404, name="X"), lambda: cache.delete(404)):
        with pytest.raises(MarketNotFound):
            call()
