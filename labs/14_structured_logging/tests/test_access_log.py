"""Task 4: one access line per request in each framework, and the request's id on every line.

Every test runs once per framework; `logs.lines()` is what the process wrote to stderr.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from loglines import SERVER_LOGGER, access_lines, app_lines, from_logger, shown

from markets_logging.service import MarketService
from patterns_workbook.testing.http import HttpClient, Reply

pytestmark = pytest.mark.task(4)

ITEM_ROUTE = "/markets/{market_id}"
SECRET = "s3cr3t-Value-42"


def request_id_of(reply: Reply) -> str:
    request_id = reply.header("X-Request-ID")
    assert request_id, f"the reply has no X-Request-ID header (given code): {reply.headers}"
    return request_id


def only_access_line(lines: list[dict[str, Any]], call: str) -> dict[str, Any]:
    found = access_lines(lines)
    assert len(found) == 1, (
        f"{call} wrote {len(found)} access lines (logger 'markets.access' with a status); "
        f"expected exactly one per request. Everything logged:{shown(lines)}"
        "\n(two identical lines: a handler added twice — per call, per app, per middleware "
        "instance; none: the middleware did not log, task 4)"
    )
    return found[0]


def test_a_request_writes_one_access_line_with_its_fields(client: HttpClient, logs: Any) -> None:
    reply = client.get("/markets/1", headers={"X-Request-ID": "req-7f3a9c21"})
    assert reply.status == 200, f"GET /markets/1 answered {reply.status}: {reply.text[:300]}"
    line = only_access_line(logs.lines(), "GET /markets/1")
    expected = {
        "event": "request",
        "level": "info",
        "request_id": "req-7f3a9c21",
        "method": "GET",
        "route": ITEM_ROUTE,
        "status": 200,
    }
    got = {key: line.get(key) for key in expected}
    assert got == expected, (
        f"GET /markets/1 (X-Request-ID: req-7f3a9c21) logged the access line {line}; "
        f"expected {expected}: the route TEMPLATE (one series per route, not per URL), the "
        "status as a number, the constant event 'request' (task 4)"
    )
    duration = line.get("duration_ms")
    assert isinstance(duration, int | float) and not isinstance(duration, bool), (
        f"duration_ms is {duration!r}; a number, so a dashboard can sum it (task 4)"
    )
    assert duration >= 0, f"duration_ms is {duration!r}; a duration is never negative"


def test_the_route_is_the_template_for_every_market(client: HttpClient, logs: Any) -> None:
    for market_id in (2, 3, 99):
        client.get(f"/markets/{market_id}")
    lines = access_lines(logs.lines())
    got = [(line.get("route"), line.get("status"), line.get("event")) for line in lines]
    expected = [(ITEM_ROUTE, 200, "request"), (ITEM_ROUTE, 200, "request")]
    expected.append((ITEM_ROUTE, 404, "request"))
    assert got == expected, (
        f"GET /markets/2, /markets/3 and /markets/99 (no such market) logged (route, status, "
        f"event) {got}; expected {expected}. A raw path or an f-string event makes one series "
        "per market: unbounded cardinality, and no way to group the requests (task 4)"
    )


def test_a_url_no_route_matches_is_one_access_line_with_route_null(
    client: HttpClient, logs: Any
) -> None:
    reply = client.get("/no/such/page/123")
    assert reply.status == 404
    line = only_access_line(logs.lines(), "GET /no/such/page/123")
    got = {key: line.get(key, "missing") for key in ("route", "status", "request_id", "level")}
    expected = {"route": None, "status": 404, "request_id": request_id_of(reply), "level": "info"}
    assert got == expected, (
        f"GET /no/such/page/123 (the router's own 404) logged {line}; expected {expected}: "
        "route null (a client can invent any number of paths; they must not become series), "
        "a 4xx at info — the client's mistake, not ours (task 4)"
    )


def test_duration_is_in_milliseconds(client: HttpClient, service: MarketService, logs: Any) -> None:
    async def slow_async() -> None:
        await asyncio.sleep(0.03)

    service.checkpoint = lambda: time.sleep(0.03)
    service.async_checkpoint = slow_async
    client.get("/markets/1")
    line = only_access_line(logs.lines(), "GET /markets/1 (30 ms of work)")
    duration = line.get("duration_ms")
    assert isinstance(duration, int | float) and 30 <= duration < 5000, (
        f"a request that worked 30 ms logged duration_ms={duration!r}; expected at least 30: "
        "milliseconds, measured from before the handler to after it, with "
        "time.perf_counter() (task 4)"
    )


def test_service_lines_carry_the_request_id(client: HttpClient, logs: Any) -> None:
    reply = client.get("/markets/1")
    request_id = request_id_of(reply)
    lines = logs.lines()
    viewed = from_logger(lines, "markets.service", "market viewed")
    headers = from_logger(lines, "markets.api", "request headers")
    assert len(viewed) == 1 and len(headers) == 1, (
        f"GET /markets/1 should log 'request headers' (markets.api) and 'market viewed' "
        f"(markets.service) once each; it logged:{shown(lines)}"
    )
    got = [(line.get("request_id"), line.get("market_id")) for line in (*headers, *viewed)]
    expected = [(request_id, None), (request_id, 1)]
    assert got == expected, (
        f"GET /markets/1 (X-Request-ID {request_id}) logged (request_id, market_id) {got} on "
        f"its view and service lines; expected {expected}. The middleware binds the request "
        "id once, in a request scope around the handler; the service's own bind(market_id=…) "
        "joins it (task 4)"
    )


def test_worker_threads_carry_the_request_id(client: HttpClient, logs: Any) -> None:
    reply = client.get("/markets/summary")
    assert reply.status == 200, f"GET /markets/summary answered {reply.status}: {reply.text}"
    request_id = request_id_of(reply)
    lines = logs.lines()
    workers = from_logger(lines, "markets.service", "market summarized")
    got = sorted(((line.get("request_id"), line.get("market_id")) for line in workers), key=repr)
    expected = [(request_id, 1), (request_id, 2), (request_id, 3)]
    assert got == expected, (
        f"GET /markets/summary logged (request_id, market_id) {got} from its worker threads; "
        f"expected {expected}: context.submit runs each worker in a copy of the request's "
        f"context (task 2), which the middleware set up (task 4). Lines:{shown(lines)}"
    )
    total = from_logger(lines, "markets.service", "summary computed")
    assert [(line.get("request_id"), line.get("market_id")) for line in total] == [
        (request_id, None)
    ], (
        f"the request's own 'summary computed' line is {total}; it has the request id and no "
        "market_id: a worker's bind() stays in the worker's copy (task 2)"
    )


def test_fields_do_not_leak_into_the_next_request(client: HttpClient, logs: Any) -> None:
    first = request_id_of(client.get("/markets/1"))  # the service binds market_id=1
    second_reply = client.get("/no/such/page")
    second = request_id_of(second_reply)
    logging_after = __import__("logging").getLogger("markets.test")
    logging_after.info("after both requests")
    lines = logs.lines()
    line = only_access_line(
        [line for line in lines if line.get("request_id") != first], "GET /no/such/page"
    )
    assert line.get("request_id") == second and "market_id" not in line, (
        f"the second request's access line is {line}; expected request_id {second} and no "
        "market_id: the first request bound market_id=1, and a request scope starts from "
        "nothing (task 2), whatever ran on this thread before (task 4)"
    )
    last = lines[-1]
    assert last.get("event") == "after both requests" and "request_id" not in last, (
        f"a line logged after both requests is {last}; it carries a request's fields: the "
        "middleware must end its scope when the request ends, error or not (task 4)"
    )


def test_a_crash_is_logged_once_with_its_traceback_and_the_request_id(
    client: HttpClient, service: MarketService, logs: Any
) -> None:
    def crash() -> None:
        raise RuntimeError(f"disk on fire; password={SECRET}")

    async def crash_async() -> None:
        crash()

    service.checkpoint = crash
    service.async_checkpoint = crash_async
    reply = client.get("/markets/1")
    assert reply.status == 500 and "disk on fire" not in reply.text, (
        f"a request whose service raised answered {reply.status} {reply.text[:200]}; the 500 "
        "(given code) reveals nothing"
    )
    request_id = request_id_of(reply)
    lines = app_lines(logs.lines())
    traced = [line for line in lines if "disk on fire" in str(line.get("exception", ""))]
    assert len(traced) == 1, (
        f"a crash was logged with its traceback {len(traced)} times; expected once. Django "
        "(django.request) and Flask (app.logger) log it themselves — a middleware that logs "
        "it too doubles it; Starlette does not, so the FastAPI middleware must (catch, log "
        f"with the traceback, re-raise). Lines (the test server's {SERVER_LOGGER!r} line left "
        f"out):{shown(lines)}"
    )
    access = access_lines(lines)
    errors = [line for line in lines if line.get("level") == "error" and line not in access]
    with_exception = [line for line in lines if "exception" in line]
    assert len(errors) == 1 and len(with_exception) == 1, (
        f"a crash wrote {len(errors)} error lines besides the access line, and "
        f"{len(with_exception)} lines with an 'exception'; expected one of each: the "
        "framework's (or, in FastAPI, your middleware's) line with the traceback. A second "
        "'request failed' line for every 5xx — with exc_info outside an except block it "
        "holds 'NoneType: None' — is noise an alert counts twice; the access line already "
        f"says status 500 at level error (task 4). Lines:{shown(lines)}"
    )
    assert traced[0].get("level") == "error" and traced[0].get("request_id") == request_id, (
        f"the traceback line is {traced[0]}; expected level 'error' and request_id "
        f"{request_id}: logged inside the request scope, so support can find it from the id "
        "the user quotes (task 4)"
    )
    access = only_access_line(lines, "GET /markets/1 (crashing)")
    got = {key: access.get(key) for key in ("status", "level", "request_id", "route")}
    expected = {"status": 500, "level": "error", "request_id": request_id, "route": ITEM_ROUTE}
    assert got == expected, (
        f"the crashed request's access line is {access}; expected {expected}: a 5xx is ours "
        "to fix, so level error (task 4)"
    )
    assert SECRET not in logs.text, (
        f"the exception's message held password={SECRET} and it reached the log: the "
        "traceback goes through redact() (task 3)"
    )


def test_no_secret_from_a_request_reaches_the_log(client: HttpClient, logs: Any) -> None:
    headers = {
        "Authorization": f"Bearer {SECRET}-a",
        "Cookie": f"theme=dark; session={SECRET}-c",
        "X-Api-Key": f"{SECRET}-k",
        "X-Auth-Token": f"{SECRET}-t",
    }
    reply = client.get(f"/markets/1?api_key={SECRET}-q", headers=headers)
    assert reply.status == 200, f"GET /markets/1 with credentials answered {reply.status}"
    lines = logs.lines()
    assert SECRET not in logs.text, (
        f"a secret sent in a header or the query string reached the log:{shown(lines)}\n"
        "The view logs every header (given code, as real code does): redaction (task 1) in "
        "the formatter (task 3) keeps Authorization, Cookie and X-Api-Key out (task 4)"
    )
    assert from_logger(lines, "markets.api", "request headers"), (
        "the view's 'request headers' line is missing: redact, do not drop the line (task 4)"
    )


def test_an_invalid_client_request_id_is_replaced_on_every_line(
    client: HttpClient, logs: Any
) -> None:
    sent = "not a valid id; " + "x" * 80  # a space, a ';' and 96 characters: refused
    reply = client.get("/markets/1", headers={"X-Request-ID": sent})
    minted = request_id_of(reply)
    assert minted != sent, f"the given middleware echoed an invalid X-Request-ID {sent!r}"
    lines = logs.lines()
    with_id = [line for line in app_lines(lines) if "request_id" in line]
    got = sorted({line["request_id"] for line in with_id})
    assert with_id and got == [minted], (
        f"GET /markets/1 with the invalid X-Request-ID {sent!r} answered with the minted id "
        f"{minted!r} but logged request ids {got}; expected only {minted!r} on every line. "
        "Bind the id the request-id middleware chose (request.request_id, "
        "scope['state']['request_id'], g.request_id), never the raw client header: it is "
        "unchecked input, and support searches the logs for the id the response carried "
        f"(task 4). Lines:{shown(lines)}"
    )


def test_building_the_app_twice_still_logs_each_request_once(
    framework: str, service: MarketService, logs: Any, as_client: Any
) -> None:
    from markets_logging.logconfig import configure_logging

    configure_logging()  # a second start-up, as a reloading server or a second worker does
    for _ in range(2):
        with as_client(build_app(framework, service)) as client:
            client.get("/markets/1")
    lines = logs.lines()
    found = access_lines(lines)
    assert len(found) == 2 and found[0] != found[1], (
        f"two apps (or Django test clients, each loading its middleware anew) each served "
        f"one request and {len(found)} access lines came out; expected 2, one per "
        "request. A handler added in a constructor (create_app, a middleware's __init__) "
        f"prints every line once per instance. Lines:{shown(lines)}"
    )


def build_app(framework: str, service: MarketService) -> Any:
    if framework == "django":
        from django.conf import settings

        settings.MARKETS_SERVICE = service
        return "django"
    if framework == "fastapi":
        from markets_logging.fastapi_app import create_app

        return create_app(service)
    assert framework == "flask", framework
    from markets_logging.flask_app import create_app as create_flask_app

    return create_flask_app(service)


def test_concurrent_requests_keep_their_own_request_ids(
    framework: str, app: Any, service: MarketService, logs: Any, as_client: Any
) -> None:
    """Request 1 logs 'market viewed' while request 2 is inside its scope, between the
    service's bind and its log line: the interleaving is forced, not left to chance."""
    if framework == "fastapi":
        replies = asyncio.run(_interleaved_async_requests(app, service))
    else:
        replies = _interleaved_threaded_requests(app, service, as_client)
    lines = logs.lines()
    viewed = from_logger(lines, "markets.service", "market viewed")
    # market_name is the service's own extra: it says which request really wrote the line.
    got = sorted(
        ((x.get("request_id"), x.get("market_id"), x.get("market_name")) for x in viewed), key=repr
    )
    names = {market.id: market.name for market in service.markets.values()}
    sent = [(request_id_of(r), market_id, names[market_id]) for market_id, r in replies.items()]
    expected = sorted(sent, key=repr)
    how = "two asyncio tasks on one thread" if framework == "fastapi" else "two threads"
    assert got == expected, (
        f"two requests in flight at once ({framework}: {how}) logged (request_id, market_id, "
        f"market_name) {got}; expected {expected}. Each request's fields live in its own "
        "context: a global, or a threading.local under asyncio, hands one request's id to "
        f"the other (tasks 2 and 4). Lines:{shown(lines)}"
    )


def _interleaved_threaded_requests(
    app: Any, service: MarketService, as_client: Any
) -> dict[int, Reply]:
    first_waiting, second_waiting, first_done = (threading.Event() for _ in range(3))

    def checkpoint() -> None:
        if not first_waiting.is_set():  # request 1: wait until request 2 is in its scope
            first_waiting.set()
            second_waiting.wait(timeout=5)
        else:  # request 2: let request 1 finish while this one is still in flight
            second_waiting.set()
            first_done.wait(timeout=5)

    service.checkpoint = checkpoint
    replies: dict[int, Reply] = {}

    def get(market_id: int) -> None:
        with as_client(app) as client:
            replies[market_id] = client.get(f"/markets/{market_id}")
        if market_id == 1:
            first_done.set()

    one = threading.Thread(target=get, args=(1,))
    one.start()
    first_waiting.wait(timeout=5)
    two = threading.Thread(target=get, args=(2,))
    two.start()
    one.join()
    two.join()
    return replies


async def _interleaved_async_requests(app: Any, service: MarketService) -> dict[int, Reply]:
    import httpx

    first_waiting, second_waiting, first_done = (asyncio.Event() for _ in range(3))

    async def checkpoint() -> None:
        if not first_waiting.is_set():
            first_waiting.set()
            await asyncio.wait_for(second_waiting.wait(), timeout=5)
        else:
            second_waiting.set()
            await asyncio.wait_for(first_done.wait(), timeout=5)

    service.async_checkpoint = checkpoint
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

        async def one() -> httpx.Response:
            response = await http.get("/markets/1")
            first_done.set()
            return response

        async def two() -> httpx.Response:
            await first_waiting.wait()
            return await http.get("/markets/2")

        first, second = await asyncio.gather(one(), two())
    return {
        market_id: Reply(r.status_code, r.content, {k.lower(): v for k, v in r.headers.items()})
        for market_id, r in ((1, first), (2, second))
    }


HELD = 0.06  # seconds request 1 is held in flight before request 2 starts


def test_overlapping_requests_each_log_their_own_duration(
    framework: str, app: Any, service: MarketService, logs: Any, as_client: Any
) -> None:
    """Request 1 is held in its service call; request 2 starts HELD s later on the same app
    (Django: one handler, one middleware instance, as a threaded server runs it) and ends
    before request 1 goes on. Each request's duration is its own."""
    if framework == "fastapi":
        held, walls = asyncio.run(_overlapping_async_requests(app, service))
    else:
        held, walls = _overlapping_threaded_requests(framework, app, service, as_client)
    lines = logs.lines()
    durations = {line.get("request_id"): line.get("duration_ms") for line in access_lines(lines)}
    assert set(durations) == {"held-1", "quick-2"}, (
        f"two overlapping requests (X-Request-ID held-1 and quick-2) logged the access lines "
        f"{access_lines(lines)}; expected one each (task 4). Lines:{shown(lines)}"
    )
    first, second = durations["held-1"], durations["quick-2"]
    assert isinstance(first, int | float) and isinstance(second, int | float)
    assert held * 1000 <= first <= walls["held-1"] * 1000 + 1, (
        f"request held-1 was in its view for {held * 1000:.0f} ms (and "
        f"{walls['held-1'] * 1000:.0f} ms at the client) but logged duration_ms={first}; "
        f"request quick-2 ran meanwhile and logged {second}. A start time kept on the "
        "middleware instance (self.started) or in a variable shared by the app's hooks is "
        "overwritten by the next request: one instance serves every request. Keep it per "
        "request — a local in __call__ (Django, ASGI), flask.g (Flask) (task 4)"
    )
    assert 0 <= second <= walls["quick-2"] * 1000 + 1, (
        f"request quick-2 took {walls['quick-2'] * 1000:.0f} ms at the client but logged "
        f"duration_ms={second}: its start time is its own (task 4)"
    )


def _overlapping_threaded_requests(
    framework: str, app: Any, service: MarketService, as_client: Any
) -> tuple[float, dict[str, float]]:
    first_in, second_done = threading.Event(), threading.Event()
    held: list[float] = []

    def checkpoint() -> None:
        if first_in.is_set():  # request 2: straight through
            return
        entered = time.perf_counter()
        first_in.set()
        second_done.wait(timeout=5)
        held.append(time.perf_counter() - entered)

    service.checkpoint = checkpoint
    walls: dict[str, float] = {}
    shared = as_client(app) if framework == "django" else None  # one handler for both

    def get(request_id: str, path: str) -> None:
        started = time.perf_counter()
        if shared is not None:
            shared.get(path, headers={"X-Request-ID": request_id})
        else:
            with as_client(app) as client:
                client.get(path, headers={"X-Request-ID": request_id})
        walls[request_id] = time.perf_counter() - started

    one = threading.Thread(target=get, args=("held-1", "/markets/1"))
    one.start()
    first_in.wait(timeout=5)
    time.sleep(HELD)
    get("quick-2", "/markets/2")
    second_done.set()
    one.join()
    return held[0], walls


async def _overlapping_async_requests(
    app: Any, service: MarketService
) -> tuple[float, dict[str, float]]:
    import httpx

    first_in, second_done = asyncio.Event(), asyncio.Event()
    held: list[float] = []

    async def checkpoint() -> None:
        if first_in.is_set():
            return
        entered = time.perf_counter()
        first_in.set()
        await asyncio.wait_for(second_done.wait(), timeout=5)
        held.append(time.perf_counter() - entered)

    service.async_checkpoint = checkpoint
    walls: dict[str, float] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

        async def get(request_id: str, path: str) -> None:
            started = time.perf_counter()
            await http.get(path, headers={"X-Request-ID": request_id})
            walls[request_id] = time.perf_counter() - started

        async def second() -> None:
            await asyncio.wait_for(first_in.wait(), timeout=5)
            await asyncio.sleep(HELD)
            await get("quick-2", "/markets/2")
            second_done.set()

        await asyncio.gather(get("held-1", "/markets/1"), second())
    return held[0], walls
