"""The access log as Flask request hooks (task 4). `create_app` installs them after the
request-id hook, so `g.request_id` is set when `start` runs."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from markets_logging.access import log_access
from markets_logging.context import end_scope, start_scope
from markets_logging.routes import template


def install(app: Flask) -> None:
    app.before_request(start)
    app.after_request(finish)
    app.teardown_request(close)


def start() -> None:
    g.access_started = time.perf_counter()
    g.access_scope = start_scope(request_id=g.request_id)


def finish(response: Response) -> Response:
    """Runs for every response, a 500 from the error handler too; Flask logged its traceback."""
    rule = request.url_rule
    log_access(
        method=request.method,
        route=template(rule.rule) if rule is not None else None,
        status=response.status_code,
        started=g.access_started,
    )
    return response


def close(exc: BaseException | None) -> None:
    """Teardown runs last, even after an error: the request's fields end with it."""
    end_scope(g.pop("access_scope"))
