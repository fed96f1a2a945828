"""How a market is written into Redis and read back: explicit JSON, never pickle.

`json.dumps` refuses `Decimal` and `datetime`. Find a way that keeps every field exact
(README task 1), and say to yourself why neither `default=float` nor pickle is that way.
"""

from __future__ import annotations

from markets_cache.domain import Market


def encode_market(market: Market) -> str:
    """The JSON text of `market`: one object, `volume` as a decimal string, timestamps ISO 8601."""
    raise NotImplementedError(
        "TODO(task 1): write the market as JSON text, every field exact — see README task 1"
    )


def decode_market(text: str) -> Market:
    """The market `encode_market` wrote, equal field for field (scale and offset kept)."""
    raise NotImplementedError(
        "TODO(task 1): read the market back from its JSON text — see README task 1"
    )
