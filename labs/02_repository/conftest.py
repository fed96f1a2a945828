"""Lab 02 set-up: Django on in-memory SQLite, an SQLAlchemy engine per test, and the `backend`
fixture that runs one contract suite against all three repositories.

Every backend is seeded with the same six markets (SEED) through its own storage — ORM rows
for Django and SQLAlchemy, domain objects for the in-memory fake — so a test of `list` does
not depend on `add` being finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from patterns_workbook.testing.django_settings import configure_django
from patterns_workbook.testing.queries import Queries


def pytest_configure(config: pytest.Config) -> None:
    configure_django(installed_apps=["markets_repository.django_orm"])


T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# slug, name, status, volume, creator, tags, hours after T0 (deliberately not in id order)
SEED: tuple[tuple[str, str, str, str, str, set[str], int], ...] = (
    ("rain-lisbon", "Rain in Lisbon tomorrow", "active", "120.50", "alice", {"weather"}, 3),
    ("eth-5k", "Ethereum above 5k", "active", "980.00", "bob", {"crypto"}, 0),
    ("snow-madrid", "Snow in Madrid", "draft", "0.00", "alice", {"weather", "spain"}, 5),
    ("btc-100k", "Bitcoin above 100k", "closed", "980.00", "carol", {"crypto"}, 1),
    ("turnout-60", "Election turnout over 60%", "resolved", "45.25", "bob", set(), 4),
    ("heat-seville", "Heatwave in Seville", "active", "45.25", "carol", {"weather", "spain"}, 2),
)  # fmt: skip


class Clock:
    """A clock the test moves by hand: `clock()` is now, `clock.advance(minutes=5)`.

    With `clock.step` set, every reading moves it on by that much, as a real clock would.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.step = timedelta(0)

    def __call__(self) -> datetime:
        now = self.now
        self.now += self.step
        return now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Backend:
    name: str  # memory | django | sqlalchemy
    repo: Any  # a MarketRepository
    seeded: dict[str, Any]  # slug → the Market the repository must hand back
    queries: Callable[[], AbstractContextManager[Queries]]  # counts SQL run inside the block


def expected_markets(ids: dict[str, int]) -> dict[str, Any]:
    from markets_repository.domain import Market, MarketStatus

    return {
        slug: Market(
            id=ids[slug],
            name=name,
            slug=slug,
            status=MarketStatus(status),
            volume=Decimal(volume),
            creator=creator,
            tags=frozenset(tags),
            created_at=T0 + timedelta(hours=hours),
            updated_at=T0 + timedelta(hours=hours),
        )
        for slug, name, status, volume, creator, tags, hours in SEED
    }


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + timedelta(days=1))


@pytest.fixture
def sa_engine() -> Iterator[Any]:
    """A fresh in-memory SQLite database; StaticPool keeps its one connection alive.

    Foreign keys are enforced on every connection (`enforce_foreign_keys`), as on PostgreSQL
    and as Django does: a deleted market's tag links go with it (`ON DELETE CASCADE`).
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from markets_repository.sqlalchemy_orm.models import Base, enforce_foreign_keys

    engine = enforce_foreign_keys(
        create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    )
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sa_session_factory(sa_engine: Any) -> Any:
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(sa_engine)


@pytest.fixture
def fastapi_app(sa_session_factory: Any) -> Any:
    """The FastAPI app over a fresh database holding SEED (market 1 among them).

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_repository.fastapi_app import create_app

    with sa_session_factory.begin() as session:
        seed_sqlalchemy(session)
    return create_app(sa_session_factory)


def seed_sqlalchemy(session: Any) -> dict[str, int]:
    from markets_repository.sqlalchemy_orm.models import MarketRow, TagRow, UserRow

    users = {name: UserRow(username=name) for name in sorted({row[4] for row in SEED})}
    tags = {name: TagRow(name=name) for name in sorted(set().union(*(row[5] for row in SEED)))}
    rows = {}
    for slug, name, status, volume, creator, tag_names, hours in SEED:
        at = T0 + timedelta(hours=hours)
        rows[slug] = MarketRow(
            name=name, slug=slug, status=status, volume=Decimal(volume), creator=users[creator],
            tags={tags[t] for t in tag_names}, created_at=at, updated_at=at,
        )  # fmt: skip
        session.add(rows[slug])
        session.flush()  # ids in SEED order
    return {slug: row.id for slug, row in rows.items()}


def seed_django() -> dict[str, int]:
    from markets_repository.django_orm.models import MarketRow, Tag, User

    users = {name: User.objects.create(username=name) for name in sorted({r[4] for r in SEED})}
    tags = {n: Tag.objects.create(name=n) for n in sorted(set().union(*(r[5] for r in SEED)))}
    ids = {}
    for slug, name, status, volume, creator, tag_names, hours in SEED:
        at = T0 + timedelta(hours=hours)
        row = MarketRow.objects.create(
            name=name, slug=slug, status=status, volume=Decimal(volume), creator=users[creator],
            created_at=at, updated_at=at,
        )  # fmt: skip
        row.tags.set([tags[t] for t in tag_names])
        ids[slug] = row.pk
    return ids


def _memory(request: pytest.FixtureRequest, clock: Clock) -> Backend:
    from markets_repository.memory import InMemoryMarketRepository

    seeded = expected_markets({row[0]: n for n, row in enumerate(SEED, start=1)})
    # Handed over in reverse id order, as a database may return rows in any order: the fake
    # must sort (ties by id) rather than rely on the order its dict was filled in.
    repo = InMemoryMarketRepository(reversed(seeded.values()), clock=clock)
    return Backend("memory", repo, seeded, lambda: nullcontext(Queries()))


def _django(request: pytest.FixtureRequest, clock: Clock) -> Backend:
    from markets_repository.django_orm.repository import DjangoMarketRepository
    from patterns_workbook.testing.queries import count_django_queries

    seeded = expected_markets(seed_django())  # inside the test's transaction (django_db)
    return Backend("django", DjangoMarketRepository(clock=clock), seeded, count_django_queries)


def _sqlalchemy(request: pytest.FixtureRequest, clock: Clock) -> Backend:
    from markets_repository.sqlalchemy_orm.repository import SqlAlchemyMarketRepository
    from patterns_workbook.testing.queries import count_sqlalchemy_queries

    engine = request.getfixturevalue("sa_engine")
    session = request.getfixturevalue("sa_session_factory")()
    request.addfinalizer(session.close)
    seeded = expected_markets(seed_sqlalchemy(session))
    session.expunge_all()  # the repository must load what it returns, not reuse seeded rows
    repo = SqlAlchemyMarketRepository(session, clock=clock)
    return Backend("sqlalchemy", repo, seeded, lambda: count_sqlalchemy_queries(engine))


@pytest.fixture(
    params=[
        pytest.param(_memory, marks=pytest.mark.core, id="memory"),
        pytest.param(_django, marks=[pytest.mark.django, pytest.mark.django_db], id="django"),
        pytest.param(_sqlalchemy, marks=pytest.mark.sqlalchemy, id="sqlalchemy"),
    ]
)
def backend(request: pytest.FixtureRequest, clock: Clock) -> Backend:
    """The same six markets behind each repository; the contract suite runs once per param."""
    return request.param(request, clock)
