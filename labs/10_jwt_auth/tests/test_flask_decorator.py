"""Task 5, Flask: `login_required` is a well-behaved decorator that sets `g.user`."""

from __future__ import annotations

from typing import Any

import forge
import pytest
from flask import g

from markets_jwt.flask_auth import login_required
from markets_jwt.store import SERVICES_KEY, Services, User

pytestmark = [pytest.mark.flask, pytest.mark.task(5)]


def show_user() -> str:
    """A view: who is calling."""
    return g.user.username


def test_the_decorated_view_keeps_its_name() -> None:
    wrapped = login_required(show_user)
    assert wrapped.__name__ == "show_user" and wrapped.__doc__ == show_user.__doc__, (
        f"login_required(show_user) is named {wrapped.__name__!r}; Flask names an endpoint "
        "after its view function, so two views wrapped without functools.wraps collide "
        "('View function mapping is overwriting an existing endpoint') (task 5)"
    )


def test_the_view_sees_the_token_user_in_g(flask_app: Any, services: Services, ada: User) -> None:
    flask_app.extensions[SERVICES_KEY] = services
    token = forge.valid(services.jwt, ada.subject)
    with flask_app.test_request_context(headers={"Authorization": f"Bearer {token}"}):
        got = login_required(show_user)()
    assert got == "ada", (
        f"a view wearing @login_required, called with ada's token, saw g.user as {got!r}; "
        "set g.user to the user authenticate() returns before calling the view (task 5)"
    )
