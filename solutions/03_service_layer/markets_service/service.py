"""`MarketService`: every business rule about markets, behind one framework-free class.

Views call it and translate its `DomainError`s to HTTP; repositories store what it decides.
It receives its repository (dependency injection by constructor), so unit tests hand it an
`InMemoryMarketRepository` and the web apps hand it a SQLAlchemy or Django ORM one.
"""

from __future__ import annotations

from .domain import (
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    Conflict,
    InvalidTransition,
    Market,
    NotFound,
    SearchHit,
    Status,
    ValidationFailed,
    slugify,
)
from .embedding import cosine, embed
from .repository import MarketRepository

# The lifecycle, as data: a market only ever moves forward, one step at a time.
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.ACTIVE}),
    Status.ACTIVE: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.RESOLVED}),
    Status.RESOLVED: frozenset(),
}

# Scores are rounded so that mathematically equal similarities tie exactly, whatever order
# the floating-point sums ran in; the tie-break then decides.
SCORE_DIGITS = 9  # pragma: no mutate — 10 digits absorb float noise (1e-16) just as well


class MarketService:
    def __init__(self, repository: MarketRepository) -> None:
        self._repository = repository

    def create_market(self, name: str) -> Market:
        """Create a draft market whose slug is derived from `name`.

        Raises ValidationFailed for a blank or over-long name (or one with no letter or
        digit to make a slug from, or whose slug is too long for its column, or with a
        character no database stores) and Conflict when the slug is already taken.
        """
        name = name.strip()
        if any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in name):
            raise ValidationFailed.on(
                "name",
                "a market name cannot hold a NUL or a lone surrogate (no database stores them)",
            )
        slug = slugify(name)
        if not slug:
            raise ValidationFailed.on("name", "a market name needs at least one letter or digit")
        if len(name) > NAME_MAX_LENGTH:
            raise ValidationFailed.on(
                "name", f"a market name has at most {NAME_MAX_LENGTH} characters"
            )
        if len(slug) > SLUG_MAX_LENGTH:  # NFKD spells 'ﬁ' as 'fi', '㎯' as 'rad∕s2'
            raise ValidationFailed.on(
                "name", f"the slug of this name has more than {SLUG_MAX_LENGTH} characters"
            )
        if self._repository.get_by_slug(slug) is not None:
            raise Conflict(f"the slug {slug!r} is already taken", details={"slug": slug})
        return self._repository.add(Market(name=name, slug=slug))

    def get_market(self, market_id: int) -> Market:
        """The market with this id; NotFound when there is none."""
        market = self._repository.get(market_id)
        if market is None:
            raise NotFound(f"market {market_id} does not exist", details={"id": market_id})
        return market

    def transition(self, market_id: int, target: Status) -> Market:
        """Move the market to `target` if the lifecycle allows it, else InvalidTransition."""
        market = self.get_market(market_id)
        if target not in ALLOWED_TRANSITIONS[market.status]:
            raise InvalidTransition(
                f"a {market.status} market cannot become {target}",
                details={"from": str(market.status), "to": str(target)},
            )
        market.status = target
        return self._repository.save(market)

    def search_markets(self, query: str, limit: int = 10) -> list[SearchHit]:
        """Markets whose names resemble `query`, best first, at most `limit` of them.

        Ordered by score, highest first; equal scores by slug, so the order never depends
        on the repository's. Markets sharing nothing with the query (score 0) are left out,
        so an empty query finds nothing.
        """
        if limit < 1:
            raise ValidationFailed.on("limit", "limit must be at least 1")
        wanted = embed(query)
        hits = [
            SearchHit(market=market, score=score)
            for market in self._repository.all_markets()
            if (score := round(cosine(wanted, embed(market.name)), SCORE_DIGITS)) > 0
        ]
        hits.sort(key=lambda hit: (-hit.score, hit.market.slug))
        return hits[:limit]
