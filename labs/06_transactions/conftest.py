"""Lab 06 set-up: Django on a SQLite file, SQLAlchemy sessions on a SQLite file per test.

Files, not `:memory:`: an in-memory SQLite database belongs to one connection, and the
concurrency tests open one connection per thread. Both ORMs begin transactions with
`BEGIN IMMEDIATE` (see `markets_orders.sqlalchemy_orm.db`), so concurrent writers queue for
SQLite's write lock instead of failing half-way with "database is locked".
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

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
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "orders.sqlite3"


@pytest.fixture
def engine(sqlite_file: Path) -> Iterator[Engine]:
    from markets_orders.sqlalchemy_orm.db import make_engine

    engine = make_engine(f"sqlite:///{sqlite_file}")
    event.listen(engine, "connect", _no_fsync)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    from markets_orders.sqlalchemy_orm.db import make_sessions

    return make_sessions(engine)


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
        session.add(Market(id=1, name="Rain", slug="rain", status="active", creator_id=1))
    return create_app(sessions)


def _no_fsync(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")  # as for Django above: speed, not safety


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
#   once the lock is released: at once in autocommit, else when the transaction ends;
# - `before_write` runs just before the service's first write to the table (an observer,
#   on another connection: what can other requests see at that moment?).

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
        before_write: Callable[[], object] | None = None,
    ) -> None:
        self.table = table
        self.stale_table = f"stale_{table}" if stale_reads else None
        self._name = re.compile(rf"\b{re.escape(table)}\b")
        self._after_lock = after_lock
        self._before_write = before_write
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
        if verb in WRITES and not self.locked and self._before_write is not None:
            self._run(self._before_write)
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
def sqlalchemy_window(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`with sqlalchemy_window(table, ...) as window:` opens a `Window` on the test engine."""
    from sqlalchemy import text
    from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

    monkeypatch.setattr(
        SQLiteCompiler, "for_update_clause", lambda self, select, **kw: f" {LOCKING_READ}"
    )

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

    return window
