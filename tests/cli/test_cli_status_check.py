"""`workbook`, `workbook status` and `workbook check`, and how they refuse bad input."""

from __future__ import annotations

import os
import re
from pathlib import Path

from patterns_workbook.run import warm

NUMBERS = Path("labs/01_sum_numbers/wb_numbers/calc.py")


def row(output: str, title: str) -> str:
    lines = [line for line in output.splitlines() if title in line]
    assert len(lines) == 1, f"expected one table row for {title!r} in:\n{output}"
    return lines[0]


def implement_add_only(workbook: Path) -> None:
    calc = workbook / NUMBERS
    text = calc.read_text()
    todo = next(line for line in text.splitlines() if "TODO(task 1)" in line)
    calc.write_text(text.replace(todo, "    return a + b"))


# ---------------------------------------------------------------------------------- status


def test_status_runs_every_lab_and_shows_progress_per_track(workbook, cli, solve):
    implement_add_only(workbook)
    solve("02_sum_words")

    result = cli("status")

    assert result.exit_code == 0, result.output
    numbers = row(result.stdout, "Summing numbers")
    assert "in progress" in numbers and numbers.count("1/3") == 2, numbers  # Django and Flask
    assert "done" in row(result.stdout, "Counting words")
    assert "1/1" in row(result.stdout, "Counting words")
    assert "missing" in row(result.stdout, "Not written yet")
    assert "2/5 tests pass · 1 of 3 labs done" in result.stdout
    assert "Next: workbook check 01" in result.stdout


def test_bare_workbook_shows_status_for_the_track_in_WORKBOOK_TRACK(workbook, cli, fake_runs):
    asked = fake_runs(**{"01_sum_numbers": [("test_a", 1, "core", "failed", "no")]})

    result = cli(env={"WORKBOOK_TRACK": "flask"})

    assert result.exit_code == 0, result.output
    assert asked == ["flask"], "only the Flask track's tests run"
    assert "Flask track" in result.stdout
    assert "not started" in row(result.stdout, "Summing numbers")
    assert "Counting words" not in result.stdout, "lab 02 has no Flask track"


def test_status_shows_a_lab_whose_tests_crash_without_failing(workbook, cli, fake_runs):
    from patterns_workbook.run.lab import LabRunError

    fake_runs(
        **{
            "01_sum_numbers": LabRunError("pytest on 01_sum_numbers crashed (exit 4):\nboom"),
            "02_sum_words": [("test_count", 1, "core", "passed")],
        }
    )

    result = cli("status")

    assert result.exit_code == 0, result.output
    assert "broken" in row(result.stdout, "Summing numbers")
    assert "01: pytest on 01_sum_numbers crashed (exit 4):" in result.stdout
    assert "done" in row(result.stdout, "Counting words")


def test_bare_workbook_refuses_an_unknown_WORKBOOK_TRACK(workbook, cli, error_line):
    assert "is not a track" in error_line(cli(env={"WORKBOOK_TRACK": "rails"}))


# ----------------------------------------------------------------------------------- check


def test_check_lists_tasks_the_first_failure_and_the_hint_command(workbook, cli):
    result = cli("check", "1")

    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "01 · Summing numbers" in out
    assert "✘  task 1  Add two numbers  0/1" in out
    assert "✘  task 2  Total a list     0/3" in out
    assert "First failure (task 1): labs/01_sum_numbers/tests/test_calc.py::test_add" in out
    assert "TODO(task 1): add a and b — see README task 1" in out
    assert "workbook hint 01" in out


def test_check_with_a_track_runs_only_core_and_that_frameworks_tests(workbook, cli):
    calc = workbook / NUMBERS
    calc.write_text(
        "def add(a: int, b: int) -> int:\n    return a + b\n\n\n"
        "def total(values: list[int]) -> int:\n    return 0 if values == [4, 5] else sum(values)\n"
    )  # only the Flask-marked test totals [4, 5]

    result = cli("check", "01_sum_numbers", "--track", "django")

    assert result.exit_code == 0, result.output
    assert "track: django" in result.stdout
    assert "✔ All 3 tests pass — lab 01 is done." in result.stdout


def test_check_exit_code_is_0_only_when_every_test_passes(workbook, cli, fake_runs):
    fake_runs(**{"01_sum_numbers": [("test_a", 1, "core", "passed")] * 2})
    for name in ("1", "01", "01_sum_numbers", "sum_numbers", "NUMBERS"):
        result = cli("check", name)
        assert result.exit_code == 0, f"check {name}: {result.output}"
        assert "All 2 tests pass" in result.stdout

    not_run = [("test_a", 1, "core", "passed"), ("test_b", 2, "core", "not run")]
    fake_runs(**{"01_sum_numbers": not_run})
    assert cli("check", "1").exit_code == 1, "a test that did not run is not a passing one"


def test_a_test_for_the_other_database_counts_apart(workbook, cli, fake_runs):
    # The plugin reports "skipped" only for a test marked postgresql_only/sqlite_only that
    # this run's database cannot serve; a learner on SQLite can still finish the lab.
    skipped = [("test_a", 1, "core", "passed"), ("test_b", 2, "core", "skipped", "needs PG")]
    fake_runs(**{"01_sum_numbers": skipped})

    result = cli("check", "1")

    assert result.exit_code == 0, result.output
    assert "✔ All 1 tests pass — lab 01 is done." in result.stdout
    assert "1 test(s) skipped: needs PG" in result.stdout


def test_check_prints_test_names_and_messages_verbatim(workbook, cli, fake_runs):
    fake_runs(
        **{"01_sum_numbers": [("test_x[flask]", 2, "flask", "failed", "got [red]x[/red] (task 2)")]}
    )

    result = cli("check", "1")

    assert result.exit_code == 1
    assert "test_x.py::test_x[flask]" in result.stdout
    assert "got [red]x[/red] (task 2)" in result.stdout


def test_check_shows_why_the_code_does_not_import(workbook, cli, fake_runs):
    from patterns_workbook.run.report import LabRun

    problem = {"nodeid": "labs/01_sum_numbers/tests/test_calc.py", "message": "E   SyntaxError"}
    fake_runs(**{"01_sum_numbers": LabRun(2, (), (problem,), "")})

    result = cli("check", "1")

    assert result.exit_code == 1, result.output
    assert "do not import" in result.stdout
    assert "E   SyntaxError" in result.stdout


# ------------------------------------------------------------------------------ bad input


def test_unknown_lab(workbook, cli, error_line):
    assert "no lab matches '42'" in error_line(cli("check", "42"))


def test_ambiguous_lab_name(workbook, cli, error_line):
    line = error_line(cli("check", "sum"))
    assert "ambiguous" in line and "01_sum_numbers" in line and "02_sum_words" in line


def test_lab_listed_but_not_in_the_checkout(workbook, cli, error_line):
    assert "labs/03_ghost is listed in catalog.toml" in error_line(cli("check", "3"))


def test_lab_without_the_chosen_track(workbook, cli, error_line):
    assert "has no django track" in error_line(cli("check", "2", "--track", "django"))


def test_unknown_track_is_a_usage_error(workbook, cli):
    result = cli("check", "1", "--track", "rails")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_outside_the_workbook_folder(tmp_path, monkeypatch, cli, error_line):
    monkeypatch.chdir(tmp_path)
    for args in (("status",), ("check", "1"), ()):
        assert "no catalog.toml found" in error_line(cli(*args))


def test_malformed_catalog(workbook, cli, error_line):
    (workbook / "catalog.toml").write_text("[[lab]\nid = ")
    assert "catalog.toml is malformed" in error_line(cli("check", "1"))


def test_no_tests_found(workbook, cli, error_line):
    (workbook / "labs/02_sum_words/tests/test_words.py").unlink()  # a real pytest run
    assert "no tests found in labs/02_sum_words" in error_line(cli("check", "2"))


def test_no_tests_on_the_chosen_track(workbook, cli, error_line, fake_runs):
    fake_runs(**{"01_sum_numbers": [("test_a", 1, "django", "not run")]})  # deselected by -m
    line = error_line(cli("check", "1", "--track", "flask"))
    assert "no tests found in labs/01_sum_numbers for the flask track" in line


def test_pytest_crash(workbook, cli, error_line, fake_runs):
    from patterns_workbook.run.lab import LabRunError

    crash = LabRunError("pytest on 02_sum_words crashed (exit 4):\nlots\nof\nImportError: x")
    fake_runs(**{"02_sum_words": crash})

    line = error_line(cli("check", "2"))

    assert line == "error: pytest on 02_sum_words crashed (exit 4) — pytest said: ImportError: x"


# ----------------------------------------------------------------------------- warm runner


def _runners_listening() -> list[Path]:
    folder = warm.shared_dir()
    assert folder is not None
    warm.await_starting(folder)
    return list(folder.glob("*.sock"))


def test_the_next_check_is_answered_warm_and_sees_an_edit_made_within_the_second(
    workbook, cli, solve
):
    warm.stop_shared()  # none left by an earlier test
    solve("01_sum_numbers")
    (workbook / "labs/01_sum_numbers/tests/test_parent.py").write_text(
        "import os, pathlib, pytest\n\n\n@pytest.mark.core\n@pytest.mark.task(1)\n"
        "def test_parent():\n    pathlib.Path('parent.txt').write_text(str(os.getppid()))\n"
    )
    first = cli("check", "1")
    assert first.exit_code == 0
    assert int((workbook / "parent.txt").read_text()) == os.getpid(), "the first runs alone"
    assert _runners_listening(), "...and leaves a warm runner for the next check"
    assert "Starting the warm runner" in first.stderr and "workbook stop" in first.stderr
    calc = workbook / NUMBERS
    calc.write_text(calc.read_text().replace("a + b", "a - b"))  # same size, same second

    result = cli("check", "1")

    assert int((workbook / "parent.txt").read_text()) != os.getpid(), "a warm runner ran it"
    assert "warm runner" not in result.stderr, "said once, by the command that started it"
    assert result.exit_code == 1, "a warm runner imports the learner's files afresh every run"
    assert "add(2, 3) returned -1" in result.stdout


def test_stop_ends_the_warm_runner(workbook, cli):
    assert cli("check", "1").exit_code == 1

    result = cli("stop")

    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Stopped \d+ warm runner\(s\)\.", result.stdout.strip()), result.stdout
    assert cli("stop").stdout.strip() == "No warm runner was running."
