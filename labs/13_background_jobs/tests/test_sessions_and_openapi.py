"""Task 3, FastAPI and Flask: what the SQLAlchemy service holds while it talks to Redis."""

from __future__ import annotations

import pytest
from conftest import Api

SQLALCHEMY_APPS = [
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


@pytest.mark.task(3)
@pytest.mark.parametrize("api", SQLALCHEMY_APPS, indirect=True)
def test_no_database_connection_is_held_while_enqueueing(api: Api, engine) -> None:
    """Enqueueing after the session's transaction has given its connection back.

    On SQLite this is also the only test that catches an enqueue placed after a
    `session.begin_nested()` block but still inside `sessions.begin()`: the driver opens no
    transaction before the SAVEPOINT, so SQLite treats the savepoint as the transaction and
    its RELEASE commits the row — another connection sees it, and the "committed when
    enqueued" test passes. The outer transaction is still open, though, holding its
    connection: this test sees that. (On PostgreSQL both tests catch it.)
    """
    held: list[int] = []
    peek = api.queue.peek
    assert peek is not None

    def watching(market_id: int) -> bool:
        held.append(engine.pool.checkedout())
        return peek(market_id)

    api.queue.peek = watching
    reply = api.client.post("/markets", json={"name": "Rain in Lisbon", "slug": "rain-lisbon"})
    assert reply.status == 201, f"[{api.framework}] POST /markets answered {reply.status}"
    assert held == [0], (
        f"[{api.framework}] while index_market was enqueued, {held} database connection(s) "
        "were checked out of the pool: the transaction was still open while the service "
        "talked to Redis. A slow or unreachable Redis (seconds of connect timeout) would then "
        "hold a connection — and the row's locks — for every create. End the `with "
        "sessions.begin():` block first, then enqueue (task 3)"
    )


@pytest.mark.fastapi
@pytest.mark.task(3)
def test_fastapi_documents_what_create_answers_and_no_422(fastapi_app_and_client) -> None:
    app, _ = fastapi_app_and_client
    responses = app.openapi()["paths"]["/markets"]["post"]["responses"]
    assert {"201", "400", "409", "415"} <= set(responses) and "422" not in responses, (
        f"FastAPI's OpenAPI lists {sorted(responses)} for POST /markets; expected 201, 400, "
        "409 and 415 and never 422, which no route sends (task 3)"
    )
