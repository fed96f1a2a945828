"""Task 6: Redis down is a slower answer, never a wrong one or an error.

`BrokenRedis(error)` is a client whose every command raises `error`, as redis-py does when
the server is unreachable (ConnectionError) or too slow (TimeoutError).
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
import redis.exceptions
from conftest import BrokenRedis

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


@pytest.mark.parametrize("call", ["get", "update"])
def test_redis_down_is_logged_as_a_warning(make_cache, market: Market, caplog, call) -> None:
    cache = make_cache(client=BrokenRedis())
    with caplog.at_level(logging.WARNING):
        cache.get(market.id) if call == "get" else cache.update(market.id, name="Sleet")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    logged = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert warnings and all(r.name.startswith("markets_cache") for r in warnings), (
        f"with Redis down, {call} logged {logged}; "
        "log a WARNING on a `markets_cache…` logger (logging.getLogger(__name__)): a cache "
        "that fails silently turns an outage into a mystery slowdown (task 6)"
    )


def test_a_redis_bug_is_not_mistaken_for_an_outage(make_cache, market: Market) -> None:
    broken = BrokenRedis(redis.exceptions.ResponseError)
    try:
        got = make_cache(client=broken).get(market.id)
    except redis.exceptions.ResponseError:
        return
    pytest.fail(
        f"Redis answered ResponseError (WRONGTYPE, a broken Lua script: a bug in our code, "
        f"not an outage) and get returned {got!r}; catch ConnectionError and TimeoutError "
        "only — swallowing every RedisError hides a bug behind a silent slowdown (task 6)"
    )


class DropsAfterFirstRead:
    """Redis that answers the first GET (a miss), then loses the connection for good."""

    def __init__(self, real) -> None:
        self._real = real
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
            raise redis.exceptions.ConnectionError("Connection reset by peer")

        return command


def test_redis_lost_in_the_middle_of_a_get(make_cache, inner, redis, market: Market) -> None:
    flaky = DropsAfterFirstRead(redis)
    try:
        got = make_cache(client=flaky).get(market.id)
    except Exception as exc:
        got = exc
    assert got == market, (
        f"Redis answered the first GET (a miss), then dropped the connection; get({market.id}) "
        f"gave {got!r} after {flaky.commands}. Every Redis call can fail, not only the first: "
        "guard the lock, the fill and the release too, and answer from the repository "
        "(task 6)"
    )
