"""What a repository hands out must outlive the session and the request that produced it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from conftest import SEED, seed_django, seed_sqlalchemy

from markets_repository.domain import Market
from markets_repository.sqlalchemy_orm.repository import SqlAlchemyMarketRepository


@pytest.mark.sqlalchemy
@pytest.mark.task(1)
def test_sqlalchemy_results_are_readable_after_the_session_closes(
    sa_session_factory: Any,
) -> None:
    with sa_session_factory.begin() as session:
        ids = seed_sqlalchemy(session)
    # each `with` closes its session on exit, as a request's session is closed after it
    with sa_session_factory() as session:
        one = SqlAlchemyMarketRepository(session).get(ids["snow-madrid"])
    with sa_session_factory() as session:
        page = SqlAlchemyMarketRepository(session).list()
    try:
        read = [(m.creator, sorted(m.tags), m.volume) for m in [one, *page]]
    except Exception as error:  # DetachedInstanceError for ORM rows with lazy relationships
        pytest.fail(
            f"after session.close(), reading what repo.get/list returned raised "
            f"{type(error).__name__}: {error}\nORM rows are bound to their session; return "
            "domain Markets built while the session was open (task 1)"
        )
    assert isinstance(one, Market) and len(read) == len(SEED) + 1, (
        f"repo.get returned {type(one).__name__}; expected a domain Market (task 1)"
    )


@pytest.mark.django
@pytest.mark.django_db
@pytest.mark.task(1)
def test_django_results_run_no_query_once_returned(count_django_queries: Any) -> None:
    # imported here, not at module level: a track without Django never imports its models
    from markets_repository.django_orm.repository import DjangoMarketRepository

    ids = seed_django()
    repo = DjangoMarketRepository()
    one = repo.get(ids["snow-madrid"])
    page = repo.list()
    with count_django_queries() as queries:
        read = [(m.creator, sorted(m.tags), m.volume) for m in [one, *page]]
    assert isinstance(page, list) and isinstance(one, Market), (
        f"repo.list() returned {type(page).__name__} and repo.get() {type(one).__name__}; "
        "expected a list of domain Markets: a QuerySet is lazy, so the caller would run the "
        "repository's SQL itself, wherever and however often it iterates (task 1)"
    )
    assert len(queries) == 0 and len(read) == len(SEED) + 1, (
        f"reading creator, tags and volume of what the repository returned ran "
        f"{len(queries)} queries; everything a caller reads must be loaded inside the "
        f"repository (task 1)\n{queries.report()}"
    )


@pytest.mark.sqlalchemy
@pytest.mark.task(5)
def test_sqlalchemy_update_and_delete_reach_the_database_inside_the_call(
    sa_engine: Any, sa_session_factory: Any
) -> None:
    from patterns_workbook.testing.queries import count_sqlalchemy_queries

    with sa_session_factory() as session:
        ids = seed_sqlalchemy(session)
        repo = SqlAlchemyMarketRepository(session)
        market = repo.get(ids["rain-lisbon"])
        assert market is not None, "repo.get returned None for a seeded market (task 1)"
        with count_sqlalchemy_queries(sa_engine) as during_update:
            repo.update(replace(market, name="Rain in Lisbon on Friday"))
        with count_sqlalchemy_queries(sa_engine) as during_delete:
            repo.delete(ids["eth-5k"])
    sent = {  # every column update changes, updated_at included, is in the database
        "update": any(
            sql.startswith("UPDATE market ") and "updated_at" in sql for sql in during_update
        ),
        "delete": any(sql.startswith("DELETE FROM market ") for sql in during_delete),
    }
    assert all(sent.values()), (
        f"SQL sent inside repo.update / repo.delete: {sent}\n{during_update.report()}\n"
        f"{during_delete.report()}\nthe SQLAlchemy repository flushes each write before it "
        "returns (and never commits): a constraint the write breaks then fails inside the "
        "call that made it, where the caller can handle it — not at some later query or at "
        "the request's commit (task 5)"
    )
