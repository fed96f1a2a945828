"""A small fake workbook for the `workbook` CLI's tests.

Two tiny labs (with solutions, hints, README) plus a catalog entry with no folder, the real
`pyproject.toml`, and a git commit — built once per test process, then copied per test.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from patterns_workbook.learner.cli import app
from patterns_workbook.run.report import LabRun, TestResult

PROJECT = Path(__file__).resolve().parents[2]

CATALOG = """\
start = "notebooks/00_start_here.ipynb"

[[lab]]
id = "01_sum_numbers"
title = "Summing numbers"
notebook = "notebooks/01_sum_numbers.ipynb"
package = "wb_numbers"
files = ["wb_numbers/calc.py"]
frameworks = ["django", "flask"]
minutes = 5
tasks = ["Add two numbers", "Total a list"]

[[lab]]
id = "02_sum_words"
title = "Counting words"
notebook = "notebooks/02_sum_words.ipynb"
package = "wb_words"
files = ["wb_words/words.py"]
frameworks = ["fastapi"]
minutes = 5
tasks = ["Count the words"]

[[lab]]
id = "03_ghost"
title = "Not written yet"
notebook = "notebooks/03_ghost.ipynb"
package = "wb_ghost"
files = ["wb_ghost/ghost.py"]
frameworks = ["django", "fastapi", "flask"]
minutes = 5
tasks = ["Haunt"]
"""

STARTER_NUMBERS = '''\
"""Arithmetic for lab 01."""


def add(a: int, b: int) -> int:
    """The sum of a and b."""
    raise NotImplementedError("TODO(task 1): add a and b — see README task 1")


def total(values: list[int]) -> int:
    """The sum of every value; 0 for none."""
    raise NotImplementedError("TODO(task 2): total the values — see README task 2")
'''

SOLUTION_NUMBERS = '''\
"""Arithmetic for lab 01."""


def add(a: int, b: int) -> int:
    """The sum of a and b."""
    return a + b


def total(values: list[int]) -> int:
    """The sum of every value; 0 for none."""
    return sum(values)
'''

TESTS_NUMBERS = """\
import pytest

from wb_numbers.calc import add, total


@pytest.mark.core
@pytest.mark.task(1)
def test_add_returns_the_sum():
    assert add(2, 3) == 5, f"add(2, 3) returned {add(2, 3)!r}; expected 5 (task 1)"


@pytest.mark.core
@pytest.mark.task(2)
def test_total_of_nothing_is_zero():
    assert total([]) == 0, "total([]) should be 0 (task 2)"


@pytest.mark.django
@pytest.mark.task(2)
def test_total_django_flavour():
    assert total([1, 2]) == 3, "total([1, 2]) should be 3 (task 2)"


@pytest.mark.flask
@pytest.mark.task(2)
def test_total_flask_flavour():
    assert total([4, 5]) == 9, "total([4, 5]) should be 9 (task 2)"
"""

STARTER_WORDS = '''\
"""Words for lab 02."""


def count(text: str) -> int:
    """How many whitespace-separated words `text` holds."""
    raise NotImplementedError("TODO(task 1): count the words — see README task 1")
'''

SOLUTION_WORDS = '''\
"""Words for lab 02."""


def count(text: str) -> int:
    """How many whitespace-separated words `text` holds."""
    return len(text.split())
'''

TESTS_WORDS = """\
import pytest

from wb_words.words import count


@pytest.mark.core
@pytest.mark.task(1)
def test_count_splits_on_whitespace():
    assert count("a b  c") == 3, "count('a b  c') should be 3 (task 1)"
"""

README = """\
# Lab {n}

## Task 1 — first

Do the first thing.

## Why this design

Because {why} keeps the [core] small.

## How to run

`pytest labs/{lab}`
"""

HINTS_NUMBERS = """\
# Hints

## Task 1

### Hint 1

Which operator adds?

### Hint 2

The `+` operator, see the docs.

## Task 2

### Hint 1

Is there a builtin for totals?

### Hint 2

```python
## Task 9 (inside a code block: not a heading)
```

### Hint 3

`sum(...)` of the list.
"""

HINTS_WORDS = """\
## Task 1

### Hint 1

What does `str.split()` do without arguments?
"""

FILES: dict[str, str] = {
    "catalog.toml": CATALOG,
    "notebooks/01_sum_numbers.ipynb": "{}\n",
    "labs/01_sum_numbers/README.md": README.format(n="01", why="adding", lab="01_sum_numbers"),
    "labs/01_sum_numbers/hints.md": HINTS_NUMBERS,
    "labs/01_sum_numbers/conftest.py": '"""Puts the lab folder on sys.path."""\n',
    "labs/01_sum_numbers/wb_numbers/__init__.py": "",
    "labs/01_sum_numbers/wb_numbers/calc.py": STARTER_NUMBERS,
    "labs/01_sum_numbers/tests/test_calc.py": TESTS_NUMBERS,
    "solutions/01_sum_numbers/wb_numbers/calc.py": SOLUTION_NUMBERS,
    "labs/02_sum_words/README.md": README.format(n="02", why="counting", lab="02_sum_words"),
    "labs/02_sum_words/hints.md": HINTS_WORDS,
    "labs/02_sum_words/conftest.py": '"""Puts the lab folder on sys.path."""\n',
    "labs/02_sum_words/wb_words/__init__.py": "",
    "labs/02_sum_words/wb_words/words.py": STARTER_WORDS,
    "labs/02_sum_words/tests/test_words.py": TESTS_WORDS,
    "solutions/02_sum_words/wb_words/words.py": SOLUTION_WORDS,
}

SPARE_PLUGINS = ("django", "xdist", "xdist.looponfail", "anyio")


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Workbook Tests", "-c", "user.email=tests@example.invalid",
         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture(scope="session")
def workbook_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workbook-template")
    shutil.copy2(PROJECT / "pyproject.toml", root / "pyproject.toml")
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "fake workbook")
    return root


@pytest.fixture
def workbook(workbook_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the fake workbook, as the current directory."""
    root = tmp_path / "workbook"
    shutil.copytree(workbook_template, root, symlinks=True)
    monkeypatch.chdir(root)
    monkeypatch.delenv("WORKBOOK_TRACK", raising=False)
    # the tiny labs need none of these plugins; skipping them halves each pytest run (~0.3 s)
    monkeypatch.setenv("PYTEST_ADDOPTS", " ".join(f"-p no:{name}" for name in SPARE_PLUGINS))
    return root


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Invoke `workbook …` in-process; stdout and stderr are captured apart."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        base = {"COLUMNS": "160", "NO_COLOR": "1"}
        return runner.invoke(app, list(args), env={**base, **(env or {})})

    return invoke


def _error_line(result: Result) -> str:
    """The single `error:` line of a failed command; fails if there is more, or a traceback."""
    assert result.exit_code == 2, f"expected exit 2, got {result.exit_code}: {result.output}"
    assert "Traceback" not in result.output, f"a traceback leaked: {result.output}"
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), f"an exception escaped: {result.exception!r}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line on stderr, got {lines}"
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


@pytest.fixture
def error_line() -> Callable[[Result], str]:
    """Check that a command failed with one `error:` line (exit 2, no traceback); return it."""
    return _error_line


@pytest.fixture
def solve(workbook: Path) -> Callable[[str], None]:
    """Lay a lab's reference solution over the learner's files."""

    def apply(lab_id: str) -> None:
        solution = workbook / "solutions" / lab_id
        for src in solution.rglob("*.py"):
            shutil.copy2(src, workbook / "labs" / lab_id / src.relative_to(solution))

    return apply


def _result(name: str, task: int | None, track: str, outcome: str, message: str = "") -> TestResult:
    failed = outcome in ("failed", "error")
    return TestResult(
        nodeid=f"labs/x/tests/test_x.py::{name}",
        name=name,
        task=task,
        tracks=(track,),
        outcome=outcome,
        exc_type="AssertionError" if failed else None,
        assertion=failed,
        message=message,
    )


@pytest.fixture
def fake_runs(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str | None]]:
    """Replace `run_lab` with canned results: `fake_runs(lab_folder={...})`.

    Each lab folder name maps to an exception to raise, a LabRun, or a list of tests, each a
    tuple `(name, task, track, outcome[, message])`. Returns the tracks it was asked for.
    """
    asked: list[str | None] = []

    def install(**runs: Exception | LabRun | list[tuple]) -> list[str | None]:
        def run(project: Path, lab_dir: Path, *, track: str | None = None) -> LabRun:
            asked.append(track)
            outcome = runs[lab_dir.name]
            if isinstance(outcome, Exception):
                raise outcome
            if isinstance(outcome, LabRun):
                return outcome
            tests = tuple(_result(*spec) for spec in outcome)
            failed = any(t.outcome in ("failed", "error") for t in tests)
            return LabRun(exitstatus=int(failed), tests=tests, collect_errors=(), output="")

        monkeypatch.setattr("patterns_workbook.learner.progress.run_lab", run)
        return asked

    return install
