"""`workbook hint`, `reset`, `solution` and `open`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

NUMBERS = Path("labs/01_sum_numbers/wb_numbers/calc.py")
MINE = "def add(a: int, b: int) -> int:\n    return a - b  # the learner's own attempt\n"


def committed(workbook: Path, rel: Path) -> str:
    return subprocess.run(
        ["git", "show", f"HEAD:{rel.as_posix()}"], cwd=workbook, capture_output=True, text=True
    ).stdout


# ------------------------------------------------------------------------------------ hint


def test_hint_reveals_the_first_failing_tasks_hints_one_at_a_time(workbook, cli):
    first = cli("hint", "1")  # runs the tests: task 1 fails first

    assert first.exit_code == 0, first.output
    assert "lab 01 · hint 1 of 2" in first.stdout
    assert "Task 1 — Add two numbers" in first.stdout
    assert "Which operator adds?" in first.stdout

    second = cli("hint", "1", "--task", "1")
    assert "hint 2 of 2" in second.stdout and "The + operator" in second.stdout
    assert "workbook hint 01 --task 1 --all" in second.stdout

    third = cli("hint", "1", "--task", "1")
    assert "hint 2 of 2" in third.stdout
    assert "That is the last hint for task 1" in third.stdout

    state = json.loads((workbook / ".workbook/state.json").read_text())
    assert state == {"hints": {"01_sum_numbers": {"1": 2}}}
    untracked = subprocess.run(
        ["git", "status", "--porcelain"], cwd=workbook, capture_output=True, text=True
    ).stdout
    assert untracked == "", f"git must ignore the CLI's state, but sees: {untracked}"


def test_hint_all_shows_every_tier_and_keeps_headings_inside_code(workbook, cli):
    result = cli("hint", "01", "--task", "2", "--all")

    assert result.exit_code == 0, result.output
    for tier in (1, 2, 3):
        assert f"lab 01 · hint {tier} of 3" in result.stdout
    assert "## Task 9 (inside a code block: not a heading)" in result.stdout
    assert "sum(...) of the list." in result.stdout


def test_hint_picks_the_first_failing_task_from_the_tests(workbook, cli, fake_runs):
    fake_runs(
        **{"01_sum_numbers": [("test_a", 1, "core", "passed"), ("test_b", 2, "flask", "failed")]}
    )
    (workbook / ".workbook").mkdir()
    (workbook / ".workbook/state.json").write_text("{not json")  # forgotten, not fatal

    result = cli("hint", "sum_numbers")

    assert result.exit_code == 0, result.output
    assert "Task 2 — Total a list" in result.stdout
    assert "lab 01 · hint 1 of 3" in result.stdout


def test_hint_when_every_test_passes(workbook, cli, fake_runs):
    fake_runs(**{"01_sum_numbers": [("test_a", 1, "core", "passed")]})

    result = cli("hint", "1")

    assert result.exit_code == 0
    assert "no hint needed" in result.stdout


def test_hint_refuses_missing_hints(workbook, cli, error_line):
    assert "has no hints for task 7" in error_line(cli("hint", "1", "--task", "7"))
    (workbook / "labs/02_sum_words/hints.md").unlink()
    assert "hints.md is missing" in error_line(cli("hint", "2", "--task", "1"))


# ----------------------------------------------------------------------------------- reset


def test_reset_backs_up_the_learners_files_then_restores_the_starter(workbook, cli):
    (workbook / NUMBERS).write_text(MINE)

    result = cli("reset", "1")

    assert result.exit_code == 0, result.output
    assert (workbook / NUMBERS).read_text() == committed(workbook, NUMBERS)
    backups = list((workbook / ".workbook/backups").glob("*/01_sum_numbers/wb_numbers/calc.py"))
    assert len(backups) == 1 and backups[0].read_text() == MINE
    folder = backups[0].parents[1].relative_to(workbook).as_posix()
    assert f"your version is in {folder}" in result.stdout

    again = cli("reset", "1")
    assert "already the starter, nothing to do" in again.stdout
    assert len(list((workbook / ".workbook/backups").iterdir())) == 1


def test_reset_touches_nothing_when_the_backup_fails(workbook, cli, error_line, monkeypatch):
    (workbook / NUMBERS).write_text(MINE)

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr("patterns_workbook.learner.workspace.shutil.copy2", refuse)

    assert "Permission denied" in error_line(cli("reset", "1"))
    assert (workbook / NUMBERS).read_text() == MINE, "the learner's file must be untouched"


def test_reset_all_restores_deleted_files_in_every_lab(workbook, cli):
    words = Path("labs/02_sum_words/wb_words/words.py")
    (workbook / words).unlink()
    (workbook / NUMBERS).write_text(MINE)

    result = cli("reset", "--all")

    assert result.exit_code == 0, result.output
    assert (workbook / words).read_text() == committed(workbook, words)
    assert (workbook / NUMBERS).read_text() == committed(workbook, NUMBERS)
    assert result.stdout.count("restored 1 file(s)") == 2


def test_reset_refuses_outside_a_git_checkout(workbook, cli, error_line):
    import shutil

    shutil.rmtree(workbook / ".git")
    (workbook / NUMBERS).write_text(MINE)

    assert "is not a git checkout" in error_line(cli("reset", "1"))
    assert (workbook / NUMBERS).read_text() == MINE


def test_reset_refuses_a_file_without_a_committed_starter(workbook, cli, error_line):
    catalog = workbook / "catalog.toml"
    catalog.write_text(
        catalog.read_text().replace(
            '"wb_numbers/calc.py"', '"wb_numbers/calc.py", "wb_numbers/extra.py"'
        )
    )  # the catalog names a learner file that was never committed
    (workbook / NUMBERS).write_text(MINE)

    assert "extra.py is not committed in git" in error_line(cli("reset", "1"))
    assert (workbook / NUMBERS).read_text() == MINE


def test_reset_needs_one_lab_or_all(workbook, cli, error_line):
    assert "name one lab" in error_line(cli("reset"))
    assert "name one lab" in error_line(cli("reset", "1", "--all"))


# -------------------------------------------------------------------------------- solution


def test_solution_diffs_the_learners_files_against_the_reference(workbook, cli, solve):
    result = cli("solution", "2")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "--- labs/02_sum_words/wb_words/words.py" in lines
    assert "+++ solutions/02_sum_words/wb_words/words.py" in lines
    todo = 'raise NotImplementedError("TODO(task 1): count the words — see README task 1")'
    assert f"-    {todo}" in lines
    assert "+    return len(text.split())" in lines

    files = cli("solution", "2", "--files")
    assert files.stdout.splitlines() == ["labs/02_sum_words/wb_words/words.py"]

    solve("02_sum_words")
    assert "match the reference solution" in cli("solution", "2").stdout


def test_solution_without_a_reference(workbook, cli, error_line):
    import shutil

    shutil.rmtree(workbook / "solutions/02_sum_words")
    assert "solutions/02_sum_words is missing" in error_line(cli("solution", "2"))


# ------------------------------------------------------------------------------------ open


def test_open_prints_the_notebook_path(workbook, cli):
    result = cli("open", "1")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(workbook / "notebooks/01_sum_numbers.ipynb")


def test_open_launch_starts_jupyterlab_on_the_notebook(workbook, cli, monkeypatch):
    calls: list[list[str]] = []
    monkeypatch.setattr(
        "patterns_workbook.learner.cli.subprocess.call", lambda cmd, cwd: calls.append(cmd)
    )

    assert cli("open", "1", "--launch").exit_code == 0
    notebook = str(workbook / "notebooks/01_sum_numbers.ipynb")
    assert calls and calls[0][-3:] == ["jupyter", "lab", notebook]


def test_open_a_missing_notebook(workbook, cli, error_line):
    assert "notebooks/02_sum_words.ipynb is listed" in error_line(cli("open", "2"))


def test_reset_restores_the_shipped_starter_after_the_learner_commits(
    workbook, cli, tmp_path, monkeypatch
):
    # A learner clones the workbook, solves a task and commits it: HEAD now holds their
    # version, but the branch they cloned still holds the starter, and reset restores that.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(workbook), str(clone)], check=True)
    (clone / NUMBERS).write_text(MINE)
    who = ["-c", "user.name=l", "-c", "user.email=l@l", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *who, "commit", "-qam", "my work"], cwd=clone, check=True)

    monkeypatch.chdir(clone)
    result = cli("reset", "1")

    assert result.exit_code == 0, result.output
    assert (clone / NUMBERS).read_text() == committed(workbook, NUMBERS), (
        "reset restored the learner's own commit instead of the shipped starter"
    )
