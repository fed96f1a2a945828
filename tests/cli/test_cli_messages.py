"""What the command says: tracks kept, given files, unknown starters, caches, per-track hints."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from patterns_workbook.labtext import parse_hints

NUMBERS = Path("labs/01_sum_numbers/wb_numbers/calc.py")


def test_suggested_commands_keep_the_track(workbook, cli, fake_runs):
    fake_runs(**{"01_sum_numbers": [("test_a", 1, "core", "failed", "no (task 1)")]})

    out = cli("check", "1", "--track", "django").stdout

    assert "workbook hint 01 --track django" in out
    assert 'pytest labs/01_sum_numbers -m "core or django"' in out


def test_test_ids_are_never_wrapped(workbook, cli, fake_runs):
    name = "test_" + "a_very_long_test_name_" * 4 + "[flask]"
    fake_runs(**{"01_sum_numbers": [(name, 1, "flask", "failed", "no")]})

    out = cli("check", "1", env={"COLUMNS": "40"}).stdout

    assert f"labs/x/tests/test_x.py::{name}" in out


def test_check_names_the_given_files_that_differ_from_the_starter(workbook, cli, solve):
    solve("01_sum_numbers")
    tests = workbook / "labs/01_sum_numbers/tests/test_calc.py"
    tests.write_text(tests.read_text() + "\n# the learner was here\n")

    out = cli("check", "1").stdout

    assert "given files the lab does not ask you to edit: tests/test_calc.py" in out


def test_status_without_git_derives_the_state_from_the_tests(workbook, cli, solve):
    shutil.rmtree(workbook / ".git")
    solve("02_sum_words")

    out = cli("status").stdout

    assert "done" in next(line for line in out.splitlines() if "Counting words" in line)
    assert "not started" in next(line for line in out.splitlines() if "Summing numbers" in line)
    assert "not a git clone, so the shipped starter is unknown" in out


def test_status_in_a_clone_knows_the_starter(workbook, cli, tmp_path, monkeypatch):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(workbook), str(clone)], check=True)
    monkeypatch.chdir(clone)
    calc = clone / NUMBERS
    calc.write_text(calc.read_text().replace("total the values", "total them"))  # started

    out = cli("status").stdout

    assert "in progress" in next(line for line in out.splitlines() if "Summing numbers" in line)
    assert "unknown" not in out


def test_reset_says_it_needs_git(workbook, cli, error_line):
    shutil.rmtree(workbook / ".git")
    assert "reset reads the starter files from git" in error_line(cli("reset", "1"))


def test_a_repeated_status_answers_from_the_cache(workbook, cli, monkeypatch):
    first = cli("status")
    assert first.exit_code == 0, first.output

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("status re-ran a lab whose files did not change")

    monkeypatch.setattr("patterns_workbook.learner.progress.run_lab", must_not_run)
    again = cli("status")
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout

    (workbook / NUMBERS).write_text((workbook / NUMBERS).read_text() + "\n")
    monkeypatch.undo()
    ran: list[str] = []
    from patterns_workbook.run import lab as run_module

    def counted(project: Path, lab_dir: Path, **kwargs: object):
        ran.append(lab_dir.name)
        return run_module.run_lab(project, lab_dir, **kwargs)

    monkeypatch.setattr("patterns_workbook.learner.progress.run_lab", counted)
    monkeypatch.chdir(workbook)
    assert cli("status").exit_code == 0
    assert ran == ["01_sum_numbers"], "only the lab whose files changed runs again"


def test_watch_on_a_track_comes_back_to_earlier_unfinished_labs(workbook, cli, monkeypatch):
    catalog = workbook / "catalog.toml"
    text = catalog.read_text().replace('frameworks = ["fastapi"]', 'frameworks = ["flask"]')
    catalog.write_text(text)  # lab 02 serves the Flask track too

    def solve_on_save(folder: Path, poll: bool) -> Iterator[set[str]]:
        lab_id = folder.name
        solution = workbook / "solutions" / lab_id
        for src in solution.rglob("*.py"):
            shutil.copy2(src, folder / src.relative_to(solution))
        yield {str(folder)}

    monkeypatch.setattr("patterns_workbook.learner.watch.lab_changes", solve_on_save)

    out = cli("watch", "2", "--track", "flask").stdout  # lab 01 is unfinished, and earlier

    assert "Why this design — lab 02" in out
    assert "01 · Summing numbers" in out, "watch went back to the unfinished lab 01"
    assert "No unfinished labs left on the Flask track" in out


HINTS = """\
## Task 1

### Hint 1

Shared nudge.

#### Django

Use the ORM's `F()`.

#### SQLAlchemy

Use `update()`.

```python
## Task 9 (code, not a heading)
#### django (code, not a block)
```

### Hint 2

Plain tier.
"""


def test_hint_tiers_have_per_track_blocks():
    tier = parse_hints(HINTS)[1].tiers[0]

    assert tier.text("django") == "Shared nudge.\n\nUse the ORM's `F()`."
    assert tier.text("flask").startswith("Shared nudge.\n\nUse `update()`.")
    assert "## Task 9 (code, not a heading)" in tier.text("fastapi")
    assert "**Django:**" in tier.text(None) and "**SQLAlchemy:**" in tier.text(None)
    assert list(parse_hints(HINTS)) == [1], "a heading inside a code fence is text"


def test_hint_with_a_track_shows_only_that_tracks_text(workbook, cli):
    (workbook / "labs/01_sum_numbers/hints.md").write_text(HINTS)

    out = cli("hint", "1", "--task", "1", "--track", "django").stdout

    assert "Use the ORM's F()" in out and "update()" not in out
    assert "Django track" in out
