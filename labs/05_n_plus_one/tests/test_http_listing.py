"""Tasks 2 and 4: `GET /markets` gives the same JSON in Django, FastAPI and Flask, in 2 queries.

One behavioural suite, parametrized over the three stacks: the Django side is task 2 (the
DRF serializer over task 1's selector), the FastAPI and Flask sides are task 4 (the routes
over task 3's `list_markets`).
"""

from __future__ import annotations

import inspect
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from patterns_workbook.testing import hostile

STACKS = [
    pytest.param(
        "django",
        marks=[pytest.mark.django, pytest.mark.django_db, pytest.mark.task(2)],
        id="django",
    ),
    pytest.param("fastapi", marks=[pytest.mark.fastapi, pytest.mark.task(4)], id="fastapi"),
    pytest.param("flask", marks=[pytest.mark.flask, pytest.mark.task(4)], id="flask"),
]
QUERY_BUDGET = 2
TASK = {"django": "task 2", "fastapi": "task 4", "flask": "task 4"}
SESSION_APPS = [
    pytest.param("fastapi", marks=[pytest.mark.fastapi, pytest.mark.task(4)]),
    pytest.param("flask", marks=[pytest.mark.flask, pytest.mark.task(4)]),
]
# GET /markets reads no query parameter, and unknown ones are ignored (the HTTP contract): the
# battery's odd values for `page` (huge, non-ASCII digits, repeated…) must not break it, and
# the listing with any of UNKNOWN_QUERIES is exactly the listing without.
IGNORED_QUERY = {"page": "2"}
UNKNOWN_QUERIES = (
    {"limit": "1"}, {"limit": "-1"}, {"limit": "٣"}, {"offset": "2"}, {"page": "2"},
    {"page": "2", "per_page": "1", "page_size": "1"}, {"status": "draft", "ordering": "id"},
)  # fmt: skip

parametrize_stacks = pytest.mark.parametrize("stack", STACKS, indirect=True)


@parametrize_stacks
def test_get_markets_returns_the_known_listing(stack, known_markets, known_listing):
    stack.seed(known_markets)

    reply = stack.client.get("/markets")

    assert reply.status == 200, (
        f"GET /markets ({stack.name}) answered {reply.status}: {reply.text[:300]}; expected "
        f"200 with the listing ({TASK[stack.name]})"
    )
    media = (reply.header("content-type") or "").split(";")[0]
    assert media == "application/json", (
        f"GET /markets ({stack.name}) answered with Content-Type {media or 'none'!r}; a JSON "
        "body is sent as application/json (Flask: jsonify, not a JSON string, which Flask "
        f"sends as text/html) ({TASK[stack.name]})"
    )
    assert reply.json() == {"markets": known_listing}, (
        f"GET /markets ({stack.name}) answered {reply.json()}; expected "
        f"{ {'markets': known_listing} }: newest first (same created_at: higher id first), "
        "creator as a username, tag names in name order ([] when none), position_count "
        f"(positions, not distinct traders; 0 when none) ({TASK[stack.name]})"
    )


@parametrize_stacks
def test_get_markets_ignores_unknown_query_parameters(stack, known_markets, known_listing):
    stack.seed(known_markets)

    changed = {}
    for query in UNKNOWN_QUERIES:
        reply = stack.client.get("/markets", params=query)
        if reply.status != 200 or reply.json() != {"markets": known_listing}:
            changed[str(query)] = f"{reply.status} {reply.text[:120]}"

    assert not changed, (
        f"GET /markets ({stack.name}) with query parameters it does not document answered "
        f"something other than the full listing: {changed}. The listing reads no query "
        "parameter and unknown ones are ignored (the HTTP contract): an undocumented "
        "?limit= or ?offset= that trims the page is an API nobody promised (and "
        f"int('٣') == 3 accepts a non-ASCII digit) ({TASK[stack.name]})"
    )


@parametrize_stacks
def test_get_markets_with_no_markets_answers_an_empty_list(stack):
    reply = stack.client.get("/markets")

    assert reply.status == 200 and reply.json() == {"markets": []}, (
        f"GET /markets ({stack.name}) on an empty database answered {reply.status} "
        f"{reply.text[:300]}; expected 200 {{'markets': []}} ({TASK[stack.name]})"
    )


@parametrize_stacks
def test_get_markets_query_count_does_not_grow_with_the_number_of_markets(stack, many_markets):
    stack.seed(many_markets(3, 0))
    with stack.count_queries() as for_3:
        first = stack.client.get("/markets")
    stack.seed(many_markets(57, 3))
    with stack.count_queries() as for_60:
        second = stack.client.get("/markets")

    assert (first.status, second.status) == (200, 200), (
        f"GET /markets ({stack.name}) answered {first.status} then {second.status}; "
        f"expected 200 ({TASK[stack.name]})"
    )
    assert len(for_60) == len(for_3), (
        f"GET /markets ({stack.name}) ran {len(for_3)} queries for 3 markets but "
        f"{len(for_60)} for 60: the query count grows with N — an N+1 in the "
        "serialization or the query (one in four generated markets has no position: a "
        "fallback count when position_count is 0 is a query per such market) "
        f"({TASK[stack.name]}). For 3 markets:\n{for_3.report()}"
    )
    assert len(for_3) <= QUERY_BUDGET, (
        f"GET /markets ({stack.name}) ran {len(for_3)} queries; the budget is "
        f"{QUERY_BUDGET}: markets with creator and position count, then tags "
        f"({TASK[stack.name]}).\n{for_3.report()}"
    )


@parametrize_stacks
def test_get_markets_counts_positions_without_loading_them(stack, known_markets):
    stack.seed(known_markets)

    with stack.count_position_loads() as loaded:
        reply = stack.client.get("/markets")

    assert reply.status == 200, (
        f"GET /markets ({stack.name}) answered {reply.status}; expected 200 ({TASK[stack.name]})"
    )
    assert not loaded, (
        f"GET /markets ({stack.name}) loaded {len(loaded)} Position rows to answer 5 "
        "markets: the database should count them (COUNT in SQL), not len() over loaded "
        f"rows ({TASK[stack.name]})"
    )


def create_session_app(framework: str, session_factory):
    if framework == "fastapi":
        from markets_listing.fastapi_app import create_app
    else:
        from markets_listing.flask_app import create_app
    return create_app(session_factory)


def sessions_left_open(session_factory) -> list[object]:
    return [session for session in session_factory.opened if session.in_transaction()]


@pytest.mark.parametrize("framework", SESSION_APPS)
def test_get_markets_closes_the_session_it_opens(
    framework, sa_seed, known_markets, recording_session_factory, as_client
):
    sa_seed(known_markets)
    client = as_client(create_session_app(framework, recording_session_factory))

    reply = client.get("/markets")

    assert reply.status == 200, (
        f"GET /markets ({framework}) answered {reply.status}: {reply.text[:300]}; expected "
        "200 with the listing (task 4)"
    )
    opened, still_open = (
        recording_session_factory.opened,
        sessions_left_open(recording_session_factory),
    )
    assert opened, (
        f"GET /markets ({framework}) answered 200 without opening a session from the app's "
        "session factory; the route reads the database through a session it gets from there "
        "(FastAPI: SessionDep; Flask: current_app.extensions[SESSION_FACTORY]) (task 4)"
    )
    assert not still_open, (
        f"GET /markets ({framework}) left {len(still_open)} of the {len(opened)} sessions it "
        "opened still in a transaction, holding a database connection: under load the pool "
        "runs dry and requests hang. Open the session in a `with` block (or a dependency "
        "with yield) so it is closed when the request ends (task 4)"
    )


@pytest.mark.parametrize("framework", SESSION_APPS)
def test_get_markets_closes_the_session_even_when_list_markets_raises(
    framework, sa_seed, sa_engine, known_markets, recording_session_factory, as_client
):
    sa_seed(known_markets)
    with sa_engine.begin() as connection:  # a row the ORM cannot load: list_markets raises
        connection.execute(text("UPDATE markets SET status = 'bogus-status' WHERE id = 3"))
    client = as_client(create_session_app(framework, recording_session_factory))

    reply = client.get("/markets")

    assert reply.status == 500 and not hostile.envelope_problem(reply), (
        f"GET /markets ({framework}) over a market whose status the ORM cannot load (so "
        f"list_markets raises LookupError) answered {reply.status} {reply.text[:300]}; "
        "expected the 500 of the given error handler, in the JSON envelope: let the "
        "exception through, neither swallowed into a 200 nor answered by hand (task 4)"
    )
    leaked = [word for word in ("bogus", "LookupError", "Traceback") if word in reply.text]
    assert not leaked, (
        f"GET /markets ({framework}) answered a 500 that reveals {leaked}: {reply.text[:300]}; "
        "a 500 says nothing about its cause, which goes to the log (task 4)"
    )
    opened, still_open = (
        recording_session_factory.opened,
        sessions_left_open(recording_session_factory),
    )
    assert opened and not still_open, (
        f"GET /markets ({framework}) with list_markets raising left {len(still_open)} of the "
        f"{len(opened)} sessions it opened still in a transaction: a close() after "
        "list_markets never runs when it raises, so each failing request leaks a pooled "
        "connection. Close the session in a `with` block (or try/finally), so it is closed "
        "even when list_markets raises (task 4)"
    )


@pytest.mark.parametrize("framework", SESSION_APPS)
def test_get_markets_logs_the_crash_it_answers_with_500(
    framework, sa_seed, sa_engine, known_markets, sa_session_factory, as_client, caplog
):
    sa_seed(known_markets)
    with sa_engine.begin() as connection:  # a row the ORM cannot load: list_markets raises
        connection.execute(text("UPDATE markets SET status = 'bogus-status' WHERE id = 3"))
    client = as_client(create_session_app(framework, sa_session_factory))
    caplog.set_level(logging.ERROR)

    reply = client.get("/markets")

    logged = [
        record
        for record in caplog.records
        if record.exc_info and isinstance(record.exc_info[1], LookupError)
    ]
    assert reply.status == 500 and logged, (
        f"GET /markets ({framework}) with list_markets raising LookupError answered "
        f"{reply.status}, and the log holds {[r.getMessage() for r in caplog.records]} with no "
        "LookupError traceback: the exception was caught and answered by hand (abort(500), "
        "raise HTTPException(500)), so the given crash handler never saw it and the cause of "
        "the 500 is lost. Let the exception propagate: the given handler answers the 500 and "
        "the server logs the traceback (task 4)"
    )


@pytest.mark.parametrize("framework", SESSION_APPS)
def test_get_markets_opens_one_session_per_request(
    framework, sa_seed, known_markets, recording_session_factory, as_client
):
    sa_seed(known_markets)
    client = as_client(create_session_app(framework, recording_session_factory))

    replies = [client.get("/markets").status for _ in range(2)]

    opened = recording_session_factory.opened
    distinct = len({id(session) for session in opened})
    assert replies == [200, 200] and distinct == 2, (
        f"two GET /markets ({framework}) answered {replies} and opened {distinct} distinct "
        "session(s) from the app's session factory; expected 200 twice and 2 sessions, one "
        "per request. A Session kept on the app (or in a global) and reused by every request "
        "is shared by concurrent requests, and a Session is not thread-safe: open it from the "
        "factory inside the view, in a `with` block (task 4)"
    )
    assert not sessions_left_open(recording_session_factory), (
        f"two GET /markets ({framework}) left sessions in a transaction: each request closes "
        "the session it opened (task 4)"
    )


@pytest.mark.fastapi
@pytest.mark.task(4)
def test_fastapi_listing_route_is_a_plain_def():
    from markets_listing import fastapi_app

    app = fastapi_app.create_app(sessionmaker())
    routes = [*app.routes, *fastapi_app.router.routes]  # the app's own and the given router's
    endpoints = [r.endpoint for r in routes if getattr(r, "path", None) == "/markets"]

    assert endpoints and not any(inspect.iscoroutinefunction(e) for e in endpoints), (
        f"the FastAPI route of GET /markets is {endpoints}, declared `async def`: FastAPI runs "
        "an async route on the event loop itself, so the blocking calls of the synchronous "
        "Session (list_markets) stall every other request while the database answers. Keep "
        "it a plain `def`: FastAPI runs those in a worker thread (task 4)"
    )


def listing_route(stack) -> hostile.Route:
    task = int(TASK[stack.name].removeprefix("task "))
    return hostile.Route("GET", "/markets", task=task, query=IGNORED_QUERY)


@parametrize_stacks
def test_get_markets_survives_hostile_requests(stack, known_markets):
    stack.seed(known_markets)

    hostile.assert_survives(stack.client, listing_route(stack))


@parametrize_stacks
def test_markets_refuses_other_methods_with_405_and_allow(stack):
    hostile.assert_methods_refused(stack.client, [listing_route(stack)])


@parametrize_stacks
def test_an_unknown_url_is_a_404_in_the_envelope(stack):
    reply = stack.client.get("/no-such-page")

    problem = hostile.envelope_problem(reply)
    assert reply.status == 404 and problem is None, (
        f"GET /no-such-page ({stack.name}) answered {reply.status} {reply.text[:200]}; "
        f"expected 404 in the JSON error envelope ({problem or 'envelope ok'}): the given "
        "error handlers do this — keep them registered in create_app / urls.py "
        f"({TASK[stack.name]})"
    )


@pytest.mark.fastapi
@pytest.mark.task(4)
def test_fastapi_openapi_describes_the_listing_truthfully():
    from markets_listing.fastapi_app import create_app

    operation = create_app(sessionmaker()).openapi()["paths"]["/markets"]["get"]

    ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
    assert ok.get("schema") == {"$ref": "#/components/schemas/MarketPage"}, (
        f"the OpenAPI schema of GET /markets describes its 200 as {ok or 'nothing'}; expected "
        "the MarketPage schema (keep response_model=MarketPage / the return annotation) "
        "(task 4)"
    )
    assert "422" not in operation["responses"] and not operation.get("parameters"), (
        f"the OpenAPI schema of GET /markets advertises responses "
        f"{sorted(operation['responses'])} and parameters {operation.get('parameters')}; "
        "the route takes no parameter and never answers 422 (invalid input is a 400 here), "
        "so neither belongs in its schema (task 4)"
    )
