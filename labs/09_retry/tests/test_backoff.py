"""Task 1: `backoff_delay` — exponential from `base`, capped at `cap`, jittered as asked.

Every jittered delay is one draw from `random.Random(SEED)`, so the sequences are exact.
"""

from __future__ import annotations

import random

import pytest
from conftest import SEED

from markets_retry.backoff import Jitter, backoff_delay

pytestmark = [pytest.mark.core, pytest.mark.task(1)]


def sequence(jitter: Jitter, count: int = 7, *, base: float = 1.0, cap: float = 10.0) -> list:
    """The delays after 1, 2, … `count` failures, each fed the previous delay."""
    rng, previous, delays = random.Random(SEED), base, []
    for failures in range(1, count + 1):
        previous = backoff_delay(failures, previous, base=base, cap=cap, jitter=jitter, random=rng)
        delays.append(round(previous, 6))
    return delays


class NoRandom(random.Random):
    def random(self) -> float:
        raise AssertionError("Jitter.NONE drew a random number")


@pytest.mark.parametrize(
    ("base", "cap", "expected"),
    [
        (1.0, 10.0, [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]),
        (0.01, 30.0, [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                      30.0, 30.0]),
    ],
    ids=["base-1-cap-10", "base-0.01-cap-30"],
)  # fmt: skip
def test_no_jitter_doubles_from_base_up_to_the_cap(base, cap, expected) -> None:
    got = sequence(Jitter.NONE, len(expected), base=base, cap=cap)
    assert got == expected, (
        f"backoff_delay(failures=1…{len(expected)}, base={base}, cap={cap}, jitter=none) gave "
        f"{got}; expected {expected}: the first retry waits `base` (base * 2 ** (failures - 1), "
        "not 2 ** failures), each next one twice as long, and never more than the cap — and "
        "the cap is reached however small base is: bound the exponent only where it cannot "
        "matter (2.0 ** 1024 overflows), never at 10 or 20 (task 1)"
    )


def test_no_jitter_draws_no_random_number() -> None:
    got = backoff_delay(3, 1.0, base=0.5, cap=10, jitter=Jitter.NONE, random=NoRandom())
    assert got == 2.0, f"backoff_delay(3, base=0.5, jitter=none) gave {got}; expected 2.0 (task 1)"


def test_full_jitter_is_one_uniform_draw_below_the_exponential_delay() -> None:
    got = sequence(Jitter.FULL)
    expected = [0.463007, 0.746624, 0.554158, 6.932495, 0.064351, 5.027821, 8.98298]
    assert got == expected, (
        f"full jitter (base=1, cap=10, Random({SEED})) gave {got}; expected {expected}: "
        "random.uniform(0, min(cap, base * 2 ** (failures - 1))), one draw per delay — clients "
        "that fail together must not come back together (task 1)"
    )


def test_equal_jitter_keeps_half_and_jitters_the_other_half() -> None:
    got = sequence(Jitter.EQUAL)
    expected = [0.731504, 1.373312, 2.277079, 7.466247, 5.032175, 7.51391, 9.49149]
    assert got == expected, (
        f"equal jitter (base=1, cap=10, Random({SEED})) gave {got}; expected {expected}: "
        "temp = min(cap, base * 2 ** (failures - 1)); temp / 2 + random.uniform(0, temp / 2) "
        "(task 1)"
    )


def test_decorrelated_jitter_grows_from_the_previous_delay() -> None:
    got = sequence(Jitter.DECORRELATED)
    expected = [1.926015, 2.783701, 2.018417, 5.380689, 1.09744, 2.152537, 5.902562]
    assert got == expected, (
        f"decorrelated jitter (base=1, cap=10, Random({SEED})) gave {got}; expected "
        f"{expected}: min(cap, random.uniform(base, previous * 3)), where `previous` is the "
        "delay before (base for the first) — not the failure count (task 1)"
    )


@pytest.mark.parametrize("jitter", list(Jitter))
def test_no_delay_exceeds_the_cap_or_falls_below_its_floor(jitter: Jitter) -> None:
    rng, previous, broken = random.Random(SEED), 0.5, []
    for failures in range(1, 300):
        delay = backoff_delay(failures, previous, base=0.5, cap=3.0, jitter=jitter, random=rng)
        exponential = min(3.0, 0.5 * 2 ** min(failures - 1, 60))
        low, high = {
            Jitter.NONE: (exponential, exponential),
            Jitter.FULL: (0.0, exponential),
            Jitter.EQUAL: (exponential / 2, exponential),
            Jitter.DECORRELATED: (0.5, 3.0),
        }[jitter]
        if not low <= delay <= high:
            broken.append((failures, round(delay, 4), (low, high)))
        previous = delay
    assert not broken, (
        f"{jitter} jitter, base=0.5, cap=3: these (failures, delay, allowed range) broke the "
        f"bounds: {broken[:5]}; the cap bounds every delay, the jitter only moves it inside "
        "its range (task 1)"
    )


@pytest.mark.parametrize(
    ("jitter", "expected"),
    [
        (Jitter.NONE, 2.0),
        (Jitter.FULL, 0.268728),
        (Jitter.EQUAL, 1.134364),
        (Jitter.DECORRELATED, 0.979313),
    ],
    ids=str,
)
def test_a_huge_failure_count_is_the_cap_not_an_overflow(jitter: Jitter, expected) -> None:
    try:
        got = backoff_delay(5000, 2.0, base=0.2, cap=2.0, jitter=jitter, random=random.Random(1))
    except OverflowError as exc:
        pytest.fail(
            f"backoff_delay(failures=5000, {jitter}) raised OverflowError({exc}); a long-running "
            "poller fails thousands of times: 2 ** 4999 is too big for a float, so bound the "
            "exponent (the cap is reached long before) (task 1)"
        )
    assert round(got, 6) == expected, (
        f"backoff_delay(failures=5000, previous=2, base=0.2, cap=2, {jitter}, Random(1)) gave "
        f"{got}; expected {expected}: the exponential part is the cap (2), and the jitter "
        "still draws inside it — returning the cap itself (no draw) once the exponent "
        "overflows puts every long-running poller back in lock-step at the cap, the herd "
        "jitter exists to break (task 1)"
    )


def test_the_strategy_may_be_given_by_name() -> None:
    got = backoff_delay(1, 1.0, base=1, cap=10, jitter="full", random=random.Random(SEED))  # type: ignore[arg-type]
    assert round(got, 6) == 0.463007, (
        f"backoff_delay(jitter='full') gave {got}; 'full' is Jitter.FULL (a StrEnum): "
        "compare with ==, or convert with Jitter(jitter) (task 1)"
    )
