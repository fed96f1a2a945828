"""SQLAlchemy 2 table and repository, shared by the FastAPI and Flask apps. Given.

Each repository call runs in its own short transaction (`sessionmaker.begin()`), so one
`MarketService` can serve every request. Lab 06 replaces this with a unit of work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric, String, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from .domain import MAX_ID, NAME_MAX_LENGTH, SLUG_MAX_LENGTH, Conflict, Market, Status


class Base(DeclarativeBase):
    pass


class MarketRow(Base):
    __tablename__ = "service_markets"

    # BIGINT, as Django's BigAutoField: any id up to MAX_ID fits. SQLite auto-increments
    # only an INTEGER PRIMARY KEY (64-bit there anyway), hence the variant.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    volume: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def to_domain(self) -> Market:
        created = self.created_at
        if created.tzinfo is None:  # SQLite stores no offset; every timestamp here is UTC
            created = created.replace(tzinfo=UTC)
        return Market(
            id=self.id,
            name=self.name,
            slug=self.slug,
            status=Status(self.status),
            volume=self.volume,
            created_at=created,
        )


def make_engine(url: str = "sqlite://") -> Engine:
    """An engine with the tables created: SQLite (in memory: shared across threads) or any
    other URL, e.g. PostgreSQL's (`postgresql+psycopg://…`)."""
    if url == "sqlite://":
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enforce_foreign_keys)
    Base.metadata.create_all(engine)
    return engine


def _enforce_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite ignores foreign keys unless each connection asks; PostgreSQL always checks."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class SqlAlchemyMarketRepository:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    def add(self, market: Market) -> Market:
        row = MarketRow(
            name=market.name,
            slug=market.slug,
            status=str(market.status),
            volume=market.volume,
            created_at=market.created_at,
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
                session.flush()
                return row.to_domain()
        except IntegrityError:
            # Backstop for two concurrent creates; the service checks first (lab 06: locks).
            raise Conflict(
                f"the slug {market.slug!r} is already taken", details={"slug": market.slug}
            ) from None

    def get(self, market_id: int) -> Market | None:
        if not 1 <= market_id <= MAX_ID:  # no row has it, and BIGINT would overflow on it
            return None
        with self._sessions() as session:
            row = session.get(MarketRow, market_id)
            return None if row is None else row.to_domain()

    def get_by_slug(self, slug: str) -> Market | None:
        with self._sessions() as session:
            row = session.scalars(select(MarketRow).where(MarketRow.slug == slug)).one_or_none()
            return None if row is None else row.to_domain()

    def all_markets(self) -> list[Market]:
        with self._sessions() as session:
            return [row.to_domain() for row in session.scalars(select(MarketRow))]

    def save(self, market: Market) -> Market:
        with self._sessions.begin() as session:
            row = session.get_one(MarketRow, market.id)
            row.status = str(market.status)
            row.volume = market.volume
            session.flush()
            return row.to_domain()
