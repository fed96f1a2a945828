"""Variants of a lab for the maintainer suite: the committed starter, with the solution and a
wrong answer's diff laid over it, in a temporary folder, run warm.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from patterns_workbook.catalog import Lab
from patterns_workbook.run.lab import Warm, run_lab
from patterns_workbook.run.report import LabRun
from patterns_workbook.starter import git, starter_files

_IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc", "*.sqlite3")


class PatchError(Exception):
    """A wrong answer's diff no longer applies to the solution it was written against."""


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
    proc = git(folder, "apply", "-p1", "--whitespace=nowarn", str(patch.resolve()))
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
    targets: tuple[str, ...] = (),
    extra_args: tuple[str, ...] = (),
    track: str | None = None,
    database: str = "sqlite",
    warm: bool = True,
) -> LabRun:
    """Build the starter (+ overlays, + patches) in a temporary folder and run its tests
    (only `targets`, node ids relative to the lab folder, when given).

    `database` is "sqlite" (DATABASE_URL removed from the run) or "postgresql" (the server at
    this process's DATABASE_URL, which must be set). `warm=False` runs it in a process of
    its own, as `workbook check` does: nothing imported beforehand.
    """
    env = {**database_env(database), **(env or {})}
    with tempfile.TemporaryDirectory(prefix=f"workbook-{lab.number}-") as tmp:
        lab_copy = build_tree(lab, Path(tmp), overlays, patches)
        return run_lab(
            Path(tmp), lab_copy, env=env, targets=targets, extra_args=extra_args, track=track,
            warm=Warm.OWNED if warm else Warm.OFF,
        )  # fmt: skip


DATABASES = ("sqlite", "postgresql")


def postgresql_available() -> bool:
    return bool(os.environ.get("DATABASE_URL", "").strip())


def database_env(database: str) -> dict[str, str | None]:
    """The environment that puts a run on `database`."""
    if database == "sqlite":
        return {"DATABASE_URL": None}
    if database == "postgresql" and postgresql_available():
        return {"DATABASE_URL": os.environ["DATABASE_URL"]}
    if database == "postgresql":
        raise ValueError("a PostgreSQL run needs DATABASE_URL set")
    raise ValueError(f"unknown database {database!r}; one of {', '.join(DATABASES)}")
