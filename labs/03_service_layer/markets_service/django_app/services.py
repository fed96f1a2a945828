"""Where Django views get their `MarketService`: a module-level provider. Given.

Django has no dependency injection of its own; the convention (HackSoft's styleguide) is
a module the views import from. The repository is passed into the service here, and tests
swap the whole service with `override_market_service(fake)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..service import MarketService
from .repository import DjangoMarketRepository

_override: MarketService | None = None


def market_service() -> MarketService:
    """The service for this request: the override when a test set one, else the ORM-backed one."""
    if _override is not None:
        return _override
    return MarketService(DjangoMarketRepository())


@contextmanager
def override_market_service(service: MarketService) -> Iterator[MarketService]:
    """`with override_market_service(fake):` — views use `fake` inside the block."""
    global _override
    previous, _override = _override, service
    try:
        yield service
    finally:
        _override = previous
