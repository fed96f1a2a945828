"""Task 3: `list_markets` on SQLAlchemy 2 loads the whole listing in two queries, no lazy load."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.orm import ORMExecuteState, Session, raiseload, relationship, sessionmaker

from markets_listing.db import Market, Position
from markets_listing.listing import list_markets
from markets_listing.schemas import MarketSummary

pytestmark = [pytest.mark.sqlalchemy, pytest.mark.task(3)]

QUERY_BUDGET = 2  # markets with creator and position count; tags by selectinload


def listing(session_factory: sessionmaker[Session], *, guard: bool = False) -> list[Any]:
    """Call `list_markets` in a fresh session; with `guard`, every lazy load raises."""
    with session_factory() as session:
        if guard:
            event.listen(session, "do_orm_execute", forbid_lazy_loads)
        try:
            result = list_markets(session)
        except InvalidRequestError as exc:
            pytest.fail(explain(exc), pytrace=False)
        except DBAPIError as exc:
            pytest.fail(refused(exc), pytrace=False)
    return summaries(result)


def refused(exc: DBAPIError) -> str:
    """What it means when the database refuses the listing statement (PostgreSQL is stricter)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    said = f"list_markets(session): the database refused the statement ({reason}).\n"
    if "GROUP BY" in reason:
        return said + (
            "PostgreSQL, like the SQL standard, refuses a GROUP BY query that selects a column "
            "neither grouped nor aggregated (nor of a table whose primary key is grouped): here "
            "the creator's columns, joined in beside GROUP BY markets.id. SQLite accepts it "
            "and picks a value from the group, so the statement passes on SQLite and fails in "
            "production. Group by the key of every table the statement selects from "
            "(group_by(Market.id, User.id)), or count in a correlated scalar subquery so the "
            "statement needs no GROUP BY (task 3)"
        )
    if "more than one row" in reason:
        return said + (
            "A scalar subquery used as a value must give one row per market; this one gives "
            "one per position (it is grouped by a column of Position, or not aggregated). "
            "SQLite silently takes the first row, PostgreSQL refuses. Count with no GROUP BY "
            "in a subquery correlated on Position.market_id == Market.id (task 3)"
        )
    return said + "The statement must run on SQLite and on PostgreSQL alike (task 3)"


def forbid_lazy_loads(state: ORMExecuteState) -> None:
    """Add raiseload('*') to the statement the test triggers (not to the loads it asks for)."""
    if state.is_select and not state.is_relationship_load:
        state.statement = state.statement.options(raiseload("*"))


def explain(exc: InvalidRequestError) -> str:
    """What an InvalidRequestError from list_markets means, by its actual cause."""
    said = f"list_markets(session) raised {type(exc).__name__}: {exc}\n"
    if "unique()" in str(exc):
        return said + (
            "A joinedload of a collection (Market.tags) repeats each market once per tag in "
            "the joined rows, and SQLAlchemy refuses to hand those rows out until the result "
            "is de-duplicated with .unique(). Call .unique() on the result, or load the "
            "collection with selectinload: a second query that multiplies no rows (task 3)"
        )
    if "lazy='raise'" in str(exc):
        return said + (
            "Under raiseload('*') this means an attribute was lazy-loaded: a relationship read "
            "after the query without a loader option in the statement. Load it with "
            "joinedload (a many-to-one) or selectinload (a collection) (task 3)"
        )
    return said + "(task 3)"


def summaries(result: Any) -> list[MarketSummary]:
    """`result` itself, after checking it is a list of MarketSummary, with a teaching failure."""
    items = list(result) if isinstance(result, list | tuple) else None
    if items is None or not all(isinstance(item, MarketSummary) for item in items):
        shown = repr(result if items is None else items[:2])[:300]
        pytest.fail(
            f"list_markets(session) returned {shown}; expected a list of MarketSummary "
            "(markets_listing.schemas). Not ORM objects or result rows: they stay tied to the "
            "session, so reading them after it closes raises DetachedInstanceError, and "
            "serializing them while it is open lazy-loads what the query did not load. Build "
            "each summary while the session is open (task 3)",
            pytrace=False,
        )
    return items


def test_list_markets_returns_known_markets_newest_first(
    sa_seed, sa_session_factory, known_markets, known_listing
):
    sa_seed(known_markets)

    got = [summary.model_dump(mode="json") for summary in listing(sa_session_factory)]

    assert got == known_listing, (
        f"list_markets(session) returned {got}; expected {known_listing}: newest first (same "
        "created_at: higher id first), creator's username, tag names in name order, and the "
        "number of positions (0 when there are none) (task 3)"
    )


def test_list_markets_orders_by_created_at_not_by_id(
    sa_seed, sa_session_factory, backfilled_markets
):
    sa_seed(backfilled_markets)

    got = [summary.slug for summary in listing(sa_session_factory)]

    expected = ["backfilled-c", "backfilled-a", "backfilled-b"]
    assert got == expected, (
        f"list_markets(session) listed {got} for markets whose ids are not in creation order "
        f"(a backfill); expected {expected}. Newest first means created_at descending: an id "
        "only says when a row was inserted, and only breaks ties between markets created at "
        "the same instant (task 3)"
    )


def test_list_markets_breaks_created_at_ties_by_id(sa_seed, sa_session_factory, tied_markets):
    sa_seed(tied_markets)

    got = [(summary.id, summary.slug) for summary in listing(sa_session_factory)]

    expected = [(3, "tied-a"), (2, "tied-c"), (1, "tied-b")]
    assert got == expected, (
        f"list_markets(session) listed (id, slug) {got} for three markets created at the same "
        f"instant; expected {expected}: a tie on created_at is broken by id descending "
        "(order_by(created_at desc, id desc)). Not by slug, name or updated_at: these markets' "
        "slugs and updated_at run in another order, and updated_at changes on every save, so "
        "pages would shuffle (task 3)"
    )


def test_list_markets_runs_two_queries_whatever_the_number_of_markets(
    sa_seed, sa_session_factory, sa_engine, many_markets, count_sqlalchemy_queries
):
    sa_seed(many_markets(3, 0))
    with count_sqlalchemy_queries(sa_engine) as for_3:
        listing(sa_session_factory)
    sa_seed(many_markets(57, 3))
    with count_sqlalchemy_queries(sa_engine) as for_60:
        listing(sa_session_factory)

    assert len(for_60) == len(for_3), (
        f"list_markets() ran {len(for_3)} queries for 3 markets but {len(for_60)} for 60: "
        "the query count grows with N — an N+1. Load the creator (joinedload) and the tags "
        f"(selectinload) with the markets (task 3). For 3 markets:\n{for_3.report()}"
    )
    assert len(for_3) <= QUERY_BUDGET, (
        f"list_markets() ran {len(for_3)} queries; the budget is {QUERY_BUDGET}: one for "
        "markets with creator and position count, one for the tags (task 3).\n"
        f"{for_3.report()}"
    )


def test_list_markets_never_lazy_loads(sa_seed, sa_session_factory, known_markets):
    sa_seed(known_markets)

    got = listing(sa_session_factory, guard=True)

    assert len(got) == len(known_markets), (
        f"list_markets() under raiseload('*') returned {len(got)} markets; expected "
        f"{len(known_markets)} (task 3)"
    )


def test_list_markets_counts_positions_in_the_database(
    sa_seed, sa_session_factory, known_markets, count_sqlalchemy_position_loads
):
    sa_seed(known_markets)

    with count_sqlalchemy_position_loads() as loaded:
        counts = [summary.position_count for summary in listing(sa_session_factory)]

    assert not loaded, (
        f"list_markets() loaded {len(loaded)} Position rows to list 5 markets; count them in "
        "SQL (a correlated scalar subquery or an outer join with GROUP BY), so no position "
        "row is loaded (task 3)"
    )
    assert counts == [0, 0, 1, 3, 2], (
        f"list_markets() gave position counts {counts}; expected [0, 0, 1, 3, 2]: the number "
        "of positions, not of distinct traders — bob's two positions on market 2 count as "
        "two, so count(Position.id), not count(DISTINCT Position.user_id)"
        + (EMPTY_COUNTED_AS_ONE if counts[:2] == [1, 1] else "")
        + " (task 3)"
    )


EMPTY_COUNTED_AS_ONE = (
    ". The two markets without positions came back as 1: over an outer join a market with no "
    "position still gets one row, of NULLs, and count(*) (func.count()) counts rows, so it "
    "says 1 — on SQLite and PostgreSQL alike. Count a column of the joined table, "
    "count(Position.id), which skips NULLs, or count in a correlated scalar subquery"
)


# A relationship the test adds to Market, as a later change to db.py would: only a wildcard
# raiseload("*") guards it; a raiseload that names today's relationships does not.
ADDED_LATER = "positions_added_later"


def add_a_relationship_to_market_later() -> str:
    if not inspect(Market).has_property(ADDED_LATER):
        inspect(Market).add_property(
            ADDED_LATER,
            relationship(
                Position,
                primaryjoin=Market.id == Position.market_id,
                foreign_keys=[Position.market_id],
                viewonly=True,
            ),
        )
    return ADDED_LATER


def test_list_markets_statement_guards_other_relationships_with_raiseload(
    sa_seed, sa_session_factory, known_markets
):
    sa_seed(known_markets)
    added_later = add_a_relationship_to_market_later()
    loaded: list[Market] = []

    def record(market: Market, context: Any) -> None:
        loaded.append(market)

    event.listen(Market, "load", record)
    try:
        with sa_session_factory() as session:
            list_markets(session)
            lazy = [m.id for m in loaded if not raises_when_read(m, "positions")]
            lazy_later = [m.id for m in loaded if not raises_when_read(m, added_later)]
    finally:
        event.remove(Market, "load", record)

    assert not lazy, (
        f"after list_markets(session), reading market.positions (a relationship the listing "
        f"does not need) on the markets it loaded (ids {lazy}) ran a lazy query instead of "
        "raising: end the statement's options with raiseload('*'), the guard that makes any "
        "relationship the statement did not plan raise InvalidRequestError, so a later change "
        "that reads one fails in tests instead of adding N queries (task 3)"
    )
    assert not lazy_later, (
        f"after list_markets(session), reading market.{added_later} — a relationship the test "
        f"added to Market, as a later change to db.py would — on the markets it loaded (ids "
        f"{lazy_later}) ran a lazy query instead of raising: a raiseload that names "
        "relationships (raiseload(Market.positions)) guards only those; the wildcard "
        "raiseload('*') at the end of the options guards every relationship the statement "
        "did not plan, including the ones added later (task 3)"
    )


def raises_when_read(market: Market, attribute: str) -> bool:
    try:
        getattr(market, attribute)
    except InvalidRequestError:
        return True
    return False
