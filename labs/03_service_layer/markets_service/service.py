"""`MarketService`: every business rule about markets, behind one framework-free class.

Views call it and translate its `DomainError`s to HTTP; repositories store what it decides.
It receives its repository (dependency injection by constructor), so unit tests hand it an
`InMemoryMarketRepository` and the web apps hand it a SQLAlchemy or Django ORM one.
"""

from __future__ import annotations

from .domain import Market, SearchHit, Status
from .repository import MarketRepository


class MarketService:
    def __init__(self, repository: MarketRepository) -> None:
        self._repository = repository

    def create_market(self, name: str) -> Market:
        """Create a draft market whose slug is derived from `name`.

        Raises ValidationFailed for a blank or over-long name (or one with no letter or
        digit to make a slug from, or whose slug is too long for its column) and Conflict
        when the slug is already taken.
        """
        raise NotImplementedError(
            "TODO(task 1): check the name, derive its slug, refuse a taken slug with Conflict, "
            "add the market — see README task 1"
        )

    def get_market(self, market_id: int) -> Market:
        """The market with this id; NotFound when there is none."""
        raise NotImplementedError(
            "TODO(task 1): fetch the market or raise NotFound — see README task 1"
        )

    def transition(self, market_id: int, target: Status) -> Market:
        """Move the market to `target` if the lifecycle allows it, else InvalidTransition."""
        raise NotImplementedError(
            "TODO(task 2): allow only draft→active→closed→resolved — see README task 2"
        )

    def search_markets(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Markets whose names resemble `query`, best first, at most `limit` of them.

        Ordered by score, highest first; equal scores by slug, so the order never depends
        on the repository's. Markets sharing nothing with the query (score 0) are left out,
        so an empty query finds nothing.
        """
        raise NotImplementedError(
            "TODO(task 4): rank markets by cosine similarity, ties by slug — see README task 4"
        )
