"""Order services on the Django ORM: every write here is all-or-nothing.

`transaction.atomic` opens a transaction, or a savepoint when the caller already has one, so
these functions compose: `place_order_once` runs `place_order` inside its own transaction.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F

from markets_orders.django_orm.models import IdempotencyRecord, Market, Position, User
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


@transaction.atomic
def create_market_with_position(
    *, creator: User, name: str, slug: str, side: Side, amount: Decimal
) -> Market:
    """Create an active market and its creator's opening position, both or neither (task 1)."""
    market = Market.objects.create(name=name, slug=slug, status="active", creator=creator)
    Position.objects.create(market=market, user=creator, side=side, amount=money(amount))
    return market


@transaction.atomic
def debit(user: User, amount: Decimal) -> Decimal:
    """Take `amount` from the user's balance and return the new balance, or raise
    InsufficientFunds and change nothing (task 2).

    One conditional UPDATE: the database checks and subtracts in the same statement, so two
    concurrent debits can never both spend the same money. `user.balance` is refreshed.
    """
    amount = money(amount)
    debited = User.objects.filter(pk=user.pk, balance__gte=amount).update(
        balance=F("balance") - amount
    )
    if not debited:
        raise InsufficientFunds(f"{user.username} cannot pay {amount}")
    user.refresh_from_db(fields=["balance"])
    return user.balance


@transaction.atomic
def place_order(
    user: User, market: Market, amount: Decimal, *, side: Side, notify: Notify | None = None
) -> OrderPlaced:
    """Debit the user and open a position on an active market, all or nothing (task 3).

    `notify`, when given, is called with the placed order once the outermost transaction
    commits (task 4).
    """
    amount = money(amount)
    if market.status != "active":
        raise MarketNotOpen(f"market {market.slug} is not open for orders")
    balance = debit(user, amount)
    Market.objects.filter(pk=market.pk).update(volume=F("volume") + amount)
    position = Position.objects.create(market=market, user=user, side=side, amount=amount)
    placed = OrderPlaced(position.pk, user.pk, market.pk, side, amount, balance)
    if notify is not None:
        notify_after_commit(notify, placed)
    return placed


def notify_after_commit(notify: Notify, placed: OrderPlaced) -> None:
    """Call `notify(placed)` after the outermost transaction commits; never on rollback (task 4)."""
    transaction.on_commit(partial(notify, placed))


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
    fingerprint = request_fingerprint(market_id=market.pk, side=side, amount=amount)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if record is not None:
                return _replay(record, fingerprint)
            placed = place_order(user, market, amount, side=side, notify=notify)
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                fingerprint=fingerprint,
                position_id=placed.position_id,
                balance_after=placed.balance,
            )
            return placed
    except IntegrityError:
        # A concurrent request with the same key committed first (the unique constraint on
        # user + key): ours rolled back whole, debit included. Answer with the winner's result.
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            raise
        return _replay(record, fingerprint)


def _replay(record: IdempotencyRecord, fingerprint: str) -> OrderPlaced:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            f"idempotency key {record.key!r} was first used for a different order"
        )
    position = Position.objects.get(pk=record.position_id)
    return OrderPlaced(
        position.pk,
        position.user_id,
        position.market_id,
        position.side,
        position.amount,
        record.balance_after,
    )
