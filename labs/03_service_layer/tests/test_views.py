"""Task 6 — thin views in Django, FastAPI and Flask: call the service, translate its errors.

The first half runs each app with its real service over its ORM. The second half injects a
recording fake service through each framework's own mechanism, to prove the view holds no
rule of its own: it calls the service once, passes its answer or its error through, and
never decides anything the service decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from markets_service.domain import (
    Conflict,
    DomainError,
    InvalidTransition,
    Market,
    NotFound,
    SearchHit,
    Status,
)

FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


def shown(reply: Any) -> str:
    """The reply's status and body as a failure message shows it: JSON in full, else its type."""
    kind = reply.header("content-type") or "no content type"
    body = reply.text[:300] if "json" in kind else f"<{len(reply.body)} bytes of {kind}>"
    hint = (
        " (a 500: the view or a handler raised — is it still a TODO?)"
        if reply.status == 500
        else ""
    )
    return f"{reply.status} {body}{hint}"


def envelope_code(reply: Any) -> str | None:
    try:
        return reply.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


# ------------------------------------------------------------------ the real service stack


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_create_answers_201_with_the_new_draft_market(http: Any, framework: str) -> None:
    reply = http(framework).post("/markets", json={"name": "Rain in Paris?"})
    assert reply.status == 201, (
        f"[{framework}] POST /markets answered {shown(reply)}; a create "
        "answers 201 with the market the service returned (task 6)"
    )
    body = reply.json()
    assert (body.get("slug"), body.get("status")) == ("rain-in-paris", "draft"), (
        f"[{framework}] POST /markets returned {body}; expected slug 'rain-in-paris' and "
        "status 'draft', shaped by web.market_json (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_taken_name_answers_409_in_the_error_envelope(http: Any, framework: str) -> None:
    client = http(framework)
    client.post("/markets", json={"name": "Rain in Paris"})
    reply = client.post("/markets", json={"name": "rain in paris!"})
    assert (reply.status, envelope_code(reply)) == (409, "conflict"), (
        f"[{framework}] a second POST /markets with the same slug answered {shown(reply)}"
        f"; expected 409 with {{'error': {{'code': 'conflict', …}}}} — "
        "the service raises Conflict and the view translates it (tasks 5 and 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("payload", [{"name": "  "}, {"name": 7}, {}])
def test_unusable_name_answers_400_in_the_error_envelope(
    http: Any, framework: str, payload: dict[str, Any]
) -> None:
    reply = http(framework).post("/markets", json=payload)
    assert (reply.status, envelope_code(reply)) == (400, "validation_failed"), (
        f"[{framework}] POST /markets {payload} answered {shown(reply)}; "
        "expected 400 with error code 'validation_failed': invalid input is a 400 in every "
        "framework, never FastAPI's default 422 (tasks 5 and 6)"
    )
    details = reply.json()["error"]["details"]
    assert "name" in details, (
        f"[{framework}] POST /markets {payload} answered {shown(reply)}; error.details must "
        "name the refused field: {'name': ['…']} (tasks 5 and 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_unknown_market_answers_404_in_the_error_envelope(http: Any, framework: str) -> None:
    reply = http(framework).get("/markets/999")
    assert (reply.status, envelope_code(reply)) == (404, "not_found"), (
        f"[{framework}] GET /markets/999 answered {shown(reply)}; expected "
        "404 with error code 'not_found' (tasks 5 and 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_transitions_follow_the_lifecycle_over_http(http: Any, framework: str) -> None:
    client = http(framework)
    created = client.post("/markets", json={"name": "Rain in Paris"})
    assert created.status == 201, (
        f"[{framework}] POST /markets answered {shown(created)}; the lifecycle test needs a "
        "created market first (task 6)"
    )
    path = f"/markets/{created.json()['id']}/transitions"
    moved = client.post(path, json={"to": "active"})
    status = moved.json().get("status") if moved.status == 200 else None
    assert (moved.status, status) == (200, "active"), (
        f"[{framework}] POST {path} {{'to': 'active'}} on a draft answered {shown(moved)}"
        f"; expected 200 with status 'active' (task 6)"
    )
    back = client.post(path, json={"to": "draft"})
    assert (back.status, envelope_code(back)) == (409, "invalid_transition"), (
        f"[{framework}] POST {path} {{'to': 'draft'}} on an active market answered "
        f"{shown(back)}; expected 409 'invalid_transition': the request "
        "clashes with the market's current status (tasks 5 and 6)"
    )
    nonsense = client.post(path, json={"to": "bankrupt"})
    assert (nonsense.status, envelope_code(nonsense)) == (400, "validation_failed"), (
        f"[{framework}] POST {path} {{'to': 'bankrupt'}} answered {shown(nonsense)}; a status "
        "that does not exist is invalid input: 400 'validation_failed', never 422 (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_search_answers_ranked_results(http: Any, framework: str) -> None:
    client = http(framework)
    for name in ("Rain in London", "Rain in Paris tomorrow", "Bitcoin above 100k"):
        client.post("/markets", json={"name": name})
    reply = client.get("/markets/search", params={"q": "rain in paris", "limit": "2"})
    results = reply.json().get("results") if reply.status == 200 else None
    got = [r["market"]["slug"] for r in results or []]
    assert got == ["rain-in-paris-tomorrow", "rain-in-london"], (
        f"[{framework}] GET /markets/search?q=rain+in+paris&limit=2 answered {shown(reply)}"
        f"; expected results for 'rain-in-paris-tomorrow' then "
        "'rain-in-london', each {'market': …, 'score': …} (task 6)"
    )


# ----------------------------------------------------------- a fake service, injected


@dataclass
class RecordingService:
    """Stands in for MarketService: records each call, then raises `error` or answers."""

    error: DomainError | Exception | None = None
    market: Market = field(
        default_factory=lambda: Market(id=7, name="Rain in Paris", slug="rain-in-paris")
    )
    hits: list[SearchHit] = field(default_factory=list)
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def _answer(self, call: tuple[Any, ...], answer: Any) -> Any:
        self.calls.append(call)
        if self.error is not None:
            raise self.error
        return answer

    def create_market(self, name: str) -> Market:
        return self._answer(("create_market", name), self.market)

    def get_market(self, market_id: int) -> Market:
        return self._answer(("get_market", market_id), self.market)

    def transition(self, market_id: int, target: Status) -> Market:
        self.market.status = target
        return self._answer(("transition", market_id, target), self.market)

    def search_markets(self, query: str, limit: int = 10) -> list[SearchHit]:
        return self._answer(("search_markets", query, limit), self.hits)


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_create_view_calls_the_service_and_translates_its_conflict(
    http_with: Any, framework: str
) -> None:
    fake = RecordingService(error=Conflict("the fake says the slug is taken"))
    reply = http_with(framework, fake).post("/markets", json={"name": "Brand new name"})
    assert fake.calls == [("create_market", "Brand new name")], (
        f"[{framework}] POST /markets made these service calls: {fake.calls}; the view calls "
        "service.create_market(name) once and decides nothing itself (task 6)"
    )
    message = reply.json()["error"].get("message") if envelope_code(reply) else None
    assert (reply.status, envelope_code(reply), message) == (
        409,
        "conflict",
        "the fake says the slug is taken",
    ), (
        f"[{framework}] the service raised Conflict and the view answered {shown(reply)}"
        f"; expected 409 with the service's own code and message: translate "
        "the domain error, do not replace it (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_transition_view_translates_invalid_transition_to_409(
    http_with: Any, framework: str
) -> None:
    fake = RecordingService(error=InvalidTransition("the fake refuses"))
    reply = http_with(framework, fake).post("/markets/7/transitions", json={"to": "closed"})
    assert fake.calls == [("transition", 7, Status.CLOSED)], (
        f"[{framework}] POST /markets/7/transitions made these service calls: {fake.calls}; "
        "the view calls service.transition(7, Status.CLOSED) once (task 6)"
    )
    assert (reply.status, envelope_code(reply)) == (409, "invalid_transition"), (
        f"[{framework}] the service raised InvalidTransition and the view answered "
        f"{shown(reply)}; expected 409 'invalid_transition' (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_view_defers_transition_rules_to_the_service(http_with: Any, framework: str) -> None:
    resolved = Market(id=7, name="Rain in Paris", slug="rain-in-paris", status=Status.RESOLVED)
    fake = RecordingService(market=resolved)  # this fake service allows resolved → active
    reply = http_with(framework, fake).post("/markets/7/transitions", json={"to": "active"})
    assert fake.calls == [("transition", 7, Status.ACTIVE)], (
        f"[{framework}] POST /markets/7/transitions made these service calls: {fake.calls}; "
        "the view must not look the market up to check the lifecycle itself: the transition "
        "table lives in the service, and the view calls service.transition once (task 6)"
    )
    assert reply.status == 200, (
        f"[{framework}] the service accepted the transition but the view answered "
        f"{shown(reply)}; when the service says yes, the view says 200 — "
        "a second copy of the rule in the view drifts from the service's (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_get_view_translates_not_found_to_404(http_with: Any, framework: str) -> None:
    fake = RecordingService(error=NotFound("no market 3"))
    reply = http_with(framework, fake).get("/markets/3")
    assert fake.calls == [("get_market", 3)], (
        f"[{framework}] GET /markets/3 made these service calls: {fake.calls}; expected "
        "service.get_market(3) once (task 6)"
    )
    assert (reply.status, envelope_code(reply)) == (404, "not_found"), (
        f"[{framework}] the service raised NotFound and the view answered {shown(reply)}"
        f"; expected 404 'not_found' (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_search_view_keeps_the_services_order(http_with: Any, framework: str) -> None:
    low = SearchHit(Market(id=1, name="B", slug="b"), score=0.25)
    high = SearchHit(Market(id=2, name="A", slug="a"), score=0.75)
    fake = RecordingService(hits=[low, high])  # deliberately not by score: the view must not care
    reply = http_with(framework, fake).get("/markets/search", params={"q": "rain", "limit": "5"})
    assert fake.calls == [("search_markets", "rain", 5)], (
        f"[{framework}] GET /markets/search?q=rain&limit=5 made these service calls: "
        f"{fake.calls}; expected service.search_markets('rain', 5), the limit parsed as an "
        "int (task 6)"
    )
    got = (
        [r["market"]["slug"] for r in reply.json().get("results", [])]
        if reply.status == 200
        else None
    )
    assert got == ["b", "a"], (
        f"[{framework}] the service returned hits b then a and the view answered {got} "
        f"({shown(reply)}); ranking is the service's job: the view keeps its order (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_invalid_body_is_refused_before_the_service_is_called(
    http_with: Any, framework: str
) -> None:
    fake = RecordingService()
    reply = http_with(framework, fake).post("/markets", json={"name": 7})
    assert (reply.status, envelope_code(reply), fake.calls) == (400, "validation_failed", []), (
        f"[{framework}] POST /markets {{'name': 7}} answered {shown(reply)} "
        f"after service calls {fake.calls}; a body of the wrong shape is the view's to refuse: "
        "400 'validation_failed' (never 422), and the service is never called (task 6)"
    )


class SlugReserved(Conflict):
    """A rule added later: a subclass of a listed error."""

    code = "slug_reserved"


class MarketFrozen(DomainError):
    """A rule added later: a DomainError none of the four listed ones."""

    code = "market_frozen"


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(
    ("error", "status"),
    [(SlugReserved("'admin' is reserved"), 409), (MarketFrozen("frozen by an admin"), 400)],
    ids=["subclass-of-Conflict", "unlisted-DomainError"],
)
def test_view_translates_every_domain_error_through_task_5(
    http_with: Any, framework: str, error: DomainError, status: int
) -> None:
    fake = RecordingService(error=error)
    reply = http_with(framework, fake).post("/markets", json={"name": "Brand new name"})
    kind = type(error)
    assert (reply.status, envelope_code(reply)) == (status, kind.code), (
        f"[{framework}] the service raised {kind.__name__}({kind.__bases__[0].__name__}) and "
        f"POST /markets answered {shown(reply)}; expected {status} {kind.code!r}: every "
        "DomainError goes through task 5's error_status and error_body — a subclass takes its "
        "parent's status, any other DomainError 400. Translate DomainError itself in the one "
        "handler (not a list of the four classes, not a table of exact types of your own), so a "
        "new rule's error class needs no new handler (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_unexpected_error_answers_500_without_leaking_it(http_with: Any, framework: str) -> None:
    fake = RecordingService(error=RuntimeError("connection to postgres://admin:hunter2@db failed"))
    reply = http_with(framework, fake).get("/markets/3")
    assert fake.calls == [("get_market", 3)], (
        f"[{framework}] GET /markets/3 made these service calls: {fake.calls}; expected "
        "service.get_market(3) once (task 6)"
    )
    assert reply.status == 500 and "hunter2" not in reply.text, (
        f"[{framework}] a bug (RuntimeError) in the service answered {shown(reply)}"
        f"; only DomainErrors are translated: anything else is a 500 that "
        "shows no internals (task 6)"
    )
    assert envelope_code(reply) == "internal_error", (
        f"[{framework}] a bug in the service answered {shown(reply)}; even a 500 is sent in "
        "the JSON envelope, code 'internal_error' — the app's given handler does it, so a "
        "view or handler must not catch the exception itself (task 6)"
    )


BAD_LIMITS = ["51", "0", "ten", "²", "٧", " 5", "+5", "5.0", "5_0", "9" * 400]


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("limit", BAD_LIMITS, ids=lambda v: repr(v[:8]))
def test_search_limit_not_1_to_50_in_ascii_digits_answers_400(
    http_with: Any, framework: str, limit: str
) -> None:
    fake = RecordingService()
    reply = http_with(framework, fake).get("/markets/search", params={"q": "rain", "limit": limit})
    details = reply.json()["error"].get("details", {}) if envelope_code(reply) else {}
    assert (reply.status, envelope_code(reply), "limit" in details, fake.calls) == (
        400,
        "validation_failed",
        True,
        [],
    ), (
        f"[{framework}] GET /markets/search?q=rain&limit={limit[:12]!r} answered {shown(reply)} "
        f"after service calls {fake.calls}; limit is a whole number from 1 to 50 "
        "(web.MAX_LIMIT) written in the ASCII digits 0-9, so anything else is refused by the "
        "view — 400 'validation_failed' naming 'limit', the service never called — rather than "
        "crashing on int('²'), reading '٧' or ' 5' as a number, or letting a client ask for "
        "every row. str.isdigit() is True for '²' and '٧': use web.read_limit (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("query", "limit"), [({"limit": "50"}, 50), ({"limit": "1"}, 1), ({}, 10)])
def test_search_limit_from_1_to_50_reaches_the_service_and_defaults_to_10(
    http_with: Any, framework: str, query: dict[str, str], limit: int
) -> None:
    fake = RecordingService()
    reply = http_with(framework, fake).get("/markets/search", params={"q": "rain", **query})
    assert (reply.status, fake.calls) == (200, [("search_markets", "rain", limit)]), (
        f"[{framework}] GET /markets/search with {query or 'no limit'} answered {shown(reply)} "
        f"after service calls {fake.calls}; expected 200 and service.search_markets('rain', "
        f"{limit}): 1 and 50 (web.MAX_LIMIT) are allowed, no limit means web.DEFAULT_LIMIT "
        "(task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("params", [{}, {"limit": "5"}], ids=["nothing", "only-limit"])
def test_search_without_q_answers_400_naming_q(
    http_with: Any, framework: str, params: dict[str, str]
) -> None:
    fake = RecordingService()
    reply = http_with(framework, fake).get("/markets/search", params=params)
    details = reply.json()["error"].get("details", {}) if envelope_code(reply) else {}
    assert (reply.status, envelope_code(reply), "q" in details, fake.calls) == (
        400,
        "validation_failed",
        True,
        [],
    ), (
        f"[{framework}] GET /markets/search with {params or 'no query string'} answered "
        f"{shown(reply)} after service calls {fake.calls}; q is required: a search without it "
        "is invalid input, 400 'validation_failed' with details naming 'q', and the service is "
        "never called (an empty q= is allowed and finds nothing). Use web.read_query, or "
        "declare q without a default in FastAPI (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_malformed_json_body_answers_a_client_error_not_500(http_with: Any, framework: str) -> None:
    fake = RecordingService()
    reply = http_with(framework, fake).post(
        "/markets", raw='{"name": "Rain', headers={"Content-Type": "application/json"}
    )
    assert reply.status == 400 and envelope_code(reply) and fake.calls == [], (
        f"[{framework}] POST /markets with a truncated JSON body answered {shown(reply)} after "
        f"service calls {fake.calls}; a body that is not JSON is the client's error: a 400, in "
        "the same JSON error envelope as every other error, and never a 500. In DRF, errors "
        "that are not DomainErrors (such as ParseError) go to DRF's own exception_handler; "
        "keep its status and put its detail in the envelope (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(
    "raw", ["[]", '"Rain"', "7", "null"], ids=["list", "string", "number", "null"]
)
def test_body_that_is_not_an_object_answers_400_naming_body(
    http_with: Any, framework: str, raw: str
) -> None:
    fake = RecordingService()
    reply = http_with(framework, fake).post("/markets", raw=raw)
    details = reply.json()["error"].get("details", {}) if envelope_code(reply) else {}
    assert (reply.status, "body" in details, fake.calls) == (400, True, []), (
        f"[{framework}] POST /markets with the JSON {raw} answered {shown(reply)} after service "
        f"calls {fake.calls}; a body is one JSON object, so anything else is a 400 whose "
        "details name 'body' (web.read_object; in FastAPI, validation_failed names the "
        "location of an error that has no field) (task 6)"
    )


@pytest.mark.flask
@pytest.mark.task(6)
def test_flask_factory_takes_its_database_from_config(as_client: Any, tmp_path: Any) -> None:
    from markets_service.flask_app import create_app

    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'markets.db'}"}
    created = as_client(create_app(config)).post("/markets", json={"name": "Rain in Paris"})
    assert created.status == 201, f"POST /markets answered {shown(created)} (task 6)"
    again = as_client(create_app(config)).get(f"/markets/{created.json()['id']}")
    assert again.status == 200, (
        f"a second app built with the same DATABASE_URL answered {shown(again)} for the market "
        "the first one created; create_app(config) reads DATABASE_URL from its config (task 6)"
    )
