"""The database a lab's tests run on: SQLite by default, PostgreSQL when `DATABASE_URL` is set.

One switch for every database lab, as `REDIS_URL` is for Redis (docs/design.md §6):

- `DATABASE_URL` unset → each lab's own SQLite databases, nothing to install.
- `DATABASE_URL=postgresql://user:password@host:port/db` → both ORMs run on that server:
  - Django: `configure_django` (django_settings.py) builds `DATABASES` from the URL with
    dj-database-url; pytest-django creates the test database and drops it at the end.
  - SQLAlchemy: the plugin's `postgresql_url` fixture gives a test the URL of a scratch
    database (psycopg 3), created once per pytest process, emptied after each test
    (`TRUNCATE … RESTART IDENTITY`) and dropped when the process ends.

Every name carries the process id (and the pytest-xdist worker, which pytest-django adds for
Django), so parallel runs — two labs, two workers, two maintainer checks — never share rows.
A server that cannot be reached is one `UsageError` line naming `DATABASE_URL`.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy import Engine, MetaData
    from sqlalchemy.engine import URL

ENV = "DATABASE_URL"
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
CONNECT_TIMEOUT = 5  # seconds to wait for the server before saying it cannot be reached
LOCK_TIMEOUT = "5s"  # emptying the tables waits this long for a connection a test left open
TRANSACTION_SETTINGS = ("ATOMIC_REQUESTS", "AUTOCOMMIT")  # kept from a lab's Django DATABASES


def server_url() -> URL | None:
    """`DATABASE_URL` as a SQLAlchemy URL with the psycopg 3 driver, or None when unset."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        url = make_url(raw)
    except ArgumentError:
        raise pytest.UsageError(f"{ENV} is not a database URL: {raw!r}") from None
    if url.drivername not in SCHEMES:
        raise pytest.UsageError(
            f"{ENV} must be a postgresql:// URL (SQLite needs no URL: unset it), "
            f"not {url.drivername}://"
        )
    _check_reachable(url)
    return url.set(drivername="postgresql+psycopg")


def on_postgresql() -> bool:
    return server_url() is not None


def shown(url: URL) -> str:
    """The URL as it may appear in a message: the password hidden."""
    return url.render_as_string(hide_password=True)


def django_databases(sqlite: dict[str, Any]) -> dict[str, Any]:
    """Django's `DATABASES`: the lab's SQLite `DATABASES`, or the server at `DATABASE_URL`.

    A lab without a database (`{}`) stays without one.
    """
    import dj_database_url

    url = server_url() if sqlite else None
    if url is None:
        return sqlite
    config = dj_database_url.parse(url.set(drivername="postgresql").render_as_string(False))
    # What the lab asks of its transactions holds on the server too; SQLite's OPTIONS do not.
    config.update({k: v for k, v in sqlite["default"].items() if k in TRANSACTION_SETTINGS})
    # pytest-django creates this database for the run (adding `_gw0` … under xdist) and
    # drops it at the end; the process id keeps two concurrent runs apart.
    config["TEST"] = {"NAME": scratch_name("django")}
    return {"default": config}


def scratch_name(kind: str) -> str:
    """A database name no concurrent run uses: `workbook_<kind>_<pid>`."""
    return f"workbook_{kind}_{os.getpid()}"


@functools.cache
def _check_reachable(url: URL) -> None:
    try:
        _connect(url).close()
    except Exception as error:  # psycopg.OperationalError, a DNS failure, a refused login…
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise pytest.UsageError(
            f"{ENV}={shown(url)}: cannot connect to PostgreSQL ({reason}). "
            f"Start the server, or unset {ENV} to run on SQLite."
        ) from None


def _connect(url: URL, database: str | None = None) -> psycopg.Connection[Any]:
    import psycopg

    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=database or url.database or "postgres",
        connect_timeout=CONNECT_TIMEOUT,
        autocommit=True,
    )


class ScratchDatabase:
    """A database of this process's own on the server, for SQLAlchemy tests."""

    def __init__(self, server: URL) -> None:
        self.server = server
        self.name = scratch_name("sqlalchemy")
        self.url = server.set(database=self.name)
        with _connect(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')
        self._conn = _connect(server, self.name)
        self._conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")

    def empty(self) -> None:
        """Empty every table and restart its ids, so the next test starts from nothing."""
        import psycopg

        rows = self._conn.execute(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        if not rows:
            return
        tables = ", ".join(name for (name,) in rows)
        try:
            self._conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        except psycopg.errors.LockNotAvailable:
            raise RuntimeError(
                f"a connection this test opened is still inside a transaction on {tables} "
                f"after {LOCK_TIMEOUT}: close every Session and dispose every engine the test "
                "creates (a thread that never finished counts too)"
            ) from None

    def drop(self) -> None:
        engine = _ENGINES.pop(self.url.render_as_string(hide_password=False), None)
        if engine is not None:
            engine.dispose()
        self._conn.close()
        with _connect(self.server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


_ENGINES: dict[str, Engine] = {}  # scratch database URL → its engine, for the whole run


def server_engine(
    url: str, make: Callable[[str], Engine], tables: MetaData | None = None
) -> Engine:
    """The engine of this process's scratch database at `url`: `make(url)` the first time
    (then `tables.create_all`), the same engine after. A new engine per test would ask the
    server about itself and check the tables again each time (~7 ms a test); the tables are
    emptied after each test anyway, and the engine is disposed when the database is dropped.
    """
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = make(url)
        if tables is not None:
            tables.create_all(engine)
    return engine


_SQLITE: dict[tuple[str, int], Engine] = {}  # (lab's key, tables) → this process's engine


@contextlib.contextmanager
def sqlite_engine(key: str, make: Callable[[], Engine], tables: MetaData) -> Iterator[Engine]:
    """This process's SQLite engine for `key`, its rows deleted when the block ends.

    `make()` builds it the first time — in memory it must keep its one database alive (e.g.
    `StaticPool`); a file needs nothing — then `tables.create_all`. A new engine per test
    costs its `create_all` and, above all, compiling every statement again: the compiled
    cache belongs to the engine (lab 02: ~0.5 s of a one-track run). Deleting the rows,
    children first, leaves the database as a new one: SQLite numbers the rows of an empty
    table from 1 again.
    """
    engine = _SQLITE.get((key, id(tables)))
    if engine is None:
        engine = _SQLITE[(key, id(tables))] = make()
        tables.create_all(engine)
    try:
        yield engine
    finally:
        with engine.begin() as connection:
            for table in reversed(tables.sorted_tables):
                connection.execute(table.delete())
            if connection.exec_driver_sql(_HAS_SEQUENCES).first():
                connection.exec_driver_sql("DELETE FROM sqlite_sequence")


_HAS_SEQUENCES = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"


def _connections_left(url: str) -> int:
    engine = _ENGINES.get(url)
    return engine.pool.checkedout() if engine is not None else 0


@pytest.fixture(scope="session")
def _scratch_database() -> Iterator[ScratchDatabase | None]:
    server = server_url()
    if server is None:
        yield None
        return
    scratch = ScratchDatabase(server)
    try:
        yield scratch
    finally:
        scratch.drop()


@pytest.fixture
def postgresql_url(_scratch_database: ScratchDatabase | None) -> Iterator[str | None]:
    """This test's PostgreSQL database for SQLAlchemy (a URL string), or None on SQLite.

    A lab's engine fixture writes `server_engine(postgresql_url, make_engine)` on
    PostgreSQL, `make_engine("sqlite://")` otherwise. When the test ends, no connection may
    still be checked out; then the tables are emptied.
    """
    if _scratch_database is None:
        yield None
        return
    url = _scratch_database.url.render_as_string(hide_password=False)
    yield url
    left = _connections_left(url)
    # a Session or Connection still checked out would hold its locks through the TRUNCATE
    assert left == 0, f"the test left {left} database connection(s) checked out: close them"
    _scratch_database.empty()
