"""`workbook watch`, driven by an injected change source so one iteration is testable."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from patterns_workbook.learner.watch import lab_changes, snapshot

NUMBERS = Path("labs/01_sum_numbers/wb_numbers/calc.py")


def test_a_save_reruns_the_lab_then_watch_shows_why_and_moves_on(workbook, cli, monkeypatch):
    watched: list[Path] = []

    def one_save(folder: Path, poll: bool) -> Iterator[set[str]]:
        watched.append(folder)
        solution = workbook / "solutions/01_sum_numbers/wb_numbers/calc.py"
        shutil.copy2(solution, workbook / NUMBERS)  # the learner saves a working answer
        yield {str(workbook / NUMBERS)}
        raise AssertionError("watch asked for a second save although the lab was done")

    monkeypatch.setattr("patterns_workbook.learner.watch.lab_changes", one_save)

    result = cli("watch", "1", "--track", "django")  # lab 02 has no Django track: nothing next

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert watched == [workbook / "labs/01_sum_numbers"]
    assert out.index("0/3 tests pass") < out.index("✔ All 3 tests pass — lab 01 is done.")
    assert "Watching labs/01_sum_numbers — save a file to re-run" in out
    assert "Why this design — lab 01" in out
    assert "Because adding keeps the [core] small." in out
    assert "No unfinished labs left on the Django track" in out


def test_watch_starts_at_the_first_unfinished_lab(workbook, cli, fake_runs, monkeypatch):
    fake_runs(
        **{
            "01_sum_numbers": [("test_a", 1, "core", "passed")],
            "02_sum_words": [("test_b", 1, "core", "failed", "count is wrong (task 1)")],
        }
    )
    monkeypatch.setattr(
        "patterns_workbook.learner.watch.lab_changes", lambda folder, poll: iter(())
    )

    result = cli("watch")

    assert result.exit_code == 0, result.output
    assert "02 · Counting words" in result.stdout
    assert "lab 02 · 1 of 3 labs done" in result.stdout, "labs are named by number"
    assert "count is wrong (task 1)" in result.stdout


def test_ctrl_c_stops_watching_cleanly(workbook, cli, fake_runs, monkeypatch):
    fake_runs(**{"01_sum_numbers": [("test_a", 1, "core", "failed", "no")]})

    def interrupted(folder: Path, poll: bool) -> Iterator[set[str]]:
        raise KeyboardInterrupt
        yield set()

    monkeypatch.setattr("patterns_workbook.learner.watch.lab_changes", interrupted)

    result = cli("watch", "1")

    assert result.exit_code == 0, result.output
    assert "Stopped watching." in result.stdout


def test_lab_changes_reports_a_save_when_polling(tmp_path):
    module = tmp_path / "pkg" / "mod.py"
    module.parent.mkdir()
    module.write_text("A = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"")
    assert list(snapshot(tmp_path)) == [str(module)], "caches are not watched"

    saves = lab_changes(tmp_path, poll=True)
    save = threading.Timer(0.3, module.write_text, args=("A = 2\n",))
    save.start()
    try:
        changed = next(saves)  # bounded: the snapshot fallback sees the save within ~1 s
    finally:
        save.cancel()
        saves.close()

    assert str(module) in changed
