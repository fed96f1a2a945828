"""One Redis factory for labs, solutions and notebooks.

`REDIS_URL` set → a redis-py client for that server. Unset → a fresh, isolated fakeredis
server with Lua scripting (EVAL/EVALSHA), so everything runs offline with nothing installed.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import fakeredis
import redis


def redis_url() -> str | None:
    """`REDIS_URL`, with the database number moved per pytest-xdist worker.

    Parallel workers share one real server; each gets its own database (gw0 → 1, gw1 → 2, …)
    so that one worker's `FLUSHDB` never empties another's keys.
    """
    url = os.environ.get("REDIS_URL") or None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if url is None or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(worker[2:]) + 1}"))


def make_redis(url: str | None = None, *, decode_responses: bool = True) -> redis.Redis:
    """A client for `url`, for `REDIS_URL`, or — when neither is set — a new fake server."""
    url = url or redis_url()
    if url:
        return redis.Redis.from_url(url, decode_responses=decode_responses)
    # A FakeServer of our own: never shared with another client unless we pass it on.
    return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=decode_responses)


def describe(client: redis.Redis) -> str:
    """Say which backend a client talks to, for notebooks and test headers."""
    if isinstance(client, fakeredis.FakeRedis):
        return "fakeredis (in-process, Lua enabled)"
    kwargs = client.connection_pool.connection_kwargs
    return f"redis-server at {kwargs.get('host')}:{kwargs.get('port')} db {kwargs.get('db', 0)}"
