"""Lab 06 set-up: Django on a SQLite file, SQLAlchemy sessions on a SQLite file per test.

Files, not `:memory:`: an in-memory SQLite database belongs to one connection, and the
concurrency tests open one connection per thread. Both ORMs begin transactions with
`BEGIN IMMEDIATE` (see `markets_orders.sqlalchemy_orm.db`), so concurrent writers queue for
SQLite's write lock instead of failing half-way with "database is locked".
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
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


def _no_fsync(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")  # as for Django above: speed, not safety
