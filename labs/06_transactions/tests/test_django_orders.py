"""Lab 06 on the Django ORM: orders are all-or-nothing, race-free, and side effects wait.

Every test runs with real commits (`transactional_db`), as a web request does: the tests
that check what is committed, what rolled back and when a callback ran need them. The
database is a SQLite file, or the PostgreSQL server when `DATABASE_URL` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import F

from markets_orders.django_orm import services
from markets_orders.django_orm.models import IdempotencyRecord, Market, Position, User
from markets_orders.orders import (
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    MarketNotOpen,
    OrderError,
    OrderPlaced,
    request_fingerprint,
)

pytestmark = [pytest.mark.django, pytest.mark.usefixtures("transactional_db")]
D = Decimal


class CallerError(Exception):
    """A failure in the caller's own code, after the service returned."""


@pytest.fixture
def alice() -> User:
    return User.objects.create(username="alice", balance=D("100.00"))


@pytest.fixture
def market(alice: User) -> Market:
    bob = User.objects.create(username="bob", balance=D("0.00"))
    return Market.objects.create(name="Rain in Lisbon", slug="rain", status="active", creator=bob)


def refuse(refuse_inserts, model: type) -> None:
    """The database refuses every INSERT into `model`'s table, as a failing constraint would."""

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    refuse_inserts(execute, connection.vendor, model._meta.db_table)


@pytest.fixture
def refuse_positions(refuse_inserts) -> None:
    refuse(refuse_inserts, Position)


@pytest.fixture
def refuse_idempotency_records(refuse_inserts) -> None:
    refuse(refuse_inserts, IdempotencyRecord)


def committed_positions(peek: Callable[[str], int]) -> int:
    """Positions another connection can see: only committed rows."""
    return peek(f"SELECT count(*) FROM {Position._meta.db_table}")


def balance(user: User) -> Decimal:
    return User.objects.get(pk=user.pk).balance


def outcome(call: Callable[[], object]) -> object:
    """What `call()` returned, or the error it raised: tests then assert with a message."""
    try:
        return call()
    except (OrderError, DatabaseError) as exc:
        return exc


def pay(user: User, amount: str) -> None:
    """Another request's payment, committed: the balance drops by `amount`."""
    User.objects.filter(pk=user.pk).update(balance=F("balance") - D(amount))


WINDOW = (
    "the test let a competing request commit between your read of the row and your write "
    "(PostgreSQL's READ COMMITTED allows it; SQLite's write lock only hides it): your read "
    "returned the row as it was before that commit"
)


REAL_RACE = "real concurrent transactions on PostgreSQL (READ COMMITTED, its default)"


def sqlstate(result: object) -> str | None:
    """The SQLSTATE of a database error the service raised, else None."""
    return getattr(getattr(result, "__cause__", None), "sqlstate", None)


def shown(results: list[object]) -> list[str]:
    return [r if isinstance(r, OrderPlaced) else repr(r) for r in results]  # type: ignore[misc]


def lost_update(what: str) -> str:
    return (
        f"{what}. A read-check-write is a lost update here even inside a transaction: a "
        "plain SELECT takes no lock, so both requests read 100.00 and both pass the check; "
        "the second UPDATE waits for the first one's row lock, then writes the balance it "
        "computed from its stale read. A check in Python followed by an unconditional "
        "subtraction overdraws instead, and only the CHECK constraint stops it. Let the "
        "database decide in one conditional UPDATE ... WHERE balance >= amount, or lock the "
        "row before the check with select_for_update() (task 2)"
    )


def unique_key_decides(results: list[object]) -> str:
    serialization = any(sqlstate(r) == "40001" for r in results)
    return (
        "The unique key decides: the loser's INSERT of the record raises IntegrityError. "
        "Catch the IntegrityError around the whole atomic block (its rollback takes the "
        "loser's debit with it), read the winner's record and replay it — a savepoint around "
        "the INSERT alone keeps the loser's debit: a double debit. A locking read of the key "
        "(FOR UPDATE) does not serialize the two: it locks the rows it finds, and a key not "
        "stored yet is no row"
        + (
            ". One request failed with a serialization failure (SQLSTATE 40001): that is "
            "what REPEATABLE READ or SERIALIZABLE raise when two transactions collide, and it "
            "is not an IntegrityError, so it escapes as a 500. At READ COMMITTED (the "
            "default) the unique key decides; under a stricter level the whole transaction "
            "must be retried"
            if serialization
            else ""
        )
        + " (task 5)"
    )


# ------------------------------------------------------------------------------ task 1


@pytest.mark.task(1)
def test_create_market_with_position_writes_both(alice: User) -> None:
    market = services.create_market_with_position(
        creator=alice, name="Snow in June", slug="snow", side="yes", amount=D("10.00")
    )
    positions = list(
        Position.objects.filter(market=market).values_list("user_id", "side", "amount")
    )
    assert market.status == "active" and positions == [(alice.pk, "yes", D("10.00"))], (
        f"create_market_with_position(...) made a {market.status!r} market with positions "
        f"{positions}; expected an active market with the creator's opening position (task 1)"
    )


@pytest.mark.task(1)
def test_position_failure_leaves_no_market(alice: User, refuse_positions: None) -> None:
    with pytest.raises(IntegrityError):
        services.create_market_with_position(
            creator=alice, name="Snow in June", slug="snow", side="yes", amount=D("10.00")
        )
    markets = Market.objects.count()
    assert markets == 0, (
        f"the position INSERT failed, yet {markets} market row was committed; the market and "
        "its opening position must be written in one transaction, both or neither — wrap them "
        "in transaction.atomic (task 1)"
    )


@pytest.mark.task(1)
def test_no_other_request_sees_the_market_before_its_position(
    alice: User, django_peek, django_before_insert, refuse_positions: None
) -> None:
    seen: list[int] = []

    def others_see() -> None:
        seen.append(
            django_peek(f"SELECT count(*) FROM {Market._meta.db_table} WHERE slug = 'snow'")
        )

    django_before_insert(Position._meta.db_table, others_see)
    got = outcome(
        lambda: services.create_market_with_position(
            creator=alice, name="Snow in June", slug="snow", side="yes", amount=D("10.00")
        )
    )
    assert seen == [0] and Market.objects.count() == 0, (
        f"when the position INSERT was sent, other connections saw {seen} committed market(s) "
        f"named 'snow' (and {Market.objects.count()} after {type(got).__name__}); expected 0 "
        "and 0. Deleting the market after the position fails (a compensating delete) is not "
        "a transaction: other requests already saw a market with no position, and a crash in "
        "between keeps it. Write both in one transaction.atomic block (task 1)"
    )


# ------------------------------------------------------------------------------ task 2


@pytest.mark.task(2)
def test_debit_takes_the_amount_and_returns_the_new_balance(alice: User) -> None:
    got = services.debit(alice, D("30.00"))
    assert got == D("70.00") == balance(alice), (
        f"debit(alice with 100.00, 30.00) returned {got} and stored {balance(alice)}; "
        "expected 70.00 both (task 2)"
    )


@pytest.mark.task(2)
def test_debit_takes_money_from_this_user_only(alice: User) -> None:
    carol = User.objects.create(username="carol", balance=D("50.00"))
    services.debit(alice, D("30.00"))
    assert balance(carol) == D("50.00") and balance(alice) == D("70.00"), (
        f"debit(alice, 30.00) left alice at {balance(alice)} and carol, who has 50.00 and "
        f"ordered nothing, at {balance(carol)}; expected 70.00 and 50.00. An UPDATE filtered "
        "on the balance alone debits every user who can afford it: filter on the user too, "
        "filter(pk=user.pk, balance__gte=amount) (task 2)"
    )


@pytest.mark.task(2)
def test_debit_refreshes_the_callers_user(alice: User) -> None:
    got = services.debit(alice, D("30.00"))
    assert got == D("70.00") == alice.balance, (
        f"debit(alice with 100.00, 30.00) returned {got}, and afterwards the caller's "
        f"alice.balance says {alice.balance}; expected 70.00 both: the docstring promises "
        "that `user.balance` is refreshed, and a caller reading it after a debit must not see "
        "the balance from before — user.refresh_from_db(fields=['balance']) after the UPDATE "
        "(task 2)"
    )


@pytest.mark.task(2)
def test_debit_sends_money_to_the_database_as_decimal(alice: User) -> None:
    sent: list[object] = []

    def spy(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        sent.extend(params if isinstance(params, list | tuple) else ())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        services.debit(alice, D("30.00"))
    floats = [p for p in sent if isinstance(p, float)]
    assert not floats, (
        f"debit(alice, Decimal('30.00')) sent the parameters {sent} to the database: "
        f"{floats} is a float. Money is Decimal from end to end: a "
        "float cannot hold most cents exactly (0.1 + 0.2 != 0.3), and the database "
        "computes numeric - float in floating point. Pass the Decimal from money() to F() "
        "arithmetic as it is, never float(amount) (task 2)"
    )


@pytest.mark.task(2)
def test_a_refused_debit_inside_the_callers_transaction_leaves_it_usable(alice: User) -> None:
    def callers_transaction() -> tuple[object, object]:
        with transaction.atomic():
            services.debit(alice, D("10.00"))
            refused = outcome(lambda: services.debit(alice, D("500.00")))
            return refused, outcome(lambda: services.debit(alice, D("20.00")))

    refused, then = callers_transaction()
    assert isinstance(refused, InsufficientFunds) and then == D("70.00") == balance(alice), (
        f"inside the caller's transaction.atomic: debit 10.00, then a debit of 500.00 gave "
        f"{refused!r}, which the caller caught, then a debit of 20.00 gave {then!r}; the "
        f"balance is now {balance(alice)}. Expected InsufficientFunds, 70.00 and 70.00: a "
        "refusal must roll back only the debit itself, leaving the caller's transaction "
        "usable. transaction.atomic(savepoint=False) has no savepoint to roll back to, so "
        "the exception marks the caller's whole transaction for rollback (its next query "
        "raises TransactionManagementError, its earlier work is lost): use plain "
        "transaction.atomic, a savepoint inside an outer transaction (task 2)"
    )


@pytest.mark.task(2)
def test_debit_beyond_the_balance_raises_and_changes_nothing(alice: User) -> None:
    with pytest.raises(InsufficientFunds):
        services.debit(alice, D("100.01"))
    assert balance(alice) == D("100.00"), (
        f"a refused debit left the balance at {balance(alice)}; expected 100.00 (task 2)"
    )


@pytest.mark.task(2)
def test_debit_of_the_whole_balance_leaves_zero(alice: User) -> None:
    got = outcome(lambda: services.debit(alice, D("100.00")))
    assert got == D("0.00") == balance(alice), (
        f"debit(alice with 100.00, 100.00) gave {got!r} and stored {balance(alice)}; expected "
        "0.00 both: spending exactly the whole balance is allowed, so the condition is "
        "balance >= amount, not balance > amount (task 2)"
    )


@pytest.mark.task(2)
def test_debit_returns_the_balance_the_database_holds(alice: User) -> None:
    loaded = User.objects.get(pk=alice.pk)  # this request loaded alice with 100.00 ...
    services.debit(User.objects.get(pk=alice.pk), D("30.00"))  # ... another one paid first
    got = services.debit(loaded, D("30.00"))
    assert got == D("40.00") == balance(alice), (
        f"after another request took 30.00, debit(alice loaded with 100.00, 30.00) returned "
        f"{got} and stored {balance(alice)}; expected 40.00 both. The loaded instance is "
        "stale: return the balance the UPDATE left in the database (refresh_from_db), not "
        "arithmetic on user.balance (task 2)"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("amount", [D("-50.00"), D("0"), D("0.001")])
def test_debit_refuses_amounts_that_are_not_positive_cents(alice: User, amount: Decimal) -> None:
    with pytest.raises(InvalidAmount):
        services.debit(alice, amount)
    assert balance(alice) == D("100.00"), (
        f"debit(alice, {amount}) changed the balance to {balance(alice)}; a debit of a "
        "negative amount is a credit — validate with orders.money() first (task 2)"
    )


@pytest.mark.task(2)
def test_concurrent_debits_never_overdraw(alice: User, run_together) -> None:
    def one_request(i: int, ready) -> object:
        user = User.objects.get(pk=alice.pk)  # each request loads the user, then debits
        ready()
        return services.debit(user, D("30.00"))

    results = run_together(10, one_request, cleanup=connections.close_all)
    paid = [r for r in results if isinstance(r, Decimal)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    others = [r for r in results if r not in paid + refused]
    assert len(paid) == 3 and len(refused) == 7 and balance(alice) == D("10.00"), (
        f"10 concurrent debits of 30.00 from 100.00: {len(paid)} paid, {len(refused)} refused, "
        f"balance {balance(alice)}, other outcomes {others}; "
        "expected 3 paid, 7 refused, balance 10.00. Reading the balance in Python and saving "
        "balance - amount is a lost update: check and subtract in one conditional UPDATE "
        "(filter(balance__gte=...).update(balance=F(...) - ...)) (task 2)"
    )


@pytest.mark.task(2)
@pytest.mark.postgresql_only("two debits race in real transactions at READ COMMITTED")
def test_two_concurrent_debits_cannot_both_spend_the_same_money(
    alice: User, run_together, django_rendezvous, watched
) -> None:
    meet = django_rendezvous(2, User._meta.db_table)

    def one_request(i: int, ready) -> object:
        user = User.objects.get(pk=alice.pk)  # each request loads the user, then debits
        ready()
        with watched(meet):  # each waits after its first statement on alice's row
            return services.debit(user, D("60.00"))

    results = run_together(2, one_request, cleanup=connections.close_all)
    paid = [r for r in results if isinstance(r, Decimal)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert paid == [D("40.00")] and len(refused) == 1 and balance(alice) == D("40.00"), lost_update(
        f"two requests each debited 60.00 from alice's 100.00 at the same moment, in "
        f"{REAL_RACE}, each going on only once the other had sent its first statement on "
        f"alice's row too: they gave {shown(results)} and left the balance at "
        f"{balance(alice)}; expected one to pay (40.00), the other InsufficientFunds, and "
        "40.00 stored"
    )


@pytest.mark.task(2)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_payment_committed_between_the_debits_read_and_write_is_not_lost(
    alice: User, django_window
) -> None:
    loaded = User.objects.get(pk=alice.pk)
    with django_window(
        User._meta.db_table, stale_reads=True, competitor=lambda: pay(alice, "30.00")
    ) as w:
        got = outcome(lambda: services.debit(loaded, D("30.00")))
    assert got == D("40.00") == balance(alice), (
        f"another request paid 30.00 of alice's 100.00, then debit(alice, 30.00) gave {got!r} "
        f"and left {balance(alice)}; expected 40.00 both. Your debit read alice's row "
        f"{w.stale_reads} time(s) before writing it, and {WINDOW}: checking that balance in "
        "Python and saving balance - amount is a lost update. Let the database check and "
        "subtract in one conditional UPDATE (filter(balance__gte=...).update(balance=F(...) "
        "- ...)), or lock the row first with select_for_update() (task 2)"
    )


@pytest.mark.task(2)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_debit_refuses_what_a_concurrent_payment_already_spent(
    alice: User, django_window
) -> None:
    loaded = User.objects.get(pk=alice.pk)
    with django_window(
        User._meta.db_table, stale_reads=True, competitor=lambda: pay(alice, "80.00")
    ) as w:
        got = outcome(lambda: services.debit(loaded, D("30.00")))
    assert isinstance(got, InsufficientFunds) and balance(alice) == D("20.00"), (
        f"another request spent 80.00 of alice's 100.00, then debit(alice, 30.00) gave "
        f"{got!r} and left {balance(alice)}; expected InsufficientFunds and 20.00. Your debit "
        f"read alice's row {w.stale_reads} time(s) before writing it, and {WINDOW}: a check "
        "in Python on that balance passes, and only the CHECK constraint stops the overdraw. "
        "Put the check in the UPDATE's WHERE (balance__gte=amount) (task 2)"
    )


@pytest.mark.task(2)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_debit_returns_the_balance_its_own_update_left(alice: User, django_window) -> None:
    loaded = User.objects.get(pk=alice.pk)
    with django_window(User._meta.db_table, after_lock=lambda: pay(alice, "30.00")) as w:
        got = outcome(lambda: services.debit(loaded, D("30.00")))
    assert w.competitor_ran and got == D("70.00") and balance(alice) == D("40.00"), (
        f"debit(alice with 100.00, 30.00) returned {got!r}, then another request paid 30.00 "
        f"as soon as your debit released the row (balance now {balance(alice)}); expected "
        "70.00, the balance your own UPDATE left, and 40.00 stored. Reading the balance back "
        "outside the debit's transaction (after the UPDATE committed on its own) returns "
        "whatever concurrent requests did in between: UPDATE and read back in one "
        "transaction.atomic (task 2)"
    )


# ------------------------------------------------------------------------------ task 3


def state(user: User, market: Market) -> tuple[Decimal, Decimal, int]:
    """(balance, market volume, positions): what an order writes."""
    volume = Market.objects.get(pk=market.pk).volume
    return balance(user), volume, Position.objects.filter(market=market).count()


@pytest.mark.task(3)
def test_place_order_debits_and_opens_a_position(alice: User, market: Market) -> None:
    placed = services.place_order(alice, market, D("30.00"), side="no")
    position = Position.objects.filter(pk=placed.position_id).values_list(
        "user_id", "market_id", "side", "amount"
    )
    assert list(position) == [(alice.pk, market.pk, "no", D("30.00"))], (
        f"place_order(alice, rain, 30.00, side='no') stored position {list(position)}; "
        f"expected [({alice.pk}, {market.pk}, 'no', 30.00)]: alice's position on rain (task 3)"
    )
    assert placed == OrderPlaced(
        placed.position_id, alice.pk, market.pk, "no", D("30.00"), D("70.00")
    ), (
        f"place_order returned {placed}; expected the position and the balance after the debit "
        "(70.00) (task 3)"
    )
    assert state(alice, market) == (D("70.00"), D("30.00"), 1), (
        f"after one order of 30.00 (balance, volume, positions) is {state(alice, market)}; "
        "expected (70.00, 30.00, 1) (task 3)"
    )


@pytest.mark.task(3)
def test_insufficient_funds_writes_nothing(alice: User, market: Market) -> None:
    with pytest.raises(InsufficientFunds):
        services.place_order(alice, market, D("150.00"), side="yes")
    assert state(alice, market) == (D("100.00"), D("0.00"), 0), (
        f"a refused order left (balance, volume, positions) at {state(alice, market)}; "
        "expected (100.00, 0.00, 0): nothing written (task 3)"
    )


@pytest.mark.task(3)
def test_closed_market_refuses_the_order_and_keeps_the_money(alice: User, market: Market) -> None:
    # `market` was loaded while active; it closes before the order arrives.
    Market.objects.filter(pk=market.pk).update(status="closed")
    got = outcome(lambda: services.place_order(alice, market, D("30.00"), side="yes"))
    assert isinstance(got, MarketNotOpen) and state(alice, market) == (D("100.00"), D("0.00"), 0), (
        f"an order on a market closed after the request loaded it gave "
        f"{type(got).__name__} and left "
        f"(balance, volume, positions) at {state(alice, market)}; expected MarketNotOpen and "
        "(100.00, 0.00, 0). The loaded instance still says 'active': check the status in the "
        "database, in the volume UPDATE's WHERE, and let the debit roll back (task 3)"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("status", ["draft", "resolved"])
def test_only_an_active_market_takes_orders(alice: User, market: Market, status: str) -> None:
    Market.objects.filter(pk=market.pk).update(status=status)
    got = outcome(lambda: services.place_order(alice, market, D("30.00"), side="yes"))
    assert isinstance(got, MarketNotOpen) and state(alice, market) == (D("100.00"), D("0.00"), 0), (
        f"an order on a {status} market gave {type(got).__name__} and left (balance, volume, "
        f"positions) at {state(alice, market)}; expected MarketNotOpen and (100.00, 0.00, 0): "
        "only an active market takes orders — not every market that is not closed "
        "(status='active' in the UPDATE's WHERE, not exclude(status='closed')) (task 3)"
    )


@pytest.mark.task(3)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_market_closed_between_the_orders_read_and_write_refuses_it(
    alice: User, market: Market, django_window
) -> None:
    def close() -> None:
        Market.objects.filter(pk=market.pk).update(status="closed")

    with django_window(Market._meta.db_table, stale_reads=True, competitor=close) as w:
        got = outcome(lambda: services.place_order(alice, market, D("30.00"), side="yes"))
    assert isinstance(got, MarketNotOpen) and state(alice, market) == (D("100.00"), D("0.00"), 0), (
        f"another request closed the market, then place_order(...) gave {type(got).__name__} "
        f"and left (balance, volume, positions) at {state(alice, market)}; expected "
        f"MarketNotOpen and (100.00, 0.00, 0). Your order read the market {w.stale_reads} "
        f"time(s) before writing it, and {WINDOW}: a status check followed by an "
        "unconditional volume update takes orders on a closed market. Put the status in the "
        "volume UPDATE's WHERE (task 3)"
    )


@pytest.mark.task(3)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_volume_added_by_a_concurrent_order_is_not_lost(
    alice: User, market: Market, django_window
) -> None:
    def other_order() -> None:
        Market.objects.filter(pk=market.pk).update(volume=F("volume") + D("50.00"))

    with django_window(Market._meta.db_table, stale_reads=True, competitor=other_order) as w:
        got = outcome(lambda: services.place_order(alice, market, D("30.00"), side="yes"))
    volume = Market.objects.get(pk=market.pk).volume
    assert isinstance(got, OrderPlaced) and volume == D("80.00"), (
        f"another request's order added 50.00 to the market's volume, then place_order(alice, "
        f"30.00) gave {type(got).__name__} and left the volume at {volume}; expected 80.00. "
        f"Your order read the market {w.stale_reads} time(s) before writing it, and {WINDOW}: "
        "writing volume = <the volume you read> + amount is a lost update. Let the database "
        "add, in the same conditional UPDATE: update(volume=F('volume') + amount) (task 3)"
    )


@pytest.mark.task(3)
def test_a_refused_order_inside_the_callers_transaction_leaves_it_usable(
    alice: User, market: Market
) -> None:
    def callers_transaction() -> tuple[object, object]:
        with transaction.atomic():
            services.place_order(alice, market, D("10.00"), side="yes")
            refused = outcome(lambda: services.place_order(alice, market, D("500.00"), side="no"))
            then = outcome(lambda: services.place_order(alice, market, D("20.00"), side="no"))
            return refused, then

    refused, then = callers_transaction()
    assert isinstance(refused, InsufficientFunds) and isinstance(then, OrderPlaced), (
        f"inside the caller's transaction.atomic: an order of 10.00, then an order of 500.00 "
        f"gave {refused!r}, which the caller caught, then an order of 20.00 gave {then!r}; "
        f"(balance, volume, positions) is now {state(alice, market)}. Expected "
        "InsufficientFunds, then a placed order and (70.00, 30.00, 2): a refusal must roll "
        "back only the order itself, leaving the caller's transaction usable. "
        "transaction.atomic(savepoint=False) has no savepoint to roll back to, so the "
        "exception marks the caller's whole transaction for rollback (its next query raises "
        "TransactionManagementError, its earlier order is lost): use plain "
        "transaction.atomic, a savepoint inside an outer transaction (task 3)"
    )
    assert state(alice, market) == (D("70.00"), D("30.00"), 2), (
        f"after orders of 10.00 and 20.00 and a refused one of 500.00 in one caller's "
        f"transaction, (balance, volume, positions) is {state(alice, market)}; expected "
        "(70.00, 30.00, 2): the refused order writes nothing, the others commit (task 3)"
    )


@pytest.mark.task(3)
def test_position_failure_rolls_back_the_debit(
    alice: User, market: Market, refuse_positions: None
) -> None:
    with pytest.raises(IntegrityError):
        services.place_order(alice, market, D("30.00"), side="yes")
    assert state(alice, market)[:2] == (D("100.00"), D("0.00")), (
        f"the position INSERT failed, yet (balance, volume) is {state(alice, market)[:2]}; "
        "the debit must be rolled back with it: debit, volume and position in one "
        "transaction.atomic block (task 3)"
    )


@pytest.mark.task(3)
def test_the_database_refuses_a_position_for_a_missing_market(alice: User, market: Market) -> None:
    missing = market.pk + 1000
    got: object = "stored"
    try:
        with transaction.atomic():
            Position.objects.create(market_id=missing, user=alice, side="yes", amount=D("1.00"))
    except IntegrityError as exc:
        got = exc
    stored = Position.objects.count()
    assert isinstance(got, IntegrityError) and stored == 0, (
        f"a position for market {missing}, which does not exist, gave {got!r} and left "
        f"{stored} position(s); expected IntegrityError and 0: the foreign key must refuse "
        "an order for a missing market on every database (Django turns SQLite's foreign "
        "keys on and checks them at commit; PostgreSQL always checks) (task 3)"
    )


@pytest.mark.task(3)
def test_concurrent_orders_never_overdraw(alice: User, market: Market, run_together) -> None:
    def one_request(i: int, ready) -> object:
        user, mkt = User.objects.get(pk=alice.pk), Market.objects.get(pk=market.pk)
        ready()
        return services.place_order(user, mkt, D("30.00"), side="yes")

    results = run_together(10, one_request, cleanup=connections.close_all)
    errors = [r for r in results if not isinstance(r, OrderPlaced | InsufficientFunds)]
    assert not errors and state(alice, market) == (D("10.00"), D("90.00"), 3), (
        f"10 concurrent orders of 30.00 from 100.00 left (balance, volume, positions) at "
        f"{state(alice, market)} with errors {errors}; expected (10.00, 90.00, 3): a lost "
        "update or an overdraw (task 3)"
    )


# ------------------------------------------------------------------------------ task 4


@pytest.mark.task(4)
def test_notify_runs_once_after_the_order_is_committed(
    alice: User, market: Market, django_peek
) -> None:
    seen: list[tuple[OrderPlaced, int]] = []
    placed = services.place_order(
        alice,
        market,
        D("30.00"),
        side="yes",
        notify=lambda p: seen.append((p, committed_positions(django_peek))),
    )
    assert seen == [(placed, 1)], (
        f"notify saw {seen}; expected one call with the order, made after commit, when "
        "another connection already sees its position (1) — schedule it with "
        "transaction.on_commit, do not call it inside the transaction (task 4)"
    )


@pytest.mark.task(4)
def test_each_order_notifies_once_across_later_commits(alice: User, market: Market) -> None:
    calls: list[OrderPlaced] = []
    first = services.place_order(alice, market, D("10.00"), side="yes", notify=calls.append)
    second = services.place_order(alice, market, D("20.00"), side="no", notify=calls.append)
    assert calls == [first, second], (
        f"two orders (positions {first.position_id}, {second.position_id}), each committed "
        f"on its own, notified positions {[c.position_id for c in calls]}; expected each order "
        "once, in order: a commit runs the callbacks registered since the last commit, then "
        "forgets them (task 4)"
    )


@pytest.mark.task(4)
def test_notify_never_runs_when_the_callers_transaction_rolls_back(
    alice: User, market: Market
) -> None:
    calls: list[OrderPlaced] = []
    with pytest.raises(CallerError), transaction.atomic():
        services.place_order(alice, market, D("30.00"), side="yes", notify=calls.append)
        raise CallerError("the caller's next step fails")
    assert calls == [] and balance(alice) == D("100.00"), (
        f"the caller's transaction rolled back the order, yet notify ran {len(calls)} time(s); "
        "an e-mail about an order that does not exist — run it only after the outermost "
        "commit (task 4)"
    )


@pytest.mark.task(4)
def test_notify_is_dropped_with_a_rolled_back_savepoint(alice: User, market: Market) -> None:
    calls: list[OrderPlaced] = []
    with transaction.atomic():
        kept = services.place_order(alice, market, D("10.00"), side="yes", notify=calls.append)
        with pytest.raises(CallerError), transaction.atomic():
            services.place_order(alice, market, D("20.00"), side="no", notify=calls.append)
            raise CallerError("this savepoint rolls back")
    assert calls == [kept], (
        f"notify ran for {calls}; expected only the order that committed ({kept}): callbacks "
        "run after commit, and the order rolled back with its savepoint must not notify "
        "(task 4)"
    )


# ------------------------------------------------------------------------------ task 5


def order(user: User, market: Market, key: str = "k-1", amount: str = "30.00", **kw) -> OrderPlaced:
    return services.place_order_once(
        key=key, user=user, market=market, amount=D(amount), side="yes", **kw
    )


@pytest.mark.task(5)
def test_retry_with_the_same_key_returns_the_first_order_and_debits_once(
    alice: User, market: Market
) -> None:
    calls: list[OrderPlaced] = []
    first = order(alice, market, notify=calls.append)
    retry = order(User.objects.get(pk=alice.pk), market, notify=calls.append)
    assert retry == first, f"the retry returned {retry}; expected the first result {first} (task 5)"
    assert state(alice, market) == (D("70.00"), D("30.00"), 1) and calls == [first], (
        f"two requests with key 'k-1' left (balance, volume, positions) at "
        f"{state(alice, market)} and notified {len(calls)} time(s); expected (70.00, 30.00, 1) "
        "and one notification: a retry is answered from the stored key (task 5)"
    )


@pytest.mark.task(5)
def test_retry_after_later_orders_replays_the_first_answer(alice: User, market: Market) -> None:
    first = order(alice, market, key="k-1")
    order(alice, market, key="k-2")
    retry = order(User.objects.get(pk=alice.pk), market, key="k-1")
    assert retry == first and state(alice, market) == (D("40.00"), D("60.00"), 2), (
        f"order k-1 (balance after: 70.00), order k-2, then a retry of k-1 answered position "
        f"{retry.position_id} with balance {retry.balance} and left (balance, volume, "
        f"positions) at {state(alice, market)}; expected the first answer again (position "
        f"{first.position_id}, balance {first.balance}) and (40.00, 60.00, 2). A replay "
        "answers what the first request answered: the balance stored in the record "
        "(balance_after), not today's balance (task 5)"
    )


@pytest.mark.task(5)
def test_same_key_with_another_order_is_refused(alice: User, market: Market) -> None:
    order(alice, market, amount="30.00")
    with pytest.raises(IdempotencyKeyReused):
        order(alice, market, amount="40.00")
    assert state(alice, market) == (D("70.00"), D("30.00"), 1), (
        f"key 'k-1' reused for another amount left {state(alice, market)}; expected the "
        "first order only, and IdempotencyKeyReused (task 5)"
    )


@pytest.mark.task(5)
def test_keys_belong_to_one_user(alice: User, market: Market) -> None:
    carol = User.objects.create(username="carol", balance=D("50.00"))
    order(alice, market)
    theirs = order(carol, market)
    assert theirs.user_id == carol.pk and balance(carol) == D("20.00"), (
        f"carol's first order with key 'k-1' returned {theirs}; keys are scoped per user — "
        "alice's key must not answer carol's request (task 5)"
    )


@pytest.mark.task(5)
def test_order_and_idempotency_record_commit_together(
    alice: User, market: Market, refuse_idempotency_records: None
) -> None:
    with pytest.raises(IntegrityError):
        order(alice, market)
    assert state(alice, market) == (D("100.00"), D("0.00"), 0), (
        f"storing the idempotency key failed, yet the order was committed: (balance, volume, "
        f"positions) = {state(alice, market)}. A retry would debit again. Store the key in the "
        "same transaction as the order (task 5)"
    )


@pytest.mark.task(5)
def test_concurrent_retries_with_one_key_debit_once(
    alice: User, market: Market, run_together
) -> None:
    def one_request(i: int, ready) -> object:
        user, mkt = User.objects.get(pk=alice.pk), Market.objects.get(pk=market.pk)
        ready()
        return order(user, mkt)

    results = run_together(5, one_request, cleanup=connections.close_all)
    assert len(set(results)) == 1 and isinstance(results[0], OrderPlaced), (
        f"5 concurrent requests with one key returned {set(results)}; expected one result, "
        "the same for all (task 5)"
    )
    assert state(alice, market) == (D("70.00"), D("30.00"), 1), (
        f"5 concurrent requests with one key left {state(alice, market)}; expected one debit "
        "(task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.postgresql_only("two requests with one key race in real transactions")
@pytest.mark.parametrize("second", ["same_order", "another_order"])
def test_two_concurrent_requests_with_one_key_let_the_unique_key_decide(
    alice: User, market: Market, run_together, django_rendezvous, watched, second: str
) -> None:
    meet = django_rendezvous(2, IdempotencyRecord._meta.db_table)
    sides = ["yes", "yes" if second == "same_order" else "no"]
    calls: list[OrderPlaced] = []

    def one_request(i: int, ready) -> object:
        user, mkt = User.objects.get(pk=alice.pk), Market.objects.get(pk=market.pk)
        ready()
        with watched(meet):  # each waits after its lookup of the key
            return services.place_order_once(
                key="k-1",
                user=user,
                market=mkt,
                amount=D("30.00"),
                side=sides[i],  # type: ignore[arg-type]
                notify=calls.append,
            )

    results = run_together(2, one_request, cleanup=connections.close_all)
    placed = [r for r in results if isinstance(r, OrderPlaced)]
    after = state(alice, market)
    race = (
        f"two requests with key 'k-1' ran at the same moment, in {REAL_RACE}, and both "
        "looked the key up before either stored it (both missed)"
    )
    if second == "same_order":
        assert (
            len(placed) == 2
            and placed[0] == placed[1]
            and after
            == (
                D("70.00"),
                D("30.00"),
                1,
            )
        ), (
            f"{race}, for the same order: they gave {shown(results)} and left (balance, "
            f"volume, positions) at {after}; expected the same answer for both (the winner's "
            f"order, which the loser replays) and one debit, (70.00, 30.00, 1). "
            + unique_key_decides(results)
        )
        assert calls == placed[:1], (
            f"{race}; the two requests notified {calls}; expected one notification, the "
            "winner's: the loser's order rolled back, so nothing may go out for it (task 5)"
        )
    else:
        reused = [r for r in results if isinstance(r, IdempotencyKeyReused)]
        assert len(placed) == 1 and len(reused) == 1 and after == (D("70.00"), D("30.00"), 1), (
            f"{race}, for two different orders (side 'yes', side 'no'): they gave "
            f"{shown(results)} and left (balance, volume, positions) at {after}; expected one "
            "placed order, IdempotencyKeyReused for the other, and one debit, (70.00, 30.00, "
            "1): the loser replays the stored record only when its fingerprint matches. "
            + unique_key_decides(results)
        )


@pytest.mark.task(5)
def test_place_order_once_notifies_only_after_the_outermost_commit(
    alice: User, market: Market, django_peek
) -> None:
    seen: list[tuple[OrderPlaced, int]] = []
    placed = order(
        alice, market, notify=lambda p: seen.append((p, committed_positions(django_peek)))
    )
    calls: list[OrderPlaced] = []
    with pytest.raises(CallerError), transaction.atomic():
        order(alice, market, key="k-2", notify=calls.append)
        raise CallerError("the caller's next step fails")
    assert seen == [(placed, 1)] and calls == [], (
        f"place_order_once notified {seen} on its own (expected one call, after commit, when "
        f"another connection sees the position: [({placed}, 1)]) and {len(calls)} time(s) "
        "inside a caller's transaction that rolled back (expected 0). Calling notify after "
        "your own atomic block is not after the commit when a caller's transaction wraps "
        "it: pass notify on to place_order, whose on_commit waits for the outermost (task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.parametrize("what", ["side", "market", "amount"])
def test_same_key_with_another_side_market_or_amount_is_refused(
    alice: User, market: Market, what: str
) -> None:
    other = Market.objects.create(name="Sun", slug="sun", status="active", creator=alice)
    first = {"market": market, "side": "yes", "amount": "30.00"}
    second = {**first, what: {"side": "no", "market": other, "amount": "40.00"}[what]}

    def once(market: Market, side: str, amount: str) -> object:
        return outcome(
            lambda: services.place_order_once(
                key="k-1", user=alice, market=market, amount=D(amount), side=side
            )
        )

    once(**first)
    got = once(**second)
    assert isinstance(got, IdempotencyKeyReused) and balance(alice) == D("70.00"), (
        f"key 'k-1' was used for 30.00 on 'yes' in market rain, then for another {what} "
        f"({second[what]}): the second request gave {got!r} and left the balance at "
        f"{balance(alice)}; expected IdempotencyKeyReused and 70.00. The fingerprint must "
        "cover everything the request asks for: request_fingerprint(market_id=..., side=..., "
        "amount=...) (task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.parametrize("since", ["funds_ran_out", "market_closed"])
def test_retry_replays_the_first_order_even_when_it_could_not_be_placed_again(
    alice: User, market: Market, since: str
) -> None:
    first = order(alice, market)
    if since == "funds_ran_out":
        pay(alice, "60.00")  # 10.00 left: not enough for a second 30.00
    else:
        Market.objects.filter(pk=market.pk).update(status="closed")
    retry = outcome(lambda: order(User.objects.get(pk=alice.pk), market))
    what = {"funds_ran_out": "alice spent all but 10.00", "market_closed": "the market closed"}
    assert retry == first, (
        f"order k-1 was placed ({first}), then {what[since]}; the retry of k-1 gave {retry!r}; "
        "expected the first answer again. A retry is answered from the stored record before "
        "anything else: look the (user, key) record up first and replay it. Placing the order "
        "again and counting on the unique key's IntegrityError to replay it refuses the retry "
        "as soon as the order could no longer be placed — the client thinks its paid order "
        "failed (task 5)"
    )


def committed_order(user: User, market: Market, key: str, side: str, amount: str) -> OrderPlaced:
    """Another request's complete order with `key`, committed: debit, volume, position, key."""
    with transaction.atomic():
        pay(user, amount)
        Market.objects.filter(pk=market.pk).update(volume=F("volume") + D(amount))
        position = Position.objects.create(market=market, user=user, side=side, amount=D(amount))
        after = balance(user)
        IdempotencyRecord.objects.create(
            user=user,
            key=key,
            fingerprint=request_fingerprint(market_id=market.pk, side=side, amount=D(amount)),
            position=position,
            balance_after=after,
        )
    return OrderPlaced(position.pk, user.pk, market.pk, side, D(amount), after)


RACE = (
    "the test let a concurrent request with the same key store it between your lookup and "
    "your INSERT (your lookup found nothing; the unique key then refused your record)"
)


@pytest.mark.task(5)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_concurrent_request_that_stored_the_key_first_is_replayed(
    alice: User, market: Market, django_window
) -> None:
    winner: list[OrderPlaced] = []
    calls: list[OrderPlaced] = []
    with django_window(
        IdempotencyRecord._meta.db_table,
        stale_reads=True,
        competitor=lambda: winner.append(committed_order(alice, market, "k-1", "yes", "30.00")),
    ):
        got = outcome(lambda: order(alice, market, notify=calls.append))
    assert got == winner[0] and state(alice, market) == (D("70.00"), D("30.00"), 1), (
        f"{RACE}: place_order_once gave {got!r} and left (balance, volume, positions) at "
        f"{state(alice, market)}; expected the winner's answer {winner[0]} and its debit only, "
        "(70.00, 30.00, 1). Catch the IntegrityError around the whole atomic block (it rolls "
        "back your debit too), read the winner's record and replay it — a nested atomic "
        "around the INSERT alone keeps your debit: a double debit (task 5)"
    )
    assert calls == [], (
        f"the request that lost the race notified {calls}; its order rolled back, so nothing "
        "may go out (task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_concurrent_request_that_stored_the_key_for_another_order_is_refused(
    alice: User, market: Market, django_window
) -> None:
    with django_window(
        IdempotencyRecord._meta.db_table,
        stale_reads=True,
        competitor=lambda: committed_order(alice, market, "k-1", "no", "30.00"),
    ):
        got = outcome(lambda: order(alice, market))
    assert isinstance(got, IdempotencyKeyReused) and state(alice, market) == (
        D("70.00"),
        D("30.00"),
        1,
    ), (
        f"{RACE}, for another order (side 'no'): place_order_once gave {got!r} and left "
        f"(balance, volume, positions) at {state(alice, market)}; expected "
        "IdempotencyKeyReused and only the winner's order, (70.00, 30.00, 1): the race "
        "fallback replays the stored record only when its fingerprint matches (task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_the_race_fallback_replays_this_users_record_not_another_users(
    alice: User, market: Market, django_window
) -> None:
    carol = User.objects.create(username="carol", balance=D("100.00"))
    alices = order(alice, market)  # alice used k-1 before, for the same order
    winner: list[OrderPlaced] = []
    with django_window(
        IdempotencyRecord._meta.db_table,
        stale_reads=True,
        competitor=lambda: winner.append(committed_order(carol, market, "k-1", "yes", "30.00")),
    ):
        got = outcome(lambda: order(carol, market))
    assert got == winner[0] and balance(carol) == D("70.00"), (
        f"alice had placed order k-1 ({alices}); then carol's request with k-1 lost a race "
        f"to her own concurrent request ({RACE}), and place_order_once answered her {got!r}, "
        f"with carol's balance at {balance(carol)}; expected the winner's answer {winner[0]} "
        "and 70.00. Keys are per user: the fallback after the IntegrityError must re-read "
        "the record by (user, key), like the first lookup — by key alone it finds alice's "
        "record and hands carol alice's order (or refuses hers as IdempotencyKeyReused) "
        "(task 5)"
    )
