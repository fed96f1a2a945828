"""The real catalog and one cached run per lab variant, shared by the maintainer tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from patterns_workbook.catalog import Catalog, load
from patterns_workbook.maintainer.variants import postgresql_available, run_variant
from patterns_workbook.run.report import LabRun

ROOT = Path(__file__).resolve().parents[1]
CATALOG: Catalog = load(ROOT)
LABS = {lab.id: lab for lab in CATALOG.labs if lab.path.is_dir()}
needs_postgresql = pytest.mark.skipif(
    not postgresql_available(), reason="DATABASE_URL is not set (.ci/run sets it)"
)


@cache
def starter_run(lab_id: str, database: str = "sqlite") -> LabRun:
    return run_variant(LABS[lab_id], database=database)


@cache
def solution_run(lab_id: str, database: str = "sqlite") -> LabRun:
    lab = LABS[lab_id]
    return run_variant(lab, (lab.solution_path,), database=database)
