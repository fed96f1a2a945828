"""Lab 05 set-up: Django settings, the SQLAlchemy database, datasets and one `stack` per framework.

A *stack* bundles what a behavioural test needs from one framework: an HTTP client, a way to
seed markets, a query counter and a counter of the Position rows the ORM turned into objects.
`tests/test_http_listing.py` runs the same assertions on the Django, FastAPI and Flask stacks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from patterns_workbook.testing.database import server_engine
from patterns_workbook.testing.django_settings import configure_django
from patterns_workbook.testing.http import HttpClient, as_client
from patterns_workbook.testing.queries import (
    Queries,
    count_django_queries,
    count_sqlalchemy_queries,
)


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=["rest_framework", "markets_listing.django_listing"],
        root_urlconf="markets_listing.django_listing.urls",
        rest_framework={
            "EXCEPTION_HANDLER": "markets_listing.django_listing.errors.exception_handler"
        },
    )


# ------------------------------------------------------------------------------- datasets

USERS = ("alice", "bob", "carol")
TAGS = ("weather", "sports", "europe", "economy")  # ids out of name order, on purpose
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class MarketSpec:
    """A market to seed, identical in both ORMs."""

    name: str
    slug: str
    creator: str
    created_at: datetime
    status: str = "active"
    tags: tuple[str, ...] = ()
    positions: tuple[tuple[str, str, str], ...] = ()  # (username, side, amount)
    id: int | None = None
    updated_at: datetime | None = None  # None: the ORM's default (the time of the insert)


# Five markets that cover the edge cases: two tags stored out of name order, a market with
# tags but no positions, one with positions but no tags, one with neither, a trader holding
# two positions on one market (position_count counts positions, not traders: 3, not 2), and
# two created at the same instant (the higher id is listed first).
KNOWN_MARKETS = (
    MarketSpec(
        id=1, name="Fed cuts rates in March", slug="fed-cut-march", creator="bob",
        created_at=T0, tags=("economy",),
        positions=(("alice", "yes", "10.00"), ("carol", "no", "5.00")),
    ),
    MarketSpec(
        id=2, name="Rain in Paris on Friday", slug="rain-paris-friday", creator="alice",
        created_at=T0 + timedelta(days=1), tags=("weather", "europe"),
        positions=(("bob", "yes", "3.00"), ("carol", "no", "7.50"), ("bob", "no", "1.00")),
    ),
    MarketSpec(
        id=3, name="Home team wins the derby", slug="derby-home-win", creator="carol",
        created_at=T0 + timedelta(days=2), status="closed",
        positions=(("bob", "no", "4.00"),),
    ),
    MarketSpec(
        id=4, name="Snow at the city marathon", slug="marathon-snow", creator="alice",
        created_at=T0 + timedelta(days=3), tags=("weather", "sports"),
    ),
    MarketSpec(
        id=5, name="New stadium opens on time", slug="stadium-on-time", creator="bob",
        created_at=T0 + timedelta(days=3), status="draft",
    ),
)  # fmt: skip

KNOWN_LISTING = [
    {"id": 5, "name": "New stadium opens on time", "slug": "stadium-on-time", "status": "draft",
     "creator": "bob", "tags": [], "position_count": 0},
    {"id": 4, "name": "Snow at the city marathon", "slug": "marathon-snow", "status": "active",
     "creator": "alice", "tags": ["sports", "weather"], "position_count": 0},
    {"id": 3, "name": "Home team wins the derby", "slug": "derby-home-win", "status": "closed",
     "creator": "carol", "tags": [], "position_count": 1},
    {"id": 2, "name": "Rain in Paris on Friday", "slug": "rain-paris-friday", "status": "active",
     "creator": "alice", "tags": ["europe", "weather"], "position_count": 3},
    {"id": 1, "name": "Fed cuts rates in March", "slug": "fed-cut-march", "status": "active",
     "creator": "bob", "tags": ["economy"], "position_count": 2},
]  # fmt: skip


# Markets imported after the fact: ids grow in import order, not in creation order, so "newest
# first" by id and by created_at disagree. Listed by created_at: backfilled-c, -a, -b.
BACKFILLED_MARKETS = (
    MarketSpec(id=1, name="Imported first, created second", slug="backfilled-a",
               creator="alice", created_at=T0 + timedelta(days=1)),
    MarketSpec(id=2, name="Imported second, created first", slug="backfilled-b",
               creator="bob", created_at=T0),
    MarketSpec(id=3, name="Imported last, created last", slug="backfilled-c",
               creator="carol", created_at=T0 + timedelta(days=2)),
)  # fmt: skip


# Three markets created at the same instant, listed by id descending: 3, 2, 1. Their slugs,
# names, creators and updated_at run in neither that order nor its reverse, so a tie broken
# by any other column (either way) lists them differently.
TIED_MARKETS = (
    MarketSpec(id=1, name="Tied B", slug="tied-b", creator="carol",
               created_at=T0 + timedelta(days=5), updated_at=T0 + timedelta(days=6, hours=1)),
    MarketSpec(id=2, name="Tied C", slug="tied-c", creator="alice",
               created_at=T0 + timedelta(days=5), updated_at=T0 + timedelta(days=6, hours=2)),
    MarketSpec(id=3, name="Tied A", slug="tied-a", creator="bob",
               created_at=T0 + timedelta(days=5), updated_at=T0 + timedelta(days=6)),
)  # fmt: skip


def generated_markets(count: int, start: int = 0) -> list[MarketSpec]:
    """`count` markets, each with a creator, two tags and zero to three positions."""
    specs = []
    for i in range(start, start + count):
        holders = USERS[: i % 4]  # every fourth market has no position
        specs.append(
            MarketSpec(
                name=f"Generated market {i}",
                slug=f"generated-{i}",
                creator=USERS[i % 3],
                created_at=T0 + timedelta(minutes=i),
                tags=(TAGS[i % 4], TAGS[(i + 1) % 4]),
                positions=tuple((user, "yes", "1.00") for user in holders),
            )
        )
    return specs


@pytest.fixture
def known_markets() -> tuple[MarketSpec, ...]:
    return KNOWN_MARKETS


@pytest.fixture
def known_listing() -> list[dict[str, Any]]:
    """The listing of `known_markets`: newest first (ties: higher id first), tags by name."""
    return copy.deepcopy(KNOWN_LISTING)


@pytest.fixture
def backfilled_markets() -> tuple[MarketSpec, ...]:
    """Three markets whose ids are not in creation order: newest first is c, a, b."""
    return BACKFILLED_MARKETS


@pytest.fixture
def tied_markets() -> tuple[MarketSpec, ...]:
    """Three markets created at the same instant: listed by id descending (3, 2, 1)."""
    return TIED_MARKETS


@pytest.fixture
def many_markets() -> Callable[[int, int], list[MarketSpec]]:
    return generated_markets


# ------------------------------------------------------------------------------- Django


def seed_django(specs: Sequence[MarketSpec]) -> None:
    from markets_listing.django_listing.models import Market, Position, Tag, User

    User.objects.bulk_create([User(username=name) for name in USERS], ignore_conflicts=True)
    Tag.objects.bulk_create([Tag(name=name) for name in TAGS], ignore_conflicts=True)
    users = {user.username: user for user in User.objects.all()}
    tags = {tag.name: tag for tag in Tag.objects.all()}
    markets = Market.objects.bulk_create(
        Market(
            id=spec.id,
            name=spec.name,
            slug=spec.slug,
            status=spec.status,
            creator=users[spec.creator],
            created_at=spec.created_at,
        )
        for spec in specs
    )
    links = Market.tags.through
    links.objects.bulk_create(
        links(market_id=market.pk, tag_id=tags[name].pk)
        for market, spec in zip(markets, specs, strict=True)
        for name in spec.tags
    )
    Position.objects.bulk_create(
        Position(market=market, user=users[user], side=side, amount=Decimal(amount))
        for market, spec in zip(markets, specs, strict=True)
        for user, side, amount in spec.positions
    )
    for market, spec in zip(markets, specs, strict=True):
        if spec.updated_at is not None:  # auto_now overrides it on save; update() does not
            Market.objects.filter(pk=market.pk).update(updated_at=spec.updated_at)


@contextmanager
def django_position_loads() -> Iterator[list[object]]:
    """Every Position instance Django builds inside the block."""
    from django.db.models.signals import post_init

    from markets_listing.django_listing.models import Position

    loaded: list[object] = []

    def record(sender: type, instance: object, **kwargs: Any) -> None:
        loaded.append(instance)

    post_init.connect(record, sender=Position, weak=False)
    try:
        yield loaded
    finally:
        post_init.disconnect(record, sender=Position)


@pytest.fixture
def django_seed(db: None) -> Callable[[Sequence[MarketSpec]], None]:
    """Seed the Django test database (the fixture also grants database access)."""
    return seed_django


@pytest.fixture
def count_django_position_loads() -> Callable[[], AbstractContextManager[list[object]]]:
    return django_position_loads


# ------------------------------------------------------------------------------- SQLAlchemy


def enforce_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite ignores foreign keys unless each connection asks; PostgreSQL always checks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@pytest.fixture
def sa_engine(postgresql_url: str | None) -> Iterator[Engine]:
    """The lab's tables on this test's database, empty: in-memory SQLite shared across
    threads, or the scratch PostgreSQL database when `DATABASE_URL` is set.

    On PostgreSQL the engine (and the tables) outlive the test; its connections and its
    compiled statements do not: `dispose()` closes every connection before the tables are
    emptied, and the cache is cleared, so a test that adds a relationship to a model gets
    statements compiled against the model as it is now.
    """
    from markets_listing.db import Base

    if postgresql_url is None:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        event.listen(engine, "connect", enforce_sqlite_foreign_keys)
        Base.metadata.create_all(engine)
    else:
        engine = server_engine(postgresql_url, create_engine, Base.metadata)
    yield engine
    engine.dispose()
    engine.clear_compiled_cache()


@pytest.fixture
def sa_session_factory(sa_engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(sa_engine)


def seed_sqlalchemy(session_factory: sessionmaker[Session], specs: Sequence[MarketSpec]) -> None:
    from sqlalchemy import select

    from markets_listing.db import Market, Position, Side, Status, Tag, User

    with session_factory.begin() as session:
        users = {user.username: user for user in session.scalars(select(User))}
        for name in set(USERS) - users.keys():
            users[name] = User(username=name)
        tags = {tag.name: tag for tag in session.scalars(select(Tag))}
        for name in set(TAGS) - tags.keys():
            tags[name] = Tag(name=name)
        for spec in specs:
            market = Market(
                id=spec.id,
                name=spec.name,
                slug=spec.slug,
                status=Status(spec.status),
                creator=users[spec.creator],
                created_at=spec.created_at,
                tags=[tags[name] for name in spec.tags],
            )
            if spec.updated_at is not None:
                market.updated_at = spec.updated_at
            market.positions = [
                Position(user=users[user], side=Side(side), amount=Decimal(amount))
                for user, side, amount in spec.positions
            ]
            session.add(market)


@contextmanager
def sqlalchemy_position_loads() -> Iterator[list[object]]:
    """Every Position instance SQLAlchemy loads from a row inside the block."""
    from markets_listing.db import Position

    loaded: list[object] = []

    def record(target: object, context: Any) -> None:
        loaded.append(target)

    event.listen(Position, "load", record)
    try:
        yield loaded
    finally:
        event.remove(Position, "load", record)


class RecordingSessionmaker(sessionmaker[Session]):
    """A sessionmaker that keeps every session it makes, to check they were all closed."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.opened: list[Session] = []

    def __call__(self, **local_kw: Any) -> Session:
        session = super().__call__(**local_kw)
        self.opened.append(session)
        return session


@pytest.fixture
def recording_session_factory(sa_engine: Engine) -> Iterator[RecordingSessionmaker]:
    """A session factory for an app under test; `.opened` lists the sessions it handed out."""
    factory = RecordingSessionmaker(sa_engine)
    yield factory
    for session in factory.opened:  # a leaked session must not outlive its test
        session.close()


@pytest.fixture
def sa_seed(sa_session_factory: sessionmaker[Session]) -> Callable[[Sequence[MarketSpec]], None]:
    return lambda specs: seed_sqlalchemy(sa_session_factory, specs)


@pytest.fixture
def count_sqlalchemy_position_loads() -> Callable[[], AbstractContextManager[list[object]]]:
    return sqlalchemy_position_loads


# ------------------------------------------------------------------------------- stacks


@dataclass(frozen=True)
class Stack:
    """One framework's side of the behavioural suite."""

    name: str
    client: HttpClient
    seed: Callable[[Sequence[MarketSpec]], None]
    count_queries: Callable[[], AbstractContextManager[Queries]]
    count_position_loads: Callable[[], AbstractContextManager[list[object]]]


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Stack:
    """`@pytest.mark.parametrize("stack", [...], indirect=True)` with django/fastapi/flask.

    The django parameter carries `pytest.mark.django_db`: pytest-django only creates the test
    database when a collected test asks for it by marker or fixture name.
    """
    name: str = request.param
    if name == "django":
        return Stack(name, as_client("django"), seed_django, count_django_queries,
                     django_position_loads)  # fmt: skip
    engine: Engine = request.getfixturevalue("sa_engine")
    factory: sessionmaker[Session] = request.getfixturevalue("sa_session_factory")
    if name == "fastapi":
        from markets_listing.fastapi_app import create_app as create_fastapi_app

        app: Any = create_fastapi_app(factory)
    else:
        from markets_listing.flask_app import create_app as create_flask_app

        app = create_flask_app(factory)
    return Stack(
        name,
        as_client(app),
        lambda specs: seed_sqlalchemy(factory, specs),
        lambda: count_sqlalchemy_queries(engine),
        sqlalchemy_position_loads,
    )


@pytest.fixture
def fastapi_app(sa_session_factory: sessionmaker[Session]) -> Any:
    """The FastAPI app over a fresh database holding `KNOWN_MARKETS` (market 1 among them).

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_listing.fastapi_app import create_app

    seed_sqlalchemy(sa_session_factory, KNOWN_MARKETS)
    return create_app(sa_session_factory)
