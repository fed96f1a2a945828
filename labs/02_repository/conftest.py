"""Lab 02 set-up: Django and an SQLAlchemy engine per test — on SQLite, or on PostgreSQL when
`DATABASE_URL` is set (patterns_workbook.testing.database) — and the `backend`
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
from sqlalchemy import event

from patterns_workbook.testing.database import server_engine, sqlite_engine
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
def sa_engine(postgresql_url: str | None) -> Iterator[Any]:
    """This test's database: PostgreSQL when `DATABASE_URL` is set, else in-memory SQLite.

    On SQLite, one in-memory database per run (StaticPool keeps its one connection alive),
    emptied after each test; on PostgreSQL, the plugin's scratch database, emptied the same
    way. Either way the engine, and the statements it compiled, outlive the test.
    Foreign keys are enforced on every connection (`enforce_foreign_keys` asks SQLite;
    PostgreSQL always does), as Django does: a deleted market's tag links go with it.
    """
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from markets_repository.sqlalchemy_orm.models import Base, enforce_foreign_keys

    def sqlite() -> Any:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        event.listen(engine, "connect", _unordered_selects_reversed)
        return enforce_foreign_keys(engine)

    if postgresql_url:
        yield server_engine(postgresql_url, create_engine, Base.metadata)
        return
    with sqlite_engine("lab02", sqlite, Base.metadata) as engine:
        yield engine


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


# Ties as a table with a history holds them. Two pairs of markets share a volume (eth-5k and
# btc-100k, turnout-60 and heat-seville); once stored, the seeds rewrite the lower id of each
# pair, and the creator of those (bob). PostgreSQL writes an UPDATE's new row version at the
# end of the table, so a scan then reads the markets 1, 3, 4, 6, 2, 5 and the users alice,
# carol, bob: whether the plan sorts a scan of `market`, or of its join with `user`, the tied
# rows reach the sort out of id order in both directions, and an index scan on `volume` read
# backwards (`-volume` with a LIMIT) reverses them. SQLite reads ties in rowid order except
# through that backwards index; the in-memory fake is handed its markets in reverse.
_TIES = [(low, high) for n, low in enumerate(SEED) for high in SEED[n + 1 :] if low[3] == high[3]]
MOVED_MARKETS = tuple(low[0] for low, _ in _TIES)
MOVED_USERS = tuple(sorted({low[4] for low, _ in _TIES} - {high[4] for _, high in _TIES}))


def seed_sqlalchemy(session: Any) -> dict[str, int]:
    """SEED through SQLAlchemy Core: one INSERT per table, ids in SEED order (as bulk_create
    gives Django), ~1 ms instead of the unit of work's ~10 ms a test."""
    from sqlalchemy import insert, update

    from markets_repository.sqlalchemy_orm.models import MarketRow, TagRow, UserRow, market_tags

    def stored(row: Any, key: Any, values: list[dict[str, Any]]) -> dict[str, int]:
        statement = insert(row).returning(row.id, key, sort_by_parameter_order=True)
        return {name: id_ for id_, name in session.execute(statement, values)}

    users = stored(
        UserRow, UserRow.username, [{"username": n} for n in sorted({row[4] for row in SEED})]
    )
    tags = stored(
        TagRow, TagRow.name, [{"name": n} for n in sorted(set().union(*(row[5] for row in SEED)))]
    )
    markets = stored(MarketRow, MarketRow.slug, [
        {"name": name, "slug": slug, "status": status, "volume": Decimal(volume),
         "creator_id": users[creator], "created_at": T0 + timedelta(hours=hours),
         "updated_at": T0 + timedelta(hours=hours)}
        for slug, name, status, volume, creator, _, hours in SEED
    ])  # fmt: skip
    links = [{"market_id": markets[row[0]], "tag_id": tags[t]} for row in SEED for t in row[5]]
    session.execute(insert(market_tags), links)
    rewrite = {"synchronize_session": False}  # the same values: only where the rows lie moves
    moved = update(MarketRow).where(MarketRow.slug.in_(MOVED_MARKETS))
    session.execute(moved.values(name=MarketRow.name), execution_options=rewrite)
    moved_users = update(UserRow).where(UserRow.username.in_(MOVED_USERS))
    session.execute(moved_users.values(role=UserRow.role), execution_options=rewrite)
    return markets


def seed_django() -> dict[str, int]:
    from django.db.models import F

    from markets_repository.django_orm.models import MarketRow, Tag, User

    users = {n: User(username=n) for n in sorted({row[4] for row in SEED})}
    tags = {n: Tag(name=n) for n in sorted(set().union(*(row[5] for row in SEED)))}
    User.objects.bulk_create(users.values())  # one INSERT per table: ids in the order given
    Tag.objects.bulk_create(tags.values())
    rows = {
        slug: MarketRow(
            name=name, slug=slug, status=status, volume=Decimal(volume), creator=users[creator],
            created_at=T0 + timedelta(hours=hours), updated_at=T0 + timedelta(hours=hours),
        )
        for slug, name, status, volume, creator, _, hours in SEED
    }  # fmt: skip
    MarketRow.objects.bulk_create(rows.values())
    link = MarketRow.tags.through
    link.objects.bulk_create(
        link(marketrow=rows[slug], tag=tags[t]) for slug, *_, names, _ in SEED for t in names
    )
    MarketRow.objects.filter(slug__in=MOVED_MARKETS).update(name=F("name"))  # see MOVED_MARKETS
    User.objects.filter(username__in=MOVED_USERS).update(role=F("role"))
    return {slug: row.pk for slug, row in rows.items()}


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


def _unordered_selects_reversed(dbapi_connection: Any, record: Any) -> None:
    """SQLite's own check for a missing ORDER BY: a SELECT without one reads rows backwards,
    so code that trusts the storage order fails here too, not only on PostgreSQL."""
    dbapi_connection.execute("PRAGMA reverse_unordered_selects = ON")
