"""Task 6 — two creates of one slug race: one 201, one 409, one row. Never a 500.

The service checks that a slug is free, then inserts. Between the two, another request can
insert the same slug; the unique index refuses the second insert, and the repository turns
that `IntegrityError` into `Conflict`, which the view answers with 409 like any other taken
slug. The first test lets the other request in between the check and the insert on purpose
(any database); the second runs two real requests at once on PostgreSQL, both past the check
before either inserts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from markets_service.domain import Market

NAME, SLUG = "Rain in Paris", "rain-in-paris"
FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]
# Requests in threads commit for real: Django's test case must not be one open transaction.
CONCURRENT_FRAMEWORKS = [
    pytest.param("django", marks=[pytest.mark.django, pytest.mark.django_db(transaction=True)]),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]

pytestmark = pytest.mark.task(6)


def repository_class(framework: str) -> type:
    if framework == "django":
        from markets_service.django_app.repository import DjangoMarketRepository

        return DjangoMarketRepository
    from markets_service.orm import SqlAlchemyMarketRepository

    return SqlAlchemyMarketRepository


def shown(reply: Any) -> str:
    return f"{reply.status} {reply.text[:200]}"


def envelope_code(reply: Any) -> str | None:
    try:
        return reply.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def check_one_created_one_conflict(framework: str, replies: list[Any], rows: int) -> None:
    statuses = sorted(reply.status for reply in replies)
    conflicts = [reply for reply in replies if reply.status == 409]
    assert statuses == [201, 409] and rows == 1, (
        f"[{framework}] two POST /markets {{'name': {NAME!r}}} that both found the slug "
        f"free before either inserted answered {[shown(r) for r in replies]} and left {rows} "
        f"row(s) with slug {SLUG!r}; expected one 201, one 409 and one row. The check before "
        "the insert cannot see a request that has not inserted yet: the unique index refuses "
        "the second insert, the repository raises Conflict, and the service lets it through "
        "to the view, which answers 409 as for any taken slug. Not a 500 (an IntegrityError "
        "no one translated), not a second 201 (the loser handed the winner's market, or a "
        "slug with a suffix) (task 6)"
    )
    assert envelope_code(conflicts[0]) == "conflict", (
        f"[{framework}] the request that lost the race answered {shown(conflicts[0])}; a 409 "
        "comes in the error envelope, {'error': {'code': 'conflict', …}} (task 6)"
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_create_whose_slug_is_taken_after_the_check_answers_409(
    http: Any, framework: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = repository_class(framework)
    original = cls.get_by_slug
    repositories: list[Any] = []

    def get_by_slug(self: Any, slug: str) -> Market | None:
        found = original(self, slug)
        if found is None and not repositories:  # another request creates it right now
            repositories.append(self)
            self.add(Market(name=NAME, slug=slug))
        return found

    monkeypatch.setattr(cls, "get_by_slug", get_by_slug)
    client = http(framework)

    reply = client.post("/markets", json={"name": NAME})

    assert repositories, (
        f"[{framework}] POST /markets never asked the repository whether {SLUG!r} is taken "
        "(get_by_slug): the service checks the slug before it inserts (task 1)"
    )
    rows = sum(market.slug == SLUG for market in repositories[0].all_markets())
    check_one_created_one_conflict(framework, [FakeCreated(), reply], rows)


class FakeCreated:
    """The other request's answer: it inserted first (the test did it for it)."""

    status = 201
    text = "(the other request)"


@pytest.mark.postgresql_only("two requests in real concurrent transactions: SQLite serializes")
@pytest.mark.parametrize("framework", CONCURRENT_FRAMEWORKS)
def test_two_concurrent_creates_of_one_slug_answer_201_and_409(
    app_of: Any, as_client: Any, framework: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = repository_class(framework)
    original = cls.get_by_slug
    both_checked = threading.Barrier(2, timeout=10)
    waited: set[int] = set()
    repositories: list[Any] = []

    def get_by_slug(self: Any, slug: str) -> Market | None:
        found = original(self, slug)
        if threading.get_ident() not in waited:  # each request's first check, then together
            waited.add(threading.get_ident())
            repositories.append(self)
            both_checked.wait()
        return found

    monkeypatch.setattr(cls, "get_by_slug", get_by_slug)
    app = app_of(framework)
    replies = run_together(2, lambda: post_once(as_client, app, framework))

    crashed = [reply for reply in replies if isinstance(reply, BaseException)]
    assert not crashed, f"[{framework}] a request thread raised {crashed[0]!r} (task 6)"
    assert len(repositories) == 2, (
        f"[{framework}] {len(repositories)} of the two requests asked the repository whether "
        f"{SLUG!r} is taken (get_by_slug) before inserting; the service checks first (task 1)"
    )
    rows = sum(market.slug == SLUG for market in repositories[0].all_markets())
    check_one_created_one_conflict(framework, replies, rows)


def post_once(as_client: Any, app: Any, framework: str) -> Any:
    """One request from its own client, as a second server worker would send it."""
    try:
        with as_client(app) as client:
            return client.post("/markets", json={"name": NAME})
    finally:
        if framework == "django":
            from django.db import connections

            connections.close_all()  # this thread's connection, before the tables are flushed


def run_together(n: int, work: Callable[[], Any]) -> list[Any]:
    """Run `work` in n threads at once; each one's result, or the exception it raised."""
    results: list[Any] = [None] * n

    def thread(i: int) -> None:
        try:
            results[i] = work()
        except BaseException as exc:  # reported by the test, not lost
            results[i] = exc

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    return results
