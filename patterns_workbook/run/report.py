"""The report model of a lab run: each test's task, track, outcome and place in its file.

The plugin (`patterns_workbook.testing.plugin`, `--workbook-report FILE`) writes it; the
learner's command and the maintainer harness read it. Grouping tests by task, choosing which
failure comes first, and counting passes per track are written here once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from patterns_workbook.catalog import TRACKS

FAILED = ("failed", "error")


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    nodeid: str
    name: str
    task: int | None
    tracks: tuple[str, ...]
    outcome: str  # passed | failed | error | skipped (for the other database) | not run
    exc_type: str | None
    assertion: bool  # failed on an assertion (not an import error or NotImplementedError)
    message: str
    path: str = ""  # the test's file, relative to the run's root
    line: int = 0  # its line in that file (0 when unknown)

    @property
    def ok(self) -> bool:
        return self.outcome == "passed"

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED


@dataclass(frozen=True)
class Tally:
    """Passing tests out of those that ran; skipped tests (e.g. PostgreSQL-only ones on
    SQLite) are not the learner's to pass, so they count apart."""

    passed: int
    total: int
    skipped: int = 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def __str__(self) -> str:
        return f"{self.passed}/{self.total}"


def tally(tests: Iterable[TestResult]) -> Tally:
    tests = list(tests)
    skipped = sum(t.outcome == "skipped" for t in tests)
    return Tally(sum(t.ok for t in tests), len(tests) - skipped, skipped)


def on_track(test: TestResult, track: str | None) -> bool:
    """Whether `test` belongs to `track` (every test belongs when no track is chosen)."""
    return track is None or bool(set(test.tracks) & set(TRACKS[track]))


def _task_key(task: int | None) -> tuple[bool, int]:
    return (task is None, task or 0)


def by_task(tests: Iterable[TestResult]) -> dict[int | None, list[TestResult]]:
    """Tests grouped by task number, tasks in order (untagged tests last), each group in
    file order."""
    grouped: dict[int | None, list[TestResult]] = {}
    for test in in_file_order(tests):
        grouped.setdefault(test.task, []).append(test)
    return dict(sorted(grouped.items(), key=lambda kv: _task_key(kv[0])))


def in_file_order(tests: Iterable[TestResult]) -> list[TestResult]:
    """By file, then line (pytest-django runs database tests first; a learner reads files
    top to bottom). Stable, so parametrized cases keep their order."""
    return sorted(tests, key=lambda t: (t.path, t.line))


def first_failures(tests: Iterable[TestResult]) -> list[TestResult]:
    """Failed tests, first unfinished task first, then by position in the file."""
    failed = [t for t in tests if t.failed]
    return sorted(in_file_order(failed), key=lambda t: _task_key(t.task))


@dataclass(frozen=True)
class LabRun:
    exitstatus: int
    tests: tuple[TestResult, ...]
    collect_errors: tuple[dict[str, str], ...]
    output: str  # what pytest printed (its tail), for the problems a report cannot explain
    imported: tuple[str, ...] = ()  # the frameworks in sys.modules when the run ended

    @property
    def failed(self) -> list[TestResult]:
        return [t for t in self.tests if t.failed]

    def output_tail(self, lines: int = 15) -> str:
        return "\n".join(self.output.strip().splitlines()[-lines:])

    def by_task(self) -> dict[int | None, list[TestResult]]:
        return by_task(self.tests)

    def to_json(self) -> dict[str, Any]:
        return {
            "exitstatus": self.exitstatus,
            "tests": [asdict(t) for t in self.tests],
            "collect_errors": list(self.collect_errors),
            "output": self.output[-4000:],
            "imported": list(self.imported),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabRun:
        names = {f.name for f in fields(TestResult)}
        tests = tuple(
            TestResult(**{k: tuple(v) if k == "tracks" else v for k, v in t.items() if k in names})
            for t in data["tests"]
        )
        return cls(
            exitstatus=int(data["exitstatus"]),
            tests=tests,
            collect_errors=tuple(data["collect_errors"]),
            output=data.get("output", ""),
            imported=tuple(data.get("imported", ())),
        )


def read_report(path: Path, output: str) -> LabRun:
    """The run as the plugin's `--workbook-report` file describes it."""
    return LabRun.from_json({**json.loads(path.read_text(encoding="utf-8")), "output": output})
