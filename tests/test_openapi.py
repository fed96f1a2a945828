"""Every FastAPI app publishes an OpenAPI schema that schemathesis cannot catch lying.

FastAPI learners read `/docs`: a response model, the 400/404/409 a route sends and the
envelope's schema should be there, and FastAPI's default 422 should not. The fuzz module
(`tests/openapi/fuzz_fastapi.py`) is laid into a copy of each FastAPI lab with its solution
applied and run there, where the lab's conftest provides a `fastapi_app` fixture.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from suite import LABS

from patterns_workbook.maintainer.variants import run_variant

FUZZ = Path(__file__).parent / "openapi" / "fuzz_fastapi.py"
FASTAPI_LABS = sorted(lab_id for lab_id, lab in LABS.items() if "fastapi" in lab.frameworks)


@pytest.mark.parametrize("lab_id", FASTAPI_LABS)
def test_fastapi_app_keeps_its_published_contract(lab_id: str, tmp_path: Path) -> None:
    lab = LABS[lab_id]
    overlay = tmp_path / "fuzz"
    (overlay / "tests").mkdir(parents=True)
    shutil.copy2(FUZZ, overlay / "tests" / "test_openapi_fuzz.py")
    run = run_variant(lab, (lab.solution_path, overlay), extra_args=("-k", "openapi_fuzz"))
    fuzzed = [t for t in run.tests if "test_openapi_fuzz" in t.nodeid]
    assert fuzzed, f"{lab_id}: the fuzz test did not run:\n{run.output_tail()}"
    failed = [t for t in fuzzed if not t.ok]
    if failed:
        pytest.fail(
            f"{lab_id}: schemathesis found the FastAPI app's OpenAPI schema untrue "
            "(the lab's conftest must provide a `fastapi_app` fixture: the solution's app with "
            "market 1 stored):\n\n" + "\n\n".join(f"{t.name}: {t.message[:3000]}" for t in failed),
            pytrace=False,
        )
