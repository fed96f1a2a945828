"""The request pipeline in Flask: request hooks registered on the app.

`before_request` functions run in the order they were registered, and the first one to
return a response ends the request there; `after_request` functions run in the *reverse*
order, on every response, including one a `before_request` returned.

What you will use: `headers.request_id_from` and `headers.server_timing` (tasks 1, 3),
`contract.REQUEST_ID_HEADER`, `TIMING_HEADER`, `PUBLIC_ROUTES` and `not_authenticated()`,
`clock.now()`, `auth.authenticate(...)`, Flask's `g` and `request`, and the given
`flask_app.error_response(error)`. An endpoint is `api.<route name>` (`flask_app.bp.name`).
"""

from __future__ import annotations

from flask import Flask


def request_id(app: Flask) -> None:
    """Register hooks that give every request an id (`g.request_id`) and echo it."""
    raise NotImplementedError(
        "TODO(task 2): before_request sets g.request_id, after_request echoes it — see README "
        "task 2"
    )


def timing(app: Flask) -> None:
    """Register hooks that add `Server-Timing: app;dur=<ms>`, read from `clock`."""
    raise NotImplementedError(
        "TODO(task 3): start the clock before, add Server-Timing after — see README task 3"
    )


def auth_gate(app: Flask) -> None:
    """Register a hook that refuses every routed endpoint outside `PUBLIC_ROUTES` without a
    valid bearer token, and stores the user in `g.principal`."""
    raise NotImplementedError(
        "TODO(task 4): a token unless (method, endpoint) is public — see README task 4"
    )


def install(app: Flask) -> None:
    """The pipeline on `app`, outermost first: request id, timing, then the gate."""
    raise NotImplementedError("TODO(task 5): register the three in order — see README task 5")
