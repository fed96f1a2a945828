"""Notebook 09: many clients retrying against a service that is down, then recovers.

A deterministic discrete-event simulation. `clients` clients each send one request at t=0.
The service refuses everything until `recover_at`; after that it serves at most `capacity`
requests per `bucket` seconds and refuses the rest (an overloaded service answers 503). A
refused client waits its backoff delay — no jitter, full, equal or decorrelated (Marc
Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015) — and tries again,
until it is served. Each strategy draws from its own `random.Random(seed)`.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass

STRATEGIES = ("none", "full", "equal", "decorrelated")


def backoff(strategy: str, failures: int, previous: float, base: float, cap: float,
            rng: random.Random) -> float:  # fmt: skip
    if strategy == "decorrelated":
        return min(cap, rng.uniform(base, previous * 3))
    exponential = min(cap, base * 2.0 ** min(failures - 1, 1023))
    if strategy == "full":
        return rng.uniform(0, exponential)
    if strategy == "equal":
        return exponential / 2 + rng.uniform(0, exponential / 2)
    return exponential


@dataclass
class Run:
    strategy: str
    load: Counter[int]  # requests the service received, per bucket
    requests: int  # all requests sent, first tries included
    last_served: float  # when the last client got its answer, in seconds
    bucket: float

    def peak_after(self, t: float) -> int:
        """Most requests the service received in one bucket from `t` on."""
        return max(n for slot, n in self.load.items() if slot * self.bucket >= t)

    def series(self, until: float) -> tuple[list[float], list[int]]:
        n = int(until / self.bucket)
        return [i * self.bucket for i in range(n)], [self.load.get(i, 0) for i in range(n)]


def simulate(strategy: str, *, clients: int = 1000, capacity: int = 25, bucket: float = 0.1,
             recover_at: float = 2.0, base: float = 0.1, cap: float = 10.0,
             seed: int = 9) -> Run:  # fmt: skip
    rng = random.Random(seed)
    queue = [(0.0, client, 0, base) for client in range(clients)]  # (t, who, failures, prev)
    load: Counter[int] = Counter()
    served: Counter[int] = Counter()
    requests, last = 0, 0.0
    while queue:
        t, client, failures, previous = heapq.heappop(queue)
        slot = int(t / bucket)
        load[slot] += 1
        requests += 1
        if t >= recover_at and served[slot] < capacity:
            served[slot] += 1
            last = max(last, t)
            continue
        delay = backoff(strategy, failures + 1, previous, base, cap, rng)
        heapq.heappush(queue, (t + delay, client, failures + 1, delay))
    return Run(strategy, load, requests, last, bucket)
