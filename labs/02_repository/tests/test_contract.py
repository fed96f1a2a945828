"""The repository contract: one suite, three adapters (memory · django · sqlalchemy).

Each test runs once per backend (the `backend` fixture in conftest.py); the test id says which,
e.g. `test_get_missing_market_returns_none[django]`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from conftest import SEED, Backend, expected_markets

from markets_repository.domain import (
    ORDERINGS,
    Market,
    MarketStatus,
    NewMarket,
    NotFound,
    SlugTaken,
)
from markets_repository.memory import InMemoryMarketRepository


def slugs(markets: Any) -> list[str]:
    return [getattr(m, "slug", repr(m)) for m in markets]


def in_order(backend: Backend, order_by: str) -> list[str]:
    """The seeded slugs sorted by `order_by`, ties broken by id ascending."""
    field, descending = order_by.removeprefix("-"), order_by.startswith("-")
    markets = sorted(backend.seeded.values(), key=lambda m: m.id)
    markets.sort(key=lambda m: getattr(m, field), reverse=descending)
    return slugs(markets)


def read_every_field(market: Market) -> tuple[Any, ...]:
    return (
        market.id, market.name, market.slug, market.status, market.volume, market.creator,
        sorted(market.tags), market.created_at, market.updated_at,
    )  # fmt: skip


# ------------------------------------------------------------------------- task 1: get


@pytest.mark.task(1)
def test_get_returns_the_market_as_a_frozen_domain_object(backend: Backend) -> None:
    expected = backend.seeded["snow-madrid"]
    got = backend.repo.get(expected.id)
    assert isinstance(got, Market), (
        f"[{backend.name}] repo.get({expected.id}) returned a {type(got).__name__}; a repository "
        "hands out domain Market objects, never ORM rows, so callers cannot reach the database "
        "through them (task 1)"
    )
    assert type(got.status) is MarketStatus, (
        f"[{backend.name}] repo.get({expected.id}).status is {got.status!r}, a "
        f"{type(got.status).__name__}; wrap the stored string in MarketStatus(...) — a plain "
        "str compares equal to the enum, but has no .value for the code that serialises it "
        "(task 1)"
    )
    assert got == expected, (
        f"[{backend.name}] repo.get({expected.id}) returned\n  {got!r}\nexpected\n  {expected!r}\n"
        "— every field mapped: Decimal volume, the creator's username, tag names as a "
        "frozenset, aware UTC timestamps (task 1)"
    )
    with pytest.raises(FrozenInstanceError):
        got.name = "changed"  # type: ignore[misc]


@pytest.mark.task(1)
def test_get_keeps_money_exact_and_timestamps_utc(backend: Backend) -> None:
    got = backend.repo.get(backend.seeded["rain-lisbon"].id)
    assert isinstance(got, Market), f"[{backend.name}] repo.get returned {got!r} (task 1)"
    assert isinstance(got.volume, Decimal) and got.volume == Decimal("120.50"), (
        f"[{backend.name}] volume came back as {got.volume!r}; money is Decimal('120.50'), "
        "never a float (task 1)"
    )
    for name in ("created_at", "updated_at"):
        value = getattr(got, name)
        assert value.utcoffset() == timedelta(0), (
            f"[{backend.name}] {name} came back as {value!r}; timestamps are timezone-aware "
            "UTC — a naive datetime cannot be compared with an aware one (task 1)"
        )


@pytest.mark.task(1)
def test_get_missing_market_returns_none(backend: Backend) -> None:
    got = backend.repo.get(999)
    assert got is None, (
        f"[{backend.name}] repo.get(999) returned {got!r}; a missing market is None, not an "
        "exception and not an empty object (task 1)"
    )


@pytest.mark.task(1)
def test_reading_a_returned_market_runs_no_query(backend: Backend) -> None:
    market = backend.repo.get(backend.seeded["heat-seville"].id)
    assert isinstance(market, Market), f"[{backend.name}] repo.get returned {market!r} (task 1)"
    with backend.queries() as queries:
        read_every_field(market)
    assert len(queries) == 0, (
        f"[{backend.name}] reading the fields of a market returned by repo.get ran SQL outside "
        f"the repository:\n{queries.report()}\nload the creator and tags inside the "
        "repository and return plain values (task 1)"
    )


# ------------------------------------------------------------------ task 2: list + filters


@pytest.mark.task(2)
def test_list_without_filters_returns_every_market_as_a_list(backend: Backend) -> None:
    got = backend.repo.list()
    assert type(got) is list, (
        f"[{backend.name}] repo.list() returned a {type(got).__name__}; it returns a plain "
        "list, evaluated inside the repository — a lazy QuerySet or generator would run its "
        "SQL wherever the caller happens to iterate it (task 2)"
    )
    assert all(isinstance(m, Market) for m in got), (
        f"[{backend.name}] repo.list() returned {[type(m).__name__ for m in got]}; every "
        "item is a domain Market (task 2)"
    )
    assert slugs(got) == in_order(backend, "id"), (
        f"[{backend.name}] repo.list() returned {slugs(got)}; expected all six markets in id "
        f"order {in_order(backend, 'id')}. Without an ORDER BY id a database returns rows in "
        "whatever order it reads them: SQLite's happens to be rowid order, PostgreSQL's is "
        "where the rows lie on disk — a market updated since it was stored comes last (task 2)"
    )


@pytest.mark.task(2)
def test_list_reading_results_runs_no_query(backend: Backend) -> None:
    with backend.queries() as during:
        markets = backend.repo.list(tag="weather")
    with backend.queries() as after:
        for market in markets:
            read_every_field(market)
    assert len(after) == 0, (
        f"[{backend.name}] repo.list() ran {len(during)} queries, then reading its results "
        f"ran more:\n{after.report()}\nall SQL belongs inside the repository (task 2)"
    )


@pytest.mark.task(2)
def test_list_runs_as_many_queries_for_six_markets_as_for_one(backend: Backend) -> None:
    one_id = backend.seeded["eth-5k"].id
    with backend.queries() as for_one:
        backend.repo.list(ids=[one_id])
    with backend.queries() as for_six:
        backend.repo.list()
    assert len(for_six) == len(for_one), (
        f"[{backend.name}] repo.list(ids=[{one_id}]) ran {len(for_one)} queries and repo.list() "
        f"over six markets ran {len(for_six)}: the creator and tags are read one market at a "
        "time (N+1). Load them with the rows, as in get (select_related/prefetch_related, "
        "joinedload/selectinload), so the number of queries does not grow with the number of "
        f"markets (task 2)\n{for_six.report()}"
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    ("filters", "expected", "why"),
    [
        ({"status": MarketStatus.ACTIVE}, ["rain-lisbon", "eth-5k", "heat-seville"], ""),
        ({"status": MarketStatus.CLOSED}, ["btc-100k"], ""),
        ({"tag": "weather"}, ["rain-lisbon", "snow-madrid", "heat-seville"], ""),
        ({"tag": "no-such-tag"}, [], ""),
        ({"status": MarketStatus.ACTIVE, "tag": "spain"}, ["heat-seville"], ""),
        ({"tag": ""}, [], "tag='' is a filter that is given (not None), and no market has the "
         "tag '' — `if tag:` mistakes it for 'no filter', the ids=[] trap again. "),
        ({"tag": "eat"}, [], "a tag matches by its whole name: 'eat' is not 'weather' — a "
         "substring match (tags__name__icontains, LIKE '%eat%') is a search, not a tag. "),
        ({"tag": "WEATHER"}, [], "tag names are exact, case included: 'WEATHER' is not "
         "'weather' (no iexact/icontains/lower()). "),
        ({"tag": "weath%"}, [], "a tag is compared with =, never LIKE: '%' and '_' in a "
         "client's tag are LIKE wildcards ('weath%' finds 'weather'). SQLite's LIKE also "
         "ignores case, PostgreSQL's does not — there only a wildcard shows the LIKE. "),
    ],
    ids=["active", "closed", "tag", "unknown-tag", "status-and-tag", "empty-tag",
         "tag-substring", "tag-other-case", "tag-wildcard"],
)  # fmt: skip
def test_list_applies_every_given_filter(
    backend: Backend, filters: dict[str, Any], expected: list[str], why: str
) -> None:
    got = backend.repo.list(**filters)
    assert slugs(got) == expected, (
        f"[{backend.name}] repo.list({filters}) returned {slugs(got)}; expected {expected} "
        f"(in id order): every given filter narrows the result. {why}(task 2)"
    )


@pytest.mark.task(2)
def test_list_by_ids_returns_only_those_that_exist(backend: Backend) -> None:
    wanted = (backend.seeded["heat-seville"].id, backend.seeded["eth-5k"].id, 999)
    got = backend.repo.list(ids=wanted)
    assert slugs(got) == ["eth-5k", "heat-seville"], (
        f"[{backend.name}] repo.list(ids={wanted}) returned {slugs(got)}; expected the two "
        "markets that exist, in id order; an unknown id is simply absent (task 2)"
    )


@pytest.mark.task(2)
def test_list_with_empty_ids_returns_nothing(backend: Backend) -> None:
    got = backend.repo.list(ids=[])
    assert got == [], (
        f"[{backend.name}] repo.list(ids=[]) returned {slugs(got)}; an empty id list "
        "matches no market — `if ids:` mistakes it for 'no filter' and returns every row "
        "(task 2)"
    )


@pytest.mark.task(2)
def test_list_rejects_an_unknown_filter(backend: Backend) -> None:
    backend.repo.list(status=MarketStatus.ACTIVE)  # the known filters work
    for unknown in ("id__in", "stauts", "creator"):
        try:
            got = backend.repo.list(**{unknown: "x"})
        except TypeError:
            continue
        pytest.fail(
            f"[{backend.name}] repo.list({unknown}='x') returned {len(got)} markets instead of "
            "raising TypeError; an unknown filter that is silently ignored returns every row "
            "— declare each filter as a keyword-only parameter (task 2)"
        )


# ------------------------------------------------------------ task 3: ordering + window


@pytest.mark.task(3)
@pytest.mark.parametrize("order_by", sorted(ORDERINGS))
def test_list_orders_by_an_allowed_field_ties_by_id(backend: Backend, order_by: str) -> None:
    got = backend.repo.list(order_by=order_by)
    expected = in_order(backend, order_by)
    assert slugs(got) == expected, (
        f"[{backend.name}] repo.list(order_by={order_by!r}) returned {slugs(got)}; expected "
        f"{expected} — sorted by the field, ties broken by id ascending whatever the "
        "direction, so pages are stable (task 3)"
    )


@pytest.mark.task(3)
def test_list_rejects_an_ordering_outside_the_allow_list(backend: Backend) -> None:
    for order_by in ("slug", "-status", "creator__username", "?", "volume desc"):
        try:
            got = backend.repo.list(order_by=order_by)
        except ValueError as error:
            assert "volume" in str(error), (
                f"[{backend.name}] repo.list(order_by={order_by!r}) raised "
                f"ValueError({error!s}); the message should name the accepted orderings (task 3)"
            )
            continue
        pytest.fail(
            f"[{backend.name}] repo.list(order_by={order_by!r}) returned {slugs(got)} instead "
            "of raising ValueError; only the orderings in ORDERINGS reach the database (task 3)"
        )


@pytest.mark.task(3)
def test_limit_and_offset_page_through_without_overlap(backend: Backend) -> None:
    pages = [backend.repo.list(order_by="-volume", limit=2, offset=n) for n in (0, 2, 4)]
    expected = in_order(backend, "-volume")
    got = [slugs(page) for page in pages]
    assert got == [expected[0:2], expected[2:4], expected[4:6]], (
        f"[{backend.name}] three pages of repo.list(order_by='-volume', limit=2, offset=0|2|4) "
        f"were {got}; expected {[expected[0:2], expected[2:4], expected[4:6]]} — offset "
        "counts rows skipped, limit caps the page (task 3)"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("limit", [1, 4])
@pytest.mark.parametrize("order_by", ["volume", "-volume"])
def test_pages_of_tied_markets_never_overlap_or_skip(
    backend: Backend, order_by: str, limit: int
) -> None:
    pages = [
        slugs(backend.repo.list(order_by=order_by, limit=limit, offset=offset))
        for offset in range(0, len(SEED), limit)
    ]
    walked = [slug for page in pages for slug in page]
    expected = in_order(backend, order_by)
    repeated = sorted({slug for slug in walked if walked.count(slug) > 1})
    skipped = sorted(set(expected) - set(walked))
    assert walked == expected, (
        f"[{backend.name}] paging repo.list(order_by={order_by!r}, limit={limit}, offset=...) "
        f"walked {pages}; expected {expected} (repeated: {repeated or 'none'}, skipped: "
        f"{skipped or 'none'}). eth-5k and btc-100k both have volume 980.00, turnout-60 and "
        "heat-seville 45.25: a store hands back tied rows in whatever order it reads them "
        "(an index read backwards, the heap, a dict filled in another order), and may read "
        "them differently for each page. Only `id` as the last sort key, ascending whatever "
        "the direction, makes pages neither overlap nor skip (task 3)"
    )


@pytest.mark.task(3)
def test_window_at_the_edges(backend: Backend) -> None:
    cases = {
        "limit=0": backend.repo.list(limit=0),
        "offset=6": backend.repo.list(offset=6),
        "offset=5": backend.repo.list(offset=5),
        "limit=10": backend.repo.list(limit=10),
    }
    got = {call: slugs(result) for call, result in cases.items()}
    everything = in_order(backend, "id")
    expected = {"limit=0": [], "offset=6": [], "offset=5": everything[5:], "limit=10": everything}
    assert got == expected, (
        f"[{backend.name}] repo.list(...) at the window's edges returned {got}; expected "
        f"{expected} (task 3)"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize("window", [{"limit": -1}, {"offset": -1}])
def test_negative_limit_or_offset_is_rejected(backend: Backend, window: dict[str, int]) -> None:
    try:
        got = backend.repo.list(**window)
    except ValueError as error:
        (name,) = window
        assert name in str(error), (
            f"[{backend.name}] repo.list({window}) raised ValueError({error!s}); the message "
            f"should name {name!r} so the caller knows what to fix — check the window with "
            "check_window before the query is built (task 3)"
        )
        return
    pytest.fail(
        f"[{backend.name}] repo.list({window}) returned {slugs(got)} instead of raising "
        "ValueError; SQL engines disagree on what a negative LIMIT means (task 3)"
    )


# --------------------------------------------------------------------------- task 4: add


def new_market(**overrides: Any) -> NewMarket:
    fields: dict[str, Any] = {
        "name": "Wind over 100 km/h in Porto",
        "slug": "wind-porto",
        "creator": "dora",
        "status": MarketStatus.ACTIVE,
        "volume": Decimal("12.34"),
        "tags": frozenset({"weather", "portugal"}),
    }
    return NewMarket(**{**fields, **overrides})


@pytest.mark.task(4)
def test_add_returns_the_stored_market_with_id_and_timestamps(backend: Backend, clock) -> None:
    added = backend.repo.add(new_market())
    taken = {m.id for m in backend.seeded.values()}
    assert isinstance(added, Market), (
        f"[{backend.name}] repo.add(...) returned {added!r}; it returns the stored domain "
        "Market (task 4)"
    )
    assert added.id not in taken, (
        f"[{backend.name}] repo.add(...) gave id {added.id}, already used by {sorted(taken)} "
        "(task 4)"
    )
    expected = Market(
        id=added.id, name="Wind over 100 km/h in Porto", slug="wind-porto",
        status=MarketStatus.ACTIVE, volume=Decimal("12.34"), creator="dora",
        tags=frozenset({"weather", "portugal"}), created_at=clock.now, updated_at=clock.now,
    )  # fmt: skip
    assert added == expected, (
        f"[{backend.name}] repo.add(...) returned\n  {added!r}\nexpected\n  {expected!r}\n"
        "— created_at and updated_at both come from the repository's clock (task 4)"
    )
    stored = backend.repo.get(added.id)
    assert stored == expected, (
        f"[{backend.name}] after add, repo.get({added.id}) returned {stored!r}; expected what "
        "add returned (task 4)"
    )


@pytest.mark.task(4)
def test_add_reads_the_clock_once_for_both_timestamps(backend: Backend, clock) -> None:
    clock.step = timedelta(microseconds=1)  # a real clock moves between two readings
    before = clock.now
    added = backend.repo.add(new_market())
    assert added.created_at == added.updated_at == before, (
        f"[{backend.name}] with a clock that moves on each reading, repo.add(...) gave "
        f"created_at={added.created_at} and updated_at={added.updated_at}; expected both "
        f"{before}: a new market was created and last updated at the same instant — read "
        "the clock once (`now = self._clock()`) and use it for both (task 4)"
    )


@pytest.mark.task(4)
def test_add_creates_a_new_tag_and_reuses_existing_ones(backend: Backend) -> None:
    added = backend.repo.add(new_market())
    weather = slugs(backend.repo.list(tag="weather"))
    portugal = slugs(backend.repo.list(tag="portugal"))
    assert weather == ["rain-lisbon", "snow-madrid", "heat-seville", "wind-porto"], (
        f"[{backend.name}] after adding {added.slug!r} tagged weather, repo.list(tag='weather') "
        f"returned {weather}; the existing 'weather' tag is shared, not duplicated (task 4)"
    )
    assert portugal == ["wind-porto"], (
        f"[{backend.name}] repo.list(tag='portugal') returned {portugal}; a tag the store "
        "has never seen is created on add (task 4)"
    )


@pytest.mark.task(4)
def test_add_with_an_existing_creator_reuses_that_user(backend: Backend) -> None:
    added = backend.repo.add(new_market(creator="alice", tags=frozenset()))
    stored = backend.repo.get(added.id)
    assert stored is not None and stored.creator == "alice" and stored.tags == frozenset(), (
        f"[{backend.name}] repo.add(creator='alice', no tags) then get returned {stored!r}; "
        "expected creator 'alice' (the existing user) and no tags (task 4)"
    )


@pytest.mark.task(4)
@pytest.mark.parametrize("creator", ["a%", "_lice", "ALICE", "lic"])
def test_add_finds_the_creator_by_exact_username(backend: Backend, creator: str) -> None:
    added = backend.repo.add(new_market(creator=creator))
    stored = backend.repo.get(added.id)
    found = stored.creator if stored is not None else stored
    assert added.creator == found == creator, (
        f"[{backend.name}] repo.add(creator={creator!r}) returned creator {added.creator!r}, "
        f"then get found {found!r}; expected {creator!r}, a new user: the creator is found by "
        "username *equality* or created — LIKE / contains / icontains / iexact treat '%' and "
        "'_' as wildcards, match a part of the name or ignore case, and attach a client's "
        "market to another user (alice). SQLite's LIKE ignores case, PostgreSQL's does not: "
        "there 'lic', a part of 'alice', is what shows a contains (task 4)"
    )


@pytest.mark.task(4)
def test_add_with_a_taken_slug_raises_slug_taken_and_stores_nothing(backend: Backend) -> None:
    try:
        got = backend.repo.add(new_market(slug="eth-5k", tags=frozenset({"portugal"})))
    except SlugTaken as error:
        assert error.slug == "eth-5k", f"SlugTaken carries {error.slug!r}; expected 'eth-5k'"
    else:
        pytest.fail(
            f"[{backend.name}] repo.add(slug='eth-5k'), a slug market "
            f"{backend.seeded['eth-5k'].id} has, returned {got!r} instead of raising "
            "SlugTaken('eth-5k'); slugs are unique in every adapter — the databases' unique "
            "index says so, and the in-memory fake must agree, or a unit test over the fake "
            "passes where production fails (task 4)"
        )
    left = (slugs(backend.repo.list()), slugs(backend.repo.list(tag="portugal")))
    assert left == (in_order(backend, "id"), []), (
        f"[{backend.name}] after a refused add the store holds {left[0]} and portugal-tagged "
        f"{left[1]}; a refused add stores nothing (task 4)"
    )


@pytest.mark.task(4)
def test_add_and_update_return_the_volume_as_stored(backend: Backend) -> None:
    with pytest.raises(ValueError, match="volume"):  # given: domain.py refuses a sub-cent amount
        new_market(volume=Decimal("12.345"))  # Django would store 12.34, SQLite 12.35
    added = backend.repo.add(new_market(volume=Decimal("12.3")))
    updated = backend.repo.update(replace(added, volume=Decimal("7")))
    stored = backend.repo.get(added.id)
    got = (str(added.volume), str(updated.volume), str(stored.volume) if stored else None)
    assert got == ("12.30", "7.00", "7.00"), (
        f"[{backend.name}] add(volume=12.3), then update(volume=7), then get gave volumes "
        f"{got}; expected ('12.30', '7.00', '7.00'): every adapter returns the money as it is "
        "stored, two decimal places (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
def test_in_memory_add_never_takes_the_id_of_a_stored_market(clock) -> None:
    seeded = expected_markets({row[0]: n for n, row in enumerate(SEED, start=1)})
    kept = [market for slug, market in seeded.items() if slug != "snow-madrid"]
    repo = InMemoryMarketRepository(kept, clock=clock)
    added = repo.add(new_market())
    kept_ids = [market.id for market in kept]
    overwritten = [market.slug for market in kept if repo.get(market.id) != market]
    assert added.id not in kept_ids and not overwritten, (
        f"InMemoryMarketRepository holding ids {kept_ids} (market 3 was deleted) gave the new "
        f"market id {added.id} and overwrote {overwritten or 'nothing'}; a new id is one no "
        "stored market has — counting the markets (len + 1) collides as soon as one has been "
        "deleted (task 4)"
    )


# -------------------------------------------------------------- task 5: update + delete


@pytest.mark.task(5)
def test_update_saves_the_changes_and_moves_updated_at(backend: Backend, clock) -> None:
    original = backend.seeded["btc-100k"]
    clock.advance(minutes=5)
    changed = replace(
        original,
        name="Bitcoin above 100k by June",
        status=MarketStatus.RESOLVED,
        volume=Decimal("1000.10"),
        tags=frozenset({"crypto", "finance"}),
    )
    saved = backend.repo.update(changed)
    expected = replace(changed, updated_at=clock.now)
    assert saved == expected, (
        f"[{backend.name}] repo.update(...) returned\n  {saved!r}\nexpected\n  {expected!r}\n"
        "— the changes saved, updated_at from the clock, created_at untouched (task 5)"
    )
    stored = backend.repo.get(original.id)
    assert stored == expected, (
        f"[{backend.name}] after update, repo.get({original.id}) returned {stored!r}; expected "
        f"{expected!r} (task 5)"
    )


@pytest.mark.task(5)
def test_update_leaves_creator_and_created_at_alone(backend: Backend, clock) -> None:
    original = backend.seeded["rain-lisbon"]
    clock.advance(minutes=5)
    sent = replace(
        original, name="Rain in Lisbon on Friday", creator="mallory", created_at=clock.now
    )
    saved = backend.repo.update(sent)
    stored = backend.repo.get(original.id)
    expected = replace(original, name="Rain in Lisbon on Friday", updated_at=clock.now)
    assert saved == expected and stored == expected, (
        f"[{backend.name}] repo.update(...) with creator='mallory' and created_at={clock.now} "
        f"returned\n  {saved!r}\nthen get returned\n  {stored!r}\nexpected\n  {expected!r}\n"
        "— update saves name, slug, status, volume and tags only: who created the market, and "
        "when, are not the caller's to rewrite, so copy those fields, not the whole object "
        "(task 5)"
    )


@pytest.mark.task(5)
def test_update_replaces_the_tags_rather_than_merging(backend: Backend) -> None:
    original = backend.seeded["snow-madrid"]  # weather, spain
    backend.repo.update(replace(original, tags=frozenset({"spain"})))
    stored = backend.repo.get(original.id)
    assert stored is not None and stored.tags == frozenset({"spain"}), (
        f"[{backend.name}] update with tags {{'spain'}} left {stored!r}; the stored tags "
        "become exactly the given set — removed tags are removed (task 5)"
    )


@pytest.mark.task(5)
def test_update_of_a_missing_market_raises_not_found_and_creates_nothing(
    backend: Backend,
) -> None:
    ghost = replace(backend.seeded["eth-5k"], id=999, slug="ghost")
    try:
        got = backend.repo.update(ghost)
    except NotFound as error:
        assert error.market_id == 999 and "market 999" in str(error), (
            f"NotFound carries market_id {error.market_id} and says {str(error)!r}; expected "
            "999, and a message naming 'market 999': raise NotFound(market.id) (task 5)"
        )
    else:
        pytest.fail(
            f"[{backend.name}] repo.update(market with id 999) returned {got!r} instead of "
            "raising NotFound; an update never creates a row (task 5)"
        )
    assert backend.repo.get(999) is None and len(backend.repo.list()) == 6, (
        f"[{backend.name}] a failed update of market 999 left a row behind; update never "
        "creates (task 5)"
    )


@pytest.mark.task(5)
def test_update_to_a_taken_slug_raises_slug_taken_and_saves_nothing(backend: Backend) -> None:
    original = backend.seeded["btc-100k"]
    error = raised_by(backend.repo.update, replace(original, name="Renamed", slug="eth-5k"))
    stored = backend.repo.get(original.id)
    assert error == "SlugTaken: slug 'eth-5k' is already taken" and stored == original, (
        f"[{backend.name}] repo.update(btc-100k renamed, slug='eth-5k', another market's) "
        f"raised {error}, then get returned {stored!r}; expected SlugTaken('eth-5k') and the "
        "market unchanged: slugs are unique in every adapter, and keeping a market's own slug "
        "is not a clash (task 5)"
    )


@pytest.mark.task(5)
def test_delete_removes_only_that_market(backend: Backend) -> None:
    target = backend.seeded["turnout-60"]
    result = backend.repo.delete(target.id)
    remaining = slugs(backend.repo.list())
    assert result is None and backend.repo.get(target.id) is None, (
        f"[{backend.name}] after repo.delete({target.id}), get still finds it (task 5)"
    )
    assert remaining == [s for s in in_order(backend, "id") if s != "turnout-60"], (
        f"[{backend.name}] after deleting turnout-60 the store holds {remaining}; only that "
        "market goes (task 5)"
    )


@pytest.mark.task(5)
def test_delete_is_idempotent(backend: Backend) -> None:
    target = backend.seeded["eth-5k"].id
    for market_id in (target, target, 999):
        error = raised_by(backend.repo.delete, market_id)
        assert error is None, (
            f"[{backend.name}] deleting market {target} twice, then 999, raised {error} on "
            f"id {market_id}; delete is idempotent — a retried request must not fail because "
            "the first attempt succeeded (task 5)"
        )
    assert len(backend.repo.list()) == 5, f"[{backend.name}] expected 5 markets left (task 5)"


@pytest.mark.task(5)
def test_a_deleted_markets_tags_never_reappear_on_a_new_market(backend: Backend) -> None:
    last = max(backend.seeded.values(), key=lambda market: market.id)  # heat-seville
    backend.repo.delete(last.id)
    added = backend.repo.add(new_market(slug="fresh", tags=frozenset()))
    stored = backend.repo.get(added.id)
    spain = slugs(backend.repo.list(tag="spain"))
    assert stored is not None and stored.tags == frozenset() and spain == ["snow-madrid"], (
        f"[{backend.name}] after deleting {last.slug} (id {last.id}, tags "
        f"{sorted(last.tags)}) and adding an untagged market (id {added.id}), get returned "
        f"tags {sorted(stored.tags) if stored else stored!r} and list(tag='spain') returned "
        f"{spain}; expected no tags and ['snow-madrid']. Deleting a market deletes its tag "
        "links too: a new market may reuse the id, and must not inherit them (a bulk DELETE "
        "with foreign keys unenforced leaves market_tags rows behind) (task 5)"
    )


def raised_by(call: Callable[..., object], *args: object) -> str | None:
    """`Type: message` of what `call(*args)` raised, or None; unfinished stubs propagate."""
    try:
        call(*args)
    except NotImplementedError:
        raise
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None
