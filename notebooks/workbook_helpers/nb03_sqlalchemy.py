"""Notebook 03: SQLAlchemy 2 models and repositories, and a seeded in-memory database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from workbook_helpers.nb03_domain import MarketRef, Position


class Base(DeclarativeBase):
    pass


class SAMarket(Base):
    __tablename__ = "markets"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16))


class SAPosition(Base):
    __tablename__ = "positions"
    id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id"))
    username: Mapped[str] = mapped_column(String(150))
    side: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class SqlAlchemyMarkets:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, market_id: int) -> MarketRef | None:
        row = self._session.get(SAMarket, market_id)
        return None if row is None else MarketRef(row.id, row.slug, row.status)


class SqlAlchemyPositions:
    def __init__(self, session: Session) -> None:
        self._session = session

    def total_staked(self, market_id: int, username: str) -> Decimal:
        stmt = select(func.coalesce(func.sum(SAPosition.amount), 0)).where(
            SAPosition.market_id == market_id, SAPosition.username == username
        )
        return Decimal(self._session.scalar(stmt))

    def add(self, position: Position) -> Position:
        row = SAPosition(
            market_id=position.market_id,
            username=position.username,
            side=position.side,
            amount=position.amount,
        )
        self._session.add(row)
        self._session.flush()
        return replace(position, id=row.id)


def make_sessions() -> sessionmaker[Session]:
    """A fresh in-memory database with market 1 (active) and market 2 (closed)."""
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    Base.metadata.create_all(engine)
    with Session(engine) as s, s.begin():
        s.add_all(
            [
                SAMarket(id=1, slug="rain-in-paris", status="active"),
                SAMarket(id=2, slug="fed-cut", status="closed"),
            ]
        )
    return sessionmaker(engine)
