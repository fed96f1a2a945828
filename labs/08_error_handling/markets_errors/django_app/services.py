"""The market service over the Django ORM: the same rules as `markets_errors.db`. Given.

No `transaction.atomic()` here: with `ATOMIC_REQUESTS` (see the lab's conftest.py) each
request runs in one transaction, committed when the view returns a response. `create_market`
writes the tag first, then refuses a taken slug with `Conflict`: a handled error must roll
the request's transaction back (task 6), or the tag stays, half of a create that failed.
"""

from __future__ import annotations

from typing import Any

from markets_errors.db import MAX_ID
from markets_errors.django_app.models import Market, Tag
from markets_errors.errors import Conflict, NotFound


def market_json(market: Market) -> dict[str, Any]:
    return {"id": market.pk, "name": market.name, "slug": market.slug, "tag": market.tag.name}


def get_market(market_id: int) -> dict[str, Any]:
    in_range = 1 <= market_id <= MAX_ID  # a larger id names no row (and overflows SQLite)
    found = Market.objects.select_related("tag").filter(pk=market_id).first() if in_range else None
    if found is None:
        raise NotFound(f"No market with id {market_id}.")
    return market_json(found)


def create_market(*, name: str, slug: str, tag: str) -> dict[str, Any]:
    """The new market, filed under `tag` (created when new); Conflict when `slug` is taken."""
    tag_row, _ = Tag.objects.get_or_create(name=tag)
    if Market.objects.filter(slug=slug).exists():
        message = f"The slug {slug!r} is already taken."
        raise Conflict(message, details={"slug": [message]})
    return market_json(Market.objects.create(name=name, slug=slug, tag=tag_row))


def count_rows() -> dict[str, int]:
    """How many tags and markets are stored (the tests' view of what was written)."""
    return {"tags": Tag.objects.count(), "markets": Market.objects.count()}
