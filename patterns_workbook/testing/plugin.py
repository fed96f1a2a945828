"""The workbook's pytest plugin, loaded in every run through the `pytest11` entry point.

It registers the track and task markers, provides the fixtures every lab shares (`redis`,
`count_django_queries`, `count_sqlalchemy_queries`, `as_client`), and — with
`--workbook-report FILE` — writes a JSON report of each test's task, track, outcome and
place in its file that the `workbook` CLI and the maintainer suite read.

With `--workbook-report` every test's printed output is capped (`OUTPUT_CAP` per phase), a
collection error is reduced to what the learner must fix (file, line, the error — not
importlib's frames), and a test stopped by the per-test timeout names the line it was stuck
on. With `--workbook-track T` (the `workbook` command's one-track runs) test modules named
`test_<marker>_*.py` for markers outside the track are not imported, and when pytest-django
is off (`-p no:django`, a track without Django) its `django_db` marker is still known.
"""

from __future__ import annotations

import json
import re
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patterns_workbook.catalog import TRACK_MARKERS, TRACKS
from patterns_workbook.testing import database
from patterns_workbook.testing.database import _scratch_database, postgresql_url

__all__ = ["_scratch_database", "postgresql_url"]  # fixtures, found here by pytest

OUTPUT_CAP = 200_000  # characters a test may print per phase before the rest is dropped
_NEWER_SYNTAX = (  # (pattern, what needs a newer Python)
    (re.compile(r"^\s*type\s+\w+(\[.*\])?\s*="), "the `type` statement needs Python 3.12+"),
    (re.compile(r"^\s*(def|class)\s+\w+\["), "generic `def f[T]` / `class C[T]` need 3.12+"),
    (re.compile(r"^\s*except\*"), "`except*` needs Python 3.11+"),
    (re.compile(r"^\s*match\s.*:\s*$"), "`match` statements need Python 3.10+"),
)

MARKERS = {
    "core": "framework-agnostic test (every track)",
    "django": "Django / Django REST framework track",
    "fastapi": "FastAPI track",
    "flask": "Flask track",
    "sqlalchemy": "SQLAlchemy 2 ORM test shared by the FastAPI and Flask tracks",
    "task(n)": "the lab task (README 'Task n') this test checks",
    "sqlite_only(why)": "runs on SQLite only (e.g. it simulates PostgreSQL's locking there)",
    "postgresql_only(why)": "runs only with DATABASE_URL set (real concurrent transactions)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--workbook-report",
        metavar="FILE",
        help="write each test's task, track and outcome to FILE as JSON",
    )
    parser.addoption(
        "--workbook-track",
        metavar="TRACK",
        choices=sorted(TRACKS),
        help="a one-track run: do not import test_<marker>_*.py modules of other tracks",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    if not config.pluginmanager.hasplugin("django"):  # -p no:django: a track without Django
        config.addinivalue_line("markers", "django_db: (pytest-django is off in this run)")
    path = config.getoption("--workbook-report", None)
    if path:
        config.pluginmanager.register(ReportWriter(Path(path)), "workbook-report")
        config.pluginmanager.register(OutputCap(), "workbook-output-cap")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test marked for the other database, saying why."""
    only_sqlite = item.get_closest_marker("sqlite_only")
    only_postgresql = item.get_closest_marker("postgresql_only")
    if only_sqlite is None and only_postgresql is None:
        return
    on_postgresql = database.on_postgresql()
    if only_sqlite is not None and on_postgresql:
        pytest.skip(f"SQLite only: {' '.join(only_sqlite.args)}")
    if only_postgresql is not None and not on_postgresql:
        pytest.skip(
            f"needs PostgreSQL ({database.ENV}=postgresql://…): {' '.join(only_postgresql.args)}"
        )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """In a one-track run, skip the modules that hold only other tracks' tests."""
    track = config.getoption("--workbook-track", None)
    name = collection_path.name
    if track is None or not name.startswith("test_") or collection_path.suffix != ".py":
        return None
    marker = next((m for m in TRACK_MARKERS if name.startswith(f"test_{m}_")), None)
    return True if marker is not None and marker not in TRACKS[track] else None


class _Capped:
    """A text stream that passes on the first `limit` characters, then one notice."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream
        self._left = limit
        self._noted = False

    def write(self, text: str) -> int:
        if self._left > 0:
            part = text[: self._left]
            self._left -= len(part)
            self._stream.write(part)
        elif not self._noted:
            self._noted = True
            self._stream.write(f"\n[… output cut: more than {OUTPUT_CAP:,} characters]\n")
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class OutputCap:
    """Cap what a test prints, so a 100 MB print costs neither time nor memory."""

    def _capped(self) -> Iterator[None]:
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Capped(saved[0], OUTPUT_CAP), _Capped(saved[1], OUTPUT_CAP)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        yield from self._capped()
        return None

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        yield from self._capped()
        return None

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Iterator[None]:
        yield from self._capped()
        return None


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
        self._clean: dict[str, str] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            path, line, _ = item.location
            self.tests[item.nodeid] = {
                "nodeid": item.nodeid,
                "name": item.name,
                "task": task_of(item),
                "tracks": [m for m in TRACK_MARKERS if item.get_closest_marker(m)],
                "outcome": "not run",
                "exc_type": None,
                "assertion": False,
                "message": "",
                "path": path,
                "line": (line or 0) + 1,
            }

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:  # `-m track` deselects after collection: they are not this run's
            self.tests.pop(item.nodeid, None)

    def pytest_exception_interact(
        self, node: pytest.Item | pytest.Collector, call: pytest.CallInfo[Any], report: Any
    ) -> None:
        """A collection error: keep the learner's error, not pytest's and importlib's frames."""
        if isinstance(report, pytest.CollectReport) and call.excinfo is not None:
            error = call.excinfo.value
            original = error.__cause__ or error.__context__ or error
            self._clean[report.nodeid] = collection_problem(original, node.config.rootpath)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not report.failed:
            return
        message = self._clean.pop(report.nodeid, None) or report.longreprtext[-3000:]
        for known in self.collect_errors:  # one learner file breaks every test module using it
            if known["message"] == message:
                known["also"] = f"{known.get('also', '')} {report.nodeid}".strip()
                return
        self.collect_errors.append({"nodeid": report.nodeid, "message": message})

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
            if excinfo is not None and _is_timeout(excinfo):
                entry["exc_type"] = "Timeout"
                entry["message"] = _timeout_message(excinfo, item)
            if "Captured log" in entry["message"] and report.caplog.strip():
                # The message points at pytest's "Captured log" section, which `workbook
                # check` does not print: carry the log's end with the message instead.
                log = report.caplog.strip().splitlines()[-30:]
                entry["message"] += "\n\nCaptured log (its end):\n" + "\n".join(log)
            elif logged := _last_logged_exception(report.caplog):
                # An HTTP test only sees "500"; the server's own error names the real cause,
                # e.g. the stub's TODO(task N). Shown by `workbook check`.
                entry["message"] += f"\n\nThe server logged: {logged}"
        elif report.skipped and entry["outcome"] == "not run":
            # Only a test for the other database is skipped by design (not the learner's to
            # pass here); any other skip — a `pytest.skip()` in a learner's code — stays not run.
            entry["message"] = _skip_reason(report)
            if _database_only(item):
                entry["outcome"] = "skipped"
        elif report.when == "call" and report.passed and entry["outcome"] == "not run":
            entry["outcome"] = "passed"
        return report

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        payload = {
            "exitstatus": int(exitstatus),
            "collect_errors": self.collect_errors,
            "tests": list(self.tests.values()),
            "imported": [name for name in FRAMEWORK_MODULES if name in sys.modules],
        }
        self.path.write_text(json.dumps(payload, indent=1), encoding="utf-8")


# Each framework's heavy modules, by the track that needs them: a one-track run must not import
# another track's (the maintainer suite checks); each costs 0.2–0.4 s of a learner's run.
FRAMEWORK_MODULES = {
    "django.db.models": "django",
    "rest_framework": "django",
    "fastapi": "fastapi",
    "flask": "flask",
}


def _database_only(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(m) for m in ("sqlite_only", "postgresql_only"))


def _skip_reason(report: pytest.TestReport) -> str:
    """Why a test was skipped (e.g. "needs PostgreSQL …"), without pytest's "Skipped: "."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return reason.removeprefix("Skipped: ")


def _message(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """The exception's own text: the part of a failure a learner should read first."""
    text = str(excinfo.value).strip() or excinfo.exconly()
    return text[:2000]


def _is_timeout(excinfo: pytest.ExceptionInfo[BaseException]) -> bool:
    return excinfo.errisinstance(pytest.fail.Exception) and "pytest-timeout" in str(excinfo.value)


def _timeout_message(excinfo: pytest.ExceptionInfo[BaseException], item: pytest.Item) -> str:
    """`Timeout …`, then where the test was when it was stopped: the innermost frame of the
    project (the learner's loop), not pytest-timeout's."""
    root = item.config.rootpath
    frames = [
        entry
        for entry in excinfo.traceback
        if Path(entry.path).is_relative_to(root) and "site-packages" not in str(entry.path)
    ]
    limit = str(excinfo.value).split("(")[1].split("s)")[0].lstrip(">")
    text = f"The test ran past the {limit} s timeout and was stopped: an endless loop, or a wait"
    text += " that never ends?"
    if frames:
        where = frames[-1]
        rel = Path(where.path).relative_to(root).as_posix()
        source = str(where.statement).strip() if where.statement else ""
        text += f"\nIt was at {rel}, line {where.lineno + 1}, in {where.name}: {source}"
    task = task_of(item)
    return text + (f" (task {task})" if task is not None else "")


def collection_problem(error: BaseException, root: Path) -> str:
    """What a learner must fix when a test module cannot be imported, in a few lines."""
    version = ".".join(map(str, sys.version_info[:3]))
    if isinstance(error, SyntaxError):
        where = _relative(error.filename or "?", root)
        lines = [f"SyntaxError in {where}, line {error.lineno}: {error.msg}"]
        if error.text:
            lines.append(f"    {error.text.rstrip()}")
            if error.offset:
                lines.append("    " + " " * (error.offset - 1) + "^")
        newer = next((why for pat, why in _NEWER_SYNTAX if pat.match(error.text or "")), None)
        lines.append(f"(this is Python {version}" + (f"; {newer})" if newer else ")"))
        return "\n".join(lines)
    frames = [
        f for f in traceback.extract_tb(error.__traceback__)
        if Path(f.filename).is_relative_to(root) and "site-packages" not in f.filename
    ]  # fmt: skip
    text = f"{type(error).__name__}: {error}"
    if frames:
        last = frames[-1]
        text += f"\n    at {_relative(last.filename, root)}, line {last.lineno}"
        if last.line:
            text += f": {last.line.strip()}"
    return text


def _relative(filename: str, root: Path) -> str:
    path = Path(filename)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else filename


_EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?\w+(?:Error|Exception|Exit): .+")


def _last_logged_exception(log: str) -> str | None:
    """The last `SomeError: message` line of a captured log (a traceback's last line)."""
    lines = [line for line in log.splitlines() if _EXCEPTION_LINE.match(line)]
    return lines[-1][:500] if lines else None


# ---------------------------------------------------------------------------------- fixtures


@pytest.fixture
def redis() -> Iterator[Any]:
    """A Redis client with an empty database: fakeredis, or the server at `REDIS_URL`."""
    from patterns_workbook.testing.redis_factory import make_redis

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
