"""Task 1: the Django selector loads the whole listing in two queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError

from markets_listing.django_listing.selectors import market_listing

pytestmark = [pytest.mark.django, pytest.mark.task(1)]

QUERY_BUDGET = 2  # markets joined to their creator with the count annotated; tags prefetched


def listed() -> list[Any]:
    """`market_listing()` evaluated; a query the database refuses fails with its reason."""
    try:
        return list(market_listing())
    except DatabaseError as exc:
        pytest.fail(refused(exc), pytrace=False)


def refused(exc: DatabaseError) -> str:
    """What it means when the database refuses the listing query (PostgreSQL is stricter)."""
    reason = str(exc).strip().splitlines()[0]
    said = f"market_listing(): the database refused the query ({reason}).\n"
    if "GROUP BY" in reason:
        return said + (
            "PostgreSQL, like the SQL standard, refuses a GROUP BY query that selects a column "
            "neither grouped nor aggregated; SQLite accepts it and picks a value from the "
            "group, so the query passes on SQLite and fails in production. Let the ORM write "
            "the GROUP BY: annotate(position_count=Count('positions')) (task 1)"
        )
    if "more than one row" in reason:
        return said + (
            "A Subquery used as a value must give one row per market; this one gives one per "
            "position: .annotate(n=Count(...)) on Position groups by every Position column "
            "unless .values('market') comes first. SQLite silently takes the first row (a "
            "count of 1), PostgreSQL refuses. Write .values('market').annotate(n=Count('pk'))"
            ".values('n'), or simply annotate(position_count=Count('positions')) (task 1)"
        )
    return said + "The query must run on SQLite and on PostgreSQL alike (task 1)"


def read_listing() -> list[tuple[Any, ...]]:
    """Touch everything the page shows, the way the serializer will."""
    return [
        (
            market.slug,
            market.creator.username,
            [tag.name for tag in market.tags.all()],
            getattr(market, "position_count", "<no position_count annotation>"),
        )
        for market in listed()
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

    got = [market.slug for market in listed()]

    expected = ["backfilled-c", "backfilled-a", "backfilled-b"]
    assert got == expected, (
        f"market_listing() listed {got} for markets whose ids are not in creation order "
        f"(a backfill); expected {expected}. Newest first means created_at descending: an id "
        "only says when a row was inserted, and only breaks ties between markets created at "
        "the same instant (task 1)"
    )


def test_market_listing_breaks_created_at_ties_by_id(django_seed, tied_markets):
    django_seed(tied_markets)

    got = [(market.id, market.slug) for market in listed()]

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
        counts = [getattr(m, "position_count", None) for m in listed()]

    assert not loaded, (
        f"market_listing() built {len(loaded)} Position objects to list 5 markets; the count "
        "belongs in SQL (annotate(position_count=Count(...))), so no position row is loaded "
        "(task 1)"
    )
    assert counts == [0, 0, 1, 3, 2], (
        f"market_listing() gave position_count values {counts}; expected [0, 0, 1, 3, 2] "
        "(newest first): annotate each market with the number of its positions, not of "
        "distinct traders — bob's two positions on market 2 count as two, so "
        "Count('positions'), not Count('positions__user', distinct=True)"
        + (ONE_ROW_PER_POSITION if counts[2:] == [1, 1, 1] else "")
        + " (task 1)"
    )


ONE_ROW_PER_POSITION = (
    ". Every market with positions came back as 1: a count Subquery that gives one row per "
    "position (Position.objects.filter(market=OuterRef('pk')).annotate(n=Count('pk')) groups "
    "by every Position column) hands SQLite several rows, and SQLite takes the first, a 1; "
    "PostgreSQL refuses the query. Group the subquery by market first, "
    ".values('market').annotate(n=Count('pk')).values('n'), or annotate "
    "position_count=Count('positions')"
)
