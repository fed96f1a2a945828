"""Where a learner stands: run labs (several at once, or from the cache) and summarise them.

A lab is *not started* while its learner-editable files still equal the shipped starter,
*done* when every selected test passes, and *in progress* in between. Where the shipped
starter cannot be known (a copy without git, a clone without an upstream branch), "started"
comes from the tests — a passing test means work was done — and the command says so. A lab
can also be *missing* (listed in the catalog, not written yet) or *broken* (its tests do not
import, or pytest crashed), which the CLI shows rather than hides.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from enum import StrEnum

from patterns_workbook.catalog import TRACKS, Catalog, Lab
from patterns_workbook.learner.state import RunCache
from patterns_workbook.run import warm
from patterns_workbook.run.lab import LabRunError, Warm, cancel_all, run_lab
from patterns_workbook.run.report import (
    LabRun,
    Tally,
    TestResult,
    by_task,
    first_failures,
    on_track,
    tally,
)
from patterns_workbook.starter import Changes, Shipped, changed_files, lab_changes, shipped

Runner = Callable[..., LabRun]  # run_lab's signature: (project, lab_dir, *, track=...)
_RUN_LAB = run_lab

__all__ = ["LabStatus", "Starters", "State", "Tally", "lab_status", "lab_statuses", "serves"]


class State(StrEnum):
    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    BROKEN = "broken"
    MISSING = "missing"


@dataclass(frozen=True)
class TaskSummary:
    task: int | None  # None: tests without a task marker
    title: str
    tally: Tally
    first_failure: TestResult | None


@dataclass(frozen=True)
class Starters:
    """What the shipped starter says about every lab: read once per command (one git call)."""

    shipped: Shipped
    changed: set[str] | None  # project-relative paths that differ from it; None: unknown

    @classmethod
    def read(cls, catalog: Catalog) -> Starters:
        where = shipped(catalog.root)
        changed = None if where.ref is None else changed_files(catalog.root, where.ref)
        return cls(where, changed)

    def of(self, lab: Lab) -> Changes | None:
        return None if self.changed is None else lab_changes(lab, self.changed)


@dataclass(frozen=True)
class LabStatus:
    lab: Lab
    track: str | None
    run: LabRun | None = None
    error: str | None = None  # why the lab could not be run
    changes: Changes | None = None  # against the shipped starter; None when git cannot tell
    starter_known: bool = True
    known_totals: dict[str, int] = field(default_factory=dict)  # per track ("all"), cached
    cached: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def tests(self) -> list[TestResult]:
        """The selected tests (a `-m` run still reports its deselected tests as "not run")."""
        return [t for t in self.run.tests if on_track(t, self.track)] if self.run else []

    @property
    def known_total(self) -> int | None:
        """How many tests the lab has on this track, from its last clean collection."""
        return self.known_totals.get(self.track or "all")

    def _kept(self, counted: Tally, track: str | None) -> Tally:
        """A lab whose tests stopped importing keeps its size: the lost tests count as failing."""
        known = self.known_totals.get(track or "all")
        if self.run is not None and self.run.collect_errors and known:
            return Tally(counted.passed, max(counted.total, known), counted.skipped)
        return counted

    @property
    def tally(self) -> Tally:
        return self._kept(tally(self.tests), self.track)

    def track_tally(self, track: str) -> Tally | None:
        """Passing / total for one track, or None when the lab does not serve that track."""
        if track not in self.lab.frameworks or self.run is None:
            return None
        return self._kept(tally(t for t in self.tests if on_track(t, track)), track)

    @property
    def done_tracks(self) -> list[str]:
        return [t for t in self.lab.frameworks if t in TRACKS and _complete(self.track_tally(t))]

    @property
    def started(self) -> bool:
        if self.starter_known and self.changes is not None:
            return bool(self.changes.editable)
        edited = self.changes is not None and bool(self.changes.editable)
        return edited or any(t.ok for t in self.tests)  # derived from the tests

    @property
    def given_changed(self) -> tuple[str, ...]:
        return () if self.changes is None else self.changes.given

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
        """Failed tests: the first unfinished task first, then by position in the file."""
        return first_failures(self.tests)

    def tasks(self) -> list[TaskSummary]:
        """One summary per task with selected tests (plus untagged tests, if any)."""
        return [
            TaskSummary(
                n, self.lab.task_title(n), tally(tests), next(iter(first_failures(tests)), None)
            )
            for n, tests in by_task(self.tests).items()
        ]

    def first_failing_task(self) -> int | None:
        return next((t.task for t in self.failures() if t.task is not None), None)


def _complete(value: Tally | None) -> bool:
    return value is not None and value.complete


def lab_status(
    catalog: Catalog,
    lab: Lab,
    track: str | None = None,
    runner: Runner | None = None,
    *,
    starters: Starters | None = None,
    cache: RunCache | None = None,
    reuse: bool = False,
) -> LabStatus:
    """Run one lab's tests (the track's, when given) and summarise them.

    `runner` defaults to `run.lab.run_lab`; a pytest crash becomes the status's `error`. With
    a `cache`, the run is stored under the hash of the lab's files; with `reuse` too, a stored
    run of the same files answers without running pytest.
    """
    changes = starters.of(lab) if starters is not None else None
    known = starters.shipped.known if starters is not None else True
    if not lab.path.is_dir():
        return LabStatus(lab, track, error=f"labs/{lab.id} is not written yet")
    key = cache.key(lab) if cache is not None else ""
    base = {"changes": changes, "starter_known": known}
    if cache is not None and reuse and (stored := cache.get(lab, track, key)) is not None:
        totals = cache.known_totals(lab)
        return LabStatus(lab, track, run=stored, cached=True, known_totals=totals, **base)
    try:
        run = (runner or run_lab)(catalog.root, lab.path, track=track)
    except LabRunError as exc:
        return LabStatus(lab, track, error=str(exc), **base)
    totals: dict[str, int] = {}
    if cache is not None:
        cache.put(lab, track, key, run)
        totals = cache.known_totals(lab)
    return LabStatus(lab, track, run=run, known_totals=totals, **base)


def warm_runner(*, repeated: bool = False) -> Runner | None:
    """`run_lab` forking its runs from a warm server (`run.warm`): the same environment and
    isolation as a run of its own, without importing the frameworks again each time.

    The learner's shared server, kept between commands, so one `check` after another is
    answered warm. For `repeated` runs (status, watch) it is started and waited for; a single
    run goes to a subprocess, then starts it for the next one. None — every run a subprocess —
    with `WORKBOOK_WARM=off`, or when `run_lab` has been replaced (the CLI's tests).
    """
    if run_lab is not _RUN_LAB or not warm.shared_enabled():
        return None
    mode = Warm.SHARED if repeated else Warm.SHARED_IF_READY
    return functools.partial(run_lab, warm=mode)


def lab_statuses(
    catalog: Catalog,
    labs: Iterable[Lab],
    track: str | None = None,
    *,
    runner: Runner | None = None,
    on_each: Callable[[LabStatus], None] | None = None,
    starters: Starters | None = None,
    cache: RunCache | None = None,
    reuse: bool = False,
) -> list[LabStatus]:
    """Every lab's status, in catalog order, running up to one pytest per core at a time.

    A Ctrl-C kills the runs in flight and cancels the queued ones before it propagates.
    """
    labs = list(labs)
    workers = max(1, min(len(labs), os.cpu_count() or 1))
    if runner is None:
        # 12.4–13.4 s instead of 15.8–18.1 s for five solved labs on a busy 2-core machine.
        runner = warm_runner(repeated=len(labs) > 1)
    results: dict[str, LabStatus] = {}
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = [
            pool.submit(
                lab_status,
                catalog,
                lab,
                track,
                runner,
                starters=starters,
                cache=cache,
                reuse=reuse,
            )
            for lab in labs
        ]
        for future in as_completed(futures):
            status = future.result()
            results[status.lab.id] = status
            if on_each is not None:
                on_each(status)
    except BaseException:
        cancel_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [results[lab.id] for lab in labs]


def serves(lab: Lab, track: str | None) -> bool:
    return track is None or track in lab.frameworks
