"""Task 3: `can_edit_market` and the service that enforces it."""

from __future__ import annotations

import pytest

from markets_rbac import permissions, services
from markets_rbac.domain import AccessDenied, Market, Permission, SlugTaken, Status, User
from markets_rbac.permissions import can_edit_market
from markets_rbac.schemas import MarketPatch
from markets_rbac.store import Store

pytestmark = [pytest.mark.core, pytest.mark.task(3)]

# Ids built at run time: two equal ints above 256 are distinct objects, so `is` fails.
CARL, CLEO = int("4242"), int("4343")


def user(role: str | None, user_id: int = CARL) -> User:
    return User(id=int(str(user_id)), username=f"user{user_id}", role=role)


def market(creator_id: int, status: Status = Status.DRAFT) -> Market:
    return Market(id=7, name="Rain", slug="rain", creator_id=int(str(creator_id)), status=status)


def describe(u: User, m: Market) -> str:
    mine = "their own" if m.creator_id == u.id else "someone else's"
    return f"can_edit_market(a {u.role!r} user, {mine} {m.status} market)"


@pytest.mark.parametrize("role", ["creator", "moderator", "admin"])
def test_a_creator_may_edit_their_own_draft(role):
    u, m = user(role), market(CARL)
    assert can_edit_market(u, m) is True, (
        f"{describe(u, m)} returned {can_edit_market(u, m)!r}; markets:edit lets a user edit a "
        "draft they created (compare the ids with ==, as ints) (task 3)"
    )


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.CLOSED, Status.RESOLVED])
def test_a_creator_may_not_edit_their_own_market_once_it_is_no_longer_a_draft(status):
    u, m = user("creator"), market(CARL, status)
    assert can_edit_market(u, m) is False, (
        f"{describe(u, m)} returned True; once a market is {status}, traders have seen it: "
        "only markets:edit_any may change it. Check the status, not only the owner (task 3)"
    )


@pytest.mark.parametrize(("caller", "owner"), [(CARL, CLEO), (CLEO, CARL)], ids=["lower", "higher"])
@pytest.mark.parametrize("status", list(Status))
def test_a_creator_may_not_edit_someone_elses_market(status, caller, owner):
    u, m = user("creator", caller), market(owner, status)
    assert can_edit_market(u, m) is False, (
        f"{describe(u, m)} (caller id {u.id}, creator id {m.creator_id}) returned True; "
        "markets:edit covers only the user's own drafts: creator_id == user.id (task 3)"
    )


@pytest.mark.parametrize("role", ["moderator", "admin"])
@pytest.mark.parametrize("status", list(Status))
def test_edit_any_edits_any_market_in_any_status(role, status):
    u, m = user(role), market(CLEO, status)
    assert can_edit_market(u, m) is True, (
        f"{describe(u, m)} returned False; {role} holds markets:edit_any, which edits any "
        "market whoever created it. Ask has_permission, never compare role names (task 3)"
    )


@pytest.mark.parametrize("role", ["viewer", None, "", "Creator", "superuser"])
def test_owning_a_draft_is_not_enough_without_markets_edit(role):
    u, m = user(role), market(CARL)
    assert can_edit_market(u, m) is False, (
        f"{describe(u, m)} returned True; a user whose role lacks markets:edit — a creator "
        "demoted to viewer, a broken role — may not edit even their own draft: ownership is "
        "checked on top of the permission, never instead of it (task 3)"
    )


def test_the_rule_follows_the_table_not_role_names(monkeypatch):
    table = {
        **permissions.ROLE_PERMISSIONS,
        "support": frozenset({Permission.MARKETS_READ, Permission.MARKETS_EDIT_ANY}),
        "moderator": frozenset({Permission.MARKETS_READ, Permission.MARKETS_RESOLVE}),
    }
    monkeypatch.setattr(permissions, "ROLE_PERMISSIONS", table)
    support, moderator, m = user("support"), user("moderator"), market(CLEO, Status.ACTIVE)
    got = can_edit_market(support, m), can_edit_market(moderator, m)
    assert got == (True, False), (
        "With the table changed so that a new role 'support' holds markets:edit_any and "
        "'moderator' no longer does, can_edit_market(support, …) and (moderator, …) on "
        f"someone else's active market returned {got}; expected (True, False). The rule asks "
        "for permissions (has_permission), so moving one is a one-line change (task 3)"
    )


@pytest.fixture
def store() -> Store:
    s = Store()
    s.add_user("carl", "creator", user_id=CARL)
    s.add_user("cleo", "creator", user_id=CLEO)
    s.add_market(name="Rain", slug="rain", creator_id=CLEO)
    return s


def test_the_service_enforces_the_rule_whoever_calls_it(store):
    carl = store.find_user(CARL)
    try:
        services.update_market(store, carl, 1, MarketPatch(name="Taken over"))
    except AccessDenied:
        got = store.get_market(1).name
        assert got == "Rain", (
            f"services.update_market raised AccessDenied but the name is now {got!r}: check "
            "before you write (task 3)"
        )
        return
    pytest.fail(
        "services.update_market(store, carl, <cleo's draft>, …) changed the market; the service "
        "layer must raise AccessDenied itself (can_edit_market): a script, a job or a new view "
        "calls the service without going through any view's check (task 3)"
    )


def test_the_service_applies_an_allowed_edit(store):
    cleo = store.find_user(CLEO)
    got = services.update_market(store, cleo, 1, MarketPatch(slug="rain-2"))
    assert (got.name, got.slug) == ("Rain", "rain-2"), (
        f"services.update_market by the creator of a draft, changing only the slug, returned "
        f"{got.name!r}/{got.slug!r}; expected 'Rain'/'rain-2': only the fields sent change "
        "(model_dump(exclude_unset=True)) (task 3)"
    )


# (role, creator of the market, status): the cases can_edit_market is held to above.
SERVICE_CASES = [
    ("creator", CARL, Status.DRAFT),  # own draft: allowed
    ("creator", CARL, Status.ACTIVE),  # own, but no longer a draft
    ("viewer", CARL, Status.DRAFT),  # own draft, creator demoted to viewer
    ("creator", CLEO, Status.DRAFT),  # someone else's draft
    ("moderator", CLEO, Status.ACTIVE),  # edit_any: allowed
    ("admin", CLEO, Status.CLOSED),  # edit_any: allowed
]


def service_store(role: str, creator: int, status: Status) -> Store:
    s = Store()
    s.add_user("actor", role, user_id=CARL)
    s.add_user("cleo", "creator", user_id=CLEO)
    s.add_market(name="Rain", slug="rain", creator_id=creator, status=status)
    s.add_market(name="Snow", slug="snow", creator_id=CLEO)
    return s


@pytest.mark.parametrize(("role", "creator", "status"), SERVICE_CASES)
def test_the_service_refuses_exactly_what_can_edit_market_refuses(role, creator, status):
    s = service_store(role, creator, status)
    actor, before = s.find_user(CARL), s.get_market(1)
    want = can_edit_market(actor, before)
    whose = "their own" if creator == CARL else "someone else's"
    case = f"a {role!r} on {whose} {status} market"
    try:
        services.update_market(s, actor, 1, MarketPatch(name="Changed"))
    except AccessDenied:
        assert not want, (
            f"services.update_market by {case} raised AccessDenied; can_edit_market allows "
            "this edit, and the service enforces that rule, no stricter (task 3)"
        )
        assert s.get_market(1) == before, f"the refused update by {case} changed the market"
        return
    assert want, (
        f"services.update_market by {case} changed the market; can_edit_market refuses it. "
        "The service calls can_edit_market — a rule of its own ('owner or edit_any') lets a "
        "script edit an active market or a demoted creator's draft (task 3)"
    )


def test_the_service_follows_the_table_not_role_names(monkeypatch):
    table = {
        **permissions.ROLE_PERMISSIONS,
        "moderator": frozenset({Permission.MARKETS_READ, Permission.MARKETS_EDIT}),
        "admin": frozenset(Permission) - {Permission.MARKETS_EDIT_ANY},
    }
    monkeypatch.setattr(permissions, "ROLE_PERMISSIONS", table)
    for role in ("moderator", "admin"):
        s = service_store(role, CLEO, Status.ACTIVE)
        with pytest.raises(AccessDenied):
            services.update_market(s, s.find_user(CARL), 1, MarketPatch(name="Changed"))
            pytest.fail(
                f"with the table changed so that {role!r} no longer holds markets:edit_any, "
                f"services.update_market by a {role} on someone else's active market changed "
                "it; expected AccessDenied: the service asks can_edit_market, which asks the "
                "table — never `role in ('moderator', 'admin')` (task 3)"
            )


class SpyStore(Store):
    def __init__(self) -> None:
        super().__init__()
        self.updates: list[tuple[int, dict]] = []

    def update_market(self, market_id, changes):
        self.updates.append((market_id, changes))
        return super().update_market(market_id, changes)


def test_the_service_checks_before_it_writes():
    s = SpyStore()
    s.add_user("carl", "creator", user_id=CARL)
    s.add_market(name="Rain", slug="rain", creator_id=CLEO)
    s.add_market(name="Snow", slug="snow", creator_id=CLEO)
    try:
        services.update_market(s, s.find_user(CARL), 1, MarketPatch(slug="snow"))
    except SlugTaken:
        pytest.fail(
            "services.update_market by a creator on someone else's draft, with a slug another "
            "market has, raised SlugTaken (409); expected AccessDenied: the check comes before "
            "the write, so a caller who may not edit learns nothing about other slugs (task 3)"
        )
    except AccessDenied:
        pass
    assert not s.updates, (
        f"services.update_market refused the edit but called store.update_market{s.updates}: "
        "check, then write — a write undone afterwards was visible to every reader in "
        "between (task 3)"
    )
