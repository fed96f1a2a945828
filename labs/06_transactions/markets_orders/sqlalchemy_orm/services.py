"""Order services on SQLAlchemy 2: every write here is all-or-nothing.

The functions take a `Session` with no transaction begun (they commit) or one inside your
own `with session.begin():` (they then run in a savepoint and you commit), like Django's
`transaction.atomic`, so they compose: `place_order_once` runs `place_order` inside its own
transaction.

Import what you use as you go: `event` and `update` from `sqlalchemy`, `IntegrityError` from
`sqlalchemy.exc`, `IdempotencyRecord` and `Position` from the models, and from
`markets_orders.orders` the errors (`InsufficientFunds`, `MarketNotOpen`,
`IdempotencyKeyReused`), `money()` and `request_fingerprint()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy.orm import Session

from markets_orders.orders import Notify, OrderPlaced, Side
from markets_orders.sqlalchemy_orm.models import Market, User


@contextmanager
def atomic(session: Session) -> Iterator[Session]:
    """A transaction that commits on success and rolls back on error, or a savepoint inside
    the session's open transaction (task 1)."""
    raise NotImplementedError(
        "TODO(task 1): session.begin(), or session.begin_nested() inside an open transaction "
        "— see README task 1"
    )
    yield session  # unreachable; makes this a generator for @contextmanager


def create_market_with_position(
    session: Session, *, creator: User, name: str, slug: str, side: Side, amount: Decimal
) -> Market:
    """Create an active market and its creator's opening position, both or neither (task 1)."""
    raise NotImplementedError(
        "TODO(task 1): create the market and its opening position in one transaction "
        "— see README task 1"
    )


def debit(session: Session, user: User, amount: Decimal) -> Decimal:
    """Take `amount` from the user's balance and return the new balance, or raise
    InsufficientFunds and change nothing (task 2).

    Safe under concurrency: two requests must never both spend the same money, even when
    each loaded `user` before the other debited.
    """
    raise NotImplementedError(
        "TODO(task 2): debit with one conditional UPDATE ... WHERE balance >= amount "
        "RETURNING balance — see README task 2"
    )


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

    Also adds `amount` to the market's volume; a market that is not active raises
    MarketNotOpen. `notify`, when given, is called with the placed order once the outermost
    transaction commits (task 4: hand it to `notify_after_commit`).
    """
    raise NotImplementedError(
        "TODO(task 3): debit, add to the volume and create the position atomically "
        "— see README task 3"
    )


def notify_after_commit(session: Session, notify: Notify, placed: OrderPlaced) -> None:
    """Call `notify(placed)` after the session's outermost transaction commits; never when
    the transaction (or the savepoint it was registered in) rolls back (task 4).

    SQLAlchemy has no `on_commit`: keep the pending callbacks in `session.info` and add two
    module-level listeners, `@event.listens_for(Session, "after_commit")` and
    `@event.listens_for(Session, "after_soft_rollback")`.
    """
    raise NotImplementedError(
        "TODO(task 4): run notify only after the outermost commit — see README task 4"
    )


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
    raise NotImplementedError(
        "TODO(task 5): replay a stored key, or place the order and store the key in one "
        "transaction — see README task 5"
    )
