"""A sliding-window rate limiter on Redis: one atomic Lua call per check.

The learner's file (tasks 1 and 3). Each key is a sorted set, the sliding log: one member per
admitted request, scored by its time in milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis

KEY_PREFIX = "ratelimit:"

# The Lua script of task 1: KEYS[1] the log; ARGV whatever your `hit` passes (now in ms, the
# window in ms, the limit, a member unique to this request). Register it once, in __init__.
SLIDING_LOG = """
-- TODO(task 1): drop what left the window, count, add if there is room, set the expiry
"""


@dataclass(frozen=True)
class Decision:
    """One check's answer. Times are whole seconds, rounded up.

    `retry_after`: 0 when allowed; when refused, the seconds until the oldest counted request
    leaves the window (then one more fits). `reset`: the seconds until the oldest counted
    request leaves the window, i.e. until `remaining` grows again.
    """

    allowed: bool
    limit: int
    remaining: int
    retry_after: int
    reset: int


class SlidingWindowLimiter:
    """At most `limit` requests per `window` seconds per key, counted over a sliding window.

    `clock` returns seconds (`time.time` by default); tests pass a fake one.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.window_ms = round(window * 1000)
        self.clock = clock
        self._script = redis.register_script(SLIDING_LOG)

    def hit(self, key: str) -> Decision:
        """Count one request for `key` if it fits in the window, in one round trip (task 1)."""
        raise NotImplementedError(
            "TODO(task 1): one atomic script call on the sorted set KEY_PREFIX + key — "
            "see README task 1"
        )


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    """The headers of every answer; a refusal adds `Retry-After` (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): RateLimit-Limit, -Remaining, -Reset, and Retry-After when refused — "
        "see README task 3"
    )
