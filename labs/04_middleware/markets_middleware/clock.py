"""The clock the timing middleware reads. Given code.

`now()` reads `source` when it is called, so a test can swap the module's `source` for a fake
clock however `now` was imported.
"""

from __future__ import annotations

import time
from collections.abc import Callable

source: Callable[[], float] = time.perf_counter  # monotonic: never jumps with the wall clock


def now() -> float:
    """Seconds on a monotonic clock; only differences between two readings mean anything."""
    return source()
