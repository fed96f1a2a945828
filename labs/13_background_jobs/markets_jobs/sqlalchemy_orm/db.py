"""Engine and session factory. Given.

SQLite checks foreign keys only when asked, per connection (`PRAGMA foreign_keys=ON`);
PostgreSQL always does. Sessions keep loaded values after commit (`expire_on_commit=False`),
so a service can hand its caller the row it has just committed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
