"""Lab 13 set-up: an RQ queue on Redis, the search index, and the API in three frameworks.

Redis comes from the workbook's factory (fakeredis; the server at `REDIS_URL` when set), as a
client RQ can use (`decode_responses=False`: RQ stores pickles). Rows live in SQLite files —
one for Django, one for SQLAlchemy — or on the PostgreSQL server when `DATABASE_URL` is set.
Files, not `:memory:`: the point of the lab is what *another* connection (the worker's) sees,
and an in-memory SQLite database has only one connection.

Django's tests run with `transaction=True` (pytest-django's transactional database): inside
the usual per-test transaction nothing ever commits, so `on_commit` would never fire.
"""

from __future__ import annotations

import functools
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import redis as redis_py
from redis.backoff import NoBackoff
from redis.exceptions import ReadOnlyError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeout
from redis.retry import Retry
from rq import Queue
from rq.job import Job
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from markets_jobs import worker
from markets_jobs.domain import MarketDoc
from markets_jobs.search import SearchIndex
from patterns_workbook.testing.database import server_engine, sqlite_engine
from patterns_workbook.testing.django_settings import configure_django
from patterns_workbook.testing.redis_factory import make_redis

TEST_DIR = Path(tempfile.mkdtemp(prefix="workbook-13-"))
DJANGO_DB = TEST_DIR / "django.sqlite3"
LATER = 24 * 3600  # seconds: run_jobs() moves the clock this far, so every retry is due

FRAMEWORKS = [
    pytest.param("django", marks=[pytest.mark.django, pytest.mark.django_db(transaction=True)]),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=["rest_framework", "markets_jobs.django_app"],
        root_urlconf="markets_jobs.django_app.urls",
        databases={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(DJANGO_DB),
                "OPTIONS": {"timeout": 5, "init_command": "PRAGMA synchronous=OFF"},
                "TEST": {"NAME": str(DJANGO_DB)},
            }
        },
        rest_framework={"EXCEPTION_HANDLER": "markets_jobs.django_app.views.exception_handler"},
        MARKETS_QUEUE=None,  # each test's `api` fixture sets its own queue
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(TEST_DIR, ignore_errors=True)


# ------------------------------------------------------------------------------ Redis, RQ


class WatchedQueue(Queue):
    """An `rq.Queue` that notes, as each job is enqueued, whether its market is committed.

    `peek(market_id)` asks another database connection (what a worker would use); it is set
    by the `api` fixture. Every way of putting a job on the queue (`enqueue`, `enqueue_call`,
    `enqueue_job`, `enqueue_many`, an immediate retry) passes through `_enqueue_job`.
    """

    peek: Callable[[int], bool] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[tuple[Any, bool | None]] = []  # (market id, committed then?)

    def _enqueue_job(self, job: Job, *args: Any, **kwargs: Any) -> Job:
        first = job.args[0] if job.args else job.kwargs.get("market_id")
        visible = None
        if self.peek is not None and isinstance(first, int) and not isinstance(first, bool):
            visible = self.peek(first)
        self.seen.append((first, visible))
        return super()._enqueue_job(job, *args, **kwargs)


def only_the_id(job: Job) -> int | None:
    """The market id when it is the job's only argument (by position or as market_id=)."""
    args, kwargs = tuple(job.args), dict(job.kwargs)
    value = args[0] if len(args) == 1 and not kwargs else kwargs.get("market_id")
    if len(args) + len(kwargs) != 1 or type(value) is not int:
        return None
    return value


@pytest.fixture
def rq_redis() -> Iterator[redis_py.Redis]:
    client = make_redis(decode_responses=False)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def queue(rq_redis: redis_py.Redis) -> WatchedQueue:
    return WatchedQueue("search", connection=rq_redis)


@pytest.fixture
def index(rq_redis: redis_py.Redis) -> SearchIndex:
    return SearchIndex(rq_redis)


@pytest.fixture
def run_jobs(queue: WatchedQueue) -> Callable[..., int]:
    """`run_jobs()`: a real burst worker runs every job, retries included (the clock is moved
    a day on, so every retry is due); `run_jobs(later=0)`: only what is due now."""

    def run(later: float = LATER) -> int:
        return worker.run_until_idle(queue, now=lambda: time.time() + later)

    return run


@pytest.fixture
def dead_queue() -> Queue:
    """A queue whose Redis is down: a port nobody listens on (refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # No retries: redis-py's default backoff would spend 4 s reconnecting per request.
    client = redis_py.Redis(
        host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    return Queue("search", connection=client)


class _FailingConnection(redis_py.Connection):
    """A connection to a Redis that is up but refuses the work: `error` on every use."""

    error: Exception

    def connect(self) -> None:
        raise self.error


def failing_queue(error: Exception) -> Queue:
    """A queue on a Redis whose every command raises `error` (no retries)."""
    connection_class = type("Failing", (_FailingConnection,), {"error": error})
    pool = redis_py.ConnectionPool(connection_class=connection_class)
    client = redis_py.Redis(connection_pool=pool, retry=Retry(NoBackoff(), 0))
    return Queue("search", connection=client)


@pytest.fixture
def redis_failures(dead_queue: Queue) -> list[tuple[str, Queue]]:
    """Every way Redis refuses an enqueue, each a `redis.exceptions.RedisError`, by name."""
    return [
        ("connection refused (ConnectionError)", dead_queue),
        ("a timeout (TimeoutError)", failing_queue(RedisTimeout("Timeout reading (test)"))),
        (
            "a read-only replica after a failover (ReadOnlyError)",
            failing_queue(ReadOnlyError("You can't write against a read only replica. (test)")),
        ),
        (
            "out of memory (ResponseError)",
            failing_queue(ResponseError("OOM command not allowed when used memory > 'maxmemory'.")),
        ),
    ]


class BuggyQueue(Queue):
    """A queue whose enqueue hits a bug (a TypeError), not a Redis failure."""

    def _enqueue_job(self, job: Job, *args: Any, **kwargs: Any) -> Job:
        raise TypeError("enqueue_job() got an unexpected keyword argument 'retries' (test)")


# ------------------------------------------------------------ markets without a database


@dataclass
class Catalog:
    """Markets the core tests' worker reads (in place of a database): `catalog.add(...)`."""

    markets: dict[int, MarketDoc] = field(default_factory=dict)
    reads: int = 0

    def add(self, name: str, slug: str) -> MarketDoc:
        market = MarketDoc(id=len(self.markets) + 7, name=name, slug=slug)
        self.markets[market.id] = market
        return market

    def rename(self, market_id: int, name: str, slug: str | None = None) -> MarketDoc:
        slug = slug or self.markets[market_id].slug
        market = self.markets[market_id] = MarketDoc(market_id, name, slug)
        return market

    def __call__(self, market_id: int) -> MarketDoc | None:
        self.reads += 1
        return self.markets.get(market_id)


@pytest.fixture
def catalog(index: SearchIndex) -> Catalog:
    """The worker configured over an in-memory catalog of markets and the test's index."""
    markets = Catalog()
    worker.configure(load_market=markets, index=index)
    return markets


# ------------------------------------------------------------------------------ databases


@pytest.fixture
def database_url(postgresql_url: str | None) -> str:
    return postgresql_url or f"sqlite:///{TEST_DIR / 'sqlalchemy.sqlite3'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    from markets_jobs.sqlalchemy_orm.db import make_engine
    from markets_jobs.sqlalchemy_orm.models import Base

    if not database_url.startswith("sqlite"):
        engine = server_engine(database_url, make_engine, Base.metadata)
        yield engine
        engine.dispose()
        return
    with sqlite_engine("lab13", lambda: make_engine(database_url), Base.metadata) as engine:
        yield engine
        engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    from markets_jobs.sqlalchemy_orm.db import make_sessions

    return make_sessions(engine)


@functools.cache
def _unpooled(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool)  # each connection closes after use


def peek(url: str, sql: str, **params: Any) -> Any:
    """`sql`'s first value as another connection sees it: committed rows only."""
    with _unpooled(url).connect() as conn:
        return conn.scalar(text(sql), params)


def django_url() -> str:
    """Django's test database as a SQLAlchemy URL (SQLite file or PostgreSQL)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return URL.create(
        "postgresql+psycopg",
        username=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=int(db["PORT"]) if db["PORT"] else None,
        database=db["NAME"],
    ).render_as_string(hide_password=False)


# ------------------------------------------------------------------------------ the API


@dataclass
class Api:
    """One framework's API over its database, the test's queue and the test's index."""

    framework: str
    client: Any  # patterns_workbook.testing.http.HttpClient
    queue: WatchedQueue
    index: SearchIndex
    store: ModuleType  # the given store module the framework's service writes through
    url: str  # the database, for another connection
    use_queue: Callable[[Queue], None]  # hand the app another queue (Redis down)
    insert: Callable[[str, str], int]  # a market stored directly (given code), its id

    def committed_markets(self) -> int:
        return peek(self.url, "SELECT count(*) FROM jobs_market")

    def committed(self, market_id: int) -> bool:
        return bool(peek(self.url, "SELECT count(*) FROM jobs_market WHERE id = :id", id=market_id))


@pytest.fixture(params=FRAMEWORKS)
def api(
    request: pytest.FixtureRequest, queue: WatchedQueue, index: SearchIndex, as_client: Any
) -> Iterator[Api]:
    if request.param == "django":
        yield from _django_api(queue, index, as_client)
    else:
        yield from _sqlalchemy_api(request, queue, index, as_client)


def _django_api(queue: WatchedQueue, index: SearchIndex, as_client: Any) -> Iterator[Api]:
    from django.conf import settings

    from markets_jobs.django_app import store
    from markets_jobs.domain import NewMarket

    url = django_url()
    worker.configure(load_market=store.load_market, index=index)

    def use_queue(q: Queue) -> None:
        settings.MARKETS_QUEUE = q

    def insert(name: str, slug: str) -> int:
        return store.insert_market(NewMarket(name, slug)).pk

    use_queue(queue)
    api = Api("django", as_client("django"), queue, index, store, url, use_queue, insert)
    queue.peek = api.committed
    yield api
    settings.MARKETS_QUEUE = None


def _sqlalchemy_api(
    request: pytest.FixtureRequest, queue: WatchedQueue, index: SearchIndex, as_client: Any
) -> Iterator[Api]:
    from markets_jobs.domain import NewMarket
    from markets_jobs.sqlalchemy_orm import store

    sessions: sessionmaker[Session] = request.getfixturevalue("sessions")
    url = request.getfixturevalue("database_url")
    worker.configure(load_market=store.loader(sessions), index=index)
    app, client = request.getfixturevalue(f"{request.param}_app_and_client")
    holder = app.state if request.param == "fastapi" else None

    def use_queue(q: Queue) -> None:
        if holder is not None:
            holder.queue = q
        else:
            from markets_jobs.flask_app import QUEUE

            app.extensions[QUEUE] = q

    def insert(name: str, slug: str) -> int:
        with sessions.begin() as session:
            return store.insert_market(session, NewMarket(name, slug)).id

    if holder is not None:
        holder.sessions = sessions
    else:
        from markets_jobs.flask_app import SESSIONS

        app.extensions[SESSIONS] = sessions
    use_queue(queue)
    api = Api(request.param, client, queue, index, store, url, use_queue, insert)
    queue.peek = api.committed
    yield api


@pytest.fixture(scope="session")
def fastapi_app_and_client() -> Iterator[tuple[Any, Any]]:
    from markets_jobs.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(None, None)  # type: ignore[arg-type]  # each test sets its own
    with as_client(app) as client:  # one app for the run: building one costs more than a test
        yield app, client


@pytest.fixture(scope="session")
def flask_app_and_client() -> tuple[Any, Any]:
    from markets_jobs.flask_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(None, None)  # type: ignore[arg-type]  # each test sets its own
    return app, as_client(app)


@pytest.fixture
def fastapi_app(sessions: sessionmaker[Session], queue: WatchedQueue) -> Any:
    """The FastAPI app over a fresh database holding market 1, and the test's queue, for the
    maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it."""
    from markets_jobs.domain import NewMarket
    from markets_jobs.fastapi_app import create_app
    from markets_jobs.sqlalchemy_orm import store

    with sessions.begin() as session:
        store.insert_market(session, NewMarket("Rain in Lisbon", "rain-lisbon"))
    return create_app(sessions, queue)
