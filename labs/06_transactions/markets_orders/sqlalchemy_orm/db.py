"""Engine and session factory. Given.

A PostgreSQL URL (`postgresql+psycopg://…`) gets a plain engine: PostgreSQL locks rows,
enforces foreign keys and runs each transaction at READ COMMITTED, its default. SQLite needs
three adjustments to behave like a server database under concurrent writers:

- Python's sqlite3 driver opens transactions lazily and emits no SAVEPOINT-safe BEGIN, so we
  switch its own handling off and emit BEGIN ourselves (the recipe in SQLAlchemy's pysqlite
  docs); without it `session.begin_nested()` does not work.
- Our BEGIN is `BEGIN IMMEDIATE`: a transaction takes SQLite's single write lock when it
  starts, and other writers wait (up to `timeout` seconds) instead of failing with
  "database is locked" half-way through. SQLite has one writer at a time; PostgreSQL locks
  rows, so the services must be correct without relying on this.
- `PRAGMA foreign_keys=ON` on every connection: SQLite accepts a position for a market that
  does not exist unless asked to check, per connection; PostgreSQL always checks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from markets_orders.sqlalchemy_orm.models import Base


def make_engine(url: str, *, timeout: float = 5.0) -> Engine:
    """An engine for `url`; a SQLite URL gets the set-up described above."""
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": timeout, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _driver_transactions_off(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """Create the tables and return the session factory the services and apps use."""
    Base.metadata.create_all(engine)
    return sessionmaker(engine, expire_on_commit=False)
