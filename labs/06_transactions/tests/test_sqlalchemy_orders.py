"""Lab 06 on SQLAlchemy 2 (FastAPI and Flask tracks): the same contract as on Django.

Each test gets a fresh SQLite file. The services take instances loaded by the caller, as a
request handler would; `loaded()` loads them and ends the read transaction, so the service
runs in a transaction of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from markets_orders.orders import (
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    MarketNotOpen,
    OrderError,
    OrderPlaced,
)
from markets_orders.sqlalchemy_orm import services
from markets_orders.sqlalchemy_orm.models import IdempotencyRecord, Market, Position, User

pytestmark = pytest.mark.sqlalchemy
D = Decimal


class CallerError(Exception):
    """A failure in the caller's own code, after the service returned."""


@pytest.fixture
def ids(sessions: sessionmaker[Session]) -> tuple[int, int]:
    """(alice's id, the market's id): alice has 100.00, the market is active."""
    with sessions.begin() as session:
        alice = User(username="alice", balance=D("100.00"))
        bob = User(username="bob", balance=D("0.00"))
        session.add_all([alice, bob])
        session.flush()
        market = Market(name="Rain in Lisbon", slug="rain", status="active", creator_id=bob.id)
        session.add(market)
        session.flush()
        return alice.id, market.id


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


def loaded(session: Session, ids: tuple[int, int]) -> tuple[User, Market]:
    alice, market = session.get_one(User, ids[0]), session.get_one(Market, ids[1])
    session.commit()  # end the read transaction (expire_on_commit=False keeps the values)
    return alice, market


def state(sessions: sessionmaker[Session], ids: tuple[int, int]) -> tuple[Decimal, Decimal, int]:
    """(alice's balance, market volume, positions), read in a fresh session."""
    with sessions() as s:
        balance = s.scalar(select(User.balance).where(User.id == ids[0]))
        volume = s.scalar(select(Market.volume).where(Market.id == ids[1]))
        count = s.scalar(select(func.count()).select_from(Position))
        return balance, volume, count  # type: ignore[return-value]


def outcome(call: Callable[[], object]) -> object:
    """What `call()` returned, or the OrderError it raised: tests then assert with a message."""
    try:
        return call()
    except OrderError as exc:
        return exc


def refuse_inserts(engine: Engine, table: str) -> Iterator[None]:
    """The database refuses every INSERT into `table`, as a failing constraint would."""
    with engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the database (test trigger)'); END"
            )
        )
    yield
    with engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER IF EXISTS refuse_{table}"))


@pytest.fixture
def refuse_positions(engine: Engine) -> Iterator[None]:
    yield from refuse_inserts(engine, Position.__tablename__)


@pytest.fixture
def refuse_idempotency_records(engine: Engine) -> Iterator[None]:
    yield from refuse_inserts(engine, IdempotencyRecord.__tablename__)


def committed_positions(sqlite_file: Path) -> int:
    """Positions another connection can see: only committed rows."""
    with sqlite3.connect(sqlite_file) as other:
        (count,) = other.execute(f"SELECT count(*) FROM {Position.__tablename__}").fetchone()
    return count


# ------------------------------------------------------------------------------ task 1


@pytest.mark.task(1)
def test_create_market_with_position_writes_both(session: Session, ids) -> None:
    alice, _ = loaded(session, ids)
    market = services.create_market_with_position(
        session, creator=alice, name="Snow in June", slug="snow", side="yes", amount=D("10.00")
    )
    rows = session.execute(
        select(Position.user_id, Position.side, Position.amount).where(
            Position.market_id == market.id
        )
    ).all()
    assert market.status == "active" and [tuple(r) for r in rows] == [
        (alice.id, "yes", D("10.00"))
    ], (
        f"create_market_with_position(...) made a {market.status!r} market with positions "
        f"{rows}; expected an active market with the creator's opening position (task 1)"
    )


@pytest.mark.task(1)
def test_position_failure_leaves_no_market(
    session: Session, sessions, ids, refuse_positions: None
) -> None:
    alice, _ = loaded(session, ids)
    with pytest.raises(IntegrityError):
        services.create_market_with_position(
            session, creator=alice, name="Snow in June", slug="snow", side="yes", amount=D("10.00")
        )
    with sessions() as other:
        markets = other.scalar(
            select(func.count()).select_from(Market).where(Market.slug == "snow")
        )
    assert markets == 0, (
        f"the position INSERT failed, yet {markets} market row was committed; the market and "
        "its opening position must be written in one transaction, both or neither — "
        "`with atomic(session):` around both (task 1)"
    )


@pytest.mark.task(1)
def test_atomic_commits_or_opens_a_savepoint(session: Session, sessions, ids) -> None:
    with services.atomic(session):
        session.add(User(username="carol"))
    with session.begin():
        session.add(User(username="dave"))
        with pytest.raises(CallerError), services.atomic(session):
            session.add(User(username="erin"))
            session.flush()
            raise CallerError("roll back the savepoint only")
    with sessions() as other:
        names = set(other.scalars(select(User.username)))
    assert names == {"alice", "bob", "carol", "dave"}, (
        f"users after atomic() alone (carol), then atomic() failing inside the caller's "
        f"transaction (erin): {sorted(names)}; expected carol committed, erin rolled back "
        "to her savepoint and dave kept — session.begin() or session.begin_nested() (task 1)"
    )


# ------------------------------------------------------------------------------ task 2


@pytest.mark.task(2)
def test_debit_takes_the_amount_and_returns_the_new_balance(
    session: Session, sessions, ids
) -> None:
    alice, _ = loaded(session, ids)
    got = services.debit(session, alice, D("30.00"))
    stored = state(sessions, ids)[0]
    assert got == D("70.00") == stored, (
        f"debit(alice with 100.00, 30.00) returned {got} and committed {stored}; "
        "expected 70.00 both (task 2)"
    )


@pytest.mark.task(2)
def test_debit_beyond_the_balance_raises_and_changes_nothing(
    session: Session, sessions, ids
) -> None:
    alice, _ = loaded(session, ids)
    with pytest.raises(InsufficientFunds):
        services.debit(session, alice, D("100.01"))
    assert state(sessions, ids)[0] == D("100.00"), (
        f"a refused debit left the balance at {state(sessions, ids)[0]}; expected 100.00 (task 2)"
    )


@pytest.mark.task(2)
def test_debit_of_the_whole_balance_leaves_zero(session: Session, sessions, ids) -> None:
    alice, _ = loaded(session, ids)
    got = outcome(lambda: services.debit(session, alice, D("100.00")))
    stored = state(sessions, ids)[0]
    assert got == D("0.00") == stored, (
        f"debit(alice with 100.00, 100.00) gave {got!r} and committed {stored}; expected 0.00 "
        "both: spending exactly the whole balance is allowed, so the condition is "
        "balance >= amount, not balance > amount (task 2)"
    )


@pytest.mark.task(2)
def test_debit_returns_the_balance_the_database_holds(session: Session, sessions, ids) -> None:
    alice, _ = loaded(session, ids)  # this request loaded alice with 100.00 ...
    with sessions() as other:  # ... another one paid first
        services.debit(other, loaded(other, ids)[0], D("30.00"))
    got = services.debit(session, alice, D("30.00"))
    stored = state(sessions, ids)[0]
    assert got == D("40.00") == stored, (
        f"after another request took 30.00, debit(alice loaded with 100.00, 30.00) returned "
        f"{got} and committed {stored}; expected 40.00 both. The loaded instance is stale, "
        "and the ORM's synchronize_session only redoes the arithmetic on it in Python: return "
        "the balance the database computed (UPDATE ... RETURNING) (task 2)"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize("amount", [D("-50.00"), D("0"), D("0.001")])
def test_debit_refuses_amounts_that_are_not_positive_cents(
    session: Session, sessions, ids, amount: Decimal
) -> None:
    alice, _ = loaded(session, ids)
    with pytest.raises(InvalidAmount):
        services.debit(session, alice, amount)
    assert state(sessions, ids)[0] == D("100.00"), (
        f"debit(alice, {amount}) changed the balance to {state(sessions, ids)[0]}; a debit of "
        "a negative amount is a credit — validate with orders.money() first (task 2)"
    )


@pytest.mark.task(2)
def test_concurrent_debits_never_overdraw(sessions, ids, run_together) -> None:
    def one_request(i: int, ready) -> object:
        with sessions() as session:
            alice, _ = loaded(session, ids)  # each request loads the user, then debits
            ready()
            return services.debit(session, alice, D("30.00"))

    results = run_together(10, one_request)
    paid = [r for r in results if isinstance(r, Decimal)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    others = [r for r in results if r not in paid + refused]
    balance = state(sessions, ids)[0]
    assert len(paid) == 3 and len(refused) == 7 and balance == D("10.00"), (
        f"10 concurrent debits of 30.00 from 100.00: {len(paid)} paid, {len(refused)} refused, "
        f"balance {balance}, other outcomes {others}; expected 3 paid, 7 refused, balance "
        "10.00. Reading the balance in Python and writing balance - amount is a lost update: "
        "check and subtract in one conditional UPDATE ... WHERE balance >= amount (task 2)"
    )


# ------------------------------------------------------------------------------ task 3


@pytest.mark.task(3)
def test_place_order_debits_and_opens_a_position(session: Session, sessions, ids) -> None:
    alice, market = loaded(session, ids)
    placed = services.place_order(session, alice, market, D("30.00"), side="no")
    with sessions() as other:
        position = other.get(Position, placed.position_id)
        stored = position and (position.user_id, position.market_id, position.side, position.amount)
    assert stored == (alice.id, market.id, "no", D("30.00")), (
        f"place_order(alice, rain, 30.00, side='no') committed position {stored}; expected "
        f"({alice.id}, {market.id}, 'no', 30.00): alice's position on rain (task 3)"
    )
    expected = OrderPlaced(placed.position_id, alice.id, market.id, "no", D("30.00"), D("70.00"))
    assert placed == expected, (
        f"place_order returned {placed}; expected the position and the balance after the debit "
        "(70.00) (task 3)"
    )
    assert state(sessions, ids) == (D("70.00"), D("30.00"), 1), (
        f"after one order of 30.00 (balance, volume, positions) is {state(sessions, ids)}; "
        "expected (70.00, 30.00, 1) (task 3)"
    )


@pytest.mark.task(3)
def test_insufficient_funds_writes_nothing(session: Session, sessions, ids) -> None:
    alice, market = loaded(session, ids)
    with pytest.raises(InsufficientFunds):
        services.place_order(session, alice, market, D("150.00"), side="yes")
    assert state(sessions, ids) == (D("100.00"), D("0.00"), 0), (
        f"a refused order left (balance, volume, positions) at {state(sessions, ids)}; "
        "expected (100.00, 0.00, 0): nothing written (task 3)"
    )


@pytest.mark.task(3)
def test_closed_market_refuses_the_order_and_keeps_the_money(
    session: Session, sessions, ids
) -> None:
    alice, market = loaded(session, ids)  # loaded while active ...
    with sessions.begin() as other:  # ... closed before the order arrives
        other.get_one(Market, ids[1]).status = "closed"
    got = outcome(lambda: services.place_order(session, alice, market, D("30.00"), side="yes"))
    assert isinstance(got, MarketNotOpen) and state(sessions, ids) == (D("100.00"), D("0.00"), 0), (
        f"an order on a market closed after the request loaded it gave "
        f"{type(got).__name__} and left "
        f"(balance, volume, positions) at {state(sessions, ids)}; expected MarketNotOpen and "
        "(100.00, 0.00, 0). The loaded instance still says 'active': check the status in the "
        "database, in the volume UPDATE's WHERE, and let the debit roll back (task 3)"
    )


@pytest.mark.task(3)
def test_position_failure_rolls_back_the_debit(
    session: Session, sessions, ids, refuse_positions: None
) -> None:
    alice, market = loaded(session, ids)
    with pytest.raises(IntegrityError):
        services.place_order(session, alice, market, D("30.00"), side="yes")
    assert state(sessions, ids)[:2] == (D("100.00"), D("0.00")), (
        f"the position INSERT failed, yet (balance, volume) is {state(sessions, ids)[:2]}; "
        "the debit must be rolled back with it: debit, volume and position in one "
        "`with atomic(session):` block (task 3)"
    )


@pytest.mark.task(3)
def test_concurrent_orders_never_overdraw(sessions, ids, run_together) -> None:
    def one_request(i: int, ready) -> object:
        with sessions() as session:
            alice, market = loaded(session, ids)
            ready()
            return services.place_order(session, alice, market, D("30.00"), side="yes")

    results = run_together(10, one_request)
    errors = [r for r in results if not isinstance(r, OrderPlaced | InsufficientFunds)]
    assert not errors and state(sessions, ids) == (D("10.00"), D("90.00"), 3), (
        f"10 concurrent orders of 30.00 from 100.00 left (balance, volume, positions) at "
        f"{state(sessions, ids)} with errors {errors}; expected (10.00, 90.00, 3): a lost "
        "update or an overdraw (task 3)"
    )


# ------------------------------------------------------------------------------ task 4


@pytest.mark.task(4)
def test_notify_runs_once_after_the_order_is_committed(
    session: Session, ids, sqlite_file: Path
) -> None:
    alice, market = loaded(session, ids)
    seen: list[tuple[OrderPlaced, int]] = []
    placed = services.place_order(
        session,
        alice,
        market,
        D("30.00"),
        side="yes",
        notify=lambda p: seen.append((p, committed_positions(sqlite_file))),
    )
    assert seen == [(placed, 1)], (
        f"notify saw {seen}; expected one call with the order, made after commit, when "
        "another connection already sees its position (1) — run it from the session's "
        "after_commit event, not inside the transaction (task 4)"
    )


@pytest.mark.task(4)
def test_each_order_notifies_once_across_later_commits(session: Session, ids) -> None:
    alice, market = loaded(session, ids)
    calls: list[OrderPlaced] = []
    first = services.place_order(
        session, alice, market, D("10.00"), side="yes", notify=calls.append
    )
    second = services.place_order(
        session, alice, market, D("20.00"), side="no", notify=calls.append
    )
    assert calls == [first, second], (
        f"two orders (positions {first.position_id}, {second.position_id}), each committed "
        f"on its own on one session, notified positions {[c.position_id for c in calls]}; "
        "expected each order once, in order: the after_commit listener runs the callbacks "
        "registered since the last commit, then removes them from session.info (task 4)"
    )


@pytest.mark.task(4)
def test_notify_never_runs_when_the_callers_transaction_rolls_back(
    session: Session, sessions, ids
) -> None:
    alice, market = loaded(session, ids)
    calls: list[OrderPlaced] = []
    with pytest.raises(CallerError), session.begin():
        services.place_order(session, alice, market, D("30.00"), side="yes", notify=calls.append)
        raise CallerError("the caller's next step fails")
    with session.begin():  # a later, unrelated commit on the same session
        session.add(User(username="carol"))
    assert calls == [] and state(sessions, ids)[0] == D("100.00"), (
        f"the caller's transaction rolled back the order, yet notify ran {len(calls)} time(s) "
        "(now or at the session's next commit); an e-mail about an order that does not "
        "exist — run it only after the outermost commit, drop it on rollback (task 4)"
    )


@pytest.mark.task(4)
def test_notify_is_dropped_with_a_rolled_back_savepoint(session: Session, ids) -> None:
    alice, market = loaded(session, ids)
    calls: list[OrderPlaced] = []
    with session.begin():
        kept = services.place_order(
            session, alice, market, D("10.00"), side="yes", notify=calls.append
        )
        with pytest.raises(CallerError), session.begin_nested():
            services.place_order(session, alice, market, D("20.00"), side="no", notify=calls.append)
            raise CallerError("this savepoint rolls back")
    assert calls == [kept], (
        f"notify ran for {calls}; expected only the order that committed ({kept}): callbacks "
        "run after commit, and the order rolled back with its savepoint must not notify "
        "(task 4)"
    )


# ------------------------------------------------------------------------------ task 5


def order(session: Session, ids, key: str = "k-1", amount: str = "30.00", **kw) -> OrderPlaced:
    alice, market = loaded(session, ids)
    return services.place_order_once(
        session, key=key, user=alice, market=market, amount=D(amount), side="yes", **kw
    )


@pytest.mark.task(5)
def test_retry_with_the_same_key_returns_the_first_order_and_debits_once(
    session: Session, sessions, ids
) -> None:
    calls: list[OrderPlaced] = []
    first = order(session, ids, notify=calls.append)
    with sessions() as retry_session:
        retry = order(retry_session, ids, notify=calls.append)
    assert retry == first, f"the retry returned {retry}; expected the first result {first} (task 5)"
    assert state(sessions, ids) == (D("70.00"), D("30.00"), 1) and calls == [first], (
        f"two requests with key 'k-1' left (balance, volume, positions) at "
        f"{state(sessions, ids)} and notified {len(calls)} time(s); expected (70.00, 30.00, 1) "
        "and one notification: a retry is answered from the stored key (task 5)"
    )


@pytest.mark.task(5)
def test_retry_after_later_orders_replays_the_first_answer(session: Session, sessions, ids) -> None:
    first = order(session, ids, key="k-1")
    order(session, ids, key="k-2")
    with sessions() as retry_session:
        retry = order(retry_session, ids, key="k-1")
    assert retry == first and state(sessions, ids) == (D("40.00"), D("60.00"), 2), (
        f"order k-1 (balance after: 70.00), order k-2, then a retry of k-1 answered position "
        f"{retry.position_id} with balance {retry.balance} and left (balance, volume, "
        f"positions) at {state(sessions, ids)}; expected the first answer again (position "
        f"{first.position_id}, balance {first.balance}) and (40.00, 60.00, 2). A replay "
        "answers what the first request answered: the balance stored in the record "
        "(balance_after), not today's balance (task 5)"
    )


@pytest.mark.task(5)
def test_same_key_with_another_order_is_refused(session: Session, sessions, ids) -> None:
    order(session, ids, amount="30.00")
    with pytest.raises(IdempotencyKeyReused):
        order(session, ids, amount="40.00")
    assert state(sessions, ids) == (D("70.00"), D("30.00"), 1), (
        f"key 'k-1' reused for another amount left {state(sessions, ids)}; expected the "
        "first order only, and IdempotencyKeyReused (task 5)"
    )


@pytest.mark.task(5)
def test_keys_belong_to_one_user(session: Session, sessions, ids) -> None:
    order(session, ids)
    with sessions.begin() as s:
        carol = User(username="carol", balance=D("50.00"))
        s.add(carol)
        s.flush()
        carol_ids = (carol.id, ids[1])
    theirs = order(session, carol_ids)
    assert theirs.user_id == carol_ids[0] and theirs.balance == D("20.00"), (
        f"carol's first order with key 'k-1' returned {theirs}; keys are scoped per user — "
        "alice's key must not answer carol's request (task 5)"
    )


@pytest.mark.task(5)
def test_order_and_idempotency_record_commit_together(
    session: Session, sessions, ids, refuse_idempotency_records: None
) -> None:
    with pytest.raises(IntegrityError):
        order(session, ids)
    assert state(sessions, ids) == (D("100.00"), D("0.00"), 0), (
        f"storing the idempotency key failed, yet the order was committed: (balance, volume, "
        f"positions) = {state(sessions, ids)}. A retry would debit again. Store the key in the "
        "same transaction as the order (task 5)"
    )


@pytest.mark.task(5)
def test_concurrent_retries_with_one_key_debit_once(sessions, ids, run_together) -> None:
    def one_request(i: int, ready) -> object:
        with sessions() as session:
            alice, market = loaded(session, ids)
            ready()
            return services.place_order_once(
                session, key="k-1", user=alice, market=market, amount=D("30.00"), side="yes"
            )

    results = run_together(5, one_request)
    assert len(set(results)) == 1 and isinstance(results[0], OrderPlaced), (
        f"5 concurrent requests with one key returned {set(results)}; expected one result, "
        "the same for all (task 5)"
    )
    assert state(sessions, ids) == (D("70.00"), D("30.00"), 1), (
        f"5 concurrent requests with one key left {state(sessions, ids)}; expected one debit "
        "(task 5)"
    )
