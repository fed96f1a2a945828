"""Lab 06 set-up: SQLite files by default, the PostgreSQL server when `DATABASE_URL` is set.

On SQLite, files, not `:memory:`: an in-memory SQLite database belongs to one connection, and
the concurrency tests open one connection per thread. Both ORMs begin transactions with
`BEGIN IMMEDIATE` there (see `markets_orders.sqlalchemy_orm.db`), so concurrent writers queue
for SQLite's write lock instead of failing half-way with "database is locked". That lock also
hides the races this lab is about, so the SQLite runs force them (`Window`, below), and the
PostgreSQL runs race real transactions (`rendezvous`, below; tests marked `postgresql_only`).

With `DATABASE_URL` set, Django's database is replaced by that server (the workbook's
`configure_django` does it) and the SQLAlchemy engine uses the plugin's `postgresql_url`.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from patterns_workbook.testing.database import server_engine, sqlite_engine
from patterns_workbook.testing.django_settings import configure_django

# One folder per pytest process, so two runs of this lab never share a database file.
TEST_DIR = Path(tempfile.mkdtemp(prefix="workbook-06-"))
TEST_DB = TEST_DIR / "django.sqlite3"


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=["rest_framework", "markets_orders.django_orm"],
        root_urlconf="markets_orders.django_orm.urls",
        rest_framework={"EXCEPTION_HANDLER": "markets_orders.django_orm.views.exception_handler"},
        databases={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(TEST_DB),
                # synchronous=OFF: tests need no durability across power cuts, and fsync on
                # every commit would triple the lab's run time.
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 5,
                    "init_command": "PRAGMA synchronous=OFF",
                },
                "TEST": {"NAME": str(TEST_DB)},
            }
        },
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(TEST_DIR, ignore_errors=True)


Ready = Callable[[], None]


@pytest.fixture
def run_together() -> Callable[..., list[object]]:
    """`run_together(n, work, cleanup=None)`: n threads run `work(i, ready)` at once.

    Each thread prepares (loads its rows, as a web request would), calls `ready()` and then
    acts; `ready()` returns in every thread at the same moment, so the actions collide on
    every run. Returns each thread's result, or the exception it raised.
    """

    def run(n: int, work: Callable[[int, Ready], object], cleanup: Ready | None = None) -> list:
        barrier = threading.Barrier(n, timeout=10)
        results: list[object] = [None] * n

        def thread(i: int) -> None:
            try:
                results[i] = work(i, barrier.wait)
            except Exception as exc:
                results[i] = exc
            finally:
                if cleanup is not None:
                    cleanup()

        threads = [threading.Thread(target=thread, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=20)
        return results

    return run


@pytest.fixture
def database_url(postgresql_url: str | None) -> str:
    """The SQLAlchemy tests' database: this process's PostgreSQL database, or a SQLite file."""
    return postgresql_url or f"sqlite:///{TEST_DIR / 'sqlalchemy.sqlite3'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """One engine per process, on either database: a new one per test would compile every
    statement again (the cache belongs to the engine) and, on PostgreSQL, ask the server about
    itself each time. Disposed after every test all the same, so no connection outlives the
    test that opened it; then the rows are deleted (SQLite) or truncated (the plugin, on
    PostgreSQL)."""
    from markets_orders.sqlalchemy_orm.db import make_engine
    from markets_orders.sqlalchemy_orm.models import Base

    def sqlite() -> Engine:
        engine = make_engine(database_url)
        event.listen(engine, "connect", _no_fsync)
        return engine

    if not database_url.startswith("sqlite"):
        engine = server_engine(database_url, make_engine)
        yield engine
        engine.dispose()
        return
    with sqlite_engine("lab06", sqlite, Base.metadata) as engine:
        yield engine
        engine.dispose()


_SESSIONS: dict[Engine, sessionmaker[Session]] = {}


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory over the engine; `make_sessions` creates the tables, once per
    process (they are emptied after each test, not dropped)."""
    from markets_orders.sqlalchemy_orm.db import make_sessions

    if engine not in _SESSIONS:
        _SESSIONS[engine] = make_sessions(engine)
    return _SESSIONS[engine]


@pytest.fixture
def fastapi_app(sessions: sessionmaker[Session]) -> Any:
    """The FastAPI app over a fresh database: user 1 with 100.00 and active market 1.

    For the maintainer suite's OpenAPI fuzzing (schemathesis), so that `POST /orders` can
    answer 201; no lab test requests it.
    """
    from decimal import Decimal

    from markets_orders.fastapi_app import create_app
    from markets_orders.sqlalchemy_orm.models import Market, User

    with sessions.begin() as session:
        session.add(User(id=1, username="alice", balance=Decimal("100.00")))
        session.flush()
        session.add(Market(id=1, name="Rain", slug="rain", status="active", creator_id=1))
    return create_app(sessions)


def _no_fsync(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")  # as for Django above: speed, not safety


def django_url() -> str:
    """Django's test database as a SQLAlchemy URL (SQLite file or PostgreSQL), for `peek`."""
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


@functools.cache
def _unpooled(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool)  # NullPool: each connection closes after use


def peek(url: str, sql: str) -> Any:
    """`sql`'s first value as another request sees it: a new connection, committed rows only."""
    with _unpooled(url).connect() as conn:
        return conn.scalar(text(sql))


@pytest.fixture
def sqlalchemy_peek(database_url: str) -> Callable[[str], Any]:
    """`sqlalchemy_peek(sql)`: what another connection to the SQLAlchemy tests' database sees."""
    return lambda sql: peek(database_url, sql)


@pytest.fixture
def django_peek() -> Callable[[str], Any]:
    """`django_peek(sql)`: what another connection to Django's test database sees."""
    return lambda sql: peek(django_url(), sql)


# ------------------------------------------------------------------ the database says no
#
# A test that needs a write to fail (as a constraint would) installs a trigger that refuses
# every INSERT into one table, in each database's own dialect, and removes it afterwards.

REFUSED = "refused by the database (test trigger)"


def _refusing_trigger(dialect: str, table: str) -> tuple[list[str], list[str]]:
    """(SQL that makes the database refuse INSERTs into `table`, SQL that undoes it)."""
    trigger = f"refuse_{table}"
    if dialect == "sqlite":
        return (
            [
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            ],
            [f"DROP TRIGGER IF EXISTS {trigger}"],
        )
    if dialect == "postgresql":
        # SQLSTATE 23000 (integrity_constraint_violation): the drivers raise IntegrityError,
        # as SQLite's RAISE(ABORT) in a trigger does.
        return (
            [
                f"CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{REFUSED}' "
                "USING ERRCODE = 'integrity_constraint_violation'; END $$",
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {trigger}()",
            ],
            [
                f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
                f"DROP FUNCTION IF EXISTS {trigger}()",
            ],
        )
    raise NotImplementedError(f"no refusing trigger for {dialect}")


@pytest.fixture
def refuse_inserts() -> Iterator[Callable[[Callable[[str], object], str, str], None]]:
    """`refuse_inserts(execute, dialect, table)`: INSERTs into `table` fail until the test ends.

    `execute(sql)` runs one statement and commits it; `dialect` is "sqlite" or "postgresql".
    """
    undo: list[tuple[Callable[[str], object], list[str]]] = []

    def refuse(execute: Callable[[str], object], dialect: str, table: str) -> None:
        create, drop = _refusing_trigger(dialect, table)
        for sql in create:
            execute(sql)
        undo.append((execute, drop))

    yield refuse
    for execute, drop in reversed(undo):
        for sql in drop:
            execute(sql)


# ------------------------------------------------------------------ an observer
#
# `before_insert(table, call)`: `call()` runs once, just before the service sends its first
# INSERT into `table` — on another connection, it asks what other requests can see then.


def _first_insert(table: str, call: Callable[[], object]) -> Callable[[str], None]:
    pattern = re.compile(rf"^\s*INSERT\s+INTO\s+\W?{re.escape(table)}\b", re.IGNORECASE)
    done: list[bool] = []

    def check(sql: str) -> None:
        if not done and pattern.search(sql):
            done.append(True)
            call()

    return check


@pytest.fixture
def sqlalchemy_before_insert(engine: Engine) -> Iterator[Callable[[str, Callable], None]]:
    listeners: list[Callable[..., None]] = []

    def watch(table: str, call: Callable[[], object]) -> None:
        check = _first_insert(table, call)

        def before(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
            check(sql)

        event.listen(engine, "before_cursor_execute", before)
        listeners.append(before)

    yield watch
    for listener in listeners:
        event.remove(engine, "before_cursor_execute", listener)


@pytest.fixture
def django_before_insert() -> Iterator[Callable[[str, Callable], None]]:
    from django.db import connection

    wrappers: list[Any] = []

    def watch(table: str, call: Callable[[], object]) -> None:
        check = _first_insert(table, call)

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            check(sql)
            return execute(sql, params, many, context)

        context = connection.execute_wrapper(wrapper)
        context.__enter__()
        wrappers.append(context)

    yield watch
    for context in reversed(wrappers):
        context.__exit__(None, None, None)


# ------------------------------------------------------------------ real races (PostgreSQL)
#
# On PostgreSQL the races are real: each request runs in its own thread, on its own
# connection, at READ COMMITTED. What makes them deterministic is *where* the threads meet:
# each waits right after its first statement on the watched table has returned (a lookup, a
# read, a locking read or an UPDATE), until every other thread has got as far — or is waiting
# for a row lock that a waiting thread holds, or has finished. So two plain reads both happen
# before either request writes (the lost update happens on every run), while a locking read
# or a conditional UPDATE makes the second request wait for the first (and the meeting does
# not deadlock on it).


class Rendezvous:
    """Where the threads of a real race meet: after each one's first statement on `table`."""

    def __init__(self, n: int, table: str, lock_waiters: Callable[[list[int]], set[int]]):
        self.n = n
        self.table = table
        self._name = re.compile(rf"\b{re.escape(table)}\b")
        self._lock_waiters = lock_waiters
        self._lock = threading.Lock()
        self._local = threading.local()
        self._pids: dict[int, int] = {}  # thread ident -> backend pid of its connection
        self._arrived: set[int] = set()
        self._finished: set[int] = set()
        self.met = 0  # threads that reached the meeting point

    @contextmanager
    def taking_part(self) -> Iterator[None]:
        """Wrap one request's work in its thread: its statements are watched."""
        me = threading.get_ident()
        self._local.part = True
        try:
            yield
        finally:
            self._local.part = False
            with self._lock:
                self._finished.add(me)

    def before(self, sql: str, pid: int) -> None:
        """Before each statement: remember which server process runs this thread's SQL."""
        if getattr(self._local, "part", False):
            with self._lock:
                self._pids[threading.get_ident()] = pid

    def after(self, sql: str) -> None:
        """After each statement: the thread's first statement on the table waits for the rest."""
        me = threading.get_ident()
        if not getattr(self._local, "part", False) or me in self._arrived:
            return
        if not self._name.search(sql):
            return
        with self._lock:
            self._arrived.add(me)
            self.met += 1
        deadline = time.monotonic() + 5
        while not self._everyone_else_is_here(me):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the test's {self.n} concurrent requests never all reached their first "
                    f"statement on {self.table} within 5 s ({self.met} did)"
                )
            time.sleep(0.002)

    def _everyone_else_is_here(self, me: int) -> bool:
        with self._lock:
            others = [t for t in self._pids if t != me]
            missing = [t for t in others if t not in self._arrived | self._finished]
            known = len(self._pids) + len(self._finished - set(self._pids))
            if known < self.n:
                return False  # a thread has not sent any SQL yet
            if not missing:
                return True
            pids = [self._pids[t] for t in missing]
        return set(pids) <= self._lock_waiters(pids)


def _lock_waiters(url: str) -> tuple[Callable[[list[int]], set[int]], Callable[[], None]]:
    """(which of these backend pids wait for a lock, close the monitoring connection)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    monitor = psycopg.connect(
        host=u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        dbname=u.database,
        autocommit=True,
    )
    lock = threading.Lock()

    def waiting(pids: list[int]) -> set[int]:
        with lock:
            rows = monitor.execute(
                "SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s) AND wait_event_type = 'Lock'",
                [pids],
            ).fetchall()
        return {pid for (pid,) in rows}

    return waiting, monitor.close


@pytest.fixture
def sqlalchemy_rendezvous(engine: Engine) -> Iterator[Callable[[int, str], Rendezvous]]:
    """`sqlalchemy_rendezvous(n, table)`: a `Rendezvous` watching the test engine's SQL."""
    closers: list[Callable[[], None]] = []
    listeners: list[tuple[str, Callable[..., None]]] = []

    def make(n: int, table: str) -> Rendezvous:
        waiting, close = _lock_waiters(engine.url.render_as_string(hide_password=False))
        closers.append(close)
        meet = Rendezvous(n, table, waiting)

        def before(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
            meet.before(sql, cursor.connection.info.backend_pid)

        def after(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
            meet.after(sql)

        for name, listener in (("before_cursor_execute", before), ("after_cursor_execute", after)):
            event.listen(engine, name, listener)
            listeners.append((name, listener))
        return meet

    yield make
    for name, listener in listeners:
        event.remove(engine, name, listener)
    for close in closers:
        close()


@pytest.fixture
def django_rendezvous() -> Iterator[Callable[[int, str], Rendezvous]]:
    """`django_rendezvous(n, table)`: a `Rendezvous`; each thread wraps its work in
    `with meet.taking_part(), watched(meet):` so that its own connection is watched."""
    closers: list[Callable[[], None]] = []

    def make(n: int, table: str) -> Rendezvous:
        waiting, close = _lock_waiters(django_url())
        closers.append(close)
        return Rendezvous(n, table, waiting)

    yield make
    for close in closers:
        close()


@contextmanager
def django_watched(meet: Rendezvous) -> Iterator[None]:
    """Watch the SQL of this thread's Django connection for `meet`."""
    from django.db import connection

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        meet.before(sql, context["connection"].connection.info.backend_pid)
        try:
            return execute(sql, params, many, context)
        finally:
            meet.after(sql)

    with meet.taking_part(), connection.execute_wrapper(wrapper):
        yield


@pytest.fixture
def watched() -> Callable[[Rendezvous], Any]:
    """`with watched(meet):` in a Django thread: that thread takes part in `meet`."""
    return django_watched


# ------------------------------------------------------------------ forced interleavings
#
# DESIGN §3, "Races are tested where they can happen". SQLite's BEGIN IMMEDIATE serializes
# writers, so threads alone never show the lost update that PostgreSQL (READ COMMITTED)
# allows: a read-check-write that passes the thread tests on SQLite can lose money in
# production. `Window` plays PostgreSQL's rules on SQLite, deterministically, around one
# table, by watching the SQL the service sends:
#
# - plain reads do not lock: with `stale_reads=True` a competing request has committed (the
#   test runs it first) but every plain read of the table before the service's first write
#   to it returns the rows as they were before that commit, as if it read just before;
# - a write or a locking read (`select_for_update()`, `with_for_update()`) takes the row
#   lock: later reads see the latest rows, and a competitor given as `after_lock` runs only
#   once the lock is released: at once in autocommit, else when the transaction ends.
#
# The tests that use it are `sqlite_only`: on PostgreSQL the same races run for real
# (`Rendezvous`, above).

LOCKING_READ = "/* FOR UPDATE */"  # SQLite has no FOR UPDATE: the tests make it print this
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class Window:
    """What the service did to one table while a test held the window open."""

    def __init__(
        self,
        table: str,
        *,
        stale_reads: bool = False,
        after_lock: Callable[[], object] | None = None,
    ) -> None:
        self.table = table
        self.stale_table = f"stale_{table}" if stale_reads else None
        self._name = re.compile(rf"\b{re.escape(table)}\b")
        self._after_lock = after_lock
        self.locked = False  # the service wrote the table or read it with a lock
        self.stale_reads = 0  # plain reads answered with the rows before the competitor's commit
        self.competitor_ran = False
        self._pending = False
        self._busy = False  # the competitor's or the observer's own SQL passes through too

    def before(self, sql: str, in_transaction: bool) -> str:
        """Called before each statement on the service's connection; returns the SQL to run."""
        if self._busy:
            return sql
        if self._pending and not in_transaction:
            self._run_competitor()
        if not self._name.search(sql):
            return sql
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in WRITES or LOCKING_READ in sql:
            if not self.locked and self._after_lock is not None:
                self._pending = True
            self.locked = True
        elif verb == "SELECT" and not self.locked and self.stale_table is not None:
            self.stale_reads += 1
            return self._name.sub(self.stale_table, sql)
        return sql

    def after(self, in_transaction: bool) -> None:
        """Called after each statement: a lock taken in autocommit is released at once."""
        if self._pending and not in_transaction and not self._busy:
            self._run_competitor()

    def close(self) -> None:
        """The service returned: a competitor still waiting for the lock runs now."""
        if self._pending:
            self._run_competitor()

    def _run_competitor(self) -> None:
        self._pending = False
        self.competitor_ran = True
        assert self._after_lock is not None
        self._run(self._after_lock)

    def _run(self, call: Callable[[], object]) -> None:
        self._busy = True
        try:
            call()
        finally:
            self._busy = False


@pytest.fixture
def django_window(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`with django_window(table, ...) as window:` opens a `Window` on Django's connection.

    `competitor` (with `stale_reads=True`) runs after the snapshot of the table and before
    the window opens: a request that commits between the service's read and its write.
    """
    from django.db import connection

    monkeypatch.setattr(connection.features, "has_select_for_update", True)
    monkeypatch.setattr(connection.ops, "for_update_sql", lambda **kw: LOCKING_READ)

    @contextmanager
    def window(
        table: str, *, competitor: Callable[[], object] | None = None, **kw: Any
    ) -> Iterator[Window]:
        win = Window(table, **kw)
        if win.stale_table:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TABLE {win.stale_table} AS SELECT * FROM {table}")
        if competitor is not None:
            competitor()

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            db = context["connection"].connection
            sql = win.before(sql, db.in_transaction)
            try:
                return execute(sql, params, many, context)
            finally:
                win.after(db.in_transaction)

        try:
            with connection.execute_wrapper(wrapper):
                yield win
                win.close()
        finally:
            if win.stale_table:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {win.stale_table}")

    return window


@pytest.fixture
def sqlalchemy_window(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`with sqlalchemy_window(table, ...) as window:` opens a `Window` on the test engine.

    The engine outlives the test, and so would the statements it compiled: its cache is
    cleared on the way in (so `FOR UPDATE` compiles to the marker) and on the way out (so no
    other test gets the marker).
    """
    from sqlalchemy import text
    from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

    monkeypatch.setattr(
        SQLiteCompiler, "for_update_clause", lambda self, select, **kw: f" {LOCKING_READ}"
    )
    engine.clear_compiled_cache()

    @contextmanager
    def window(
        table: str, *, competitor: Callable[[], object] | None = None, **kw: Any
    ) -> Iterator[Window]:
        win = Window(table, **kw)
        if win.stale_table:
            with engine.begin() as conn:
                conn.execute(text(f"CREATE TABLE {win.stale_table} AS SELECT * FROM {table}"))
        if competitor is not None:
            competitor()

        def before(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool):
            return win.before(sql, cursor.connection.in_transaction), params

        def after(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool):
            win.after(cursor.connection.in_transaction)

        event.listen(engine, "before_cursor_execute", before, retval=True)
        event.listen(engine, "after_cursor_execute", after)
        try:
            yield win
            win.close()
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
            if win.stale_table:
                with engine.begin() as conn:
                    conn.execute(text(f"DROP TABLE IF EXISTS {win.stale_table}"))

    yield window
    engine.clear_compiled_cache()
