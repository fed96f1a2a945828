"""The SQLAlchemy 2 models shared by the FastAPI and Flask apps (given: you do not edit them).

Relationships keep SQLAlchemy's default `lazy="select"`, the setting that makes N+1 easy:
touching `market.creator` or `market.tags` on a market loaded without a loader option runs
one more query. The listing (task 3) must choose its loading strategy explicitly.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Column, DateTime, Enum, ForeignKey, Numeric, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Role(enum.StrEnum):
    TRADER = "trader"
    MODERATOR = "moderator"


class Status(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    RESOLVED = "resolved"


class Side(enum.StrEnum):
    YES = "yes"
    NO = "no"


def str_enum(cls: type[enum.StrEnum]) -> Enum:
    """Store a StrEnum's values ("active"), not its member names ("ACTIVE"), as VARCHAR."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda c: [m.value for m in c])


def utcnow() -> datetime:
    return datetime.now(UTC)


market_tags = Table(
    "market_tags",
    Base.metadata,
    Column("market_id", ForeignKey("markets.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.TRADER)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


class Market(Base):
    __tablename__ = "markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.DRAFT)
    volume: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"))
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    creator: Mapped[User] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=market_tags)
    positions: Mapped[list[Position]] = relationship(back_populates="market")


class Position(Base):
    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    side: Mapped[Side] = mapped_column(str_enum(Side))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    market: Mapped[Market] = relationship(back_populates="positions")
    user: Mapped[User] = relationship()
