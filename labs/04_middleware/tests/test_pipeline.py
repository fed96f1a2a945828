"""Task 5: your pipeline, in your order — request id outermost, timing around the gate.

These tests run *your* `middleware_order()` (Django) and `install(app)` (FastAPI, Flask).
"""

from __future__ import annotations

import pytest
from checks import ADA, AS_ADA, TIMING, expect_error, shown

from markets_middleware import auth, clock

pytestmark = pytest.mark.task(5)


class Trace:
    """What ran, in order: the clock read, the token looked up, the handler's data read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, book) -> None:
        self.events: list[str] = []
        self.time = 0.0
        real_lookup = auth.lookup

        def read_clock() -> float:
            self.events.append("clock")
            return self.time

        def lookup(token: str) -> str | None:
            self.events.append("authenticate")
            self.time += 0.02
            return real_lookup(token)

        def read() -> None:
            if self.events[-1:] != ["view"]:
                self.events.append("view")
            self.time += 0.1

        monkeypatch.setattr(clock, "source", read_clock)
        monkeypatch.setattr(auth, "lookup", lookup)
        book.on_read = read


def test_a_401_from_the_gate_carries_the_request_id_and_server_timing(api, framework) -> None:
    reply = api().get("/api/auth/me", headers={"X-Request-ID": "order-1"})
    call = f"[{framework}] GET /api/auth/me with no token and X-Request-ID: order-1"
    assert reply.header("x-request-id") == "order-1", (
        f"{call} answered {shown(reply)}; the gate's 401 carries the id too: the request-id "
        "middleware runs outermost, before the gate can end the request (task 5)"
    )
    expect_error(reply, 401, "not_authenticated", call, task=5)
    assert TIMING.fullmatch(reply.header("server-timing") or ""), (
        f"{call} answered {shown(reply)}; the 401 carries Server-Timing too: the timing "
        "middleware runs around the gate (task 5)"
    )


def test_a_500_carries_the_request_id_and_server_timing(api, framework, monkeypatch) -> None:
    def unreachable(token: str) -> str | None:
        raise ConnectionError("token store down")

    monkeypatch.setattr(auth, "lookup", unreachable)
    reply = api().get("/api/auth/me", headers={**AS_ADA, "X-Request-ID": "order-500"})
    call = (
        f"[{framework}] GET /api/auth/me as ada with X-Request-ID: order-500, while the "
        "token check raises"
    )
    expect_error(reply, 500, "internal_error", call, task=5)
    assert reply.header("x-request-id") == "order-500", (
        f"{call} answered {shown(reply)}; the 500 carries the request's id too: the given "
        "apps answer it inside your pipeline, so the request-id middleware adds it on the way "
        "out like on any other response (task 5)"
    )
    assert TIMING.fullmatch(reply.header("server-timing") or ""), (
        f"{call} answered {shown(reply)}; the 500 carries Server-Timing too: the timing "
        "middleware runs around the gate, and adds its header to every response that passes "
        "it on the way out, an error's included (task 5)"
    )


def test_timing_wraps_the_gate_and_the_handler(api, framework, book, monkeypatch) -> None:
    trace = Trace(monkeypatch, book)
    reply = api().get("/api/markets/1/positions", headers=AS_ADA)
    assert reply.status == 200, f"[{framework}] GET /api/markets/1/positions as ada: {shown(reply)}"
    assert trace.events == ["clock", "authenticate", "view", "clock"], (
        f"[{framework}] GET /api/markets/1/positions as ada ran {trace.events}; expected the "
        "clock read, then the token checked (the gate asks auth.authenticate), then the "
        "handler, then the clock read again: timing outside the gate, the gate before the "
        "view (task 5)"
    )
    assert reply.header("server-timing") == "app;dur=220.0", (
        f"[{framework}] the gate took 20 ms and the handler 200 ms; the response says "
        f"Server-Timing: {reply.header('server-timing')!r}, expected app;dur=220.0 (task 5)"
    )


def test_a_refused_request_is_timed_with_its_token_check(api, framework, book, monkeypatch) -> None:
    trace = Trace(monkeypatch, book)
    reply = api().get("/api/auth/me", headers={"Authorization": f"Bearer {ADA[::-1]}"})
    assert reply.status == 401 and trace.events == ["clock", "authenticate", "clock"], (
        f"[{framework}] GET /api/auth/me with an unknown token answered {shown(reply)} and ran "
        f"{trace.events}; expected a 401 and the clock read around the token check (task 5)"
    )
    assert reply.header("server-timing") == "app;dur=20.0", (
        f"[{framework}] the refused token check took 20 ms; Server-Timing: "
        f"{reply.header('server-timing')!r}, expected app;dur=20.0 (task 5)"
    )


def _outermost_django() -> str:
    from markets_middleware.django_app import middleware

    return middleware.middleware_order()[0].rpartition(".")[2]


def _outermost_fastapi() -> str:
    from markets_middleware import fastapi_middleware
    from markets_middleware.fastapi_app import create_app
    from markets_middleware.markets import MarketBook

    app = create_app(MarketBook(), fastapi_middleware.install)
    return app.user_middleware[0].cls.__name__ if app.user_middleware else "nothing"


def _outermost_flask() -> str:
    from flask import g

    from markets_middleware import flask_middleware
    from markets_middleware.flask_app import create_app
    from markets_middleware.markets import MarketBook

    app = create_app(MarketBook(), flask_middleware.install)
    first = app.before_request_funcs[None][0]
    with app.test_request_context("/api/health"):
        first()
        return "RequestIdMiddleware" if "request_id" in g else first.__name__


@pytest.mark.parametrize(
    "framework_",
    [
        pytest.param("django", marks=pytest.mark.django),
        pytest.param("fastapi", marks=pytest.mark.fastapi),
        pytest.param("flask", marks=pytest.mark.flask),
    ],
)
def test_the_request_id_middleware_runs_first(framework_: str) -> None:
    outermost = {"django": _outermost_django, "fastapi": _outermost_fastapi}.get(
        framework_, _outermost_flask
    )()
    where = {
        "django": "first in middleware_order() (settings.MIDDLEWARE runs top to bottom)",
        "fastapi": "added last in install() (Starlette runs the last added outermost)",
        "flask": "registered first in install() (before_request hooks run in order)",
    }[framework_]
    assert outermost == "RequestIdMiddleware", (
        f"[{framework_}] the outermost step of your pipeline is {outermost}; the request id "
        f"comes first, {where}: everything after it — timing, the gate, the views, each "
        "error and log line — can then name the request (task 5)"
    )


@pytest.mark.django
def test_django_middleware_order_is_request_id_then_timing_then_the_gate() -> None:
    from markets_middleware.django_app import middleware

    order = [path.rpartition(".")[2] for path in middleware.middleware_order()]
    expected = ["RequestIdMiddleware", "TimingMiddleware", "AuthGateMiddleware"]
    assert order == expected, (
        f"[django] middleware_order() lists {order}; expected {expected}, outermost first. "
        "Today's gate acts in process_view, which Django runs after every __call__ has "
        "begun, so a gate listed before timing still answers alike — until it does anything "
        "in __call__ (a rate limit, a log line): then its refusals go untimed. The order is "
        "the design: the id, the timing around everything after it, the gate (task 5)"
    )
