"""Task 4, Flask only: the request scope ends in teardown_request, whatever failed before."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

import pytest
from loglines import shown

from markets_logging.context import bound
from markets_logging.service import MarketService

pytestmark = [pytest.mark.flask, pytest.mark.task(4)]


def test_the_scope_ends_even_when_an_after_request_hook_fails(
    service: MarketService, logs: Any, as_client: Any
) -> None:
    from markets_logging.flask_app import create_app

    app = create_app(service)

    @app.after_request
    def broken(response: Any) -> Any:  # registered last: Flask runs it first
        raise RuntimeError("a metrics hook failed")

    def request_then_log() -> tuple[int, dict[str, Any]]:
        with as_client(app) as client:
            status = client.get("/markets/1", headers={"X-Request-ID": "rq-hook-1"}).status
        logging.getLogger("markets.test").info("after the request")
        return status, bound()

    # In a copy of this context: a scope left open must not leak into the other tests.
    status, left = contextvars.copy_context().run(request_then_log)
    lines = logs.lines()
    assert status == 500, f"a request whose after_request hook raised answered {status}"
    last = lines[-1] if lines else {}
    assert left == {} and "request_id" not in last, (
        f"after a request whose after_request hook raised, bound() is {left} and the next "
        f"line is {last}; expected nothing bound. Flask skips the remaining after_request "
        "hooks when one raises — an end_scope there never runs — but teardown_request "
        f"always runs: end the scope there (task 4). Lines:{shown(lines)}"
    )
