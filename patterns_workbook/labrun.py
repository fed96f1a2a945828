"""Run a lab's tests and read back, per test, its task, track and outcome.

Used by the `workbook` CLI (on the learner's own files) and by the maintainer suite (on a
copy of the committed starter with the solution or a wrong answer laid over it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from patterns_workbook import warm as warm_runner
from patterns_workbook.catalog import TRACKS, Lab

_IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc", "*.sqlite3")


@dataclass(frozen=True)
class TestResult:
    nodeid: str
    name: str
    task: int | None
    tracks: tuple[str, ...]
    outcome: str  # passed | failed | error | skipped | not run
    exc_type: str | None
    assertion: bool  # failed on an assertion (not an import error or NotImplementedError)
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome == "passed"


@dataclass(frozen=True)
class LabRun:
    exitstatus: int
    tests: tuple[TestResult, ...]
    collect_errors: tuple[dict[str, str], ...]
    output: str  # what pytest printed, for the problems a report cannot explain

    @property
    def failed(self) -> list[TestResult]:
        return [t for t in self.tests if t.outcome in ("failed", "error")]

    def output_tail(self, lines: int = 15) -> str:
        return "\n".join(self.output.strip().splitlines()[-lines:])

    def by_task(self) -> dict[int | None, list[TestResult]]:
        tasks: dict[int | None, list[TestResult]] = {}
        for test in self.tests:
            tasks.setdefault(test.task, []).append(test)
        return dict(sorted(tasks.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)))


class LabRunError(Exception):
    """pytest could not run the lab at all (crash, timeout, no report)."""


class PatchError(Exception):
    """A wrong answer's diff no longer applies to the solution it was written against."""


def track_expression(track: str | None) -> str | None:
    """The `-m` expression for a track: `django` → `core or django`."""
    return None if track is None else " or ".join(TRACKS[track])


def run_lab(
    project: Path,
    lab_dir: Path,
    *,
    track: str | None = None,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str | None] | None = None,
    timeout: float = 300,
    warm: bool = False,
) -> LabRun:
    """Run pytest on `lab_dir` with `project`'s configuration, in a process of its own.

    `warm` forks the run from a process that has already imported the frameworks
    (`patterns_workbook.warm`): the same isolation, without ~0.9 s of imports per run.
    """
    with tempfile.TemporaryDirectory(prefix="workbook-report-") as tmp:
        report = Path(tmp) / "report.json"
        args = [
            str(lab_dir), "-q", "-p", "no:cacheprovider",
            "--rootdir", str(project), "-c", str(project / "pyproject.toml"),
            "--workbook-report", str(report), *extra_args,
        ]  # fmt: skip
        if (expr := track_expression(track)) is not None:
            args += ["-m", expr]
        run_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
        run_env = {k: v for k, v in run_env.items() if v is not None}
        try:
            if warm and warm_runner.available():
                log = Path(tmp) / "output.txt"
                code = warm_runner.run_pytest(args, project, run_env, log, timeout)
                output = log.read_text(encoding="utf-8", errors="replace")
            else:
                proc = subprocess.run(
                    [sys.executable, "-m", "pytest", *args],
                    cwd=project, env=run_env, capture_output=True, text=True, timeout=timeout,
                )  # fmt: skip
                code, output = proc.returncode, proc.stdout + proc.stderr
        except (subprocess.TimeoutExpired, TimeoutError) as exc:
            raise LabRunError(f"pytest on {lab_dir.name} ran past {timeout:.0f} s") from exc
        if not report.exists():
            raise LabRunError(f"pytest on {lab_dir.name} crashed (exit {code}):\n{output}")
        data = json.loads(report.read_text(encoding="utf-8"))
    tests = tuple(
        TestResult(
            nodeid=t["nodeid"],
            name=t["name"],
            task=t["task"],
            tracks=tuple(t["tracks"]),
            outcome=t["outcome"],
            exc_type=t["exc_type"],
            assertion=t["assertion"],
            message=t["message"],
        )
        for t in data["tests"]
    )
    return LabRun(
        exitstatus=data["exitstatus"],
        tests=tests,
        collect_errors=tuple(data["collect_errors"]),
        output=output,
    )


# ------------------------------------------------------------------ committed starter files


def _git(project: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(["git", *args], cwd=project, capture_output=True, check=False)
    except FileNotFoundError:  # git is not installed
        return None


def shipped_ref(project: Path) -> str:
    """The commit whose labs/ hold the starters as shipped to a learner.

    The branch the learner cloned (`@{upstream}`, e.g. origin/main) when there is one: a
    learner who commits their own work moves HEAD, not that branch, and `git pull` moves
    both to a new release. Without an upstream (a maintainer's checkout, CI), HEAD.
    """
    proc = _git(project, "rev-parse", "--verify", "--quiet", "@{upstream}")
    return "@{upstream}" if proc is not None and proc.returncode == 0 else "HEAD"


def committed_file(project: Path, rel: str, ref: str = "HEAD") -> bytes | None:
    """The file as committed at `ref`, or None (not a git checkout, or never committed)."""
    # `./` resolves `rel` from `project`, also when the git root is a folder above it
    proc = _git(project, "show", f"{ref}:./{rel}")
    return proc.stdout if proc is not None and proc.returncode == 0 else None


def starter_files(lab: Lab, ref: str = "HEAD", *, uncommitted: bool = True) -> dict[str, bytes]:
    """Each learner-editable file of the lab as the workbook ships it.

    The version committed at `ref`, so a learner's own progress never changes what the
    maintainer suite checks; with `uncommitted`, the working-tree file of one never committed
    (a lab being written). The CLI passes `shipped_ref(root)`.
    """
    files: dict[str, bytes] = {}
    for rel in lab.editable_files():
        committed = committed_file(lab.root, f"labs/{lab.id}/{rel}", ref)
        path = lab.path / rel
        if committed is not None:
            files[rel] = committed
        elif uncommitted and path.exists():
            files[rel] = path.read_bytes()
    return files


def build_tree(
    lab: Lab, dest: Path, overlays: tuple[Path, ...] = (), patches: tuple[Path, ...] = ()
) -> Path:
    """Copy the project config and the lab's starter to `dest`, lay `overlays` over it, then
    apply `patches`.

    Returns the lab folder inside `dest`. Each overlay (a solution) holds files at
    lab-relative paths; they replace or add files in the copy. Each patch (a wrong answer) is
    a unified diff with lab-relative `a/…` and `b/…` paths; one that does not apply cleanly
    raises `PatchError` rather than being skipped.
    """
    shutil.copy2(lab.root / "pyproject.toml", dest / "pyproject.toml")
    lab_copy = dest / "labs" / lab.id
    shutil.copytree(lab.path, lab_copy, ignore=_IGNORED)
    for rel, content in starter_files(lab).items():
        (lab_copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (lab_copy / rel).write_bytes(content)
    for overlay in overlays:
        for src in sorted(overlay.rglob("*")):
            if src.is_file() and "__pycache__" not in src.parts:
                target = lab_copy / src.relative_to(overlay)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
    for patch in patches:
        apply_patch(patch, lab_copy)
    return lab_copy


def apply_patch(patch: Path, folder: Path) -> None:
    """`git apply -p1` the diff inside `folder` (no repository needed), or raise PatchError."""
    proc = _git(folder, "apply", "-p1", "--whitespace=nowarn", str(patch.resolve()))
    if proc is None:
        raise PatchError(f"{patch.name}: git is needed to apply wrong-answer diffs")
    if proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip() or "git apply failed"
        raise PatchError(f"{patch.name} no longer applies to the solution: {why}")


def run_variant(
    lab: Lab,
    overlays: tuple[Path, ...] = (),
    *,
    patches: tuple[Path, ...] = (),
    env: dict[str, str | None] | None = None,
    extra_args: tuple[str, ...] = (),
) -> LabRun:
    """Build the starter (+ overlays, + patches) in a temporary folder and run its tests."""
    with tempfile.TemporaryDirectory(prefix=f"workbook-{lab.number}-") as tmp:
        lab_copy = build_tree(lab, Path(tmp), overlays, patches)
        return run_lab(Path(tmp), lab_copy, env=env, extra_args=extra_args, warm=True)
