"""Task 1: the Django selector loads the whole listing in two queries."""

from __future__ import annotations

from typing import Any

import pytest

from markets_listing.django_listing.selectors import market_listing

pytestmark = [pytest.mark.django, pytest.mark.task(1)]

QUERY_BUDGET = 2  # markets joined to their creator with the count annotated; tags prefetched


def read_listing() -> list[tuple[Any, ...]]:
    """Touch everything the page shows, the way the serializer will."""
    return [
        (
            market.slug,
            market.creator.username,
            [tag.name for tag in market.tags.all()],
            getattr(market, "position_count", "<no position_count annotation>"),
        )
        for market in market_listing()
    ]


def test_market_listing_is_newest_first_with_creator_tags_and_position_count(
    django_seed, known_markets, known_listing
):
    django_seed(known_markets)

    got = read_listing()

    expected = [
        (item["slug"], item["creator"], item["tags"], item["position_count"])
        for item in known_listing
    ]
    assert got == expected, (
        f"market_listing() gave (slug, creator, tags, position_count) = {got}; expected "
        f"{expected}: newest first (same created_at: higher id first), tags.all() in name "
        "order (prefetch them with a Prefetch object whose queryset is ordered), and an "
        "integer position_count annotation (task 1)"
    )


def test_market_listing_orders_by_created_at_not_by_id(django_seed, backfilled_markets):
    django_seed(backfilled_markets)

    got = [market.slug for market in market_listing()]

    expected = ["backfilled-c", "backfilled-a", "backfilled-b"]
    assert got == expected, (
        f"market_listing() listed {got} for markets whose ids are not in creation order "
        f"(a backfill); expected {expected}. Newest first means created_at descending: an id "
        "only says when a row was inserted, and only breaks ties between markets created at "
        "the same instant (task 1)"
    )


def test_market_listing_breaks_created_at_ties_by_id(django_seed, tied_markets):
    django_seed(tied_markets)

    got = [(market.id, market.slug) for market in market_listing()]

    expected = [(3, "tied-a"), (2, "tied-c"), (1, "tied-b")]
    assert got == expected, (
        f"market_listing() listed (id, slug) {got} for three markets created at the same "
        f"instant; expected {expected}: a tie on created_at is broken by id descending "
        "(order_by('-created_at', '-id')). Not by slug, name or updated_at: these markets' "
        "slugs and updated_at run in another order, and updated_at changes on every save, so "
        "pages would shuffle (task 1)"
    )


def test_market_listing_runs_two_queries_whatever_the_number_of_markets(
    django_seed, many_markets, count_django_queries
):
    django_seed(many_markets(3, 0))
    with count_django_queries() as for_3:
        read_listing()
    django_seed(many_markets(57, 3))
    with count_django_queries() as for_60:
        read_listing()

    assert len(for_60) == len(for_3), (
        f"reading 3 markets ran {len(for_3)} queries but reading 60 ran {len(for_60)}: the "
        "query count grows with N — an N+1. Something is loaded per market; join the "
        "creator (select_related), prefetch the tags (prefetch_related) and annotate the "
        f"count (task 1). For 3 markets:\n{for_3.report()}"
    )
    assert len(for_3) <= QUERY_BUDGET, (
        f"reading the listing ran {len(for_3)} queries; the budget is {QUERY_BUDGET}: one for "
        "markets with their creator and position count, one for the tags (task 1).\n"
        f"{for_3.report()}"
    )


def test_market_listing_counts_positions_in_the_database(
    django_seed, known_markets, count_django_position_loads
):
    django_seed(known_markets)

    with count_django_position_loads() as loaded:
        counts = [getattr(m, "position_count", None) for m in market_listing()]

    assert not loaded, (
        f"market_listing() built {len(loaded)} Position objects to list 5 markets; the count "
        "belongs in SQL (annotate(position_count=Count(...))), so no position row is loaded "
        "(task 1)"
    )
    assert counts == [0, 0, 1, 3, 2], (
        f"market_listing() gave position_count values {counts}; expected [0, 0, 1, 3, 2] "
        "(newest first): annotate each market with the number of its positions, not of "
        "distinct traders — bob's two positions on market 2 count as two, so "
        "Count('positions'), not Count('positions__user', distinct=True) (task 1)"
    )
