"""Every run is bounded: a hung test, a huge print, Ctrl-C, a broken import, bad input."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

NUMBERS = Path("labs/01_sum_numbers/wb_numbers/calc.py")
HANGING = """\
def add(a: int, b: int) -> int:
    while True:  # the learner's endless loop
        pass


def total(values: list[int]) -> int:
    return sum(values)
"""


def _short_timeout(monkeypatch: pytest.MonkeyPatch, seconds: int = 2) -> None:
    addopts = os.environ.get("PYTEST_ADDOPTS", "")
    monkeypatch.setenv("PYTEST_ADDOPTS", f"{addopts} -o timeout={seconds}")


def test_a_hung_test_fails_with_its_name_and_the_line_it_was_stuck_on(workbook, cli, monkeypatch):
    _short_timeout(monkeypatch)
    (workbook / NUMBERS).write_text(HANGING)

    started = time.perf_counter()
    result = cli("check", "1")

    assert time.perf_counter() - started < 20, "the per-test timeout bounds the run"
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "First failure (task 1, stopped by the timeout)" in out
    assert "test_calc.py::test_add_returns_the_sum" in out
    assert "ran past the 2.0 s timeout" in out
    assert "labs/01_sum_numbers/wb_numbers/calc.py, line 3, in add: pass" in out or (
        "calc.py, line 2, in add: while True" in out
    ), out


def test_a_huge_print_is_capped(workbook, cli):
    tests = workbook / "labs/01_sum_numbers/tests/test_calc.py"
    tests.write_text(
        tests.read_text()
        + "\n\n@pytest.mark.core\n@pytest.mark.task(1)\ndef test_prints_a_lot():\n"
        + "    for _ in range(50):\n        print('x' * 1_000_000)\n    assert False, 'loud'\n"
    )

    started = time.perf_counter()
    result = cli("check", "1")

    assert time.perf_counter() - started < 20
    assert result.exit_code == 1
    assert len(result.output) < 20_000, "what a test prints never reaches the learner whole"


def _interrupt_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


def _pytest_processes_of(workbook: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                cwd = os.readlink(proc / "cwd")
            except OSError:
                continue
            if int(proc.name) == os.getpid():
                continue
            # a subprocess names the lab; a run forked from the warm process works in it
            if ("pytest" in cmdline and str(workbook) in cmdline) or cwd.startswith(str(workbook)):
                found.append(cmdline)
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find leftover runs")
@pytest.mark.parametrize("command", [("check", "1"), ("status",), ("watch", "1")])
def test_ctrl_c_stops_the_runs_within_a_second(workbook, cli, monkeypatch, command):
    monkeypatch.setenv("PYTEST_ADDOPTS", os.environ["PYTEST_ADDOPTS"] + " -o timeout=0")
    (workbook / NUMBERS).write_text(HANGING)
    words = workbook / "labs/02_sum_words/wb_words/words.py"
    words.write_text("def count(text: str) -> int:\n    while True:\n        pass\n")

    timer = _interrupt_after(2.0)
    started = time.perf_counter()
    try:
        result = cli(*command)
    finally:
        timer.cancel()
    elapsed = time.perf_counter() - started

    assert elapsed < 3.5, f"{command} took {elapsed:.1f} s to stop after Ctrl-C at 2 s"
    assert result.exit_code in (0, 130), result.output
    if command[0] != "watch":
        assert result.exit_code == 130 and "interrupted" in result.stderr
    time.sleep(0.2)
    assert _pytest_processes_of(workbook) == [], "every run's process group is killed"


def test_a_syntax_error_is_shown_once_with_file_line_and_python_version(workbook, cli, solve):
    solve("01_sum_numbers")
    assert cli("check", "1").exit_code == 0  # a clean run remembers the lab's size: 4 tests
    more = workbook / "labs/01_sum_numbers/tests/test_more.py"
    more.write_text(
        "from wb_numbers.calc import add\n\n\ndef test_x():\n    assert add(1, 1) == 2\n"
    )
    (workbook / NUMBERS).write_text("def add(a, b)\n    return a + b\n")

    result = cli("check", "1")

    out = result.stdout
    assert result.exit_code == 1, result.output
    assert out.count("SyntaxError") == 1, out
    assert "SyntaxError in labs/01_sum_numbers/wb_numbers/calc.py, line 1: expected ':'" in out
    assert "(this is Python 3." in out
    assert "importlib" not in out and "_bootstrap" not in out
    assert "the same error stops 1 more test module(s)" in out
    assert "so 4 of 4 tests could not run" in out, "the lab's total is kept"

    status = cli("status")
    assert "0/3" in status.stdout and "broken" in status.stdout, status.stdout
    assert "0/5 tests pass" in status.stdout, "lab 01 still counts its 4 tests"


def test_a_non_ascii_digit_is_an_unknown_lab_not_a_traceback(workbook, cli, error_line):
    assert "no lab matches '²'" in error_line(cli("check", "²"))
    assert "no lab matches '٧'" in error_line(cli("check", "٧"))


def test_a_bad_track_reads_the_same_from_the_option_and_the_environment(workbook, cli, error_line):
    option = error_line(cli("check", "1", "--track", "nonsense"))
    environment = error_line(cli("check", "1", env={"WORKBOOK_TRACK": "nonsense"}))
    bare = error_line(cli(env={"WORKBOOK_TRACK": "nonsense"}))

    expected = "is not a track; use one of: django, fastapi, flask"
    assert option == "error: --track 'nonsense' " + expected
    assert environment == "error: $WORKBOOK_TRACK 'nonsense' " + expected
    assert bare == environment


def test_a_corrupt_state_file_is_kept_and_warned_about(workbook, cli, fake_runs):
    fake_runs(**{"01_sum_numbers": [("test_a", 1, "core", "failed", "no")]})
    state = workbook / ".workbook/state.json"
    state.parent.mkdir()
    state.write_text('{"hints": {"01_sum_numbers": {"1": 2}')  # cut off mid-write

    result = cli("hint", "1")

    assert result.exit_code == 0, result.output
    assert "warning: .workbook/state.json could not be read" in result.stderr
    kept = list(state.parent.glob("state.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text().startswith('{"hints"')
    assert f"kept as .workbook/{kept[0].name}" in result.stderr
    assert "hint 1 of 2" in result.stdout


def test_the_first_failure_shown_is_the_first_unfinished_task_then_file_order(
    workbook, cli, fake_runs
):
    from patterns_workbook.run.report import LabRun, TestResult

    def failing(name: str, task: int, line: int) -> TestResult:
        return TestResult(
            f"labs/x/tests/test_x.py::{name}", name, task, ("core",), "failed",
            "AssertionError", True, f"{name} message", "labs/x/tests/test_x.py", line,
        )  # fmt: skip

    ran = (  # the order pytest ran them in (pytest-django runs database tests first)
        failing("test_late_task", 2, 1),
        failing("test_second_in_file", 1, 40),
        failing("test_first_in_file", 1, 10),
    )
    fake_runs(**{"01_sum_numbers": LabRun(1, ran, (), "")})

    out = cli("check", "1").stdout

    assert "First failure (task 1): labs/x/tests/test_x.py::test_first_in_file" in out, out
