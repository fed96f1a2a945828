"""Task 3: `list_markets` on SQLAlchemy 2 loads the whole listing in two queries, no lazy load."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import ORMExecuteState, Session, raiseload, sessionmaker

from markets_listing.listing import list_markets

pytestmark = [pytest.mark.sqlalchemy, pytest.mark.task(3)]

QUERY_BUDGET = 2  # markets with creator and position count; tags by selectinload


def listing(session_factory: sessionmaker[Session], *, guard: bool = False) -> list[Any]:
    """Call `list_markets` in a fresh session; with `guard`, every lazy load raises."""
    with session_factory() as session:
        if guard:
            event.listen(session, "do_orm_execute", forbid_lazy_loads)
        try:
            return list_markets(session)
        except InvalidRequestError as exc:
            pytest.fail(
                f"list_markets(session) raised {type(exc).__name__}: {exc}\n"
                "Under raiseload('*') this means an attribute was lazy-loaded: load it with a "
                "loader option in the statement instead (task 3)"
            )


def forbid_lazy_loads(state: ORMExecuteState) -> None:
    """Add raiseload('*') to the statement the test triggers (not to the loads it asks for)."""
    if state.is_select and not state.is_relationship_load:
        state.statement = state.statement.options(raiseload("*"))


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
        f"list_markets() gave position counts {counts}; expected [0, 0, 1, 3, 2] (task 3)"
    )
