"""The service layer: every write goes through here, whichever framework (or script) calls.

The object-level rule is enforced here, where no caller can skip it, and again at the view,
which must refuse before it reads the body (see README, "Why this design").
"""

from __future__ import annotations

from markets_rbac.domain import InvalidTransition, Market, Status, User
from markets_rbac.schemas import MarketCreate, MarketPatch
from markets_rbac.store import Store

RESOLVABLE = (Status.ACTIVE, Status.CLOSED)


def create_market(store: Store, actor: User, data: MarketCreate) -> Market:
    """A new draft market whose creator is `actor`. Given."""
    return store.add_market(name=data.name, slug=data.slug, creator_id=actor.id)


def update_market(store: Store, actor: User, market_id: int, changes: MarketPatch) -> Market:
    """Apply `changes` if `actor` may edit the market, else raise AccessDenied (task 3)."""
    raise NotImplementedError(
        "TODO(task 3): refuse with AccessDenied unless can_edit_market, then apply only the "
        "fields sent — see README task 3"
    )


def resolve_market(store: Store, market_id: int, outcome: str) -> Market:
    """An active or closed market becomes resolved with `outcome`; anything else is 409. Given."""
    market = store.get_market(market_id)
    if market.status not in RESOLVABLE:
        raise InvalidTransition(market, Status.RESOLVED)
    return store.set_status(market_id, Status.RESOLVED, outcome=outcome)


def delete_market(store: Store, market_id: int) -> None:
    """Given."""
    store.delete_market(market_id)


def change_role(store: Store, user_id: int, role: str) -> User:
    """Given: takes effect on the user's next request, whatever tokens they hold."""
    return store.set_role(user_id, role)
