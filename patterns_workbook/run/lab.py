"""Run one lab's tests in a pytest process of its own, bounded, and read back its report.

Every run is bounded: it runs in its own process group, so a timeout or a Ctrl-C
(`cancel_all`) kills pytest *and* anything it started, within a second; a run asked for
after a cancel does not start; pytest's output is kept to its last `OUTPUT_TAIL` bytes. Each
test has its own timeout too (`timeout = 10` in pyproject.toml, pytest-timeout), so a
learner's `while True:` fails that test with its name and the line it was stuck on.

A one-track run sets up only what the track needs: `--workbook-track T` tells the plugin, and
a track without Django runs with pytest-django off (`-p no:django`, ~0.4 s), which the plugin
makes safe (CONTRIBUTING, "Fast one-track runs"). A lab that imports Django at module
level outside a `test_django_*.py` module is re-run with Django, so it is only slower.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from patterns_workbook.catalog import TRACKS
from patterns_workbook.run import warm as warm_runner
from patterns_workbook.run.groups import kill_group
from patterns_workbook.run.report import LabRun, TestResult, read_report
from patterns_workbook.run.warm import Warm

__all__ = [
    "LabRun", "LabRunError", "TestResult", "Warm", "cancel_all", "run_lab", "track_expression",
]  # fmt: skip

OUTPUT_TAIL = 64_000  # bytes of pytest's own output kept for a crash message
# One hash seed per workbook process, given to every run it starts in a subprocess or an
# owned server, so that they hash alike. A shared server outlives this process: its runs hash
# with the seed it drew when it started (a seed set in the environment is kept everywhere).
SESSION_HASHSEED = os.environ.get("PYTHONHASHSEED") or str(random.randrange(1, 2**32))
_SHARED = (Warm.SHARED, Warm.SHARED_IF_READY)
_DJANGO_NOT_SET_UP = ("AppRegistryNotReady", "ImproperlyConfigured", "django_db")


class LabRunError(Exception):
    """pytest could not run the lab at all (crash, timeout, no report, cancelled)."""


class _Live:
    """The process groups of the runs in flight, so a Ctrl-C can end them all."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pids: set[int] = set()
        self.cancelled = threading.Event()

    def add(self, pid: int) -> None:
        with self.lock:
            if self.cancelled.is_set():
                kill_group(pid)
            self.pids.add(pid)

    def discard(self, pid: int) -> None:
        with self.lock:
            self.pids.discard(pid)


_live = _Live()


def cancel_all() -> None:
    """Kill every run in flight and refuse new ones (Ctrl-C); `reset_cancel` undoes it."""
    with _live.lock:
        _live.cancelled.set()
        for pid in list(_live.pids):
            kill_group(pid)


def reset_cancel() -> None:
    _live.cancelled.clear()


def track_expression(track: str | None) -> str | None:
    """The `-m` expression for a track: `django` → `core or django`."""
    return None if track is None else " or ".join(TRACKS[track])


def run_lab(
    project: Path,
    lab_dir: Path,
    *,
    track: str | None = None,
    targets: tuple[str, ...] = (),
    extra_args: tuple[str, ...] = (),
    env: dict[str, str | None] | None = None,
    timeout: float = 300,
    warm: Warm = Warm.OFF,
) -> LabRun:
    """Run pytest on `lab_dir` with `project`'s configuration, in a process group of its own.

    `targets` (node ids relative to `lab_dir`, e.g. `tests/test_x.py::test_y`) narrow the run
    to those tests; pytest then imports only their modules.

    `warm` forks the run from a server that has already imported the frameworks
    (`patterns_workbook.run.warm`: one this process owns, or the learner's shared one), with
    the same environment from interpreter start; a subprocess where no server can run it.
    """
    fast = track is not None and "django" not in TRACKS[track]
    paths = tuple(str(lab_dir / t) for t in targets) or (str(lab_dir),)
    run = _run(project, lab_dir, paths, track, extra_args, env, timeout, warm, fast)
    if fast and any(
        marker in e.get("message", "") for e in run.collect_errors for marker in _DJANGO_NOT_SET_UP
    ):  # the lab imports Django outside a test_django_*.py module: run it with Django set up
        run = _run(project, lab_dir, paths, track, extra_args, env, timeout, warm, fast=False)
    return run


def _run(
    project: Path,
    lab_dir: Path,
    paths: tuple[str, ...],
    track: str | None,
    extra_args: tuple[str, ...],
    env: dict[str, str | None] | None,
    timeout: float,
    warm: Warm,
    fast: bool,
) -> LabRun:
    if _live.cancelled.is_set():
        raise LabRunError(f"the run of {lab_dir.name} was cancelled")
    with tempfile.TemporaryDirectory(prefix="workbook-report-") as tmp:
        report = Path(tmp) / "report.json"
        log = Path(tmp) / "output.txt"
        args = [
            # --tb=no: the report carries each failure's message; printing hundreds of
            # tracebacks nobody reads cost a failing lab 3-5 s (lab 08's starter: 7.5 s → 2.2 s)
            *paths, "-q", "--tb=no", "-p", "no:cacheprovider",
            "--rootdir", str(project), "-c", str(project / "pyproject.toml"),
            "--workbook-report", str(report), *extra_args,
        ]  # fmt: skip
        if track is not None:
            args += ["-m", track_expression(track) or "", "--workbook-track", track]
        if fast:
            args += ["-p", "no:django"]
        drawn = {} if warm in _SHARED else {"PYTHONHASHSEED": SESSION_HASHSEED}
        run_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **drawn, **(env or {})}
        run_env = {k: v for k, v in run_env.items() if v is not None}
        code = _pytest(args, project, run_env, log, timeout, warm, report)
        output = _tail(log)
        if code is None:
            raise LabRunError(f"pytest on {lab_dir.name} ran past {timeout:.0f} s and was stopped")
        if _live.cancelled.is_set():
            raise LabRunError(f"the run of {lab_dir.name} was cancelled")
        if not report.exists():
            raise LabRunError(_usage_error(output) or f"pytest on {lab_dir.name} crashed "
                              f"(exit {code}):\n{output}")  # fmt: skip
        return read_report(report, output)


def _usage_error(output: str) -> str | None:
    """pytest's one `ERROR: …` line when set-up refused to start (e.g. DATABASE_URL unreachable)."""
    lines = [line[len("ERROR: ") :] for line in output.splitlines() if line.startswith("ERROR: ")]
    return lines[0] if len(lines) == 1 else None


def _pytest(
    args: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float, warm: Warm,
    report: Path,
) -> int | None:  # fmt: skip
    """pytest forked from a warm server when asked and one can run it, else a subprocess —
    within `timeout` seconds in all."""
    if warm is Warm.OFF or not warm_runner.available():
        return _subprocess(args, cwd, env, log, timeout)
    started = time.monotonic()
    try:
        return warm_runner.run_pytest(args, cwd, env, log, timeout, _live, mode=warm)
    except warm_runner.Unavailable:  # nothing of a fork that ended early may be read
        report.unlink(missing_ok=True)
        alone = {"PYTHONHASHSEED": SESSION_HASHSEED, **env}
        left = max(1.0, timeout - (time.monotonic() - started))
        code = _subprocess(args, cwd, alone, log, left)
    if warm is Warm.SHARED_IF_READY:
        warm_runner.prepare_shared(env)  # for the next run
    return code


def _subprocess(args: list[str], cwd: Path, env: dict[str, str], log: Path, timeout: float):
    """`python -m pytest args` in a new session; its exit code, or None after a timeout."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", *args],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        _live.add(proc.pid)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        finally:  # a Ctrl-C, a timeout, or a run that left children behind
            kill_group(proc.pid)
            proc.wait()
            _live.discard(proc.pid)


def _tail(log: Path) -> str:
    """The last OUTPUT_TAIL bytes of pytest's output (a 100 MB print is not read whole)."""
    try:
        with log.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - OUTPUT_TAIL))
            data = handle.read()
    except FileNotFoundError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return (f"[… {size - OUTPUT_TAIL} bytes of output cut]\n" if size > OUTPUT_TAIL else "") + text
