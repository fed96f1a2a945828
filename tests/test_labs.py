"""Every lab in the catalog: the starter fails, the solution passes, wrong answers are caught.

Each lab runs in its own pytest subprocess on a temporary copy of the committed starter
(`patterns_workbook.maintainer.variants`), so a learner's own edits under labs/ never change
the result.
"""

from __future__ import annotations

import os

import pytest
from suite import LABS, needs_postgresql, solution_run, starter_run

from patterns_workbook.maintainer import verify
from patterns_workbook.maintainer.variants import run_variant
from patterns_workbook.testing.plugin import FRAMEWORK_MODULES

LAB_IDS = sorted(LABS)
WRONG = [(lab_id, w) for lab_id in LAB_IDS for w in verify.wrong_answers(LABS[lab_id])]
REDIS_LABS = [lab_id for lab_id in LAB_IDS if LABS[lab_id].redis]
DATABASE_LABS = [lab_id for lab_id in LAB_IDS if LABS[lab_id].database]


def _fail(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what}:\n  - " + "\n  - ".join(problems), pytrace=False)


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_committed_starter_fails_every_task(lab_id: str) -> None:
    _fail(verify.check_starter(LABS[lab_id], starter_run(lab_id)), f"{lab_id} starter")


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_solution_passes_every_test(lab_id: str) -> None:
    _fail(verify.check_solution(LABS[lab_id], solution_run(lab_id)), f"{lab_id} solution")


# What `workbook check NN --track T` runs, in a process of its own: that track's tests alone,
# pytest-django off. A test that imports Django's models outside the Django track passes in
# the full run and fails there ("Apps aren't loaded yet": lab 08 did); a shared test module
# that imports the other framework costs the learner 0.2-0.4 s a run (lab 02's did).
ALONE = [(i, t) for i in LAB_IDS for t in LABS[i].frameworks if t in ("fastapi", "flask")]


@pytest.mark.parametrize(("lab_id", "track"), ALONE, ids=[f"{i}-{t}" for i, t in ALONE])
def test_solution_passes_on_a_track_without_django(lab_id: str, track: str) -> None:
    lab = LABS[lab_id]
    run = run_variant(lab, (lab.solution_path,), track=track, warm=False)
    problems = verify.check_passes(run)
    problems += [
        f"the {track} track's run imported {name}: import it only in the tests (or the "
        f"test_<track>_*.py modules) of the track that uses it"
        for name in run.imported
        if FRAMEWORK_MODULES[name] != track
    ]
    _fail(problems, f"{lab_id} solution on the {track} track alone")


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_solution_edits_only_learner_files(lab_id: str) -> None:
    _fail(verify.check_editable_files(LABS[lab_id]), f"{lab_id} solution files")


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_readme_and_hints_cover_every_task(lab_id: str) -> None:
    _fail(verify.check_docs(LABS[lab_id]), f"{lab_id} README/hints")


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_hints_follow_the_track(lab_id: str) -> None:
    # docs/design.md §3: a tier that differs by framework is written per track.
    _fail(verify.tiers_to_split(LABS[lab_id]), f"{lab_id} hints.md tiers to split per track")


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_lab_ships_enough_wrong_answers(lab_id: str) -> None:
    _fail(verify.check_wrong_answer_layout(LABS[lab_id]), f"tests/wrong_answers/{lab_id}")
    found = len(verify.wrong_answers(LABS[lab_id]))
    assert found >= verify.MIN_WRONG_ANSWERS, (
        f"{lab_id} ships {found} wrong answers under tests/wrong_answers/{lab_id}/; "
        f"docs/design.md §3 asks for at least {verify.MIN_WRONG_ANSWERS}"
    )


@pytest.mark.parametrize(("lab_id", "wrong"), WRONG, ids=[f"{i}/{w.stem}" for i, w in WRONG])
def test_wrong_answer_is_caught(lab_id: str, wrong) -> None:
    _fail(verify.check_wrong_answer(LABS[lab_id], wrong), f"{lab_id} wrong answer")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
@pytest.mark.parametrize(
    "lab_id", REDIS_LABS or [pytest.param(None, marks=pytest.mark.skip(reason="no Redis lab yet"))]
)
def test_redis_lab_passes_on_fakeredis_too(lab_id: str) -> None:
    # The main run used the real server at REDIS_URL; this one runs without it.
    lab = LABS[lab_id]
    run = run_variant(lab, (lab.solution_path,), env={"REDIS_URL": None})
    _fail(verify.check_solution(lab, run), f"{lab_id} solution on fakeredis")


# With DATABASE_URL set (.ci/run), every database lab runs on PostgreSQL as well; the runs
# above are on SQLite. Wrong answers run on the databases their .toml names.


@needs_postgresql
@pytest.mark.parametrize("lab_id", DATABASE_LABS)
def test_starter_fails_every_task_on_postgresql(lab_id: str) -> None:
    run = starter_run(lab_id, "postgresql")
    _fail(verify.check_starter(LABS[lab_id], run), f"{lab_id} starter on PostgreSQL")


@needs_postgresql
@pytest.mark.parametrize("lab_id", DATABASE_LABS)
def test_solution_passes_every_test_on_postgresql(lab_id: str) -> None:
    run = solution_run(lab_id, "postgresql")
    _fail(verify.check_solution(LABS[lab_id], run), f"{lab_id} solution on PostgreSQL")
