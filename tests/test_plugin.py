"""The shared pytest plugin: Redis factory and fixture, HTTP adapters, query counters."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import fakeredis
import pytest
from fastapi import FastAPI, Request
from flask import Flask, request

from patterns_workbook.testing.http import as_client
from patterns_workbook.testing.queries import count_sqlalchemy_queries
from patterns_workbook.testing.redis_factory import describe, make_redis, redis_url

PROJECT = Path(__file__).resolve().parents[1]


def test_redis_fixture_is_empty_and_matches_redis_url(redis) -> None:
    assert redis.dbsize() == 0, "the redis fixture must start from an empty database"
    redis.set("market:1:volume", "10.50")
    assert redis.get("market:1:volume") == "10.50"
    expect_fake = not os.environ.get("REDIS_URL")
    assert isinstance(redis, fakeredis.FakeRedis) == expect_fake, describe(redis)


def test_fake_servers_are_isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    first, second = make_redis(), make_redis()
    first.set("k", "v")
    assert second.get("k") is None, "two fakeredis clients must not share a server"


def test_fake_redis_runs_lua(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    client = make_redis()
    assert client.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", 1, "hits", 5) == 5


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_real_redis_is_used_when_redis_url_is_set() -> None:
    client = make_redis()
    assert client.ping() is True
    assert "redis-server" in describe(client)
    assert client.eval("return 1", 0) == 1


def test_each_xdist_worker_gets_its_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/0")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert redis_url() == "redis://127.0.0.1:6390/2"
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert redis_url() == "redis://127.0.0.1:6390/0"


def _fastapi_app():
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict:
        return {"got": await request.json(), "tag": request.headers.get("x-tag")}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail that must not leak")

    @app.get("/peer")
    def peer(request: Request) -> dict:
        return {"peer": request.client.host if request.client else None}

    return app


def _flask_app():
    app = Flask(__name__)

    @app.post("/echo")
    def echo() -> dict:
        return {"got": request.get_json(), "tag": request.headers.get("x-tag")}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail that must not leak")

    @app.get("/peer")
    def peer() -> dict:
        return {"peer": request.remote_addr}

    return app


@pytest.mark.parametrize("make_app", [_fastapi_app, _flask_app], ids=["fastapi", "flask"])
def test_http_adapter_sends_the_request_from_a_chosen_peer(make_app) -> None:
    # Trusted-proxy rules (lab 12) start from the TCP peer, which a test must be able to set.
    assert as_client(make_app()).get("/peer").json() == {"peer": "127.0.0.1"}
    assert as_client(make_app(), peer="10.0.0.2").get("/peer").json() == {"peer": "10.0.0.2"}


@pytest.mark.parametrize("make_app", [_fastapi_app, _flask_app], ids=["fastapi", "flask"])
def test_http_adapter_sends_json_params_and_headers(make_app) -> None:
    client = as_client(make_app())
    reply = client.post("/echo", json={"volume": "1.50"}, headers={"X-Tag": "t"})
    assert reply.status == 200, reply.text
    assert reply.json() == {"got": {"volume": "1.50"}, "tag": "t"}
    assert reply.header("Content-Type").startswith("application/json")


@pytest.mark.parametrize("make_app", [_fastapi_app, _flask_app], ids=["fastapi", "flask"])
def test_http_adapter_turns_server_errors_into_logged_500_replies(
    make_app, caplog: pytest.LogCaptureFixture
) -> None:
    with as_client(make_app()) as client:
        reply = client.get("/boom")
    assert reply.status == 500
    assert "internal detail" not in reply.text, "a 500 must not leak the exception's text"
    assert "RuntimeError: internal detail" in caplog.text, "the traceback must be logged"


def test_fastapi_adapter_works_where_a_loop_already_runs() -> None:
    # A Jupyter kernel runs an asyncio loop in the thread that runs the cells (notebook 01).
    async def in_a_notebook_cell() -> int:
        with as_client(_fastapi_app()) as client:
            return client.post("/echo", json={"volume": "1.50"}).status

    assert asyncio.run(in_a_notebook_cell()) == 200


def test_as_client_rejects_unknown_apps() -> None:
    with pytest.raises(TypeError, match="FastAPI app or a Flask app"):
        as_client(object())


def test_sqlalchemy_counter_counts_statements() -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine("sqlite://")
    with count_sqlalchemy_queries(engine) as queries, engine.connect() as conn:
        conn.execute(text("select 1"))
        conn.execute(text("select 2"))
    assert len(queries) == 2, queries.report()
    assert "2 queries ran" in queries.report()


DJANGO_SCRIPT = textwrap.dedent(
    """
    import django
    from django.conf import settings

    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"], DEBUG=False,
    )
    django.setup()
    from django.db import connection
    from django.http import JsonResponse
    from django.urls import path
    from patterns_workbook.testing.http import as_client
    from patterns_workbook.testing.queries import count_django_queries

    def echo(request):
        return JsonResponse({"method": request.method, "body": request.body.decode()})

    def boom(request):
        raise RuntimeError("internal")

    def peer(request):
        return JsonResponse({"peer": request.META["REMOTE_ADDR"]})

    urlpatterns = [path("echo", echo), path("boom", boom), path("peer", peer)]
    assert as_client("django").get("/peer").json() == {"peer": "127.0.0.1"}
    assert as_client("django", peer="10.0.0.2").get("/peer").json() == {"peer": "10.0.0.2"}
    client = as_client("django")
    reply = client.patch("/echo", json={"a": 1}, params={"x": "1"})
    assert reply.status == 200 and reply.json() == {"method": "PATCH", "body": '{"a": 1}'}
    assert client.get("/boom").status == 500
    with count_django_queries() as queries:
        with connection.cursor() as cursor:
            cursor.execute("select 1")
    assert len(queries) == 1, queries.report()
    print("ok")
    """
)


def test_django_adapter_and_query_counter() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", DJANGO_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.strip() == "ok", proc.stdout + proc.stderr


def test_report_names_the_exception_the_server_logged() -> None:
    from patterns_workbook.testing.plugin import _last_logged_exception

    log = (
        "ERROR    patterns_workbook.testing.http:http.py:143 GET /markets raised inside the app\n"
        "Traceback (most recent call last):\n"
        '  File "markets_rest/fastapi_app.py", line 28, in list_markets\n'
        "    raise NotImplementedError(\n"
        "NotImplementedError: TODO(task 1): list markets — see README task 1\n"
    )
    assert _last_logged_exception(log) == (
        "NotImplementedError: TODO(task 1): list markets — see README task 1"
    )
    assert _last_logged_exception("INFO nothing went wrong\n") is None


SKIPS = """\
import pytest


@pytest.mark.postgresql_only("two transactions at once")
def test_for_the_other_database():
    pass


def test_skipped_by_hand():
    pytest.skip("not today")
"""


def test_report_counts_only_database_skips_as_skipped(tmp_path: Path) -> None:
    # A test for the other database is not the learner's to pass there; a skip anyone
    # wrote by hand (in a test or in a learner's code) must not let a lab look finished.
    (tmp_path / "test_skips.py").write_text(SKIPS)
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", str(PROJECT / "pyproject.toml"),
         "--workbook-report", str(report)],
        capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
    )  # fmt: skip
    tests = {t["name"]: t for t in json.loads(report.read_text())["tests"]}
    assert tests["test_for_the_other_database"]["outcome"] == "skipped"
    assert "needs PostgreSQL" in tests["test_for_the_other_database"]["message"]
    assert tests["test_skipped_by_hand"]["outcome"] == "not run"
    assert tests["test_skipped_by_hand"]["message"] == "not today"
