"""`workbook dev new` and `workbook dev check`: from nothing to a green maintainer check."""

from __future__ import annotations

import subprocess
import sys

from patterns_workbook.catalog import load


def test_dev_new_then_dev_check_is_green(workbook, cli):
    created = cli("dev", "new", "04_greeting", "--title", "Greeting")
    assert created.exit_code == 0, created.output
    lab = load(workbook).find("04")
    assert lab.files == ("markets_greeting/core.py",)
    assert (workbook / "tests/wrong_answers/04_greeting/name_not_stripped.diff").is_file()

    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "labs/04_greeting",
         "solutions/04_greeting"],
        cwd=workbook, capture_output=True, text=True,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr

    checked = cli("dev", "check", "04")

    assert checked.exit_code == 0, checked.output
    out = checked.stdout
    assert "✔" in out and "starter fails every task" in out
    assert "wrong answer name_not_stripped" in out
    assert "04_greeting: green in" in out


def test_dev_new_lists_the_lab_in_number_order(workbook, cli):
    # A pattern may be written after later ones: lab 00 goes before 01, not at the end.
    assert cli("dev", "new", "00_first").exit_code == 0
    ids = [lab.id for lab in load(workbook).labs]
    assert ids == sorted(ids), ids
    assert ids[0] == "00_first"


def test_dev_new_refuses_a_taken_number_or_a_bad_name(workbook, cli, error_line):
    assert "number or package is taken" in error_line(cli("dev", "new", "01_other"))
    assert "is not NN_slug" in error_line(cli("dev", "new", "caching"))


def test_dev_check_reports_a_broken_lab(workbook, cli):
    (workbook / "solutions/02_sum_words/wb_words/words.py").write_text(
        "def count(text: str) -> int:\n    return 0\n"
    )

    result = cli("dev", "check", "2")

    assert result.exit_code == 1
    assert "✘" in result.stdout and "problem(s)" in result.stdout
