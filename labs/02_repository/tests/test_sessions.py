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


def _new_market(**overrides: Any) -> Any:
    from markets_repository.domain import MarketStatus, NewMarket

    fields: dict[str, Any] = {
        "name": "Wind over 100 km/h in Porto", "slug": "wind-porto", "creator": "dora",
        "status": MarketStatus.ACTIVE, "tags": frozenset({"weather", "portugal"}),
    }  # fmt: skip
    return NewMarket(**{**fields, **overrides})


def _raised(call: Any, *args: Any) -> str | None:
    try:
        call(*args)
    except NotImplementedError:
        raise
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


@pytest.mark.sqlalchemy
@pytest.mark.parametrize(
    "write",
    [
        pytest.param("add", marks=pytest.mark.task(4)),
        pytest.param("update", marks=pytest.mark.task(5)),
        pytest.param("delete", marks=pytest.mark.task(5)),
    ],
)
def test_sqlalchemy_writes_flush_but_never_commit(sa_session_factory: Any, write: str) -> None:
    from sqlalchemy import select

    from markets_repository.sqlalchemy_orm.models import MarketRow

    with sa_session_factory.begin() as session:
        ids = seed_sqlalchemy(session)
    with sa_session_factory() as session:
        repo = SqlAlchemyMarketRepository(session)
        if write == "add":
            repo.add(_new_market())
        elif write == "update":
            market = repo.get(ids["rain-lisbon"])
            assert market is not None, "repo.get returned None for a seeded market (task 1)"
            repo.update(replace(market, slug="rain-lisbon-friday"))
        else:
            repo.delete(ids["eth-5k"])
        session.rollback()  # the caller decides: this unit of work failed
    with sa_session_factory() as fresh:
        stored = sorted(fresh.scalars(select(MarketRow.slug)))
    expected = sorted(slug for slug, *_ in SEED)
    assert stored == expected, (
        f"repo.{write}(...) and then the caller's session.rollback() left the committed "
        f"markets {stored}; expected {expected}, as seeded: the SQLAlchemy repository flushes "
        "but never commits — the caller owns the transaction, so a request that writes and "
        "then fails or answers 4xx keeps nothing. session.commit() inside the repository "
        "commits the caller's unit of work behind its back (task 4/5)"
    )


def _refusing_tag_links() -> Any:
    """Connect a receiver that fails when tags are linked to a market; returns the disconnect."""
    from django.db.models.signals import m2m_changed

    from markets_repository.django_orm.models import MarketRow

    def refuse(sender: Any, action: str, **kwargs: Any) -> None:
        if action == "pre_add":
            raise RuntimeError("the tag links could not be written")

    through = MarketRow.tags.through
    m2m_changed.connect(refuse, sender=through, weak=False, dispatch_uid="refuse-tags")
    return lambda: m2m_changed.disconnect(sender=through, dispatch_uid="refuse-tags")


@pytest.mark.django
@pytest.mark.django_db(transaction=True)  # real autocommit: what is not in atomic() stays
@pytest.mark.task(4)
def test_django_add_is_one_transaction() -> None:
    from markets_repository.django_orm.models import MarketRow, Tag, User
    from markets_repository.django_orm.repository import DjangoMarketRepository

    disconnect = _refusing_tag_links()
    try:
        error = _raised(DjangoMarketRepository().add, _new_market())
    finally:
        disconnect()
    left = {
        "markets": list(MarketRow.objects.values_list("slug", flat=True)),
        "users": list(User.objects.values_list("username", flat=True)),
        "tags": sorted(Tag.objects.values_list("name", flat=True)),
    }
    assert error is not None and left == {"markets": [], "users": [], "tags": []}, (
        f"repo.add(...) whose tag links fail raised {error} and left {left} committed; "
        "expected the error and nothing stored: creator, market row and tags are several "
        "statements, and under Django's autocommit each one commits on its own — wrap add "
        "in transaction.atomic() so a failure part-way leaves no orphan user, tag or "
        "untagged market (task 4)"
    )


@pytest.mark.django
@pytest.mark.django_db(transaction=True)
@pytest.mark.task(5)
def test_django_update_is_one_transaction() -> None:
    from markets_repository.django_orm.repository import DjangoMarketRepository

    ids = seed_django()
    repo = DjangoMarketRepository()
    original = repo.get(ids["snow-madrid"])
    assert original is not None, "repo.get returned None for a seeded market (task 1)"
    disconnect = _refusing_tag_links()
    try:
        error = _raised(repo.update, replace(original, name="Renamed", tags=frozenset({"x"})))
    finally:
        disconnect()
    stored = repo.get(original.id)
    assert error is not None and stored == original, (
        f"repo.update(...) whose tag links fail raised {error}, then get returned {stored!r}; "
        f"expected the error and {original!r} unchanged: wrap update in transaction.atomic() "
        "so the row's UPDATE does not commit without its tags (task 5)"
    )


@pytest.mark.django
@pytest.mark.django_db
@pytest.mark.task(5)
def test_django_update_never_reinserts_a_market_deleted_meanwhile() -> None:
    from django.db.models.signals import pre_save

    from markets_repository.django_orm.models import MarketRow
    from markets_repository.django_orm.repository import DjangoMarketRepository

    ids = seed_django()
    repo = DjangoMarketRepository()
    original = repo.get(ids["rain-lisbon"])
    assert original is not None, "repo.get returned None for a seeded market (task 1)"
    deleted: list[int] = []

    def delete_meanwhile(sender: Any, instance: MarketRow, **kwargs: Any) -> None:
        # another request deletes the market between update's read and its save()
        deleted.append(MarketRow.objects.filter(pk=instance.pk).delete()[0])

    pre_save.connect(delete_meanwhile, sender=MarketRow, weak=False, dispatch_uid="meanwhile")
    try:
        error = _raised(repo.update, replace(original, name="Rain in Lisbon on Friday"))
    finally:
        pre_save.disconnect(sender=MarketRow, dispatch_uid="meanwhile")
    assert not deleted or error is not None, (
        f"market {original.id} was deleted between repo.update's read and its save(), and "
        f"update returned normally — a plain save() finds no row to UPDATE and INSERTs it "
        "again, resurrecting a deleted market (without its tags). Save with "
        "save(update_fields=[...]) or force_update=True, or use filter(pk=...).update(), so a "
        "vanished row is an error, never a new row (task 5)"
    )


@pytest.mark.django
@pytest.mark.django_db
@pytest.mark.task(5)
def test_django_delete_lets_a_database_error_propagate() -> None:
    from django.db import OperationalError, connection

    from markets_repository.django_orm.repository import DjangoMarketRepository

    ids = seed_django()

    def locked(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("DELETE"):
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(locked):
        error = _raised(DjangoMarketRepository().delete, ids["eth-5k"])
    assert error is not None and "locked" in error, (
        f"repo.delete({ids['eth-5k']}) whose DELETE failed with 'database is locked' raised "
        f"{error}; expected the OperationalError to propagate: `except Exception: pass` "
        "reports any database error as a successful delete (the client hears 204 for a "
        "market still stored). Idempotent means a *missing* market is not an error — "
        "filter(pk=...).delete() — not that every error is swallowed (task 5)"
    )


@pytest.mark.sqlalchemy
@pytest.mark.task(5)
def test_sqlalchemy_delete_lets_a_database_error_propagate(
    sa_engine: Any, sa_session_factory: Any
) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    with sa_session_factory.begin() as session:
        ids = seed_sqlalchemy(session)

    def locked(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            raise OperationalError(statement, {}, Exception("database is locked"))

    event.listen(sa_engine, "before_cursor_execute", locked)
    try:
        with sa_session_factory() as session:
            error = _raised(SqlAlchemyMarketRepository(session).delete, ids["eth-5k"])
    finally:
        event.remove(sa_engine, "before_cursor_execute", locked)
    assert error is not None and "locked" in error, (
        f"repo.delete({ids['eth-5k']}) whose DELETE failed with 'database is locked' raised "
        f"{error}; expected the OperationalError to propagate: swallowing it reports a "
        "failed delete as a success. Only a missing market is not an error (task 5)"
    )
