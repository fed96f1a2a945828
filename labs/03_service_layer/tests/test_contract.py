"""Task 6 — the HTTP contract, the same in Django, FastAPI and Flask.

Whole bodies (exact keys, types, money as a decimal string, rounded scores), the name rule
answered in the service's own words, the hostile-input battery over every route, 405s with a
complete Allow, a commit that fails, and FastAPI's OpenAPI telling the truth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from test_views import RecordingService, shown

from markets_service.domain import NAME_MAX_LENGTH, DomainError, Market, SearchHit, slugify
from markets_service.embedding import cosine, embed
from markets_service.repository import InMemoryMarketRepository
from markets_service.service import MarketService
from markets_service.web import error_body
from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route

FRAMEWORKS = [
    pytest.param("django", marks=[pytest.mark.django, pytest.mark.django_db]),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]
MARKET_KEYS = {"id", "name", "slug", "status", "volume", "created_at"}
SERVER_FIELDS = ("id", "slug", "status", "volume", "created_at", "updated_at")
ROUTES = [
    Route("POST", "/markets", task=6, body={"name": "Snow in Oslo"}, read_only=SERVER_FIELDS),
    Route("GET", "/markets/search", task=6, query={"q": "rain", "limit": "5"}),
    Route("GET", "/markets/{id}", task=6),
    Route("POST", "/markets/{id}/transitions", task=6, body={"to": "active"}),
]


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def client(http: Any, framework: str) -> Any:
    return http(framework)


def create(client: Any, name: str) -> dict[str, Any]:
    reply = client.post("/markets", json={"name": name})
    if reply.status != 201:
        pytest.fail(
            f"[{client.framework}] POST /markets {{'name': {name!r}}} answered {shown(reply)}; "
            "this test needs a created market first (task 6)",
            pytrace=False,
        )
    return reply.json()


def market_problem(body: Any, **expected: Any) -> str | None:
    """Why `body` is not `web.market_json`'s shape with these values, or None."""
    if not isinstance(body, dict) or set(body) != MARKET_KEYS:
        keys = sorted(body) if isinstance(body, dict) else type(body).__name__
        return f"a market has exactly the keys {sorted(MARKET_KEYS)}, got {keys}"
    if type(body["id"]) is not int or body["id"] < 1:
        return f"id is a positive JSON integer, got {body['id']!r}"
    if not isinstance(body["volume"], str) or body["volume"] != expected.pop("volume", "0.00"):
        return (
            f"volume is money: a decimal string with two places such as '0.00' or '1234.50', "
            f"never a JSON number (floats lose cents); got {body['volume']!r}"
        )
    try:
        created = datetime.fromisoformat(body["created_at"])
    except (TypeError, ValueError):
        return f"created_at is an ISO 8601 string, got {body['created_at']!r}"
    if created.utcoffset() is None or created.utcoffset().total_seconds() != 0:
        return f"created_at is timezone-aware UTC, got {body['created_at']!r}"
    if "created_at" in expected and body["created_at"] != expected.pop("created_at"):
        return f"created_at is market.created_at.isoformat(), got {body['created_at']!r}"
    wrong = {k: body[k] for k, v in expected.items() if body[k] != v}
    return f"expected {expected}, got {wrong}" if wrong else None


# ------------------------------------------------------------------ whole bodies


@pytest.mark.task(6)
def test_create_get_and_transition_answer_the_whole_market(client: Any) -> None:
    created = create(client, "Rain in Paris?")
    problem = market_problem(created, name="Rain in Paris?", slug="rain-in-paris", status="draft")
    assert problem is None, (
        f"[{client.framework}] POST /markets answered {created}; {problem}. Answer with "
        "web.market_json(market), in every framework (task 6)"
    )
    path = f"/markets/{created['id']}"
    fetched = client.get(path)
    assert (fetched.status, fetched.json() if fetched.status == 200 else None) == (200, created), (
        f"[{client.framework}] GET {path} answered {shown(fetched)}; expected 200 with the very "
        f"body the create answered, {created}: web.market_json(service.get_market(id)) — a "
        "route that returns the domain object itself is a 500 in FastAPI (task 6)"
    )
    moved = client.post(f"{path}/transitions", json={"to": "active"})
    assert (moved.status, moved.json() if moved.status == 200 else None) == (
        200,
        {**created, "status": "active"},
    ), (
        f"[{client.framework}] POST {path}/transitions {{'to': 'active'}} answered "
        f"{shown(moved)}; expected 200 with the whole market, now 'active' (task 6)"
    )


@pytest.mark.task(6)
def test_search_answers_whole_hits_with_rounded_scores(client: Any) -> None:
    for name in ("Rain in London", "Rain in Paris tomorrow", "Bitcoin above 100k"):
        create(client, name)
    reply = client.get("/markets/search", params={"q": "rain in paris"})
    body = reply.json() if reply.status == 200 else None
    assert isinstance(body, dict) and set(body) == {"results"}, (
        f"[{client.framework}] GET /markets/search?q=rain+in+paris answered {shown(reply)}; "
        "expected 200 with exactly {'results': [...]} (task 6)"
    )
    for hit in body["results"]:
        name = hit.get("market", {}).get("name") if isinstance(hit, dict) else None
        score = round(cosine(embed("rain in paris"), embed(name or "")), 4)
        problem = (
            f"a hit has exactly the keys ['market', 'score'], got {hit}"
            if not isinstance(hit, dict) or set(hit) != {"market", "score"}
            else market_problem(hit["market"], status="draft")
            or (
                None
                if type(hit["score"]) is float and hit["score"] == score
                else f"score is the cosine rounded to 4 places, {score}, got {hit['score']!r}"
            )
        )
        assert problem is None, (
            f"[{client.framework}] a search hit was {hit}; {problem}. Shape each hit with "
            "web.hit_json (task 6)"
        )
    assert len(body["results"]) == 2, (
        f"[{client.framework}] GET /markets/search?q=rain+in+paris answered {body}; two markets "
        "share a word with the query (task 6)"
    )


@pytest.mark.task(6)
def test_bodies_are_the_same_whatever_the_framework(http_with: Any, framework: str) -> None:
    market = Market(
        id=7,
        name="Rain in Paris",
        slug="rain-in-paris",
        volume=Decimal("1234.5"),
        created_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    fake = RecordingService(market=market, hits=[SearchHit(market, score=0.123456789)])
    client = http_with(framework, fake)
    expected = {
        "id": 7,
        "name": "Rain in Paris",
        "slug": "rain-in-paris",
        "status": "draft",
        "volume": "1234.50",
        "created_at": "2030-01-02T03:04:05+00:00",
    }
    got = client.get("/markets/7")
    assert (got.status, got.json() if got.status == 200 else None) == (200, expected), (
        f"[{framework}] GET /markets/7 over a fake service answered {shown(got)}; expected "
        f"200 with {expected}: money as a decimal string with two places, the timestamp as "
        "created_at.isoformat() — web.market_json, the same bytes in every framework (task 6)"
    )
    found = client.get("/markets/search", params={"q": "rain"})
    hit = {"market": expected, "score": 0.1235}
    assert (found.status, found.json() if found.status == 200 else None) == (
        200,
        {"results": [hit]},
    ), (
        f"[{framework}] GET /markets/search over a fake whose hit scored 0.123456789 answered "
        f"{shown(found)}; expected {{'results': [{hit}]}}: the score rounded to 4 places, "
        "shaped by web.hit_json (task 6)"
    )


# ------------------------------------------------------------------ the name rule is the service's


def the_services_answer(name: str) -> dict[str, Any]:
    """What the service itself says about `name`: the envelope of the error it raises."""
    try:
        MarketService(InMemoryMarketRepository()).create_market(name)
    except DomainError as refused:
        return error_body(refused)
    raise AssertionError(f"the service accepts {name!r}")


@pytest.mark.task(6)
@pytest.mark.parametrize(
    "name",
    ["x" * (NAME_MAX_LENGTH + 80), "   ", "", "  Rain  ", "\tRain in Paris\n"],
    ids=["over-long", "blank", "empty", "padded", "tab-and-newline"],
)
def test_view_hands_the_name_to_the_service_unchanged(
    http_with: Any, framework: str, name: str
) -> None:
    fake = RecordingService()  # this fake accepts any name: the rules are the real service's
    reply = http_with(framework, fake).post("/markets", json={"name": name})
    assert (fake.calls, reply.status) == ([("create_market", name)], 201), (
        f"[{framework}] POST /markets {{'name': {name[:20]!r}…}} made the service calls "
        f"{fake.calls} and answered {shown(reply)}; the view hands the name to "
        "service.create_market exactly as sent — no max_length, min_length or "
        "strip_whitespace on the body model: the name rules live in the service, and a copy "
        "in the view answers differently from it (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize(
    "name", ["x" * (NAME_MAX_LENGTH + 1), " \t ", "?!"], ids=["over-long", "blank", "no-letter"]
)
def test_refused_name_is_answered_in_the_services_words(client: Any, name: str) -> None:
    reply = client.post("/markets", json={"name": name})
    expected = the_services_answer(name)
    assert (reply.status, reply.json() if reply.status == 400 else None) == (400, expected), (
        f"[{client.framework}] POST /markets {{'name': {name[:20]!r}…}} answered {shown(reply)}; "
        f"expected 400 with the service's own ValidationFailed, {expected}: the view lets the "
        "service decide and translates its error — a rule copied into the body model answers "
        "in the framework's words instead (task 6)"
    )


@pytest.mark.task(6)
def test_padded_name_of_the_maximum_length_is_created(client: Any) -> None:
    longest = "x" * NAME_MAX_LENGTH
    reply = client.post("/markets", json={"name": f"  {longest}  "})
    name = reply.json().get("name") if reply.status == 201 else None
    assert (reply.status, name) == (201, longest), (
        f"[{client.framework}] POST /markets with {NAME_MAX_LENGTH} x's between two spaces each "
        f"side answered {shown(reply)}; the service strips the name first and then allows "
        f"{NAME_MAX_LENGTH} characters, so it is created — Field(max_length={NAME_MAX_LENGTH}) "
        "on the raw body refuses it: the rule belongs to the service alone (task 6)"
    )


# ------------------------------------------------------------------ hostile input, every route


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(client: Any, route: Route) -> None:
    market = create(client, "Rain in Paris")
    hostile.assert_survives(client, route, ids={"id": market["id"]})


@pytest.mark.task(6)
def test_unserved_methods_answer_405_with_a_complete_allow(client: Any) -> None:
    market = create(client, "Rain in Paris")
    hostile.assert_methods_refused(client, ROUTES, ids={"id": market["id"]})


@pytest.mark.task(6)
@pytest.mark.parametrize("market_id", [str(2**63 - 1), str(2**63), "9" * 5000, "٧", "0"])
def test_id_no_row_can_have_is_404_in_the_envelope(client: Any, market_id: str) -> None:
    create(client, "Rain in Paris")
    for method, path, body in (
        ("GET", f"/markets/{market_id}", None),
        ("POST", f"/markets/{market_id}/transitions", {"to": "active"}),
    ):
        reply = client.request(method, path, json=body)
        code = (
            reply.json().get("error", {}).get("code")
            if "json" in str(reply.header("content-type"))
            else None
        )
        assert (reply.status, code) == (404, "not_found"), (
            f"[{client.framework}] {method} {path[:40]} answered {shown(reply)}; an id that no "
            "row can have (0, beyond 2**63 - 1, which overflows SQLite and PostgreSQL bigint, "
            "thousands of digits, or a non-ASCII digit such as '٧', which int() reads as 7) is "
            "404 'not_found' in the envelope, never a 500 and never market 7 (task 6)"
        )


# ------------------------------------------------------------------ a commit that fails


@pytest.fixture
def failing_commit() -> Iterator[None]:
    """Every SQLAlchemy commit raises, as a full disk or a lost connection would."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    def fail(session: Any) -> None:
        raise RuntimeError("COMMIT failed: database or disk is full (secret: hunter2)")

    event.listen(Session, "before_commit", fail)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", fail)


@pytest.mark.task(6)
@pytest.mark.parametrize(
    "framework",
    [
        pytest.param("fastapi", marks=pytest.mark.fastapi),
        pytest.param("flask", marks=pytest.mark.flask),
    ],
)
def test_a_commit_that_fails_is_never_answered_201(
    http: Any, framework: str, request: pytest.FixtureRequest
) -> None:
    client = http(framework)
    create(client, "Rain in London")  # the create route works while commits do
    request.getfixturevalue("failing_commit")
    reply = client.post("/markets", json={"name": "Rain in Paris"})
    code = reply.json().get("error", {}).get("code") if reply.status == 500 else None
    assert (reply.status, code) == (500, "internal_error") and "hunter2" not in reply.text, (
        f"[{framework}] POST /markets answered {shown(reply)} although the COMMIT failed; a "
        "create is answered only once it is committed, so a failing commit is a 500 in the "
        "envelope that reveals nothing. In FastAPI, a dependency with yield that commits after "
        "the yield runs after the response is sent (the default scope): commit inside the "
        "service call, or use Depends(..., scope='function') (task 6)"
    )


# ------------------------------------------------------------------ FastAPI's OpenAPI


@pytest.mark.fastapi
@pytest.mark.task(6)
def test_fastapi_openapi_tells_the_truth() -> None:
    from markets_service.fastapi_app import create_app

    schema = create_app().openapi()
    operations = {
        (method.upper(), path): op
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }
    expected = {
        ("POST", "/markets"): {"201", "400", "409", "415"},
        ("GET", "/markets/search"): {"200", "400"},
        ("GET", "/markets/{market_id}"): {"200", "404"},
        ("POST", "/markets/{market_id}/transitions"): {"200", "400", "404", "409", "415"},
    }
    got = {key: set(op["responses"]) for key, op in operations.items()}
    assert got == expected, (
        f"FastAPI's OpenAPI lists the statuses {got}; expected {expected}: the statuses each "
        "route really answers, and never 422, which this API does not send (task 6)"
    )
    schemas = schema["components"]["schemas"]
    ok = {
        key: op["responses"][min(op["responses"])]["content"]["application/json"]["schema"]
        for key, op in operations.items()
    }
    assert all("$ref" in s for s in ok.values()), (
        f"the success responses are documented as {ok}; each names its model (response_model="
        "MarketOut or SearchOut), so a client knows the body it gets (task 6)"
    )
    name = schemas["MarketIn"]["properties"]["name"]
    documented = re.compile(name.get("pattern", "(?!)"))
    padded = f"  {'x' * NAME_MAX_LENGTH}  "
    samples = (padded, "?!", "é", "x" * 121, "Rain\x00", "Ra\ud800in", "Rain\udfff", "\ue001Rain")
    told = {sample: bool(documented.search(sample)) for sample in samples}
    assert (name.get("type"), {"maxLength", "minLength"} & set(name)) == ("string", set()) and (
        told
        == dict(zip(samples, (True, False, True, False, False, False, False, True), strict=True))
    ), (
        f"MarketIn.name is documented with the keys {sorted(name)}, its pattern taking "
        f"{told}; the body model declares a string and no rule of its own (no maxLength or "
        "minLength: the service owns the name), and its pattern documents the service's rule: "
        "a padded 120-character name and 'é' are names; '?!', 121 x's and a name holding a NUL "
        "or a lone surrogate are not (task 6)"
    )
    blocks = (*range(0x3400), *range(0xFB00, 0x10000), *range(0x1D400, 0x1F200))
    untrue = [
        f"U+{point:04X}"
        for point in blocks
        if bool(documented.search(chr(point))) != bool(slugify(chr(point)))
    ]
    assert not untrue, (
        f"MarketIn.name's pattern misjudges the one-character names {untrue[:8]}: it must take "
        "one exactly when slugify() keeps a letter or digit of it, as the service does (task 6)"
    )
    search = {p["name"]: p for p in operations[("GET", "/markets/search")]["parameters"]}
    limit = search.get("limit", {}).get("schema", {})
    assert search.get("q", {}).get("required") is True and (
        limit.get("type"),
        limit.get("minimum"),
        limit.get("maximum"),
    ) == ("integer", 1, 50), (
        f"GET /markets/search documents the parameters {search}; q is required and limit an "
        "integer from 1 to 50 (task 6)"
    )
    score = schemas["HitOut"]["properties"]["score"]
    assert (score.get("exclusiveMinimum"), score.get("maximum")) == (0, 1), (
        f"HitOut.score is documented as {score}; a hit scores in (0, 1]: above 0 (a market "
        "that shares nothing is left out) and at most 1 (task 6)"
    )
    leftovers = {"HTTPValidationError", "ValidationError"} & set(schemas)
    assert not leftovers, (
        f"the OpenAPI components still define {sorted(leftovers)}, FastAPI's 422 body, which "
        "this API never sends: the errors are documented as ErrorOut (task 6)"
    )


@pytest.mark.fastapi
@pytest.mark.task(6)
def test_fastapi_name_pattern_spells_its_classes_for_ecma_and_re() -> None:
    from markets_service.fastapi_app import _char_class

    spelled = _char_class(["a", "b", "c", "x", "\uffff", "\U00010000"])
    assert spelled == "[a-cx\\uffff-\U00010000]", (
        f"the given _char_class spelled a, b, c, x, U+FFFF, U+10000 as {spelled!r}: runs of "
        "consecutive characters are merged into ranges, BMP characters that are not ASCII "
        "letters or digits are written \\uXXXX and those beyond the BMP as themselves (task 6)"
    )
