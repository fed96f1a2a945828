"""Notebook 13's jobs. RQ runs a job by its dotted name (`workbook_helpers.nb13_jobs.…`), so
jobs live in an importable module, never in a cell (RQ refuses functions from `__main__`).

The jobs send a *welcome notice* to a new user through a fake notification service: a Redis
hash of sent notices (what a real provider's dashboard would list). The notebook teaches on
this job; lab 13 asks for another one (indexing markets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "nb13_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)


class UserMissing(LookupError):
    pass


@dataclass
class Env:
    sessions: sessionmaker[Session]
    redis: Any  # the notification service's storage
    fail_next: int = 0  # the notification service refuses this many sends, then recovers


ENV: Env | None = None


def configure(sessions: sessionmaker[Session], redis: Any) -> Env:
    global ENV
    ENV = Env(sessions, redis)
    return ENV


def _username(user_id: int) -> str:
    assert ENV is not None
    with ENV.sessions() as session:
        name = session.scalar(select(User.username).where(User.id == user_id))
    if name is None:
        raise UserMissing(f"user {user_id} is not in the database")
    return name


def _deliver(key: str, text: str, *, dedupe: bool) -> bool:
    """The notification service: `dedupe` is its idempotency key support (HSETNX)."""
    assert ENV is not None
    if ENV.fail_next > 0:
        ENV.fail_next -= 1
        raise ConnectionError("notification service unavailable")
    if dedupe:
        return bool(ENV.redis.hsetnx("nb13:notices", key, text))
    n = ENV.redis.incr("nb13:notice_seq")
    ENV.redis.hset("nb13:notices", f"{key}#{n}", text)
    return True


def sent() -> list[str]:
    assert ENV is not None
    return sorted(v.decode() for v in ENV.redis.hvals("nb13:notices"))


def send_welcome_naive(user_id: int) -> str:
    """Sends every time it runs: a retried or redelivered job sends twice."""
    text = f"Welcome, {_username(user_id)}!"
    _deliver(f"welcome:{user_id}", text, dedupe=False)
    return text


def send_welcome(user_id: int) -> str:
    """Idempotent: the send carries a key of its own; the service drops a repeat."""
    text = f"Welcome, {_username(user_id)}!"
    _deliver(f"welcome:{user_id}", text, dedupe=True)
    return text


def send_welcome_to(user: User) -> str:
    """The trap: handed the ORM object, pickled when it was enqueued."""
    text = f"Welcome, {user.username}!"
    _deliver(f"welcome:{user.id}", text, dedupe=True)
    return text


def slow_notice(path: str, n: int) -> None:
    """For the thread-queue demo: 0.2 s of work, then a line in `path`."""
    import time

    time.sleep(0.2)
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"notice {n}\n")


def noop(n: int) -> int:
    return n
