"""Where a learner stands: run labs (several at once) and summarise them per task and track.

A lab is *not started* while its learner-editable files still equal the committed starter,
*done* when every selected test passes, and *in progress* in between. It can also be
*missing* (listed in the catalog, not written yet) or *broken* (its tests do not import, or
pytest crashed), which the CLI shows rather than hides.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from enum import StrEnum

from patterns_workbook.catalog import TRACKS, Catalog, Lab
from patterns_workbook.labrun import (
    LabRun,
    LabRunError,
    TestResult,
    run_lab,
    shipped_ref,
    starter_files,
)

Runner = Callable[..., LabRun]  # run_lab's signature: (project, lab_dir, *, track=...)


class State(StrEnum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    BROKEN = "broken"
    MISSING = "missing"


@dataclass(frozen=True)
class Tally:
    passed: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def __str__(self) -> str:
        return f"{self.passed}/{self.total}"


@dataclass(frozen=True)
class TaskSummary:
    task: int | None  # None: tests without a task marker
    title: str
    tally: Tally
    first_failure: TestResult | None


def on_track(test: TestResult, track: str | None) -> bool:
    """Whether `test` belongs to `track` (every test belongs when no track is chosen)."""
    return track is None or bool(set(test.tracks) & set(TRACKS[track]))


def tally(tests: Iterable[TestResult]) -> Tally:
    tests = list(tests)
    return Tally(sum(t.ok for t in tests), len(tests))


@dataclass(frozen=True)
class LabStatus:
    lab: Lab
    track: str | None
    run: LabRun | None = None
    error: str | None = None  # why the lab could not be run
    started: bool = False  # the learner changed at least one editable file

    @property
    def tests(self) -> list[TestResult]:
        """The selected tests (a `-m` run still reports its deselected tests as "not run")."""
        return [t for t in self.run.tests if on_track(t, self.track)] if self.run else []

    @property
    def tally(self) -> Tally:
        return tally(self.tests)

    def track_tally(self, track: str) -> Tally | None:
        """Passing / total for one track, or None when the lab does not serve that track."""
        if track not in self.lab.frameworks or self.run is None:
            return None
        return tally(t for t in self.tests if on_track(t, track))

    @property
    def done_tracks(self) -> list[str]:
        return [t for t in self.lab.frameworks if t in TRACKS and _complete(self.track_tally(t))]

    @property
    def state(self) -> State:
        if not self.lab.path.is_dir():
            return State.MISSING
        if self.error is not None or self.run is None or self.run.collect_errors:
            return State.BROKEN
        if self.tally.complete and not self.run.failed:
            return State.DONE
        return State.IN_PROGRESS if self.started else State.NOT_STARTED

    @property
    def done(self) -> bool:
        return self.state is State.DONE

    def failures(self) -> list[TestResult]:
        """Failed tests, task by task, in the order pytest ran them."""
        failed = [t for t in self.tests if t.outcome in ("failed", "error")]
        return sorted(failed, key=lambda t: (t.task is None, t.task or 0))

    def tasks(self) -> list[TaskSummary]:
        """One summary per catalog task with selected tests (plus untagged tests, if any)."""
        grouped: dict[int | None, list[TestResult]] = {}
        for test in self.tests:
            grouped.setdefault(test.task, []).append(test)
        numbers = sorted(grouped, key=lambda n: (n is None, n or 0))
        return [
            TaskSummary(
                task=n,
                title=self.task_title(n),
                tally=tally(grouped[n]),
                first_failure=next(
                    (t for t in grouped[n] if t.outcome in ("failed", "error")), None
                ),
            )
            for n in numbers
        ]

    def task_title(self, task: int | None) -> str:
        if task is None:
            return "tests without a task marker"
        if 1 <= task <= len(self.lab.tasks):
            return self.lab.tasks[task - 1]
        return f"task {task}"

    def first_failing_task(self) -> int | None:
        return next((t.task for t in self.failures() if t.task is not None), None)


def _complete(value: Tally | None) -> bool:
    return value is not None and value.complete


def learner_started(lab: Lab) -> bool:
    """Whether any learner-editable file differs from the committed starter (or is gone)."""
    for rel, content in starter_files(lab, shipped_ref(lab.root)).items():
        path = lab.path / rel
        if not path.is_file() or path.read_bytes() != content:
            return True
    return False


def lab_status(
    catalog: Catalog,
    lab: Lab,
    track: str | None = None,
    runner: Runner | None = None,
    *,
    compare_starter: bool = True,
) -> LabStatus:
    """Run one lab's tests (the track's, when given) and summarise them.

    `runner` defaults to `labrun.run_lab`; a pytest crash becomes the status's `error`.
    Without `compare_starter` (a check that only needs pass/fail), git is not asked whether
    the learner has started, which saves a subprocess per editable file.
    """
    if not lab.path.is_dir():
        return LabStatus(lab, track, error=f"labs/{lab.id} is not written yet")
    started = compare_starter and learner_started(lab)
    try:
        run = (runner or run_lab)(catalog.root, lab.path, track=track)
    except LabRunError as exc:
        return LabStatus(lab, track, error=str(exc), started=started)
    return LabStatus(lab, track, run=run, started=started)


def lab_statuses(
    catalog: Catalog,
    labs: Iterable[Lab],
    track: str | None = None,
    *,
    runner: Runner | None = None,
    on_each: Callable[[LabStatus], None] | None = None,
) -> list[LabStatus]:
    """Every lab's status, in catalog order, running up to one pytest per core at a time."""
    labs = list(labs)
    workers = max(1, min(len(labs), os.cpu_count() or 1))
    if runner is None and len(labs) > 1:  # fork the runs from one warm process (labrun.warm)
        runner = functools.partial(run_lab, warm=True)
    results: dict[str, LabStatus] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(lab_status, catalog, lab, track, runner) for lab in labs]
        for future in as_completed(futures):
            status = future.result()
            results[status.lab.id] = status
            if on_each is not None:
                on_each(status)
    return [results[lab.id] for lab in labs]


def serves(lab: Lab, track: str | None) -> bool:
    return track is None or track in lab.frameworks
