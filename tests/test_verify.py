"""The harness itself: on a toy workbook, each check reports a broken lab.

Without these, a bug in `patterns_workbook.maintainer.verify` could make every lab look green.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from patterns_workbook.catalog import load
from patterns_workbook.maintainer import verify
from patterns_workbook.maintainer.variants import run_variant

TOY = Path(__file__).parent / "toy"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-lab workbook, committed to git, with the real pyproject's pytest settings."""
    root = tmp_path_factory.mktemp("toy-workbook")
    shutil.copytree(TOY, root, dirs_exist_ok=True)
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "toy"], cwd=root, check=True)
    return root


@pytest.fixture(scope="module")
def lab(toy: Path):
    return load(toy).find("99")


def test_toy_lab_is_sound(lab) -> None:
    """The toy is a correct lab, so the failures below come from the breakage alone."""
    assert verify.check_starter(lab, run_variant(lab)) == []
    assert verify.check_solution(lab, run_variant(lab, (lab.solution_path,))) == []
    assert verify.check_editable_files(lab) == []
    assert verify.check_docs(lab) == []
    assert [verify.check_wrong_answer(lab, w) for w in verify.wrong_answers(lab)] == [[]]


def test_broken_solution_is_reported(lab, toy: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / "toy_odds").mkdir(parents=True)
    (broken / "toy_odds" / "odds.py").write_text(
        "from decimal import Decimal\n\n\ndef implied_probability(odds: Decimal) -> Decimal:\n"
        "    return Decimal(1) / odds + Decimal('0.01')\n\n\n"
        "def percent(probability: Decimal) -> str:\n    return f'{probability * 100:.2f}%'\n"
    )
    problems = verify.check_solution(lab, run_variant(lab, (lab.solution_path, broken)))
    assert any("failed" in p for p in problems), problems


def test_starter_that_already_passes_is_reported(lab) -> None:
    # Laying the solution over the starter stands for a starter shipped already solved.
    problems = verify.check_starter(lab, run_variant(lab, (lab.solution_path,)))
    assert any("already passes" in p for p in problems), problems


def _wrong_answer(lab, tmp_path: Path, name: str, diff: str) -> Path:
    """A wrong answer named `name`: the diff, and the toy's description beside it."""
    shipped = verify.wrong_answers(lab)[0]
    (tmp_path / f"{name}.toml").write_bytes(shipped.with_suffix(".toml").read_bytes())
    path = tmp_path / f"{name}.diff"
    path.write_text(diff)
    return path


ODDS_DIFF = """diff --git a/toy_odds/odds.py b/toy_odds/odds.py
--- a/toy_odds/odds.py
+++ b/toy_odds/odds.py
@@ -8,2 +8,3 @@
 def percent(probability: Decimal) -> str:
     return f"{probability * 100:.2f}%"
+ADDED
"""


def test_wrong_answer_that_passes_is_reported(lab, tmp_path: Path) -> None:
    harmless = _wrong_answer(lab, tmp_path, "harmless", ODDS_DIFF.replace("ADDED", "# a comment"))
    problems = verify.check_wrong_answer(lab, harmless)
    assert any("passes every test" in p for p in problems), problems


def test_wrong_answer_failing_on_an_import_error_is_reported(lab, tmp_path: Path) -> None:
    diff = ODDS_DIFF.replace("ADDED", "import no_such_module_anywhere")
    crashing = _wrong_answer(lab, tmp_path, "crashing", diff)
    problems = verify.check_wrong_answer(lab, crashing)
    assert problems and any("wrong reason" in p or "no test" in p for p in problems), problems


def test_wrong_answer_that_no_longer_applies_is_reported(lab, tmp_path: Path) -> None:
    # Written against a solution that has since changed: reported, never silently skipped.
    stale = ODDS_DIFF.replace('     return f"{probability', '     return f"{odds').replace(
        "ADDED", ""
    )
    problems = verify.check_wrong_answer(lab, _wrong_answer(lab, tmp_path, "stale", stale))
    assert any("no longer applies" in p for p in problems), problems


def test_wrong_answer_editing_a_test_is_reported(lab, tmp_path: Path) -> None:
    diff = ODDS_DIFF.replace("toy_odds/odds.py", "tests/test_odds.py").replace("ADDED", "")
    problems = verify.check_wrong_answer(lab, _wrong_answer(lab, tmp_path, "cheat", diff))
    assert any("not a file the learner edits" in p for p in problems), problems


def test_wrong_answer_without_its_description_is_reported(lab, tmp_path: Path) -> None:
    orphan = tmp_path / "orphan.diff"
    orphan.write_text(ODDS_DIFF.replace("ADDED", "# x"))
    problems = verify.check_wrong_answer(lab, orphan)
    assert any("orphan.toml missing" in p for p in problems), problems


def test_learner_edits_do_not_change_what_is_checked(lab) -> None:
    # A learner solving the lab in place must not turn the starter check green.
    solved = (lab.solution_path / "toy_odds" / "odds.py").read_bytes()
    target = lab.path / "toy_odds" / "odds.py"
    original = target.read_bytes()
    target.write_bytes(solved)
    try:
        assert verify.check_starter(lab, run_variant(lab)) == []
    finally:
        target.write_bytes(original)


def test_missing_task_marker_and_docs_are_reported(lab, tmp_path: Path) -> None:
    unmarked = tmp_path / "unmarked"
    (unmarked / "tests").mkdir(parents=True)
    (unmarked / "tests" / "test_extra.py").write_text(
        "import pytest\n\n\n@pytest.mark.core\ndef test_without_task():\n    assert True\n"
    )
    run = run_variant(lab, (lab.solution_path, unmarked))
    assert any("task marker None" in p for p in verify.check_markers(lab, run))
    readme = lab.path / "README.md"
    original = readme.read_text()
    readme.write_text(original.replace("## Task 2", "## Tusk 2"))
    try:
        assert "README.md has no '## Task 2' section" in verify.check_docs(lab)
    finally:
        readme.write_text(original)
