"""Task 4: the limit in front of every route, in Django, FastAPI and Flask.

`limited(peer)` is a client, connecting from `peer`, of an app allowing 3 requests per 60 s
per bucket, behind our proxy network 10.0.0.0/24, with bearer tokens `token-ada` (user ada)
and `token-bob` (user bob).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from conftest import CLIENT, PROXY, TRUSTED
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from markets_ratelimit import api
from markets_ratelimit.config import RateLimitConfig
from markets_ratelimit.limiter import Decision, SlidingWindowLimiter
from patterns_workbook.testing import hostile
from patterns_workbook.testing.http import HttpClient, Reply

pytestmark = pytest.mark.task(4)
FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]
Connect = Callable[..., HttpClient]
ADA = {"Authorization": "Bearer token-ada"}
BOB = {"Authorization": "Bearer token-bob"}


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """Each test here runs once per framework: `-m django`, `-m fastapi`, `-m flask`."""
    return request.param


def show(reply: Reply) -> str:
    limits = {k: v for k, v in reply.headers.items() if k.startswith(("ratelimit", "retry"))}
    return f"{reply.status} {reply.text[:120]} {limits}"


def statuses(client: HttpClient, count: int, headers=None, path="/markets") -> list[int]:
    return [client.get(path, headers=headers(n) if callable(headers) else headers).status
            for n in range(count)]  # fmt: skip


def test_admitted_answers_carry_ratelimit_headers_counting_down(framework, limited) -> None:
    client = limited()
    replies = [client.get("/markets") for _ in range(3)]
    got = [
        (r.status, r.header("RateLimit-Limit"), r.header("RateLimit-Remaining")) for r in replies
    ]
    assert got == [(200, "3", "2"), (200, "3", "1"), (200, "3", "0")], (
        f"[{framework}] 3 GET /markets on a limit of 3 per 60 s answered (status, "
        f"RateLimit-Limit, RateLimit-Remaining) = {got}; every admitted answer says the "
        "limit and what is left, so a client can slow down before it is refused (task 4)"
    )
    assert replies[0].header("RateLimit-Reset") == "60", (
        f"[{framework}] the first request's RateLimit-Reset was "
        f"{replies[0].header('RateLimit-Reset')!r}; expected '60' (task 4)"
    )
    assert replies[0].header("Retry-After") is None, (
        f"[{framework}] an admitted answer carried Retry-After: "
        f"{replies[0].header('Retry-After')!r}; only a refusal does (task 4)"
    )


def test_the_request_over_the_limit_is_a_429_in_the_envelope(framework, limited, clock):
    client = limited()
    for _ in range(3):
        client.get("/markets")
        clock.advance(10)  # t = 0, 10, 20
    reply = client.get("/markets")  # t = 30
    assert reply.status == 429, f"[{framework}] the 4th request answered {show(reply)} (task 4)"
    problem = hostile.envelope_problem(reply)
    assert problem is None and reply.json()["error"]["code"] == "too_many_requests", (
        f"[{framework}] the 429 was {show(reply)}: {problem or 'error.code must be'} "
        "'too_many_requests' in the JSON error envelope (task 4)"
    )
    got = {name: reply.header(name) for name in ("Retry-After", "RateLimit-Remaining")}
    assert got == {"Retry-After": "30", "RateLimit-Remaining": "0"}, (
        f"[{framework}] at t=30, after requests at t=0, 10, 20, the 429 carried {got}; "
        "expected Retry-After: 30 (when the t=0 request leaves the 60 s window) and "
        "RateLimit-Remaining: 0 (task 4)"
    )
    clock.advance(30)
    later = client.get("/markets")
    assert later.status == 200, (
        f"[{framework}] after waiting the 30 s Retry-After said, GET /markets answered "
        f"{show(later)}; expected 200 (task 4)"
    )


def test_every_route_and_error_counts_and_carries_the_headers(framework, limited) -> None:
    client = limited()
    body = {"side": "yes", "amount": "10.00"}
    replies = [
        client.get("/markets/99"),
        client.post("/markets/1/positions", json=body),
        client.delete("/markets"),
    ]
    got = [(r.status, r.header("RateLimit-Remaining")) for r in replies]
    assert got == [(404, "2"), (201, "1"), (405, "0")], (
        f"[{framework}] a 404, a created position and a 405 answered (status, "
        f"RateLimit-Remaining) = {got}; every request counts, whatever it asks for, and every "
        "answer carries the headers (task 4)"
    )
    refused = client.post("/markets/1/positions", json=body)
    assert refused.status == 429, (
        f"[{framework}] the 4th request, a valid POST, answered {show(refused)}; a refused "
        "request never reaches the view (task 4)"
    )


def spoofed(n: int) -> dict[str, str]:
    """Every client-address header a framework or a blog post might read, new each time."""
    made_up = f"203.0.113.{n}"
    return {
        "X-Forwarded-For": made_up,
        "X-Real-IP": made_up,
        "True-Client-IP": made_up,
        "Forwarded": f"for={made_up}",
    }


def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(framework, limited) -> None:
    client = limited(CLIENT)
    got = statuses(client, 4, headers=spoofed)
    assert got == [200, 200, 200, 429], (
        f"[{framework}] a client connecting directly from {CLIENT} (not our proxy) sent 4 "
        f"requests, each with a new made-up address in X-Forwarded-For, X-Real-IP, "
        f"True-Client-IP and Forwarded, and got {got}; expected the 4th refused: a header "
        "from an untrusted peer is whatever it chose to write — the peer is REMOTE_ADDR / "
        "request.client, and only X-Forwarded-For from our own proxies is believed (task 4)"
    )


def test_repeated_forwarded_for_lines_are_one_list(framework, limited, send_lines) -> None:
    lines = [[("X-Forwarded-For", f"6.6.6.{n}"), ("X-Forwarded-For", "203.0.113.1")]
             for n in range(4)]  # fmt: skip
    got = [send_lines(PROXY, request_lines).status for request_lines in lines]
    assert got == [200, 200, 200, 429], (
        f"[{framework}] through our proxy {PROXY}, 4 requests each with TWO X-Forwarded-For "
        "lines — the client's own (6.6.6.n, new each time), then the one our proxy appended "
        f"(203.0.113.1) — got {got}; expected the 4th refused: repeated lines are one "
        "comma-separated list (RFC 9110 §5.3), last line last. Reading only the first line "
        "reads the client's writing, and a new one each time escapes the limit (FastAPI: "
        "request.headers.getlist, joined with ', ') (task 4)"
    )


@pytest.mark.parametrize("framework", [pytest.param("fastapi", marks=pytest.mark.fastapi)])
def test_a_request_with_no_peer_address_is_limited_not_a_500(framework, limited, send_lines):
    got = [send_lines(None, []) for _ in range(4)]
    seen = [(r.status, r.header("RateLimit-Remaining")) for r in got]
    assert seen == [(200, "2"), (200, "1"), (200, "0"), (429, "0")], (
        f"[{framework}] 4 GET /markets with no client in the ASGI scope (request.client is "
        f"None, as behind a Unix socket) answered (status, RateLimit-Remaining) = {seen}; "
        "expected them limited in one shared bucket (peer '', key 'ip:'): [(200, '2'), "
        "(200, '1'), (200, '0'), (429, '0')] — never a 500 from request.client.host, never "
        "unlimited (task 4)"
    )


def test_clients_behind_our_proxy_have_a_bucket_each(framework, limited) -> None:
    proxy = limited(PROXY)
    first = statuses(proxy, 4, headers=lambda n: {"X-Forwarded-For": f"6.6.6.{n}, 203.0.113.1"})
    second = statuses(proxy, 1, headers={"X-Forwarded-For": "203.0.113.2"})
    assert (first, second) == ([200, 200, 200, 429], [200]), (
        f"[{framework}] through our proxy {PROXY}: client 203.0.113.1 (with a forged entry "
        f"in front, new each time) got {first}, then client 203.0.113.2 got {second}; "
        "expected [200, 200, 200, 429] and [200]: the address our proxy appended names the "
        "client — not the proxy (everyone would share one bucket), not the leftmost entry "
        "(the client wrote it) (task 4)"
    )


def test_separate_clients_do_not_share_a_bucket(framework, limited) -> None:
    one, two = limited("198.51.100.7"), limited("198.51.100.8")
    first, second = statuses(one, 4), statuses(two, 1)
    assert (first, second) == ([200, 200, 200, 429], [200]), (
        f"[{framework}] client 198.51.100.7 got {first}, then client 198.51.100.8 got "
        f"{second}; one client's requests never spend another's budget (task 4)"
    )


def test_two_users_behind_one_address_have_a_bucket_each(framework, limited) -> None:
    office = limited("198.51.100.20")
    ada, bob, anonymous = statuses(office, 4, ADA), statuses(office, 1, BOB), statuses(office, 1)
    assert (ada, bob, anonymous) == ([200, 200, 200, 429], [200], [200]), (
        f"[{framework}] from one address, ada got {ada}, then bob {bob} and an anonymous "
        f"request {anonymous}; an authenticated request counts against its user, so "
        "colleagues behind one office NAT do not use up each other's budget (task 4)"
    )


def test_a_user_cannot_escape_by_changing_address(framework, limited) -> None:
    got = [
        limited(PROXY).get("/markets", headers={**ADA, "X-Forwarded-For": "203.0.113.5"}).status,
        limited(PROXY).get("/markets", headers={**ADA, "X-Forwarded-For": "203.0.113.6"}).status,
        limited("198.51.100.30").get("/markets", headers=ADA).status,
        limited("198.51.100.31").get("/markets", headers=ADA).status,
    ]
    assert got == [200, 200, 200, 429], (
        f"[{framework}] user ada sent 4 requests from 4 different addresses and got {got}; "
        "expected the 4th refused: an authenticated user's bucket is the user's (task 4)"
    )


def test_an_unknown_token_does_not_open_a_new_bucket(framework, limited) -> None:
    client = limited(CLIENT)
    got = statuses(client, 4, headers=lambda n: {"Authorization": f"Bearer forged-{n}"})
    assert got == [200, 200, 200, 429], (
        f"[{framework}] an anonymous client sent 4 requests, each with a new made-up bearer "
        f"token, and got {got}; an unverified token is no user: the request counts against "
        "its address, never against the token string the client chose (task 4)"
    )


def test_hostile_headers_never_crash_the_limit(framework, limited) -> None:
    proxy = limited(PROXY)
    odd = ["", ",", "not-an-ip", "999.1.1.1", "::1, ::ffff:zz", "1.2.3.4:80", "é" * 40]
    got = [
        proxy.get("/markets", headers={"X-Forwarded-For": value, "Authorization": value}).status
        for value in odd
    ]
    assert all(status in (200, 429) for status in got), (
        f"[{framework}] odd X-Forwarded-For/Authorization values {odd} answered {got}; a "
        "header the client wrote is never a 500 (task 4)"
    )


class LoopWatchingLimiter:
    """A limiter that notes whether each check ran on an event loop's thread."""

    def __init__(self, inner: SlidingWindowLimiter) -> None:
        self.inner = inner
        self.on_event_loop: list[bool] = []

    def hit(self, key: str) -> Decision:
        try:
            asyncio.get_running_loop()
            self.on_event_loop.append(True)
        except RuntimeError:
            self.on_event_loop.append(False)
        return self.inner.hit(key)


def test_the_blocking_redis_call_never_runs_on_the_event_loop(framework, serve, make_limiter):
    watching = LoopWatchingLimiter(make_limiter(limit=3, window=60))
    serve(RateLimitConfig(watching, TRUSTED))().get("/markets")  # type: ignore[arg-type]
    assert watching.on_event_loop == [False], (
        f"[{framework}] the limiter's check ran on the event loop: {watching.on_event_loop}; "
        "redis-py blocks, and while it waits on the network no other request on that loop "
        "moves — call it off the loop (FastAPI: starlette.concurrency.run_in_threadpool) "
        "(task 4)"
    )


def test_when_redis_is_unreachable_the_request_is_refused(framework, serve, make_limiter, clock):
    working = serve(RateLimitConfig(make_limiter(limit=3, window=60)))().get("/markets")
    assert working.status == 200, (
        f"[{framework}] with Redis up, GET /markets answered {show(working)}; expected 200 "
        "before the outage below means anything (task 4)"
    )
    # Nothing listens on port 1; no retries, so the refusal comes at once.
    unreachable = Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), retries=0))
    config = RateLimitConfig(SlidingWindowLimiter(unreachable, limit=3, window=60, clock=clock))
    reply = serve(config)().get("/markets")
    leaked = [word for word in ("127.0.0.1:1", "refused", "ConnectionError") if word in reply.text]
    assert reply.status >= 500 and not leaked, (
        f"[{framework}] with Redis unreachable GET /markets answered {show(reply)}; this lab "
        "fails closed: a limiter that cannot count answers a 5xx revealing nothing, never "
        "serves the request unlimited (a swallowed exception turns an outage into no limit "
        "at all) (task 4)"
    )


class FailingLimiter:
    """A limiter whose Redis answers with an error: a timeout, a read-only replica."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def hit(self, key: str) -> Decision:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        redis.TimeoutError("Timeout reading from 127.0.0.1:6379"),
        redis.ResponseError("READONLY You can't write against a read only replica."),
    ],
    ids=["timeout", "readonly"],
)
def test_when_redis_errors_the_request_is_refused(framework, serve, error) -> None:
    reply = serve(RateLimitConfig(FailingLimiter(error)))().get("/markets")  # type: ignore[arg-type]
    secrets = ("127.0.0.1", "READONLY", "Timeout", "replica")
    leaked = [word for word in secrets if word in reply.text]
    assert reply.status >= 500 and not leaked, (
        f"[{framework}] with the limiter raising {type(error).__name__}({error}) GET /markets "
        f"answered {show(reply)}; expected a 5xx revealing nothing: this lab fails closed on "
        "EVERY limiter error — a slow Redis or a read-only replica after a failover must not "
        "switch the limit off (catching TimeoutError/ResponseError and serving the request "
        "does exactly that) (task 4)"
    )


class MeetingMarkets(dict):
    """`api.MARKETS` whose lookups wait until two requests are both inside a view."""

    def __init__(self, markets: dict[int, dict], parties: int) -> None:
        super().__init__(markets)
        self.barrier = threading.Barrier(parties, timeout=3)

    def __getitem__(self, key: int) -> dict:
        self.barrier.wait()  # by now both requests have been counted
        return super().__getitem__(key)


def test_concurrent_requests_each_get_their_own_headers(framework, limited, monkeypatch):
    shared = limited()
    statuses(shared, 2, BOB)  # bob has 1 request left, ada 3
    monkeypatch.setattr(api, "MARKETS", MeetingMarkets(api.MARKETS, parties=2))
    # Django: one client is one handler, so one middleware instance for both requests — as
    # in a threaded server. FastAPI's client runs one request at a time: one client each.
    ada_client, bob_client = (shared, shared) if framework == "django" else (limited(), limited())
    with ThreadPoolExecutor(max_workers=2) as pool:
        ada = pool.submit(ada_client.get, "/markets/1", headers=ADA)
        bob = pool.submit(bob_client.get, "/markets/1", headers=BOB)
        got = {"ada": ada.result(), "bob": bob.result()}
    seen = {who: (reply.status, reply.header("RateLimit-Remaining")) for who, reply in got.items()}
    assert seen == {"ada": (200, "2"), "bob": (200, "0")}, (
        f"[{framework}] ada (3 left) and bob (1 left) sent GET /markets/1 at once, both "
        f"counted before either view finished; (status, RateLimit-Remaining) = {seen}; "
        "expected ada (200, '2') and bob (200, '0'): each answer carries ITS request's "
        "decision — kept in a local variable or flask.g, never on the middleware instance "
        "(Django shares one across every request and thread) or in a module global (task 4)"
    )


def test_head_and_options_count_and_carry_the_headers(framework, limited) -> None:
    client = limited()
    replies = [client.send("HEAD", "/markets"), client.send("OPTIONS", "/markets")]
    replies.append(client.get("/markets"))
    got = [(r.header("RateLimit-Limit"), r.header("RateLimit-Remaining")) for r in replies]
    assert got == [("3", "2"), ("3", "1"), ("3", "0")], (
        f"[{framework}] HEAD, OPTIONS then GET /markets on a limit of 3 answered "
        f"(RateLimit-Limit, RateLimit-Remaining) = {got}; expected ('3', '2'), ('3', '1'), "
        "('3', '0'): every method counts and carries the headers — a HEAD runs the GET view, "
        "so skipping it leaves reads unlimited (task 4)"
    )
    refused = [client.send(method, "/markets") for method in ("HEAD", "OPTIONS")]
    seen = [(r.status, r.header("Retry-After")) for r in refused]
    assert seen == [(429, "60"), (429, "60")], (
        f"[{framework}] with the budget spent, HEAD and OPTIONS /markets answered (status, "
        f"Retry-After) = {seen}; expected (429, '60') each (task 4)"
    )


ROUTES = [
    hostile.Route("GET", "/markets", task=4),
    hostile.Route("GET", "/markets/{id}", task=4),
    hostile.Route(
        "POST",
        "/markets/{id}/positions",
        task=4,
        body={"side": "yes", "amount": "10.00"},
        money=("amount",),
        read_only=("id", "created_at", "market_id"),
    ),
]


@pytest.fixture
def unlimited(framework, serve, make_limiter) -> HttpClient:
    """A client of an app whose limit the battery never reaches: each probe meets the view."""
    return serve(RateLimitConfig(make_limiter(limit=100_000, window=60)))()


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(unlimited, route) -> None:
    hostile.assert_survives(unlimited, route, ids={"id": 1})


def test_unserved_methods_are_405_with_allow(unlimited) -> None:
    hostile.assert_methods_refused(unlimited, ROUTES, ids={"id": 1})


def test_over_the_limit_every_hostile_request_is_a_429_in_the_envelope(framework, limited):
    client = limited()
    statuses(client, 3)
    probes = [probe for route in ROUTES for probe in hostile.probes(route, {"id": 1})]
    for path in {route.path for route in ROUTES}:
        served = {route.method for route in ROUTES if route.path == path}
        for method in [*sorted(set(hostile.METHODS) - served), "HEAD", "OPTIONS"]:
            probes.append(hostile.Probe(f"{method} {path}", method, path.format(id=1)))
    broken = []
    for probe in probes:
        reply = hostile.send(client, probe)
        problem = hostile.envelope_problem(reply) if reply.status == 429 else "not a 429"
        if probe.method == "HEAD" and reply.status == 429:
            problem = None  # a HEAD answer has no body: the status and headers say it
        if problem is None and reply.header("Retry-After") is None:
            problem = "no Retry-After"
        if problem is not None:
            broken.append(
                f"{probe.method} {probe.path[:40]}: {probe.what} → {show(reply)}: {problem}"
            )
    assert not broken, (
        f"[{framework}] with the budget spent, {len(broken)} hostile requests were not a 429 "
        "in the envelope with Retry-After (the limit runs before routing, parsing and "
        "validation, for every request):\n  " + "\n  ".join(broken[:8]) + " (task 4)"
    )
