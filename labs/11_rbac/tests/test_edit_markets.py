"""Task 3: the object-level rule over HTTP — checked at the view before the body is read."""

from __future__ import annotations

import pytest
from checks import assert_403, shown

from markets_rbac import permissions
from markets_rbac.domain import Permission

pytestmark = pytest.mark.task(3)


def patch(client, world, username, label, body):
    path = f"/markets/{world.markets[label].id}"
    return client.patch(path, json=body, headers=world.auth(username))


def test_a_creator_edits_their_own_draft(client, world):
    r = patch(client, world, "carl", "carl_draft", {"name": "Heavy rain in Lisbon"})
    assert r.status == 200 and r.json()["name"] == "Heavy rain in Lisbon", (
        f"[{client.framework}] PATCH of their own draft by its creator answered {shown(r)}; "
        "expected 200 with the new name (task 3)"
    )
    assert world.market("carl_draft").name == "Heavy rain in Lisbon"


@pytest.mark.parametrize(
    ("username", "label", "why"),
    [
        ("carl", "cleo_draft", "markets:edit covers the caller's own drafts, not someone else's"),
        ("cleo", "carl_draft", "markets:edit covers own drafts only, whichever id is lower"),
        ("carl", "carl_active", "an active market is no longer a draft: only edit_any changes it"),
    ],
)
def test_an_edit_the_rule_forbids_is_403_and_changes_nothing(client, world, username, label, why):
    before = world.market(label)
    r = patch(client, world, username, label, {"name": "Taken over"})
    assert_403(client.framework, r, f"PATCH /markets/<{label}> by {username}, a creator", why, 3)
    assert world.market(label) == before, f"[{client.framework}] the refused PATCH changed {label}"


@pytest.mark.parametrize("username", ["mona", "ada"])
def test_edit_any_edits_someone_elses_closed_market(client, world, username):
    r = patch(client, world, username, "cleo_closed", {"name": "Thick fog in London"})
    assert r.status == 200, (
        f"[{client.framework}] PATCH of someone else's closed market by a "
        f"{world.users[username].role} answered {shown(r)}; expected 200: markets:edit_any "
        "edits any market (task 3)"
    )


def test_a_demoted_creator_may_no_longer_edit_their_own_draft(client, world):
    headers = world.auth("carl")
    world.store.set_role(world.users["carl"].id, "viewer")
    r = client.patch(
        f"/markets/{world.markets['carl_draft'].id}", json={"name": "x"}, headers=headers
    )
    assert_403(
        client.framework,
        r,
        "PATCH of their own draft by a creator demoted to viewer",
        "ownership counts only on top of markets:edit, and the role is read on every request",
        3,
    )


# (username, market, demoted to viewer first?, whose market): each may not edit it.
NOT_EDITABLE = [
    ("carl", "cleo_draft", False, "someone else's draft by a creator"),
    ("cleo", "carl_draft", False, "someone else's draft by a creator with a higher id"),
    ("carl", "carl_active", False, "their own active market (no longer a draft) by a creator"),
    ("carl", "carl_draft", True, "their own draft by a creator demoted to viewer"),
]


@pytest.mark.parametrize(
    ("what", "raw", "content_type"),
    [
        ("a slug another market already has", b'{"slug": "rain-lisbon"}', "application/json"),
        ("broken JSON", b'{"name": ', "application/json"),
        ("a body field that does not exist", b'{"volume": "1.00"}', "application/json"),
        ("a text/plain body", b"name=x", "text/plain"),
    ],
)
def test_the_rule_is_checked_before_the_body_is_read(client, world, what, raw, content_type):
    for username, label, demoted, whose in NOT_EDITABLE:
        path = f"/markets/{world.markets[label].id}"
        headers = {**world.auth(username), "Content-Type": content_type}
        if demoted:
            world.store.set_role(world.users[username].id, "viewer")
        r = client.send("PATCH", path, body=raw, headers=headers)
        assert_403(
            client.framework,
            r,
            f"PATCH of {whose}, with {what}",
            "the view checks can_edit_market before it reads the body; the service's own "
            "check comes too late: a 409 or 400 would already tell a caller who may not edit "
            "the market which slugs exist and which fields the body takes",
            3,
        )


@pytest.mark.parametrize(
    ("what", "raw"), [("a valid body", b'{"name": "Ghost"}'), ("broken JSON", b'{"name": ')]
)
def test_editing_a_market_that_does_not_exist_is_404(client, world, what, raw):
    headers = {**world.auth("carl"), "Content-Type": "application/json"}
    r = client.send("PATCH", "/markets/999999", body=raw, headers=headers)
    assert r.status == 404, (
        f"[{client.framework}] PATCH /markets/999999 by a creator, with {what}, answered "
        f"{shown(r)}; expected 404: the caller may edit markets, and this one does not exist. "
        "The view loads the market (404) before it reads the body — a MarketNotFound "
        "swallowed there leaves the 400 of the body to answer (task 3)"
    )


def test_the_view_follows_the_table_not_role_names(client, world, monkeypatch):
    table = {
        **permissions.ROLE_PERMISSIONS,
        "support": frozenset(
            {Permission.MARKETS_READ, Permission.MARKETS_EDIT, Permission.MARKETS_EDIT_ANY}
        ),
    }
    monkeypatch.setattr(permissions, "ROLE_PERMISSIONS", table)
    world.store.set_role(world.users["vera"].id, "support")
    r = patch(client, world, "vera", "cleo_closed", {"name": "Fog, edited by support"})
    assert r.status == 200, (
        f"[{client.framework}] with a new role 'support' holding markets:edit and "
        f"markets:edit_any, its PATCH of someone else's closed market answered {shown(r)}; "
        "expected 200: every check asks for a permission, none for a role name (task 3)"
    )
