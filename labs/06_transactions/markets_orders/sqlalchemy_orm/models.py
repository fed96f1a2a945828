"""SQLAlchemy 2 tables for users with a balance, markets, positions, idempotency keys. Given."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Numeric, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out (SQLite stores no offset; this re-attaches it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware UTC datetimes")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "orders_user"
    # The last line of defence: a bug that overdraws fails loudly instead of silently.
    __table_args__ = (CheckConstraint("balance >= 0", name="orders_user_balance_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))


class Market(Base):
    __tablename__ = "orders_market"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft|active|closed|…
    volume: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"))
    creator_id: Mapped[int] = mapped_column(ForeignKey("orders_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Position(Base):
    __tablename__ = "orders_position"

    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("orders_market.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("orders_user.id"))
    side: Mapped[str] = mapped_column(String(3))  # yes|no
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IdempotencyRecord(Base):
    """The first answer to a request that carried an `Idempotency-Key`, per user."""

    __tablename__ = "orders_idempotencyrecord"

    user_id: Mapped[int] = mapped_column(ForeignKey("orders_user.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)  # one record per user + key
    fingerprint: Mapped[str] = mapped_column(String(64))  # orders.request_fingerprint(...)
    position_id: Mapped[int] = mapped_column(ForeignKey("orders_position.id"))
    balance_after: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
