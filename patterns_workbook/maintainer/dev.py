"""`workbook dev`: the maintainer's commands — scaffold a lab, check one lab with timings.

`workbook dev new NN_slug` writes a lab skeleton that already passes the maintainer suite's
structural checks (catalog entry with its `files`, README and hints with task sections, a
stub with its TODO, the solution, a test per track, three wrong-answer diffs, a notebook with
the sections of docs/design.md §4), so a contributor starts from green and replaces the
placeholder with the pattern. `workbook dev check NN` runs the maintainer suite's checks for
that one lab and says how long each took.
"""

from __future__ import annotations

import difflib
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from patterns_workbook import catalog as catalog_module
from patterns_workbook.catalog import TRACKS, CatalogError, Lab
from patterns_workbook.maintainer import verify
from patterns_workbook.maintainer.variants import postgresql_available, run_variant

dev_app = typer.Typer(
    help="Maintainer commands: scaffold a lab (dev new), check one lab (dev check).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

_LAB_ID = re.compile(r"\d\d_[a-z][a-z0-9_]*")


def _out(text: str = "", style: str = "") -> None:
    from patterns_workbook.learner.ui import console

    console().print(Text(text, style=style), soft_wrap=True)


def _fail(message: str) -> None:
    from patterns_workbook.learner.ui import error

    error(message)
    raise typer.Exit(2)


# ------------------------------------------------------------------------------ dev check


def check_lab(lab: Lab, say: Callable[[str, list[str], float], None]) -> list[str]:
    """Every maintainer check of one lab, each reported to `say(name, problems, seconds)`.

    A database lab runs on PostgreSQL too when DATABASE_URL is set, as the suite does.
    """
    problems: list[str] = []

    def step(name: str, run: Callable[[], list[str]]) -> None:
        started = time.perf_counter()
        try:
            found = run()
        except Exception as exc:  # a check that crashes is a problem to show, not a traceback
            found = [f"{type(exc).__name__}: {exc}"]
        say(name, found, time.perf_counter() - started)
        problems.extend(f"{name}: {p}" for p in found)

    def enough_wrong_answers() -> list[str]:
        found = verify.check_wrong_answer_layout(lab)
        count = len(verify.wrong_answers(lab))
        if count < verify.MIN_WRONG_ANSWERS:
            found.append(f"{count} wrong answers; at least {verify.MIN_WRONG_ANSWERS} are needed")
        return found

    step("learner files and TODOs", lambda: verify.check_editable_files(lab))
    step("README and hints cover every task", lambda: verify.check_docs(lab))
    step("wrong answers laid out", enough_wrong_answers)
    databases = ["sqlite", "postgresql"] if lab.database and postgresql_available() else ["sqlite"]
    for db in databases:
        on = "" if len(databases) == 1 else f" on {db}"
        step(
            f"starter fails every task{on}",
            lambda db=db: verify.check_starter(lab, run_variant(lab, database=db)),
        )
        step(
            f"solution passes, markers consistent{on}",
            lambda db=db: verify.check_solution(
                lab, run_variant(lab, (lab.solution_path,), database=db)
            ),
        )
    for wrong in verify.wrong_answers(lab):
        step(f"wrong answer {wrong.stem}", lambda w=wrong: verify.check_wrong_answer(lab, w))
    return problems


@dev_app.command("check")
def dev_check(lab: Annotated[str, typer.Argument(help="The lab: 7, 07 or 07_caching.")]) -> None:
    """The maintainer suite's checks for one lab, with the time each took."""
    try:
        chosen = catalog_module.load().find(lab)
    except CatalogError as exc:
        _fail(str(exc))
        return
    if not chosen.path.is_dir():
        _fail(f"labs/{chosen.id} is listed in catalog.toml but is not in this checkout")
    started = time.perf_counter()

    def say(name: str, problems: list[str], seconds: float) -> None:
        mark, style = ("✔", "green") if not problems else ("✘", "red")
        _out(f"{mark} {seconds:5.1f} s  {name}", style)
        for problem in problems:
            _out("      " + problem.replace("\n", "\n      "), "red")

    _out(f"workbook dev check {chosen.id}", "bold")
    problems = check_lab(chosen, say)
    advice = verify.tiers_to_split(chosen)
    if advice:
        _out("Hint tiers that mix frameworks (split them into #### <track> blocks):", "yellow")
        for line in advice:
            _out(f"      {line}", "yellow")
    total = time.perf_counter() - started
    verdict = "green" if not problems else f"{len(problems)} problem(s)"
    _out(f"{chosen.id}: {verdict} in {total:.1f} s", "bold green" if not problems else "bold red")
    if problems:
        raise typer.Exit(1)


# -------------------------------------------------------------------------------- dev new


def _stub(title: str, body: str) -> str:
    return (
        f'"""{title}: the piece of the pattern the learner writes."""\n\n\n'
        "def describe(name: str) -> str:\n"
        '    """The greeting for `name`, its surrounding whitespace removed: `Hello, Ada!`."""\n'
        f"    {body}\n"
    )


def _tests(package: str, frameworks: tuple[str, ...]) -> str:
    param = '\n        pytest.param("{0}", marks=pytest.mark.{0}),'
    params = "".join(param.format(fw) for fw in frameworks)
    return f'''"""Placeholder tests: replace them with the pattern's behavioural suite."""

import pytest

from {package}.core import describe


@pytest.mark.core
@pytest.mark.task(1)
def test_describe_greets_by_name():
    got = describe("Ada")
    assert got == "Hello, Ada!", (
        f"describe('Ada') returned {{got!r}}; expected 'Hello, Ada!' (task 1)"
    )


@pytest.mark.parametrize(
    "framework",
    [{params}
    ],
)
@pytest.mark.task(1)
def test_describe_strips_the_name(framework):
    got = describe("  Ada ")
    assert got == "Hello, Ada!", (
        f"[{{framework}}] describe('  Ada ') returned {{got!r}}; strip the name first (task 1)"
    )
'''


_README = """# Lab {number} — {title}

Read [`{notebook}`](../../{notebook}) first.

## Task 1 — {task}

Write `describe(name)` in `{package}/core.py`: `Hello, <name>!`, the name stripped.

## How to run

```bash
workbook check {number}            # or: pytest labs/{lab_id}
workbook check {number} --track django
```

## Why this design

Replace this with why the pattern is built this way (shown by `workbook watch` when the lab
is done).
"""

_HINTS = """# Hints — Lab {number}, {title}

## Task 1

### Hint 1

What should `describe("  Ada ")` return, and which string method removes the spaces?

### Hint 2

[`str.strip`](https://docs.python.org/3/library/stdtypes.html#str.strip) and an f-string.

#### django

Text only the Django track sees (a `#### <track>` block; see CONTRIBUTING, "Hints").

#### sqlalchemy

Text the FastAPI and Flask tracks see.

### Hint 3

Strip the name, then build the greeting around it.
"""

_WRONG = (  # (name, replacement body, mistake, caught_by, message)
    ("no_exclamation_mark", 'return f"Hello, {name.strip()}"',
     "the greeting has no exclamation mark", ["test_describe_greets_by_name"], "Hello, Ada!"),
    ("name_not_stripped", 'return f"Hello, {name}!"',
     "the name keeps its surrounding whitespace", ["test_describe_strips_the_name"], "strip"),
    ("lower_case_greeting", 'return f"hello, {name.strip()}!"',
     "the greeting starts in lower case", ["test_describe_greets_by_name"], "Hello, Ada!"),
)  # fmt: skip
_SOLUTION = 'return f"Hello, {name.strip()}!"'


def _notebook(number: str, lab_id: str, title: str) -> str:
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        display = KernelSpecManager().get_kernel_spec("python3").display_name
    except Exception:
        display = "Python 3 (ipykernel)"
    sections = [
        f"# {number} — {title}\n\n## Why\n\nWhy this pattern exists (replace).",
        "## The naive version and its traps\n\nEach trap shown happening in a cell.",
        "## The pattern in Django / FastAPI / Flask",
        "## Measured\n\nA table or a plot from a cell above.",
        "## In production\n\nThe well-kept library and when to use it.",
        f"## Your lab\n\n`labs/{lab_id}`: run `workbook check {number}`.",
        "## Checklist\n\n- [ ] replace this skeleton",
    ]
    cells: list[dict] = []
    for n, text in enumerate(sections):
        cells.append({"cell_type": "markdown", "metadata": {}, "source": text})
        if n == 0:
            cells.append({
                "cell_type": "code", "execution_count": 1, "metadata": {},
                "outputs": [{"name": "stdout", "output_type": "stream", "text": "skeleton\n"}],
                "source": 'print("skeleton")',
            })  # fmt: skip
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": display, "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _catalog_entry(lab_id: str, title: str, notebook: str, package: str,
                   frameworks: tuple[str, ...], task: str) -> str:  # fmt: skip
    listed = ", ".join(f'"{fw}"' for fw in frameworks)
    return (
        f'\n[[lab]]\nid = "{lab_id}"\ntitle = "{title}"\nnotebook = "{notebook}"\n'
        f'package = "{package}"\nfiles = ["{package}/core.py"]\nframeworks = [{listed}]\n'
        f'minutes = 60\ntasks = [\n    "{task}",\n]\n'
    )


def scaffold(root: Path, lab_id: str, title: str, package: str,
             frameworks: tuple[str, ...]) -> list[Path]:  # fmt: skip
    """Write the skeleton of lab `lab_id`; the paths written, catalog.toml last."""
    number, slug = lab_id[:2], lab_id[3:]
    notebook = f"notebooks/{lab_id}.ipynb"
    task = "Describe: a greeting with the name stripped (replace with the pattern's tasks)"
    core = f"{package}/core.py"
    todo = 'raise NotImplementedError("TODO(task 1): greet the stripped name — see README task 1")'
    values = {"number": number, "title": title, "notebook": notebook, "task": task,
              "package": package, "lab_id": lab_id}  # fmt: skip
    files = {
        f"labs/{lab_id}/README.md": _README.format(**values),
        f"labs/{lab_id}/hints.md": _HINTS.format(**values),
        f"labs/{lab_id}/conftest.py": f'"""Lab {number} set-up: lab-local fixtures."""\n',
        f"labs/{lab_id}/{package}/__init__.py": f'"""Lab {number}: {title}."""\n',
        f"labs/{lab_id}/{core}": _stub(title, todo),
        f"labs/{lab_id}/tests/test_{slug}.py": _tests(package, frameworks),
        f"solutions/{lab_id}/{core}": _stub(title, _SOLUTION),
        notebook: _notebook(number, lab_id, title),
    }
    solution = _stub(title, _SOLUTION).splitlines(keepends=True)
    for name, body, mistake, caught_by, message in _WRONG:
        wrong = _stub(title, body).splitlines(keepends=True)
        diff = "".join(difflib.unified_diff(solution, wrong, f"a/{core}", f"b/{core}"))
        base = f"tests/wrong_answers/{lab_id}/{name}"
        files[f"{base}.diff"] = diff
        files[f"{base}.toml"] = (
            f'mistake = "{mistake}"\ncaught_by = {json.dumps(caught_by)}\n'
            f"message = {json.dumps(message)}\n"
        )
    written = []
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    catalog_file = root / catalog_module.CATALOG_FILE
    entry = _catalog_entry(lab_id, title, notebook, package, frameworks, task)
    catalog_file.write_text(
        _insert_in_order(catalog_file.read_text(encoding="utf-8"), lab_id, entry),
        encoding="utf-8",
    )
    written.append(catalog_file)
    return written


_LAB_HEADER = re.compile(r'^\[\[lab\]\]\s*\nid = "(\d\d)_', re.M)


def _insert_in_order(text: str, lab_id: str, entry: str) -> str:
    """catalog.toml with `entry` before the first lab numbered after `lab_id`, else at the end."""
    later = next((m for m in _LAB_HEADER.finditer(text) if m.group(1) > lab_id[:2]), None)
    if later is None:
        return text.rstrip("\n") + "\n" + entry
    return text[: later.start()] + entry.lstrip("\n") + "\n" + text[later.start() :]


@dev_app.command("new")
def dev_new(
    lab_id: Annotated[str, typer.Argument(help="NN_slug, e.g. 07_caching.")],
    title: Annotated[str | None, typer.Option(help="The lab's title.")] = None,
    package: Annotated[str | None, typer.Option(help="Default: markets_<slug>.")] = None,
    frameworks: Annotated[
        str, typer.Option(help="Comma-separated tracks the lab serves.")
    ] = "django,fastapi,flask",
) -> None:
    """Scaffold lab NN_slug: a skeleton that passes the maintainer checks from the start."""
    if not _LAB_ID.fullmatch(lab_id):
        _fail(f"{lab_id!r} is not NN_slug (two digits, an underscore, lower-case words)")
    try:
        catalog = catalog_module.load()
    except CatalogError as exc:
        _fail(str(exc))
        return
    chosen = tuple(fw.strip() for fw in frameworks.split(",") if fw.strip())
    unknown = [fw for fw in chosen if fw not in TRACKS]
    if unknown or not chosen:
        _fail(f"unknown frameworks {unknown}; use some of: {', '.join(TRACKS)}")
    slug = lab_id[3:]
    package = package or f"markets_{slug}"
    taken = [lab.id for lab in catalog.labs if lab.id[:2] == lab_id[:2] or lab.package == package]
    if taken or (catalog.root / "labs" / lab_id).exists():
        _fail(f"{lab_id}: its number or package is taken ({', '.join(taken) or 'labs/' + lab_id})")
    title = title or slug.replace("_", " ").capitalize()
    written = scaffold(catalog.root, lab_id, title, package, chosen)
    for path in written:
        _out(f"wrote {path.relative_to(catalog.root).as_posix()}")
    _out(f"Next: workbook dev check {lab_id[:2]}   then replace the placeholder with the pattern",
         "bold")  # fmt: skip
