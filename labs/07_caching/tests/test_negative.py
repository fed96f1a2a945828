"""Task 3: "no such id" is cached too — briefly, as MISSING — and a create clears it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import NEGATIVE_TTL, HookedRedis

from markets_cache.keys import MISSING, market_key

pytestmark = [pytest.mark.core, pytest.mark.task(3)]


def test_a_burst_for_a_missing_id_costs_one_repository_call(
    make_cache, inner, redis, pauses
) -> None:
    hooked = HookedRedis(redis)
    cache = make_cache(client=hooked)
    first = cache.get(404)
    sets: list[object] = []
    hooked.before["set"] = lambda *args, **options: sets.append(args[0] if args else options)
    got = [first] + [cache.get(404) for _ in range(9)]
    assert got == [None] * 10, f"10 get(404) for an id nobody has returned {got!r} (task 3)"
    assert inner.calls["get"] == 1, (
        f"10 get(404) for a missing id reached the repository {inner.calls['get']} times; "
        "expected 1: cache the miss as MISSING. If you stored it, look at how you test for a "
        "hit: MISSING is the empty string, and `if cached:` takes it for a miss — test "
        "`cached is not None` (task 3)"
    )
    assert sets == [] and pauses == [], (
        f"with 'no such id' cached for 404, 9 more get(404) sent SET {sets} and paused "
        f"{pauses}; expected neither: a cached MISSING is a hit, answered by the first GET. "
        "Taken for a miss there (`if cached:` on the first read), every lookup of a missing id "
        "goes through the lock — a SET NX, another GET, a release — and concurrent ones wait "
        "behind each other (task 3)"
    )


def test_the_missing_id_is_cached_as_missing_with_a_short_ttl(make_cache, redis) -> None:
    make_cache().get(404)
    stored, ttl = redis.get(market_key(404)), redis.pttl(market_key(404))
    assert stored == MISSING, (
        f"after get(404) misses, {market_key(404)!r} holds {stored!r}; expected MISSING "
        f"({MISSING!r}, markets_cache.keys): a value no market's JSON can be (task 3)"
    )
    assert 0 < ttl <= NEGATIVE_TTL * 1000, (
        f"the MISSING entry for 404 has PTTL {ttl} ms; expected at most negative_ttl = "
        f"{NEGATIVE_TTL * 1000:.0f} ms (-1 is no expiry): a negative entry must be short, or "
        "an id created by another service stays invisible for the market TTL or forever "
        "(task 3)"
    )


def test_creating_the_missing_id_is_not_hidden_by_the_sentinel(make_cache, inner) -> None:
    cache = make_cache()
    assert cache.get(1) is None
    created = cache.add(name="Snow in Porto", slug="snow-porto", volume=Decimal("5.00"))
    got = cache.get(created.id)
    assert created.id == 1 and got == created, (
        f"get(1) cached 'no such id', then add() created market {created.id}; get(1) now "
        f"returns {got!r}, expected {created!r}: add must delete the key of the id it "
        "created, after the repository has stored it (task 3)"
    )


def test_add_returns_what_the_repository_stored(make_cache, inner) -> None:
    created = make_cache().add(name="Hail", slug="hail", volume=Decimal("3.30"))
    assert inner.get(created.id) == created and inner.calls["add"] == 1, (
        f"add() returned {created!r}; the repository holds {inner.get(created.id)!r} after "
        f"{inner.calls['add']} add calls: add goes through the repository once (task 3)"
    )


def test_a_missing_id_is_none_not_a_market(make_cache, redis) -> None:
    make_cache().get(404)
    got = make_cache().get(404)  # a new instance: the answer comes from the MISSING entry
    assert got is None, f"get(404) answered from the MISSING entry returned {got!r} (task 3)"
