"""Task 6: Redis down is a slower answer, never a wrong one or an error.

`BrokenRedis(error)` is a client whose every command raises `error`, as redis-py does when
the server is unreachable (ConnectionError) or too slow (TimeoutError).
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
import redis.exceptions
from conftest import BrokenRedis, HookedRedis
from redis import exceptions as redis_errors

from markets_cache.domain import Market

pytestmark = [pytest.mark.core, pytest.mark.task(6)]
DOWN = [
    pytest.param(redis.exceptions.ConnectionError, id="connection-refused"),
    pytest.param(redis.exceptions.TimeoutError, id="timeout"),
]


@pytest.mark.parametrize("error", DOWN)
def test_get_falls_back_to_the_repository(make_cache, inner, market: Market, error) -> None:
    broken = BrokenRedis(error)
    try:
        got = make_cache(client=broken).get(market.id)
    except Exception as exc:
        got = exc
    assert got == market, (
        f"with Redis raising {error.__name__} on every command ({broken.commands}), "
        f"get({market.id}) gave {got!r}; expected the market from the repository: the cache "
        "is an optimisation, so losing it makes reads slower, never failed (task 6)"
    )
    assert inner.calls["get"] == 1, (
        f"with Redis down, one get reached the repository {inner.calls['get']} times; "
        "expected once (task 6)"
    )


@pytest.mark.parametrize("error", DOWN)
def test_get_with_redis_down_neither_waits_nor_retries(
    make_cache, pauses, market: Market, error
) -> None:
    broken = BrokenRedis(error)
    make_cache(client=broken).get(market.id)
    assert pauses == [] and len(broken.commands) <= 3, (
        f"with Redis down, one get paused {pauses} and sent {broken.commands}; it should go "
        "straight to the repository: a failed SET NX is not 'someone else holds the lock' "
        "(waiting on a dead server adds lock_ttl to every request) (task 6)"
    )


def test_a_missing_id_with_redis_down_is_none(make_cache) -> None:
    got = make_cache(client=BrokenRedis()).get(404)
    assert got is None, f"with Redis down, get(404) gave {got!r}; expected None (task 6)"


@pytest.mark.parametrize("error", DOWN)
def test_writes_with_redis_down_still_land(make_cache, inner, market: Market, error) -> None:
    cache = make_cache(client=BrokenRedis(error))
    try:
        created = cache.add(name="Fog", slug="fog", volume=Decimal("1.00"))
        updated = cache.update(market.id, name="Rain in Braga")
        cache.delete(created.id)
    except Exception as exc:
        pytest.fail(
            f"with Redis raising {error.__name__}, a write raised {exc!r}; the repository "
            "has the write, so report success — the stale entry, if any, expires on its TTL "
            "(task 6)"
        )
    assert inner.get(market.id) == updated and inner.get(created.id) is None, (
        f"with Redis down, the writes did not all reach the repository: {inner.calls} (task 6)"
    )


@pytest.mark.parametrize("call", ["get", "add", "update", "delete"])
def test_redis_down_is_logged_as_a_warning(make_cache, market: Market, caplog, call) -> None:
    cache = make_cache(client=BrokenRedis())
    calls = {
        "get": lambda: cache.get(market.id),
        "add": lambda: cache.add(name="Fog", slug="fog", volume=Decimal("1.00")),
        "update": lambda: cache.update(market.id, name="Sleet"),
        "delete": lambda: cache.delete(market.id),
    }
    with caplog.at_level(logging.WARNING):
        calls[call]()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    logged = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert warnings and all(r.name.startswith("markets_cache") for r in warnings), (
        f"with Redis down, {call} logged {logged}; "
        "log a WARNING on a `markets_cache…` logger (logging.getLogger(__name__)): a cache "
        "that fails silently turns an outage into a mystery slowdown (task 6)"
    )


@pytest.mark.parametrize(
    "command", ["get", "set", "delete"], ids=["first-get", "lock-set", "invalidation-del"]
)
def test_a_redis_bug_is_not_mistaken_for_an_outage(
    make_cache, redis, market: Market, command
) -> None:
    hooked = HookedRedis(redis)

    def wrong_type(*args: object, **options: object) -> None:
        raise redis_errors.ResponseError(
            "WRONGTYPE Operation against a key holding the wrong kind of value"
        )

    hooked.before[command] = wrong_type
    cache = make_cache(client=hooked)
    call = f"update({market.id})" if command == "delete" else f"get({market.id})"
    try:
        got = cache.update(market.id, name="Sleet") if command == "delete" else cache.get(market.id)
    except redis_errors.ResponseError:
        return
    pytest.fail(
        f"Redis answered ResponseError to {command.upper()} (WRONGTYPE, a broken Lua script: "
        f"a bug in our code, not an outage) and {call} returned {got!r}; catch "
        "ConnectionError and TimeoutError only, on every path (the first read, the lock, "
        "the fill, the invalidation) — swallowing every RedisError, or every Exception, "
        "hides a bug behind a silent slowdown (task 6)"
    )


class DropsAfterFirstRead:
    """Redis that answers the first GET (a miss), then loses the connection for good."""

    def __init__(self, real, error: type[Exception]) -> None:
        self._real = real
        self.error = error
        self.commands: list[str] = []

    def __getattr__(self, name: str):
        if name == "register_script":
            return lambda text: self._fail_as("EVALSHA")
        return self._fail_as(name)

    def _fail_as(self, name: str):
        def command(*args, **kwargs):
            self.commands.append(name)
            if self.commands == ["get"]:
                return self._real.get(*args, **kwargs)
            raise self.error("Connection reset by peer")

        return command


@pytest.mark.parametrize("error", DOWN)
def test_redis_lost_in_the_middle_of_a_get(make_cache, inner, redis, market: Market, error) -> None:
    flaky = DropsAfterFirstRead(redis, error)
    try:
        got = make_cache(client=flaky).get(market.id)
    except Exception as exc:
        got = exc
    assert got == market, (
        f"Redis answered the first GET (a miss), then raised {error.__name__} on every "
        f"command; get({market.id}) gave {got!r} after {flaky.commands}. Every Redis call can "
        "fail, not only the first, and both ways (ConnectionError, TimeoutError): guard the "
        "lock, the fill and the release too, and answer from the repository (task 6)"
    )


def test_after_an_outage_the_cache_works_again(make_cache, inner, redis, market: Market) -> None:
    hooked = HookedRedis(redis)
    other_worker = make_cache()
    other_worker.get(market.id)  # market 1 cached by another worker

    def one_blip(*args: object, **options: object) -> None:
        hooked.before.pop("get")
        raise redis_errors.ConnectionError("Connection reset by peer")

    hooked.before["get"] = one_blip
    cache = make_cache(client=hooked)
    assert cache.get(market.id) == market  # Redis blipped: answered from the repository
    reads = inner.calls["get"]
    cache.get(market.id), cache.get(market.id)  # Redis is back
    reads = inner.calls["get"] - reads
    updated = cache.update(market.id, name="Rain in Braga")
    seen = other_worker.get(market.id)
    assert reads == 0 and seen == updated, (
        f"after one ConnectionError, Redis came back: two get({market.id}) then made "
        f"{reads} repository reads (expected 0: a hit), and after "
        f"update(name='Rain in Braga') another worker's get returned {seen!r}. A cache that "
        "remembers 'Redis is down' never looks again: it bypasses Redis for good, and worse, "
        "skips the invalidation, so every other worker serves the old market. Decide per "
        "call (task 6)"
    )
