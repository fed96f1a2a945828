"""What a retry that gave up raises. Given code.

`retry` re-raises a failure it must not retry (a `ValueError`, a 404) unchanged, at once. When
it gives up on a failure it *did* retry — the attempts are spent, or the deadline leaves no
time for another — it raises `RetryError` from the last failure:

    try:
        fetch()
    except RetryError as exc:
        exc.attempts      # 3: how many calls were made
        exc.last          # the last exception, also exc.__cause__, with its traceback
"""

from __future__ import annotations


class RetryError(Exception):
    """Retrying gave up. Always raised `from` the last failure, so `__cause__` is `last`."""

    def __init__(self, attempts: int, last: Exception) -> None:
        noun = "attempt" if attempts == 1 else "attempts"
        super().__init__(f"gave up after {attempts} {noun}: {last!r}")
        self.attempts = attempts
        self.last = last
