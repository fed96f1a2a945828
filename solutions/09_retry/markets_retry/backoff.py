"""Task 1: how long to wait before the next attempt — exponential, capped, jittered.

The four strategies are those of Marc Brooker's "Exponential Backoff And Jitter" (AWS
Architecture Blog, 2015: https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/),
with `failures` counting the attempts that have failed so far (1 after the first):

    exponential = min(cap, base * 2 ** (failures - 1))        # base, 2·base, 4·base, …
    none         → exponential
    full         → uniform(0, exponential)
    equal        → exponential / 2 + uniform(0, exponential / 2)
    decorrelated → min(cap, uniform(base, previous * 3))      # previous: the last delay

Each jittered delay is one draw from `random` (a `random.Random`, seeded in tests).
"""

from __future__ import annotations

import enum
import random as _random

MAX_EXPONENT = 1023  # 2.0 ** 1024 overflows a float; far past any cap already


class Jitter(enum.StrEnum):
    NONE = "none"
    FULL = "full"
    EQUAL = "equal"
    DECORRELATED = "decorrelated"


def backoff_delay(
    failures: int,
    previous: float,
    *,
    base: float,
    cap: float,
    jitter: Jitter,
    random: _random.Random,
) -> float:
    """Seconds to wait after `failures` failed attempts; `previous` is the last delay (or
    `base` before the first). Never more than `cap`; `Jitter.NONE` draws no random number."""
    jitter = Jitter(jitter)  # "full" works too; a typo ("fulll") is a ValueError
    if jitter is Jitter.DECORRELATED:
        return min(cap, random.uniform(base, previous * 3))
    exponential = min(cap, base * 2.0 ** min(failures - 1, MAX_EXPONENT))
    if jitter is Jitter.FULL:
        return random.uniform(0, exponential)
    if jitter is Jitter.EQUAL:
        return exponential / 2 + random.uniform(0, exponential / 2)
    return exponential
