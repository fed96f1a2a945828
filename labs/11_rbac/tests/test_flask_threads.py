"""Task 2, Flask: under a threaded server each view acts as its own caller (`g`, not a global).

Two requests interleaved deterministically: a moderator's PATCH pauses inside its view (at
the market lookup) while a creator's PATCH runs from start to end, then resumes.
"""

from __future__ import annotations

import threading

import pytest

from markets_rbac.flask_app import STORE_KEY

pytestmark = [pytest.mark.flask, pytest.mark.task(2)]


def test_each_view_acts_as_its_own_caller_under_threads(flask_app, world, monkeypatch):
    flask_app.extensions[STORE_KEY] = world.store
    paused, resume = threading.Event(), threading.Event()
    lookup = world.store.get_market
    first: dict[str, threading.Thread] = {}

    def get_market(market_id: int):
        if threading.current_thread() is first.get("moderator") and not paused.is_set():
            paused.set()
            resume.wait(5)
        return lookup(market_id)

    monkeypatch.setattr(world.store, "get_market", get_market)
    replies: dict[str, int] = {}

    def send(who: str, label: str) -> None:
        path = f"/markets/{world.markets[label].id}"
        client = flask_app.test_client()
        replies[who] = client.patch(path, json={"name": who}, headers=world.auth(who)).status_code

    moderator = threading.Thread(target=send, args=("mona", "cleo_closed"))
    first["moderator"] = moderator
    moderator.start()
    try:
        assert paused.wait(5), "the moderator's PATCH never looked the market up (task 2)"
        send("carl", "carl_draft")  # runs whole while the moderator's view is paused
    finally:
        resume.set()
        moderator.join(5)
    assert replies == {"carl": 200, "mona": 200}, (
        "A moderator's PATCH of someone else's closed market, paused inside its view while a "
        "creator's PATCH of their own draft ran, answered "
        f"{replies.get('mona')} (the creator's: {replies.get('carl')}); expected 200 for both. "
        "The guard keeps the caller in flask.g, which belongs to one request: a module-level "
        "variable is overwritten by whichever request authenticated last, so the moderator's "
        "view acted as the creator (task 2)"
    )
