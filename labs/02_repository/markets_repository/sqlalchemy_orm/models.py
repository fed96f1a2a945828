"""SQLAlchemy 2 tables for DESIGN §2's markets, typed with `Mapped[...]`. Given."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Numeric,
    String,
    Table,
    TypeDecorator,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every database.

    `DateTime(timezone=True)` hands back naive datetimes on SQLite, which stores no offset;
    this type stores UTC and re-attaches the offset, so code above it never sees a naive value.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


market_tags = Table(
    "market_tags",
    Base.metadata,
    Column("market_id", ForeignKey("market.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class UserRow(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="member")


class TagRow(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class MarketRow(Base):
    __tablename__ = "market"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Indexed: "markets by volume" is the listing clients page through most.
    volume: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    creator: Mapped[UserRow] = relationship()
    tags: Mapped[set[TagRow]] = relationship(secondary=market_tags)


def enforce_foreign_keys(engine: Engine) -> Engine:
    """SQLite checks foreign keys — and runs `ON DELETE CASCADE` — only on a connection that
    asked with `PRAGMA foreign_keys=ON` (Django asks for its connections; SQLAlchemy does not).
    Without it, a bulk `DELETE FROM market` leaves the market's `market_tags` rows behind, and
    the next market that reuses the id inherits its tags. Other databases always enforce them.
    """
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _foreign_keys_on)
    return engine


def _foreign_keys_on(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
