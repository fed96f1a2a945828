"""The starter as shipped, read from git: the one place the workbook asks git anything.

A learner's clone keeps the shipped starter on the branch it was cloned from (`@{upstream}`),
whatever they commit themselves; a maintainer's checkout and CI read `HEAD`. A copy without
git (a download, a zip) or a fork without an upstream has no shipped starter to read, and
callers say so instead of guessing (`Shipped.known`).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from patterns_workbook.catalog import Lab


def git(project: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in `project`; None when git is not installed."""
    try:
        return subprocess.run(["git", *args], cwd=project, capture_output=True, check=False)
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Shipped:
    """Where the shipped starter can be read: a git ref, or why it cannot be known."""

    ref: str | None  # "@{upstream}" or "HEAD"; None when there is no shipped starter to read
    why_unknown: str = ""  # for a learner, when `ref` cannot be trusted or is None

    @property
    def known(self) -> bool:
        return self.ref is not None and not self.why_unknown


def shipped(project: Path, *, learner: bool = True) -> Shipped:
    """The shipped starter of `project`.

    For a learner it is the upstream branch; without one, `HEAD` may hold the learner's own
    commits, so the starter is *unknown* (reset still uses `HEAD`, and says so). For the
    maintainer suite (`learner=False`) it is `HEAD`.
    """
    head = git(project, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:
        return Shipped(None, "git is not installed, so the shipped starter cannot be read")
    if head.returncode != 0:
        return Shipped(None, "this copy is not a git clone, so the shipped starter is unknown")
    if not learner:
        return Shipped("HEAD")
    upstream = git(project, "rev-parse", "--verify", "--quiet", "@{upstream}")
    if upstream is not None and upstream.returncode == 0:
        return Shipped("@{upstream}")
    return Shipped(
        "HEAD", "this clone has no upstream branch, so the starter as shipped is unknown"
    )


def shipped_ref(project: Path) -> str:
    """The ref a learner's reset restores from: `@{upstream}` when there is one, else HEAD."""
    return shipped(project).ref or "HEAD"


def committed_file(project: Path, rel: str, ref: str = "HEAD") -> bytes | None:
    """The file as committed at `ref`, or None (not a git checkout, or never committed)."""
    # `./` resolves `rel` from `project`, also when the git root is a folder above it
    proc = git(project, "show", f"{ref}:./{rel}")
    return proc.stdout if proc is not None and proc.returncode == 0 else None


def starter_files(lab: Lab, ref: str = "HEAD", *, uncommitted: bool = True) -> dict[str, bytes]:
    """Each learner-editable file of the lab as the workbook ships it.

    The version committed at `ref`, so a learner's own progress never changes what the
    maintainer suite checks; with `uncommitted`, the working-tree file of one never committed
    (a lab being written).
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


def changed_files(project: Path, ref: str, folder: str = "labs") -> set[str] | None:
    """Project-relative paths under `folder` whose working copy differs from `ref` (one git
    call for every lab), or None when git cannot tell."""
    proc = git(project, "diff", "--name-only", "--relative", "--no-renames", ref, "--", folder)
    if proc is None or proc.returncode != 0:
        return None
    return {line for line in proc.stdout.decode(errors="replace").splitlines() if line}


@dataclass(frozen=True)
class Changes:
    """How a lab's files differ from the shipped starter."""

    editable: tuple[str, ...]  # learner files changed (lab-relative): the learner started
    given: tuple[str, ...]  # given files changed (lab-relative): tests, conftest, models…


def lab_changes(lab: Lab, changed: set[str]) -> Changes:
    prefix = f"labs/{lab.id}/"
    mine = [p[len(prefix) :] for p in sorted(changed) if p.startswith(prefix)]
    mine = [p for p in mine if "__pycache__" not in p]
    editable = set(lab.editable_files())
    return Changes(
        editable=tuple(p for p in mine if p in editable),
        given=tuple(p for p in mine if p not in editable),
    )
