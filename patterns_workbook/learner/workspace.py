"""The learner's files against the shipped starter and the reference solution.

`reset_labs` puts a lab's learner-editable files (the catalog's `files`) back to the starter
committed in git, after copying the learner's current files to
`.workbook/backups/<timestamp>/<lab id>/` — nothing a learner wrote is overwritten without a
copy. It needs git (the starter is read from it), not `solutions/`. `solution_diffs` compares
the learner's files with `solutions/<lab id>/`.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from patterns_workbook.catalog import Lab
from patterns_workbook.learner.state import ensure_workbook_dir
from patterns_workbook.starter import shipped_ref, starter_files


class WorkspaceError(Exception):
    """The operation cannot be done safely (no git checkout, no committed starter, …)."""


def require_git_checkout(root: Path) -> None:
    """Raise unless `root` is inside a git working tree with at least one commit."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise WorkspaceError(
            "git is not installed: reset reads the starter files from git, so it needs git"
        ) from exc
    if proc.returncode != 0:
        raise WorkspaceError(
            f"{root} is not a git checkout with a commit: reset reads the starter files from "
            "git and will not guess them (clone the workbook with git to use reset)"
        )


def committed_starter(lab: Lab) -> dict[str, bytes]:
    """The committed starter of every learner-editable file; raises if any is not committed."""
    if not lab.files:
        raise WorkspaceError(f"catalog.toml names no `files` for {lab.id}: nothing to reset")
    files = starter_files(lab, shipped_ref(lab.root), uncommitted=False)
    for rel in lab.editable_files():
        if rel not in files:
            raise WorkspaceError(
                f"labs/{lab.id}/{rel} is not committed in git: there is no starter to restore"
            )
    return files


@dataclass(frozen=True)
class ResetResult:
    lab: Lab
    restored: tuple[str, ...]  # lab-relative paths written back to the starter
    backup: Path | None  # where the learner's files were copied; None when nothing changed


def new_backup_folder(root: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = ensure_workbook_dir(root) / "backups"
    folder, n = base / stamp, 1
    while folder.exists():
        n += 1
        folder = base / f"{stamp}-{n}"
    return folder


def reset_labs(labs: list[Lab], root: Path, now: datetime | None = None) -> list[ResetResult]:
    """Back up, then restore, each lab's learner-editable files to the committed starter.

    Every starter is read before any file is touched, so a lab without a committed starter
    stops the whole reset. A lab whose files already equal the starter is left alone.
    """
    require_git_checkout(root)
    starters = [(lab, committed_starter(lab)) for lab in labs]
    folder: Path | None = None
    results: list[ResetResult] = []
    for lab, starter in starters:
        changed = [rel for rel, content in starter.items() if _read(lab.path / rel) != content]
        if not changed:
            results.append(ResetResult(lab, (), None))
            continue
        folder = folder or new_backup_folder(root, now)
        backup = folder / lab.id
        _back_up(lab, sorted(starter), backup)
        for rel in changed:
            target = lab.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(starter[rel])
        results.append(ResetResult(lab, tuple(changed), backup))
    return results


def _back_up(lab: Lab, rels: list[str], backup: Path) -> None:
    """Copy the learner's current files to `backup` and check each copy before going on."""
    for rel in rels:
        source = lab.path / rel
        if not source.is_file():
            continue
        target = backup / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        if target.read_bytes() != source.read_bytes():
            raise WorkspaceError(f"could not back up {source} to {target}; nothing was reset")


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


@dataclass(frozen=True)
class FileDiff:
    rel: str
    lines: tuple[str, ...]  # unified diff, learner → solution; empty when identical

    @property
    def differs(self) -> bool:
        return bool(self.lines)


def solution_diffs(lab: Lab) -> list[FileDiff]:
    """A unified diff per learner-editable file, from the learner's version to the solution."""
    if not lab.solution_path.is_dir():
        raise WorkspaceError(f"solutions/{lab.id} is missing: this lab has no reference solution")
    diffs = []
    for rel in lab.editable_files():
        mine = _text(lab.path / rel)
        theirs = _text(lab.solution_path / rel)
        lines = difflib.unified_diff(
            mine,
            theirs,
            fromfile=f"labs/{lab.id}/{rel}" if (lab.path / rel).exists() else "/dev/null",
            tofile=f"solutions/{lab.id}/{rel}",
        )
        diffs.append(FileDiff(rel, tuple(line.rstrip("\n") for line in lines)))
    return diffs


def _text(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
