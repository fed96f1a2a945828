"""Task 2: `get` is cache-aside — a miss asks the repository once, then Redis answers."""

from __future__ import annotations

import json
import logging
import random
import time
from decimal import Decimal

import pytest
from conftest import JITTER, TTL

from markets_cache.domain import Market
from markets_cache.keys import market_key

pytestmark = [pytest.mark.core, pytest.mark.task(2)]
# Market 1 as another writer stored it: every key present, each test below spoils one value.
FOREIGN = json.dumps(
    {
        "id": 1,
        "name": "Rain in Lisbon (foreign)",
        "slug": "rain-lisbon",
        "status": "draft",
        "volume": "0.10",
        "created_at": "2026-03-01T09:30:15.123456+00:00",
        "updated_at": "2026-03-01T09:30:15.123456+00:00",
    }
)


def test_a_second_get_is_answered_from_redis(make_cache, inner, market: Market) -> None:
    cache = make_cache()
    first, second = cache.get(market.id), cache.get(market.id)
    assert first == market and second == market, (
        f"get({market.id}) twice returned {first!r} then {second!r}; expected {market!r} "
        "both times (task 2)"
    )
    assert inner.calls["get"] == 1, (
        f"two get({market.id}) calls reached the repository {inner.calls['get']} times; the "
        "first is a miss that loads and stores the market, the second a hit (task 2)"
    )


def test_a_hit_comes_back_exact(make_cache, market: Market) -> None:
    make_cache().get(market.id)
    hit = make_cache().get(market.id)  # a new instance: only Redis can answer
    assert hit == market and hit.volume.as_tuple() == Decimal("0.10").as_tuple(), (
        f"a hit returned {hit!r}; expected {market!r}, volume Decimal('0.10') exactly: "
        "store the codec's text (task 1) and decode it on the way out (task 2)"
    )


def test_the_market_is_stored_as_json_under_its_key(make_cache, redis, market: Market) -> None:
    make_cache().get(market.id)
    stored = redis.get(market_key(market.id))
    assert stored is not None, (
        f"after a miss on market {market.id}, Redis holds nothing at "
        f"{market_key(market.id)!r} (keys: {sorted(redis.keys('*'))}); the cache stores the "
        "market under markets_cache.keys.market_key(id) (task 2)"
    )
    assert json.loads(stored)["volume"] == "0.10", (
        f"{market_key(market.id)!r} holds {stored[:120]!r}; expected the codec's JSON (task 2)"
    )


def test_a_market_with_empty_fields_is_still_a_hit(make_cache, inner) -> None:
    empty = inner.add(name="", slug="", volume=Decimal("0"))
    cache = make_cache()
    got = [cache.get(empty.id) for _ in range(3)]
    assert got == [empty] * 3 and inner.calls["get"] == 1, (
        f"three get() of a market with an empty name and a zero volume returned {got!r} and "
        f"reached the repository {inner.calls['get']} times; expected it 3 times for 1 "
        "repository call: what is stored is a hit, whatever its fields hold (task 2)"
    )


def test_ttls_are_jittered_within_their_bounds(make_cache, inner, redis) -> None:
    ids = [inner.add(name=f"M{n}", slug=f"m{n}", volume=Decimal("1")).id for n in range(40)]
    cache = make_cache(random=random.Random(3).random)
    started = time.monotonic()
    for market_id in ids:
        cache.get(market_id)
    ttls = [redis.pttl(market_key(market_id)) for market_id in ids]
    slack = (time.monotonic() - started) * 1000 + 5  # PTTLs count down while we look
    low, high = TTL * (1 - JITTER) * 1000, TTL * 1000
    outside = [t for t in ttls if not low - slack <= t <= high]
    assert not outside, (
        f"with ttl={TTL} and jitter={JITTER}, 40 cached markets have PTTLs {sorted(set(ttls))}; "
        f"each must lie in [{low:.0f}, {high:.0f}] ms (ttl × (1 − jitter) to ttl). -1 means no "
        "expiry at all: a cache entry without a TTL is stale forever after a missed "
        "invalidation (task 2)"
    )
    assert max(ttls) - min(ttls) > TTL * JITTER * 1000 / 4, (
        f"40 markets cached together have PTTLs from {min(ttls)} to {max(ttls)} ms; with "
        f"jitter={JITTER} they must spread over the window: keys filled together that expire "
        "together all miss together, and the database takes every reload at once (task 2)"
    )
    at_the_top = [t for t in ttls if t >= high - slack - 50]
    assert len(at_the_top) <= 4, (
        f"{len(at_the_top)} of 40 markets cached together got the maximum TTL ({high:.0f} ms, "
        f"give or take {slack + 50:.0f}): PTTLs {sorted(ttls)}. Spread over the window they "
        "would be about one; a jitter spread both ways around ttl and then capped at ttl piles "
        "half the keys on the cap, and they expire together — the stampede jitter exists to "
        "prevent. Only ever shorten: ttl × (1 − jitter × random()) (task 2)"
    )


def test_the_ttl_follows_the_random_source(make_cache, inner, redis) -> None:
    one = inner.add(name="One", slug="one", volume=Decimal("1"))
    other = inner.add(name="Other", slug="other", volume=Decimal("1"))
    started = time.monotonic()
    make_cache(random=lambda: 0.999999).get(one.id)
    make_cache(random=lambda: 0.0).get(other.id)
    got = sorted((redis.pttl(market_key(one.id)), redis.pttl(market_key(other.id))))
    slack = (time.monotonic() - started) * 1000 + 5  # PTTLs count down while we look
    low, high = TTL * (1 - JITTER) * 1000, TTL * 1000
    assert low - slack <= got[0] <= low + 5 and high - slack <= got[1] <= high, (
        f"with random() = 0.999999 and then 0.0, the two entries' PTTLs are {got} ms; "
        f"expected one at each end of [{low:.0f}, {high:.0f}]: the jitter comes from the "
        "`random` the cache was given (tests pass a seeded one), never from the random "
        "module, and only ever shortens the TTL (task 2)"
    )


@pytest.mark.parametrize(
    "options",
    [{"ttl": 0}, {"negative_ttl": 0}, {"lock_ttl": -1}, {"jitter": 1}, {"jitter": -0.1}],
    ids=["ttl-0", "negative-ttl-0", "lock-ttl-negative", "jitter-1", "jitter-negative"],
)
def test_settings_that_cannot_work_are_refused(make_cache, options) -> None:
    with pytest.raises(ValueError):
        make_cache(**options)


def test_small_ttls_and_no_jitter_are_accepted(make_cache, redis, market: Market) -> None:
    cache = make_cache(ttl=0.5, negative_ttl=0.5, lock_ttl=0.5, jitter=0)
    cache.get(market.id)
    ttl = redis.pttl(market_key(market.id))
    assert 0 < ttl <= 500, (
        f"with ttl=0.5 and jitter=0 the entry's PTTL is {ttl} ms; expected at most 500 (task 2)"
    )
    try:
        missing = cache.get(404)
    except Exception as exc:
        missing = exc
    ttl = redis.pttl(market_key(404))
    assert missing is None and 0 < ttl <= 500, (
        f"with negative_ttl=0.5, get(404) gave {missing!r} and left PTTL {ttl} ms on "
        f"{market_key(404)!r}; expected None, cached for at most 500 ms. TTLs are seconds as "
        "floats: send PX in milliseconds, rounded up (0.5 s → 500 ms) — rounded to whole "
        "seconds, 0.5 becomes PX 0, which Redis refuses ('invalid expire time') (tasks 2, 3)"
    )


@pytest.mark.parametrize(
    "stored",
    [
        '{"id": 1, "title": "Rain in Lisbon", "volume": 0.1}',
        "not json at all",
        "[1, 2]",
        FOREIGN.replace('"volume": "0.10"', '"volume": "ten"'),
        FOREIGN.replace('"volume": "0.10"', '"volume": 0.1'),
    ],
    ids=["an-older-shape", "not-json", "a-json-list", "volume-not-a-number", "volume-a-number"],
)
def test_an_entry_that_does_not_decode_is_a_miss(
    make_cache, inner, redis, market, stored, caplog
) -> None:
    redis.set(market_key(market.id), stored, px=60_000)  # an older release, another writer
    try:
        with caplog.at_level(logging.WARNING):
            got = make_cache().get(market.id)
    except Exception as exc:
        got = exc
    assert got == market and inner.calls["get"] == 1, (
        f"{market_key(market.id)!r} held {stored!r}, which is no market this codec can read; "
        f"get() gave {got!r} after {inner.calls['get']} repository reads. An entry that does "
        "not decode (a field renamed by a later release, a foreign writer) is a miss: load "
        "from the repository and overwrite it — never a 500 (task 2)"
    )
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warned and all(r.name.startswith("markets_cache") for r in warned), (
        f"an unreadable entry for market {market.id} was reloaded without a WARNING on a "
        "`markets_cache…` logger: log it — a release that cannot read its own cache is a bug "
        "someone must see (task 2)"
    )
    again = make_cache().get(market.id)
    assert again == market and inner.calls["get"] == 1, (
        f"after reloading over an unreadable entry, the next get() made "
        f"{inner.calls['get'] - 1} more repository reads; the reload must overwrite the "
        "entry (task 2)"
    )
