"""Order services on SQLAlchemy 2: every write here is all-or-nothing.

The functions take a `Session` with no transaction begun (they commit) or one inside your
own `with session.begin():` (they then run in a savepoint and you commit), like Django's
`transaction.atomic`, so they compose: `place_order_once` runs `place_order` inside its own
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial

from sqlalchemy import event, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from markets_orders.orders import (
    IdempotencyKeyReused,
    InsufficientFunds,
    MarketNotOpen,
    Notify,
    OrderPlaced,
    Side,
    money,
    request_fingerprint,
)
from markets_orders.sqlalchemy_orm.models import IdempotencyRecord, Market, Position, User

_PENDING = "markets_orders.after_commit"  # session.info key: [(transaction, callback), ...]


@contextmanager
def atomic(session: Session) -> Iterator[Session]:
    """A transaction that commits on success and rolls back on error, or a savepoint inside
    the session's open transaction (task 1)."""
    with session.begin_nested() if session.in_transaction() else session.begin():
        yield session


def create_market_with_position(
    session: Session, *, creator: User, name: str, slug: str, side: Side, amount: Decimal
) -> Market:
    """Create an active market and its creator's opening position, both or neither (task 1)."""
    with atomic(session):
        market = Market(name=name, slug=slug, status="active", creator_id=creator.id)
        session.add(market)
        session.flush()  # the position needs the market's id
        session.add(
            Position(market_id=market.id, user_id=creator.id, side=side, amount=money(amount))
        )
    return market


def debit(session: Session, user: User, amount: Decimal) -> Decimal:
    """Take `amount` from the user's balance and return the new balance, or raise
    InsufficientFunds and change nothing (task 2).

    One conditional UPDATE: the database checks and subtracts in the same statement, so two
    concurrent debits can never both spend the same money.
    """
    amount = money(amount)
    with atomic(session):
        balance = session.scalar(
            update(User)
            .where(User.id == user.id, User.balance >= amount)
            .values(balance=User.balance - amount)
            .returning(User.balance)
        )
        if balance is None:
            raise InsufficientFunds(f"{user.username} cannot pay {amount}")
    return balance


def place_order(
    session: Session,
    user: User,
    market: Market,
    amount: Decimal,
    *,
    side: Side,
    notify: Notify | None = None,
) -> OrderPlaced:
    """Debit the user and open a position on an active market, all or nothing (task 3).

    `notify`, when given, is called with the placed order once the outermost transaction
    commits (task 4).
    """
    amount = money(amount)
    with atomic(session):
        balance = debit(session, user, amount)
        opened = session.scalar(
            update(Market)
            .where(Market.id == market.id, Market.status == "active")
            .values(volume=Market.volume + amount)
            .returning(Market.id)
        )
        if opened is None:
            raise MarketNotOpen(f"market {market.slug} is not open for orders")
        position = Position(market_id=market.id, user_id=user.id, side=side, amount=amount)
        session.add(position)
        session.flush()
        placed = OrderPlaced(position.id, user.id, market.id, side, amount, balance)
        if notify is not None:
            notify_after_commit(session, notify, placed)
    return placed


def notify_after_commit(session: Session, notify: Notify, placed: OrderPlaced) -> None:
    """Call `notify(placed)` after the session's outermost transaction commits; never when
    the transaction (or the savepoint it was registered in) rolls back (task 4)."""
    current = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((current, partial(notify, placed)))


@event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: its callbacks wait for the outermost commit
    for _, callback in session.info.pop(_PENDING, []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    # A failed flush reports its own inner transaction; its rollback undoes everything up to
    # the nearest savepoint, or the outermost transaction when there is none.
    undone = previous_transaction
    while not undone.nested and undone.parent is not None:
        undone = undone.parent
    pending: list[tuple[SessionTransaction, Callable[[], None]]] = session.info.get(_PENDING, [])
    session.info[_PENDING] = [
        (owner, callback) for owner, callback in pending if not _inside(owner, undone)
    ]


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def place_order_once(
    session: Session,
    *,
    key: str,
    user: User,
    market: Market,
    amount: Decimal,
    side: Side,
    notify: Notify | None = None,
) -> OrderPlaced:
    """`place_order`, at most once per (user, idempotency key) (task 5).

    A retry with the same key and request returns the first result without a second debit;
    the same key with another request raises IdempotencyKeyReused. The key is stored in the
    order's own transaction, so an order never commits without its key, nor a key without its
    order.
    """
    fingerprint = request_fingerprint(market_id=market.id, side=side, amount=amount)
    try:
        with atomic(session):
            record = session.get(IdempotencyRecord, (user.id, key))
            if record is not None:
                return _replay(session, record, fingerprint)
            placed = place_order(session, user, market, amount, side=side, notify=notify)
            session.add(
                IdempotencyRecord(
                    user_id=user.id,
                    key=key,
                    fingerprint=fingerprint,
                    position_id=placed.position_id,
                    balance_after=placed.balance,
                )
            )
            session.flush()
            return placed
    except IntegrityError:
        # A concurrent request with the same key committed first (the primary key on
        # user + key): ours rolled back whole, debit included. Answer with the winner's result.
        with atomic(session):
            record = session.get(IdempotencyRecord, (user.id, key))
            if record is None:
                raise
            return _replay(session, record, fingerprint)


def _replay(session: Session, record: IdempotencyRecord, fingerprint: str) -> OrderPlaced:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"idempotency key {record.key!r} was first used for a different order"
        )
    position = session.get_one(Position, record.position_id)
    return OrderPlaced(
        position.id,
        position.user_id,
        position.market_id,
        position.side,
        position.amount,
        record.balance_after,
    )
