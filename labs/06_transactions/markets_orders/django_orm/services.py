"""Order services on the Django ORM: every write here is all-or-nothing.

`transaction.atomic` opens a transaction, or a savepoint when the caller already has one, so
these functions compose: `place_order_once` runs `place_order` inside its own transaction.

Import what you use as you go: `IntegrityError` and `transaction` from `django.db`, `F` from
`django.db.models`, `IdempotencyRecord` and `Position` from the models, and from
`markets_orders.orders` the errors (`InsufficientFunds`, `MarketNotOpen`,
`IdempotencyKeyReused`), `money()` and `request_fingerprint()`.
"""

from __future__ import annotations

from decimal import Decimal

from markets_orders.django_orm.models import Market, User
from markets_orders.orders import Notify, OrderPlaced, Side


def create_market_with_position(
    *, creator: User, name: str, slug: str, side: Side, amount: Decimal
) -> Market:
    """Create an active market and its creator's opening position, both or neither (task 1)."""
    raise NotImplementedError(
        "TODO(task 1): create the market and its opening position in one transaction "
        "— see README task 1"
    )


def debit(user: User, amount: Decimal) -> Decimal:
    """Take `amount` from the user's balance and return the new balance, or raise
    InsufficientFunds and change nothing (task 2).

    Safe under concurrency: two requests must never both spend the same money, even when
    each loaded `user` before the other debited. `user.balance` is refreshed.
    """
    raise NotImplementedError(
        "TODO(task 2): debit with one conditional UPDATE (money(), F(), balance__gte) "
        "— see README task 2"
    )


def place_order(
    user: User, market: Market, amount: Decimal, *, side: Side, notify: Notify | None = None
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


def notify_after_commit(notify: Notify, placed: OrderPlaced) -> None:
    """Call `notify(placed)` after the outermost transaction commits; never on rollback (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): run notify only after the outermost commit — see README task 4"
    )


def place_order_once(
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
