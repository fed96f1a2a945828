"""Task 5: GET /markets/{id}/price in Django, FastAPI and Flask, over the retrying client.

`client` is an HttpClient over one framework's app (each test runs once per framework); the
app's pricing client is `make_pricing()` over `upstream`: attempts=3, base=1, no jitter.
"""

from __future__ import annotations

import httpx
import pytest

from patterns_workbook.testing import hostile
from patterns_workbook.testing.http import Reply

pytestmark = pytest.mark.task(5)
FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]
SECRET = "db-password=hunter2 at 10.0.0.5:5432"  # what the pricing service's errors leak


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """Each test here runs once per framework: `-m django`, `-m fastapi`, `-m flask`."""
    return request.param


def show(reply: Reply) -> str:
    after = reply.header("Retry-After")
    return f"{reply.status} {reply.text[:160]}" + (f" (Retry-After: {after})" if after else "")


def describe(step: object) -> str:
    """A scripted step as a failure message shows it: a response with its headers and body."""
    if not isinstance(step, httpx.Response):
        return repr(step)
    try:
        body = step.content[:60]
    except httpx.ResponseNotRead:
        body = b"<a body that did not decode>"
    return f"{step.status_code} {dict(step.headers)} {body!r}"


def code(reply: Reply) -> str | None:
    try:
        return reply.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


@pytest.mark.parametrize(
    "body",
    [
        {"market_id": 1, "price": "0.42"},
        {"price": "0.42"},
        {"market_id": 2, "price": "0.42"},
        {"market_id": 1, "price": "0.42", "cost": SECRET, "debug": {"host": "10.0.0.5"}},
    ],
    ids=["as-documented", "price-only", "another-id", "extra-fields"],
)
def test_the_price_comes_from_the_pricing_service(client, upstream, body) -> None:
    upstream.plays(httpx.Response(200, json=body))
    reply = client.get("/markets/1/price")
    assert (reply.status, reply.json() if reply.status == 200 else None) == (
        200,
        {"market_id": 1, "price": "0.42"},
    ), (
        f"[{client.framework}] pricing answered 200 {body}; GET /markets/1/price answered "
        f"{show(reply)}; expected 200 with exactly {{'market_id': 1, 'price': '0.42'}}: the "
        "market id is ours (the one in our path), the price is the only thing taken from "
        "pricing, and no other field of its body reaches our clients (task 5)"
    )
    paths = [r.url.path for r in upstream.requests]
    assert paths == ["/prices/1"], (
        f"[{client.framework}] the pricing service was asked for {paths}; expected one "
        "GET /prices/1 (task 5)"
    )


def test_a_flaky_pricing_service_is_retried(client, upstream, sleeper) -> None:
    upstream.plays(503, 200)
    reply = client.get("/markets/1/price")
    assert (reply.status, upstream.calls, sleeper.delays) == (200, 2, [1.0]), (
        f"[{client.framework}] pricing answered 503 then 200; GET /markets/1/price answered "
        f"{show(reply)} after {upstream.calls} upstream requests and sleeps {sleeper.delays}; "
        "expected 200 after 2 requests and one sleep of 1 s: call pricing through the "
        "retrying client you were given (task 5)"
    )


@pytest.mark.parametrize(
    "step",
    [
        503,
        429,
        504,
        httpx.ConnectError(f"connection refused: {SECRET}"),
        httpx.Response(503, headers={"Retry-After": "3600"}, text=SECRET),
        httpx.Response(429, headers={"Retry-After": "soon"}, text=SECRET),
    ],
    ids=["503", "429", "504", "unreachable", "503-retry-after-3600", "429-retry-after-garbage"],
)
def test_pricing_down_is_a_503_with_retry_after(client, upstream, step) -> None:
    upstream.plays(httpx.Response(503, text=SECRET) if step == 503 else step)
    reply = client.get("/markets/1/price")
    assert reply.status == 503 and code(reply) == "upstream_unavailable", (
        f"[{client.framework}] pricing stayed down ({step!r}) through every retry; GET "
        f"/markets/1/price answered {show(reply)}; expected 503 with error.code "
        "'upstream_unavailable' in the envelope — our service is fine, a dependency is not: "
        "never a 500 (task 5)"
    )
    assert hostile.envelope_problem(reply) is None and reply.header("Retry-After") == "5", (
        f"[{client.framework}] the 503 was {show(reply)}: "
        f"{hostile.envelope_problem(reply) or 'Retry-After must be 5'} — tell our clients "
        "when to come back, or they retry at once and add to the outage; always our "
        "documented 5, never the pricing service's own Retry-After (an hour, garbage) (task 5)"
    )
    assert upstream.calls == 3, (
        f"[{client.framework}] pricing got {upstream.calls} requests; expected 3 (task 5)"
    )
    assert "hunter2" not in reply.text and "10.0.0.5" not in reply.text, (
        f"[{client.framework}] our 503 repeats what pricing said: {reply.text[:200]}; never "
        "forward a dependency's body or exception text (task 5)"
    )


def test_an_unknown_market_is_a_404_asked_once(client, upstream) -> None:
    upstream.plays(httpx.Response(404, json={"error": f"no row in prices ({SECRET})"}))
    reply = client.get("/markets/99/price")
    assert (reply.status, code(reply), upstream.calls) == (404, "not_found", 1), (
        f"[{client.framework}] pricing answered 404 for market 99; GET /markets/99/price "
        f"answered {show(reply)} after {upstream.calls} upstream requests; expected our own "
        "404 'not_found' after one request (task 5)"
    )
    assert "hunter2" not in reply.text and "10.0.0.5" not in reply.text, (
        f"[{client.framework}] pricing's 404 body said {SECRET!r}; our 404 repeats it: "
        f"{reply.text[:200]} — our message is our own (not_found(market_id)), never the "
        "dependency's text (task 5)"
    )


@pytest.mark.parametrize(
    "step",
    [
        httpx.Response(500, text=f"Traceback ... {SECRET}"),
        httpx.Response(400, json={"detail": SECRET}),
        httpx.Response(200, text=f"<html>{SECRET}</html>"),
        httpx.Response(200, json=[SECRET]),
        httpx.Response(200, json={"market_id": 1, "price": 0.42}),
        httpx.Response(200, json={"market_id": 1, "price": SECRET}),
        httpx.Response(200, json={"market_id": 1}),
        httpx.Response(200, json={"market_id": 1, "price": "NaN"}),
        httpx.Response(200, json={"market_id": 1, "price": "1e3"}),
        httpx.Response(200, json={"market_id": 1, "price": "0.42\n"}),
        httpx.Response(201, json={"market_id": 1, "price": "0.42"}),
        httpx.Response(206, json={"market_id": 1, "price": "0.42"}),
        httpx.RemoteProtocolError(f"server disconnected: {SECRET}"),
        lambda: httpx.Response(
            200,
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
            stream=httpx.ByteStream(f"not gzip: {SECRET}".encode()),
        ),
        httpx.TooManyRedirects(f"redirect loop via {SECRET}"),
    ],
    ids=[
        "500",
        "400",
        "html",
        "a-list",
        "float-price",
        "text-price",
        "no-price",
        "nan-price",
        "exponent-price",
        "newline-after-price",
        "201",
        "206",
        "protocol",
        "bad-gzip-body",
        "redirect-loop",
    ],
)
def test_an_unusable_pricing_answer_is_a_502(client, upstream, step) -> None:
    step = step() if callable(step) else step  # a fresh streamed response per test
    upstream.plays(step)
    reply = client.get("/markets/1/price")
    sent = describe(step)
    assert (reply.status, code(reply)) == (502, "bad_gateway"), (
        f"[{client.framework}] pricing sent {sent}; GET /markets/1/price answered "
        f"{show(reply)}; expected 502 'bad_gateway' in the envelope — an answer we cannot use "
        "is the dependency's fault, not a 500 of ours, and not a price: only a 200 carries a "
        "price (a 201 or a 206 partial answer does not), the price matches the whole pattern "
        "(fullmatch: `$` lets a trailing newline through), and every httpx error the client "
        "does not retry (a body that will not decode, a redirect loop) is an HTTPError, not "
        "only a TransportError (task 5)"
    )
    assert "hunter2" not in reply.text and "10.0.0.5" not in reply.text, (
        f"[{client.framework}] our 502 repeats what pricing said: {reply.text[:200]} (task 5)"
    )


def test_path_ids_that_name_no_market_never_reach_pricing(client, upstream) -> None:
    statuses = [client.get(f"/markets/{raw}/price").status for raw in hostile.BAD_IDS]
    assert set(statuses) <= {400, 404} and upstream.calls == 0, (
        f"[{client.framework}] ids {hostile.BAD_IDS} answered {statuses} and reached pricing "
        f"{upstream.calls} times; expected 404s and no upstream request (task 5)"
    )


ROUTES = [hostile.Route("GET", "/markets/{id}/price", task=5)]


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(client, route) -> None:
    hostile.assert_survives(client, route, ids={"id": 1})


def test_unserved_methods_are_405_with_allow(client) -> None:
    hostile.assert_methods_refused(client, ROUTES, ids={"id": 1})
