"""Where the cache keeps what, in Redis. Given code: tests read the same keys.

    market:{<id>}        the market's JSON (`codec.encode_market`), or MISSING for "no such id"
    market:{<id>}:lock   the single-flight lock while one caller loads the market

The braces are a Redis Cluster hash tag: both keys of a market live in the same slot, so one
Lua script may touch both (a cluster refuses a script whose keys are in different slots).

MISSING is the empty string because no JSON text is empty: a sentinel that can never be
mistaken for a market, and the smallest value Redis stores. It is also falsy — which is
exactly why `if cached:` is the wrong test for a hit.
"""

from __future__ import annotations

MISSING = ""


def market_key(market_id: int) -> str:
    return f"market:{{{market_id}}}"


def lock_key(market_id: int) -> str:
    return f"market:{{{market_id}}}:lock"
