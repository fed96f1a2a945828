"""A sliding-window rate limiter on Redis: one atomic Lua call per check.

The learner's file (tasks 1 and 3). Each key is a sorted set, the sliding log: one member per
admitted request, scored by its time in milliseconds.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis

KEY_PREFIX = "ratelimit:"

# KEYS[1] the log; ARGV: now (ms), window (ms), limit, a member unique to this request.
# Returns {allowed (1|0), requests counted, score of the oldest counted request}.
SLIDING_LOG = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {allowed, count, oldest[2] or now}
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
        now = round(self.clock() * 1000)
        member = f"{now}-{uuid.uuid4().hex}"
        allowed, count, oldest = self._script(
            keys=[KEY_PREFIX + key], args=[now, self.window_ms, self.limit, member]
        )
        reset = math.ceil((int(oldest) + self.window_ms - now) / 1000)
        return Decision(
            allowed=bool(allowed),
            limit=self.limit,
            remaining=self.limit - int(count),
            retry_after=0 if allowed else reset,
            reset=reset,
        )


def rate_limit_headers(decision: Decision) -> dict[str, str]:
    """The headers of every answer; a refusal adds `Retry-After` (task 3)."""
    headers = {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset),
    }
    if not decision.allowed:
        headers["Retry-After"] = str(decision.retry_after)
    return headers
