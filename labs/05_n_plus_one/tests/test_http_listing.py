"""Tasks 2 and 4: `GET /markets` gives the same JSON in Django, FastAPI and Flask, in 2 queries.

One behavioural suite, parametrized over the three stacks: the Django side is task 2 (the
DRF serializer over task 1's selector), the FastAPI and Flask sides are task 4 (the routes
over task 3's `list_markets`).
"""

from __future__ import annotations

import pytest

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

parametrize_stacks = pytest.mark.parametrize("stack", STACKS, indirect=True)


@parametrize_stacks
def test_get_markets_returns_the_known_listing(stack, known_markets, known_listing):
    stack.seed(known_markets)

    reply = stack.client.get("/markets")

    assert reply.status == 200, (
        f"GET /markets ({stack.name}) answered {reply.status}: {reply.text[:300]}; expected "
        f"200 with the listing ({TASK[stack.name]})"
    )
    assert reply.json() == {"markets": known_listing}, (
        f"GET /markets ({stack.name}) answered {reply.json()}; expected "
        f"{ {'markets': known_listing} }: newest first (same created_at: higher id first), "
        "creator as a username, tag names in name order ([] when none), position_count "
        f"(0 when none) ({TASK[stack.name]})"
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
        f"serialization or the query ({TASK[stack.name]}). For 3 markets:\n{for_3.report()}"
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


@pytest.mark.parametrize(
    "framework",
    [
        pytest.param("fastapi", marks=[pytest.mark.fastapi, pytest.mark.task(4)]),
        pytest.param("flask", marks=[pytest.mark.flask, pytest.mark.task(4)]),
    ],
)
def test_get_markets_closes_the_session_it_opens(
    framework, sa_seed, known_markets, recording_session_factory, as_client
):
    sa_seed(known_markets)
    if framework == "fastapi":
        from markets_listing.fastapi_app import create_app
    else:
        from markets_listing.flask_app import create_app
    client = as_client(create_app(recording_session_factory))

    reply = client.get("/markets")

    opened = recording_session_factory.opened
    still_open = [session for session in opened if session.in_transaction()]
    assert reply.status == 200 and opened and not still_open, (
        f"GET /markets ({framework}) answered {reply.status} and left {len(still_open)} of "
        f"the {len(opened)} sessions it opened still in a transaction, holding a database "
        "connection: under load the pool runs dry and requests hang. Open the session in a "
        "`with` block (or a dependency with yield) so it is closed when the request ends, "
        "even when list_markets raises (task 4)"
    )
