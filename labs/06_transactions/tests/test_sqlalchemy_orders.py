"""Lab 06 on SQLAlchemy 2 (FastAPI and Flask tracks): the same contract as on Django.

Each test gets a fresh SQLite file, or an emptied PostgreSQL database when `DATABASE_URL` is
set. The services take instances loaded by the caller, as a request handler would; `loaded()`
loads them and ends the read transaction, so the service runs in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from markets_orders.orders import (
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    MarketNotOpen,
    OrderError,
    OrderPlaced,
    request_fingerprint,
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
    """What `call()` returned, or the error it raised: tests then assert with a message."""
    try:
        return call()
    except (OrderError, DBAPIError) as exc:
        return exc


def pay(sessions: sessionmaker[Session], user_id: int, amount: str) -> None:
    """Another request's payment, committed: the balance drops by `amount`."""
    with sessions.begin() as other:
        other.execute(
            update(User).where(User.id == user_id).values(balance=User.balance - D(amount))
        )


def add_user(sessions: sessionmaker[Session], username: str, balance: str) -> int:
    """Another user, committed; returns the id."""
    with sessions.begin() as s:
        user = User(username=username, balance=D(balance))
        s.add(user)
        s.flush()
        return user.id


def balance_of(sessions: sessionmaker[Session], user_id: int) -> Decimal:
    with sessions() as s:
        return s.scalar(select(User.balance).where(User.id == user_id))  # type: ignore[return-value]


WINDOW = (
    "the test let a competing request commit between your read of the row and your write "
    "(PostgreSQL's READ COMMITTED allows it; SQLite's write lock only hides it): your read "
    "returned the row as it was before that commit"
)


REAL_RACE = "real concurrent transactions on PostgreSQL (READ COMMITTED, its default)"


def sqlstate(result: object) -> str | None:
    """The SQLSTATE of a database error the service raised, else None."""
    return getattr(getattr(result, "orig", None), "sqlstate", None)


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
        "row before the check with with_for_update() (task 2)"
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


def refuse(engine: Engine, refuse_inserts, table: str) -> None:
    """The database refuses every INSERT into `table`, as a failing constraint would."""

    def execute(sql: str) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)

    refuse_inserts(execute, engine.dialect.name, table)


@pytest.fixture
def refuse_positions(engine: Engine, refuse_inserts) -> None:
    refuse(engine, refuse_inserts, Position.__tablename__)


@pytest.fixture
def refuse_idempotency_records(engine: Engine, refuse_inserts) -> None:
    refuse(engine, refuse_inserts, IdempotencyRecord.__tablename__)


def committed_positions(peek: Callable[[str], int]) -> int:
    """Positions another connection can see: only committed rows."""
    return peek(f"SELECT count(*) FROM {Position.__tablename__}")


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


@pytest.mark.task(1)
def test_no_other_request_sees_the_market_before_its_position(
    session: Session, sessions, ids, sqlalchemy_peek, sqlalchemy_before_insert, refuse_positions
) -> None:
    alice, _ = loaded(session, ids)
    seen: list[int] = []

    def others_see() -> None:
        query = f"SELECT count(*) FROM {Market.__tablename__} WHERE slug = 'snow'"
        seen.append(sqlalchemy_peek(query))

    sqlalchemy_before_insert(Position.__tablename__, others_see)
    got = outcome(
        lambda: services.create_market_with_position(
            session, creator=alice, name="Snow in June", slug="snow", side="yes", amount=D("10.00")
        )
    )
    with sessions() as s:
        after = s.scalar(select(func.count()).select_from(Market).where(Market.slug == "snow"))
    assert seen == [0] and after == 0, (
        f"when the position INSERT was sent, other connections saw {seen} committed market(s) "
        f"named 'snow' (and {after} after {type(got).__name__}); expected 0 and 0. Deleting "
        "the market after the position fails (a compensating delete) is not a transaction: "
        "other requests already saw a market with no position, and a crash in between keeps "
        "it. Write both inside one `with atomic(session):` (task 1)"
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
def test_debit_takes_money_from_this_user_only(session: Session, sessions, ids) -> None:
    carol = add_user(sessions, "carol", "50.00")
    alice, _ = loaded(session, ids)
    got = outcome(lambda: services.debit(session, alice, D("30.00")))
    alices, carols = balance_of(sessions, ids[0]), balance_of(sessions, carol)
    assert got == D("70.00") == alices and carols == D("50.00"), (
        f"debit(alice, 30.00) gave {got!r} and left alice at {alices} and carol, who has "
        f"50.00 and ordered nothing, at {carols}; expected 70.00, 70.00 and 50.00. An UPDATE "
        "filtered on the balance alone debits every user who can afford it: "
        "where(User.id == user.id, User.balance >= amount) (task 2)"
    )


@pytest.mark.task(2)
def test_debit_sends_money_to_the_database_as_decimal(session: Session, ids, engine) -> None:
    sent: list[object] = []

    def spy(conn, cursor, sql, parameters, context, many) -> None:  # type: ignore[no-untyped-def]
        # The values bound to the statement, before the dialect's processing: SQLite's
        # dialect turns every Decimal into a float on the way to the driver, PostgreSQL's
        # does not, so the values the driver gets cannot tell them apart here.
        for params in context.compiled_parameters if context.compiled is not None else ():
            sent.extend(params.values())

    alice, _ = loaded(session, ids)
    event.listen(engine, "before_cursor_execute", spy)
    try:
        services.debit(session, alice, D("30.00"))
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    floats = [p for p in sent if isinstance(p, float)]
    assert not floats, (
        f"debit(alice, Decimal('30.00')) bound the values {sent} to its statements: "
        f"{floats} is a float. Money is Decimal from end to end: a float cannot hold most "
        "cents exactly (0.1 + 0.2 != 0.3), and PostgreSQL computes numeric - float in "
        "floating point. Put the Decimal from money() in the UPDATE as it is, never "
        "float(amount) (task 2)"
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


@pytest.mark.task(2)
@pytest.mark.postgresql_only("two debits race in real transactions at READ COMMITTED")
def test_two_concurrent_debits_cannot_both_spend_the_same_money(
    sessions, ids, run_together, sqlalchemy_rendezvous
) -> None:
    meet = sqlalchemy_rendezvous(2, User.__tablename__)

    def one_request(i: int, ready) -> object:
        with sessions() as session:
            alice, _ = loaded(session, ids)
            ready()
            with meet.taking_part():  # each waits after its first statement on alice's row
                return services.debit(session, alice, D("60.00"))

    results = run_together(2, one_request)
    balance = balance_of(sessions, ids[0])
    paid = [r for r in results if isinstance(r, Decimal)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert paid == [D("40.00")] and len(refused) == 1 and balance == D("40.00"), lost_update(
        f"two requests each debited 60.00 from alice's 100.00 at the same moment, in "
        f"{REAL_RACE}, each going on only once the other had sent its first statement on "
        f"alice's row too: they gave {shown(results)} and left the balance at {balance}; "
        "expected one to pay (40.00), the other InsufficientFunds, and 40.00 stored"
    )


@pytest.mark.task(2)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_payment_committed_between_the_debits_read_and_write_is_not_lost(
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    alice, _ = loaded(session, ids)
    with sqlalchemy_window(
        User.__tablename__, stale_reads=True, competitor=lambda: pay(sessions, ids[0], "30.00")
    ) as w:
        got = outcome(lambda: services.debit(session, alice, D("30.00")))
    stored = state(sessions, ids)[0]
    assert got == D("40.00") == stored, (
        f"another request paid 30.00 of alice's 100.00, then debit(alice, 30.00) gave {got!r} "
        f"and committed {stored}; expected 40.00 both. Your debit read alice's row "
        f"{w.stale_reads} time(s) before writing it, and {WINDOW}: checking that balance in "
        "Python and writing balance - amount is a lost update. Let the database check and "
        "subtract in one conditional UPDATE ... WHERE balance >= amount RETURNING balance, or "
        "lock the row first with with_for_update() (task 2)"
    )


@pytest.mark.task(2)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_debit_refuses_what_a_concurrent_payment_already_spent(
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    alice, _ = loaded(session, ids)
    with sqlalchemy_window(
        User.__tablename__, stale_reads=True, competitor=lambda: pay(sessions, ids[0], "80.00")
    ) as w:
        got = outcome(lambda: services.debit(session, alice, D("30.00")))
    stored = state(sessions, ids)[0]
    assert isinstance(got, InsufficientFunds) and stored == D("20.00"), (
        f"another request spent 80.00 of alice's 100.00, then debit(alice, 30.00) gave "
        f"{got!r} and left {stored}; expected InsufficientFunds and 20.00. Your debit read "
        f"alice's row {w.stale_reads} time(s) before writing it, and {WINDOW}: a check in "
        "Python on that balance passes, and only the CHECK constraint stops the overdraw. "
        "Put the check in the UPDATE's WHERE (balance >= amount) (task 2)"
    )


@pytest.mark.task(2)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_debit_returns_the_balance_its_own_update_left(
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    alice, _ = loaded(session, ids)
    with sqlalchemy_window(
        User.__tablename__, after_lock=lambda: pay(sessions, ids[0], "30.00")
    ) as w:
        got = outcome(lambda: services.debit(session, alice, D("30.00")))
    session.close()  # the request ends: a transaction the debit left open ends with it
    stored = state(sessions, ids)[0]
    assert w.competitor_ran and got == D("70.00") and stored == D("40.00"), (
        f"debit(alice with 100.00, 30.00) returned {got!r}, then another request paid 30.00 "
        f"as soon as your debit released the row (balance now {stored}); expected 70.00, the "
        "balance your own UPDATE left, and 40.00 stored. Reading the balance back outside "
        "the debit's transaction returns whatever concurrent requests did in between: take "
        "it from the UPDATE itself (RETURNING), inside the same `with atomic(session):` "
        "(task 2)"
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
@pytest.mark.parametrize("status", ["draft", "resolved"])
def test_only_an_active_market_takes_orders(session: Session, sessions, ids, status: str) -> None:
    alice, market = loaded(session, ids)
    with sessions.begin() as other:
        other.get_one(Market, ids[1]).status = status
    got = outcome(lambda: services.place_order(session, alice, market, D("30.00"), side="yes"))
    assert isinstance(got, MarketNotOpen) and state(sessions, ids) == (D("100.00"), D("0.00"), 0), (
        f"an order on a {status} market gave {type(got).__name__} and left (balance, volume, "
        f"positions) at {state(sessions, ids)}; expected MarketNotOpen and (100.00, 0.00, 0): "
        "only an active market takes orders — not every market that is not closed "
        "(Market.status == 'active' in the UPDATE's WHERE, not != 'closed') (task 3)"
    )


@pytest.mark.task(3)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_market_closed_between_the_orders_read_and_write_refuses_it(
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    alice, market = loaded(session, ids)

    def close() -> None:
        with sessions.begin() as other:
            other.execute(update(Market).where(Market.id == ids[1]).values(status="closed"))

    with sqlalchemy_window(Market.__tablename__, stale_reads=True, competitor=close) as w:
        got = outcome(lambda: services.place_order(session, alice, market, D("30.00"), side="yes"))
    assert isinstance(got, MarketNotOpen) and state(sessions, ids) == (D("100.00"), D("0.00"), 0), (
        f"another request closed the market, then place_order(...) gave {type(got).__name__} "
        f"and left (balance, volume, positions) at {state(sessions, ids)}; expected "
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
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    alice, market = loaded(session, ids)

    def other_order() -> None:
        with sessions.begin() as other:
            other.execute(
                update(Market).where(Market.id == ids[1]).values(volume=Market.volume + D("50"))
            )

    with sqlalchemy_window(Market.__tablename__, stale_reads=True, competitor=other_order) as w:
        got = outcome(lambda: services.place_order(session, alice, market, D("30.00"), side="yes"))
    volume = state(sessions, ids)[1]
    assert isinstance(got, OrderPlaced) and volume == D("80.00"), (
        f"another request's order added 50.00 to the market's volume, then place_order(alice, "
        f"30.00) gave {type(got).__name__} and left the volume at {volume}; expected 80.00. "
        f"Your order read the market {w.stale_reads} time(s) before writing it, and {WINDOW}: "
        "writing volume = <the volume you read> + amount is a lost update. Let the database "
        "add, in the same conditional UPDATE: .values(volume=Market.volume + amount) (task 3)"
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
def test_the_database_refuses_a_position_for_a_missing_market(sessions, ids) -> None:
    missing = ids[1] + 1000
    got: object = "stored"
    try:
        with sessions.begin() as s:
            s.add(Position(market_id=missing, user_id=ids[0], side="yes", amount=D("1.00")))
    except IntegrityError as exc:
        got = exc
    with sessions() as s:
        stored = s.scalar(select(func.count()).select_from(Position))
    assert isinstance(got, IntegrityError) and stored == 0, (
        f"a position for market {missing}, which does not exist, gave {got!r} and left "
        f"{stored} position(s); expected IntegrityError and 0: the foreign key must refuse "
        "an order for a missing market on every database. PostgreSQL always checks foreign "
        "keys; SQLite only on connections that ran PRAGMA foreign_keys=ON (db.py's "
        "make_engine does, on every connection) (task 3)"
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
    session: Session, ids, sqlalchemy_peek
) -> None:
    alice, market = loaded(session, ids)
    seen: list[tuple[OrderPlaced, int]] = []
    placed = services.place_order(
        session,
        alice,
        market,
        D("30.00"),
        side="yes",
        notify=lambda p: seen.append((p, committed_positions(sqlalchemy_peek))),
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


@pytest.mark.task(4)
def test_another_sessions_commit_does_not_send_this_sessions_notifications(
    session: Session, sessions, ids
) -> None:
    alice, market = loaded(session, ids)
    calls: list[OrderPlaced] = []
    with pytest.raises(CallerError), session.begin():
        services.place_order(session, alice, market, D("30.00"), side="yes", notify=calls.append)
        # Another request's session commits meanwhile. It writes nothing here only because
        # SQLite's single write lock, held by this transaction, would make it wait; on
        # PostgreSQL it would write and commit.
        with sessions.begin():
            pass
        during = list(calls)
        raise CallerError("then this request's own transaction rolls back")
    assert during == [] and calls == [], (
        f"an order placed in one session was still uncommitted when another session "
        f"committed: notify ran {len(during)} time(s) at that other commit and {len(calls)} "
        "in all, though this order then rolled back; expected 0 and 0. Pending callbacks "
        "belong to their session (session.info), not to a module-level list that any "
        "session's after_commit empties — another request's commit sends your e-mail before "
        "yours is committed, or after it rolled back (task 4)"
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


@pytest.mark.task(5)
@pytest.mark.postgresql_only("two requests with one key race in real transactions")
@pytest.mark.parametrize("second", ["same_order", "another_order"])
def test_two_concurrent_requests_with_one_key_let_the_unique_key_decide(
    sessions, ids, run_together, sqlalchemy_rendezvous, second: str
) -> None:
    meet = sqlalchemy_rendezvous(2, IdempotencyRecord.__tablename__)
    sides = ["yes", "yes" if second == "same_order" else "no"]
    calls: list[OrderPlaced] = []

    def one_request(i: int, ready) -> object:
        with sessions() as session:
            alice, market = loaded(session, ids)
            ready()
            with meet.taking_part():  # each waits after its lookup of the key
                return services.place_order_once(
                    session,
                    key="k-1",
                    user=alice,
                    market=market,
                    amount=D("30.00"),
                    side=sides[i],  # type: ignore[arg-type]
                    notify=calls.append,
                )

    results = run_together(2, one_request)
    placed = [r for r in results if isinstance(r, OrderPlaced)]
    after = state(sessions, ids)
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
    session: Session, ids, sqlalchemy_peek
) -> None:
    seen: list[tuple[OrderPlaced, int]] = []
    placed = order(
        session, ids, notify=lambda p: seen.append((p, committed_positions(sqlalchemy_peek)))
    )
    alice, market = loaded(session, ids)
    calls: list[OrderPlaced] = []
    with pytest.raises(CallerError), session.begin():
        services.place_order_once(
            session,
            key="k-2",
            user=alice,
            market=market,
            amount=D("30.00"),
            side="yes",
            notify=calls.append,
        )
        raise CallerError("the caller's next step fails")
    assert seen == [(placed, 1)] and calls == [], (
        f"place_order_once notified {seen} on its own (expected one call, after commit, when "
        f"another connection sees the position: [({placed}, 1)]) and {len(calls)} time(s) "
        "inside a caller's transaction that rolled back (expected 0). Calling notify after "
        "your own atomic block is not after the commit when a caller's transaction wraps "
        "it: pass notify on to place_order, whose after_commit waits for the outermost "
        "(task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.parametrize("what", ["side", "market_id", "amount"])
def test_same_key_with_another_side_market_or_amount_is_refused(
    session: Session, sessions, ids, what: str
) -> None:
    with sessions.begin() as s:
        sun = Market(name="Sun", slug="sun", status="active", creator_id=ids[0])
        s.add(sun)
        s.flush()
        other_id = sun.id
    first = {"market_id": ids[1], "side": "yes", "amount": "30.00"}
    second = {**first, what: {"side": "no", "market_id": other_id, "amount": "40.00"}[what]}
    what = "market" if what == "market_id" else what

    def once(market_id: int, side: str, amount: str) -> object:
        alice, market = loaded(session, (ids[0], market_id))
        return outcome(
            lambda: services.place_order_once(
                session, key="k-1", user=alice, market=market, amount=D(amount), side=side
            )
        )

    once(**first)
    got = once(**second)
    stored = state(sessions, ids)[0]
    assert isinstance(got, IdempotencyKeyReused) and stored == D("70.00"), (
        f"key 'k-1' was used for 30.00 on 'yes' in market rain, then for another {what}: the "
        f"second request gave {got!r} and left the balance at {stored}; expected "
        "IdempotencyKeyReused and 70.00. The fingerprint must cover everything the request "
        "asks for: request_fingerprint(market_id=..., side=..., amount=...) (task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.parametrize("since", ["funds_ran_out", "market_closed"])
def test_retry_replays_the_first_order_even_when_it_could_not_be_placed_again(
    session: Session, sessions, ids, since: str
) -> None:
    first = order(session, ids)
    if since == "funds_ran_out":
        pay(sessions, ids[0], "60.00")  # 10.00 left: not enough for a second 30.00
    else:
        with sessions.begin() as other:
            other.execute(update(Market).where(Market.id == ids[1]).values(status="closed"))
    with sessions() as retry_session:
        retry = outcome(lambda: order(retry_session, ids))
    what = {"funds_ran_out": "alice spent all but 10.00", "market_closed": "the market closed"}
    assert retry == first, (
        f"order k-1 was placed ({first}), then {what[since]}; the retry of k-1 gave {retry!r}; "
        "expected the first answer again. A retry is answered from the stored record before "
        "anything else: look the (user, key) record up first and replay it. Placing the order "
        "again and counting on the primary key's IntegrityError to replay it refuses the "
        "retry as soon as the order could no longer be placed — the client thinks its paid "
        "order failed (task 5)"
    )


def committed_order(sessions, ids, key: str, side: str, amount: str) -> OrderPlaced:
    """Another request's complete order with `key`, committed: debit, volume, position, key."""
    with sessions.begin() as other:
        after = other.scalar(
            update(User)
            .where(User.id == ids[0])
            .values(balance=User.balance - D(amount))
            .returning(User.balance)
        )
        other.execute(
            update(Market).where(Market.id == ids[1]).values(volume=Market.volume + D(amount))
        )
        position = Position(market_id=ids[1], user_id=ids[0], side=side, amount=D(amount))
        other.add(position)
        other.flush()
        other.add(
            IdempotencyRecord(
                user_id=ids[0],
                key=key,
                fingerprint=request_fingerprint(market_id=ids[1], side=side, amount=D(amount)),
                position_id=position.id,
                balance_after=after,
            )
        )
    return OrderPlaced(position.id, ids[0], ids[1], side, D(amount), after)  # type: ignore[arg-type]


RACE = (
    "the test let a concurrent request with the same key store it between your lookup and "
    "your INSERT (your lookup found nothing; the primary key then refused your record)"
)


@pytest.mark.task(5)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_concurrent_request_that_stored_the_key_first_is_replayed(
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    winner: list[OrderPlaced] = []
    calls: list[OrderPlaced] = []
    with sqlalchemy_window(
        IdempotencyRecord.__tablename__,
        stale_reads=True,
        competitor=lambda: winner.append(committed_order(sessions, ids, "k-1", "yes", "30.00")),
    ):
        got = outcome(lambda: order(session, ids, notify=calls.append))
    assert got == winner[0] and state(sessions, ids) == (D("70.00"), D("30.00"), 1), (
        f"{RACE}: place_order_once gave {got!r} and left (balance, volume, positions) at "
        f"{state(sessions, ids)}; expected the winner's answer {winner[0]} and its debit "
        "only, (70.00, 30.00, 1). Catch the IntegrityError around the whole atomic block (it "
        "rolls back your debit too), read the winner's record and replay it — a savepoint "
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
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    with sqlalchemy_window(
        IdempotencyRecord.__tablename__,
        stale_reads=True,
        competitor=lambda: committed_order(sessions, ids, "k-1", "no", "30.00"),
    ):
        got = outcome(lambda: order(session, ids))
    assert isinstance(got, IdempotencyKeyReused) and state(sessions, ids) == (
        D("70.00"),
        D("30.00"),
        1,
    ), (
        f"{RACE}, for another order (side 'no'): place_order_once gave {got!r} and left "
        f"(balance, volume, positions) at {state(sessions, ids)}; expected "
        "IdempotencyKeyReused and only the winner's order, (70.00, 30.00, 1): the race "
        "fallback replays the stored record only when its fingerprint matches (task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_the_race_fallback_replays_this_users_record_not_another_users(
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    carol = (add_user(sessions, "carol", "100.00"), ids[1])
    alices = order(session, ids)  # alice used k-1 before, for the same order
    winner: list[OrderPlaced] = []
    with (
        sqlalchemy_window(
            IdempotencyRecord.__tablename__,
            stale_reads=True,
            competitor=lambda: winner.append(
                committed_order(sessions, carol, "k-1", "yes", "30.00")
            ),
        ),
        sessions() as carols_session,
    ):
        got = outcome(lambda: order(carols_session, carol))
    carols = balance_of(sessions, carol[0])
    assert got == winner[0] and carols == D("70.00"), (
        f"alice had placed order k-1 ({alices}); then carol's request with k-1 lost a race "
        f"to her own concurrent request ({RACE}), and place_order_once answered her {got!r}, "
        f"with carol's balance at {carols}; expected the winner's answer {winner[0]} and "
        "70.00. Keys are per user: the fallback after the IntegrityError must re-read the "
        "record by (user_id, key), like the first lookup — by key alone it finds alice's "
        "record and hands carol alice's order (or refuses hers as IdempotencyKeyReused) "
        "(task 5)"
    )


@pytest.mark.task(5)
@pytest.mark.sqlite_only(
    "a forced READ COMMITTED interleaving (Window) only SQLite can play: on a server the "
    "competitor would wait on the service's own row lock; the SQLite run covers it"
)
def test_a_race_lost_inside_the_callers_transaction_keeps_the_callers_work(
    session: Session, sessions, ids, sqlalchemy_window
) -> None:
    alice, market = loaded(session, ids)
    winner: list[OrderPlaced] = []
    got: object = "no answer"
    caller: object = "a commit"
    with sqlalchemy_window(
        IdempotencyRecord.__tablename__,
        stale_reads=True,
        competitor=lambda: winner.append(committed_order(sessions, ids, "k-1", "yes", "30.00")),
    ):
        try:
            with session.begin():  # the caller's own transaction, with work of its own
                session.add(User(username="dave"))
                session.flush()
                got = services.place_order_once(
                    session, key="k-1", user=alice, market=market, amount=D("30.00"), side="yes"
                )
        except Exception as exc:  # from place_order_once or from the caller's commit
            caller = exc
    with sessions() as other:
        dave = other.scalar(select(func.count()).select_from(User).where(User.username == "dave"))
    assert got == winner[0] and dave == 1 and state(sessions, ids) == (D("70.00"), D("30.00"), 1), (
        f"inside the caller's session.begin(), after it added user dave, place_order_once "
        f"lost a race ({RACE}) and gave {got!r}; the caller's block ended with {caller!r}, "
        f"with dave committed {dave} time(s) and (balance, volume, positions) at "
        f"{state(sessions, ids)}. Expected the winner's answer {winner[0]}, dave kept and "
        "(70.00, 30.00, 1). session.rollback() in the except IntegrityError rolls back the "
        "caller's whole transaction, not just your order: the savepoint your atomic(session) "
        "opened has already rolled back when the exception leaves it, so re-read the winner's "
        "record without calling rollback() (task 5)"
    )
