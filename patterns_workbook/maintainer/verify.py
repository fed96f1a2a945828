"""The maintainer checks of one lab, as functions that return the problems they find.

`tests/test_labs.py` asserts each returns no problem for every lab in the catalog;
`tests/test_verify.py` proves on a toy workbook that each one does report a broken lab, so
the suite cannot pass vacuously.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from patterns_workbook.catalog import TRACK_MARKERS, Lab
from patterns_workbook.labtext import parse_hints, task_sections
from patterns_workbook.maintainer.variants import (
    DATABASES,
    PatchError,
    postgresql_available,
    run_variant,
)
from patterns_workbook.run.report import LabRun
from patterns_workbook.starter import starter_files

MIN_WRONG_ANSWERS = 3
_DIFF_TARGET = re.compile(r"^\+\+\+ b/(\S+)", re.M)


def wrong_answers(lab: Lab) -> list[Path]:
    """Each wrong answer's diff: `tests/wrong_answers/NN_slug/<mistake>.diff`.

    Its description lives beside it in `<mistake>.toml` (CONTRIBUTING, "Wrong answers").
    """
    folder = lab.wrong_answers_path
    return sorted(folder.glob("*.diff")) if folder.is_dir() else []


def check_wrong_answer_layout(lab: Lab) -> list[str]:
    """Every diff has its description and every description its diff; nothing else is there."""
    folder = lab.wrong_answers_path
    if not folder.is_dir():
        return []
    problems = [f"{p.name}: a wrong answer is a .diff with a .toml beside it" for p in
                sorted(folder.iterdir()) if p.suffix not in (".diff", ".toml")]  # fmt: skip
    stems = {p.stem for p in folder.glob("*.diff")}
    problems += [f"{p.name} describes no wrong answer ({p.stem}.diff is missing)"
                 for p in sorted(folder.glob("*.toml")) if p.stem not in stems]  # fmt: skip
    return problems


def _task_numbers(lab: Lab) -> set[int]:
    return set(range(1, len(lab.tasks) + 1))


def check_starter(lab: Lab, run: LabRun) -> list[str]:
    """The committed starter collects cleanly and every task has a failing test."""
    problems = [f"collection error in {e['nodeid']}:\n{e['message']}" for e in run.collect_errors]
    if not run.tests:
        return [*problems, f"the starter collected no tests:\n{run.output_tail()}"]
    for task, tests in run.by_task().items():
        if task is not None and all(t.ok for t in tests):
            names = ", ".join(t.name for t in tests)
            problems.append(f"task {task}: every test already passes on the starter ({names})")
    return problems


def check_solution(lab: Lab, run: LabRun) -> list[str]:
    """With the solution applied every test passes, and markers match the catalog."""
    return check_passes(run) + check_markers(lab, run)


def check_passes(run: LabRun) -> list[str]:
    """Every test the run collected passed (a one-track run holds only that track's)."""
    problems = [f"collection error in {e['nodeid']}:\n{e['message']}" for e in run.collect_errors]
    problems += [f"{t.nodeid} {t.outcome}: {t.message[:600]}" for t in run.failed]
    if not run.tests:
        problems.append(f"the solution run collected no tests:\n{run.output_tail()}")
    elif run.exitstatus != 0 and not problems:  # e.g. a session-level error after the tests
        problems.append(f"pytest exited {run.exitstatus}:\n{run.output_tail()}")
    return problems


def check_markers(lab: Lab, run: LabRun) -> list[str]:
    problems = []
    for t in run.tests:
        if len(t.tracks) != 1:
            problems.append(f"{t.nodeid}: needs exactly one track marker, has {list(t.tracks)}")
        if t.task not in _task_numbers(lab):
            problems.append(f"{t.nodeid}: task marker {t.task} is not a task of {lab.id}")
    seen_tasks = {t.task for t in run.tests}
    problems += [f"task {n} has no test" for n in sorted(_task_numbers(lab) - seen_tasks)]
    seen_tracks = {track for t in run.tests for track in t.tracks}
    problems += [
        f"framework {fw} is in the catalog but no test carries its marker"
        for fw in lab.frameworks
        if fw not in seen_tracks
    ]
    problems += [f"unknown track {tr}" for tr in seen_tracks - set(TRACK_MARKERS)]
    problems += [
        f"{t.nodeid}: a test in a test_{marker}_*.py module must carry the {marker} marker "
        "(one-track runs of other tracks do not import that module)"
        for t in run.tests
        if (marker := _module_track(t.path)) is not None and marker not in t.tracks
    ]
    return problems


def _module_track(path: str) -> str | None:
    name = Path(path).name
    return next((m for m in TRACK_MARKERS if name.startswith(f"test_{m}_")), None)


def check_editable_files(lab: Lab) -> list[str]:
    """The catalog names the learner's files, the solution holds exactly those, each has a
    starter that differs from it and holds a TODO."""
    problems = []
    if not lab.files:
        problems.append("catalog.toml names no `files` the learner edits")
    solution = set(lab.solution_files())
    problems += [f"solutions/{lab.id}/{rel} is not in the catalog's `files`"
                 for rel in sorted(solution - set(lab.files))]  # fmt: skip
    problems += [f"catalog `files` names {rel}, but solutions/{lab.id}/{rel} is missing"
                 for rel in sorted(set(lab.files) - solution)]  # fmt: skip
    starters = starter_files(lab)
    for rel in lab.editable_files():
        parts = Path(rel).parts
        if parts[0] == "tests" or Path(rel).name == "conftest.py":
            problems.append(f"solution file {rel} is test code: a learner never edits tests")
        if rel not in starters:
            problems.append(f"solution file {rel} has no starter at labs/{lab.id}/{rel}")
            continue
        if not (lab.solution_path / rel).is_file():
            continue
        if (lab.solution_path / rel).read_bytes() == starters[rel]:
            problems.append(f"solution file {rel} is identical to its starter")
        if rel.endswith(".py") and b"TODO(task" not in starters[rel]:
            problems.append(f"starter {rel} has no `TODO(task N)` marking what to build")
    return problems


def check_docs(lab: Lab) -> list[str]:
    """README and hints have a section per catalog task, and each hint section has tiers."""
    problems = []
    readme = _read(lab.path / "README.md")
    hints_text = _read(lab.path / "hints.md")
    readme_tasks = task_sections(readme)
    hint_tasks = task_sections(hints_text)
    hints = parse_hints(hints_text)
    for n in sorted(_task_numbers(lab)):
        if n not in readme_tasks:
            problems.append(f"README.md has no '## Task {n}' section")
        if n not in hint_tasks:
            problems.append(f"hints.md has no '## Task {n}' section")
        elif n not in hints:
            problems.append(f"hints.md task {n} has no '### Hint 1' tier")
    if not re.search(r"^## Why this design", readme, re.M):
        problems.append("README.md has no '## Why this design' section")
    return problems


def tiers_to_split(lab: Lab) -> list[str]:
    """Hint tiers whose shared text speaks of two or more frameworks: each needs
    `#### <track>` blocks so a one-track learner reads only theirs (docs/design.md §3)."""
    hints = parse_hints(_read(lab.path / "hints.md"))
    return [
        f"task {n} hint {k}: {', '.join(names)}"
        for n, task in hints.items()
        for k, tier in enumerate(task.tiers, 1)
        if len(names := tier.frameworks_mentioned()) >= 2
    ]


def check_wrong_answer(lab: Lab, wrong: Path, run: LabRun | None = None) -> list[str]:
    """The wrong answer makes a named test fail on an assertion that names the mistake.

    On each database its `databases` names (default: SQLite only); PostgreSQL is checked
    when DATABASE_URL is set and skipped otherwise. `run` (the toy's tests) replaces the run.
    """
    spec_path = wrong.with_suffix(".toml")
    try:
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8"))
        caught_by: list[str] = list(spec["caught_by"])
        expected: str = spec["message"]
        databases: list[str] = list(spec.get("databases", ["sqlite"]))
        if not spec["mistake"]:
            raise KeyError("mistake")
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        return [f"{wrong.stem}: {spec_path.name} missing or incomplete ({exc})"]
    problems = _check_diff_targets(lab, wrong) + _check_databases(lab, wrong.stem, databases)
    if problems or run is not None:
        return problems or _check_caught(wrong.stem, run, caught_by, expected)
    for database in databases:
        if database == "postgresql" and not postgresql_available():
            continue
        try:
            run = run_variant(
                lab, (lab.solution_path,), patches=(wrong,), database=database,
                **_only(lab, caught_by),
            )  # fmt: skip
        except PatchError as exc:
            return [str(exc)]
        problems += [
            f"{p} (on {database})" for p in _check_caught(wrong.stem, run, caught_by, expected)
        ]
    return problems


def _check_databases(lab: Lab, name: str, databases: list[str]) -> list[str]:
    if not databases or any(d not in DATABASES for d in databases):
        return [f"{name}: databases={databases} must name some of {', '.join(DATABASES)}"]
    if databases != ["sqlite"] and not lab.database:
        return [f"{name}: databases={databases}, but the catalog says the lab stores no rows"]
    return []


def _only(lab: Lab, caught_by: list[str]) -> dict[str, tuple[str, ...]]:
    """Run only the tests that should catch it: the proof is the same, the run much shorter.

    Node ids of the test functions the names define (pytest then imports only their modules),
    or `-k` over the whole lab when a name is a substring no `def` spells out.
    """
    names = sorted({name.split("[")[0] for name in caught_by})
    modules = sorted((lab.path / "tests").glob("test_*.py"))
    targets = []
    for name in names:
        defining = [m for m in modules if re.search(rf"^\s*def {name}\(", _read(m), re.M)]
        if not defining:
            return {"extra_args": ("-k", " or ".join(names))}
        targets += [f"tests/{m.name}::{name}" for m in defining]
    return {"targets": tuple(targets)}


def _check_caught(name: str, run: LabRun, caught_by: list[str], expected: str) -> list[str]:
    named = [t for t in run.tests if any(c in t.nodeid for c in caught_by)]
    if not named:
        return [f"{name}: no test matches caught_by={caught_by}"]
    failing = [t for t in named if t.outcome in ("failed", "error")]
    if not failing:
        return [f"{name}: passes every test in caught_by={caught_by}"]
    on_assert = [t for t in failing if t.assertion]
    if not on_assert:
        first = failing[0]
        return [f"{name}: fails for the wrong reason ({first.exc_type}: {first.message[:300]})"]
    if not any(expected.lower() in t.message.lower() for t in on_assert):
        return [
            f"{name}: failure message does not mention {expected!r}: {on_assert[0].message[:400]}"
        ]
    return []


def _check_diff_targets(lab: Lab, wrong: Path) -> list[str]:
    """The diff changes learner files only, and changes something."""
    targets = _DIFF_TARGET.findall(wrong.read_text(encoding="utf-8"))
    if not targets:
        return [f"{wrong.stem}: the diff changes no file"]
    editable = set(lab.editable_files())
    return [
        f"{wrong.stem}: {rel} is not a file the learner edits"
        for rel in targets
        if rel not in editable
    ]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""
