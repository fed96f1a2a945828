"""The workbook's pytest plugin, loaded in every run through the `pytest11` entry point.

It registers the track and task markers, provides the fixtures every lab shares (`redis`,
`count_django_queries`, `count_sqlalchemy_queries`, `as_client`), and — with
`--workbook-report FILE` — writes a JSON report of each test's task, track and outcome that
the `workbook` CLI and the maintainer suite read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patterns_workbook.catalog import TRACK_MARKERS

MARKERS = {
    "core": "framework-agnostic test (every track)",
    "django": "Django / Django REST framework track",
    "fastapi": "FastAPI track",
    "flask": "Flask track",
    "sqlalchemy": "SQLAlchemy 2 ORM test shared by the FastAPI and Flask tracks",
    "task(n)": "the lab task (README 'Task n') this test checks",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--workbook-report",
        metavar="FILE",
        help="write each test's task, track and outcome to FILE as JSON",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    path = config.getoption("--workbook-report", None)
    if path:
        config.pluginmanager.register(ReportWriter(Path(path)), "workbook-report")


def task_of(item: pytest.Item) -> int | None:
    """The N of `@pytest.mark.task(N)`, or None when unmarked."""
    marker = item.get_closest_marker("task")
    return int(marker.args[0]) if marker is not None and marker.args else None


class ReportWriter:
    """Collects one entry per test and writes them as JSON when the session ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tests: dict[str, dict[str, Any]] = {}
        self.collect_errors: list[dict[str, str]] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.tests[item.nodeid] = {
                "nodeid": item.nodeid,
                "name": item.name,
                "task": task_of(item),
                "tracks": [m for m in TRACK_MARKERS if item.get_closest_marker(m)],
                "outcome": "not run",
                "exc_type": None,
                "assertion": False,
                "message": "",
            }

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:  # `-m track` deselects after collection: they are not this run's
            self.tests.pop(item.nodeid, None)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(
                {"nodeid": report.nodeid, "message": report.longreprtext[-3000:]}
            )

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[pytest.TestReport]:
        report: pytest.TestReport = yield
        entry = self.tests.get(item.nodeid)
        if entry is None:
            return report
        if report.failed and entry["exc_type"] is None:
            excinfo = call.excinfo
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["exc_type"] = excinfo.typename if excinfo else None
            entry["assertion"] = bool(
                excinfo
                and report.when == "call"
                and excinfo.errisinstance((AssertionError, pytest.fail.Exception))
            )
            entry["message"] = _message(excinfo) if excinfo else report.longreprtext[-2000:]
            if logged := _last_logged_exception(report.caplog):
                # An HTTP test only sees "500"; the server's own error names the real cause,
                # e.g. the stub's TODO(task N). Shown by `workbook check`.
                entry["message"] += f"\n\nThe server logged: {logged}"
        elif report.skipped and entry["outcome"] == "not run":
            entry["outcome"] = "skipped"
        elif report.when == "call" and report.passed and entry["outcome"] == "not run":
            entry["outcome"] = "passed"
        return report

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        payload = {
            "exitstatus": int(exitstatus),
            "collect_errors": self.collect_errors,
            "tests": list(self.tests.values()),
        }
        self.path.write_text(json.dumps(payload, indent=1), encoding="utf-8")


def _message(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """The exception's own text: the part of a failure a learner should read first."""
    text = str(excinfo.value).strip() or excinfo.exconly()
    return text[:2000]


_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?\w+(?:Error|Exception|Exit): .+")


def _last_logged_exception(log: str) -> str | None:
    """The last `SomeError: message` line of a captured log (a traceback's last line)."""
    lines = [line for line in log.splitlines() if _EXCEPTION_LINE.match(line)]
    return lines[-1][:500] if lines else None


# ---------------------------------------------------------------------------------- fixtures


@pytest.fixture
def redis() -> Iterator[Any]:
    """A Redis client with an empty database: fakeredis, or the server at `REDIS_URL`."""
    from patterns_workbook.redis_factory import make_redis

    client = make_redis()
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def count_django_queries() -> Any:
    """`with count_django_queries() as queries:` … `len(queries)` — Django's executed SQL."""
    from patterns_workbook.testing.queries import count_django_queries as counter

    return counter


@pytest.fixture
def count_sqlalchemy_queries() -> Any:
    """`with count_sqlalchemy_queries(engine) as queries:` … `len(queries)` — SQL statements."""
    from patterns_workbook.testing.queries import count_sqlalchemy_queries as counter

    return counter


@pytest.fixture
def as_client() -> Any:
    """Wrap a Django URLconf run, a FastAPI app or a Flask app in one `HttpClient` interface."""
    from patterns_workbook.testing.http import as_client as wrap

    return wrap
