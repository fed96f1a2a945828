"""Notebook 06: the lab tests that race real transactions on PostgreSQL, listed by pytest.

The notebook runs on SQLite, offline. What only a PostgreSQL server can show (a lost update
under READ COMMITTED, the unique key deciding between two concurrent duplicates) is tested in
`labs/06_transactions`, by tests marked `postgresql_only` that CI runs with `DATABASE_URL`
set. `postgresql_tests()` asks pytest which tests those are — it collects, it runs nothing,
and it ignores `DATABASE_URL`, so the notebook needs no server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # notebooks/workbook_helpers/ → the project root
LAB = "labs/06_transactions"


def postgresql_tests(lab: str = LAB) -> list[str]:
    """The ids of `lab`'s `postgresql_only` tests (file::name[parameters]), as pytest lists them."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "postgresql_only", lab],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    if collected.returncode != 0 or not ids:
        raise RuntimeError(f"pytest could not collect {lab}:\n{collected.stdout}{collected.stderr}")
    return [line.removeprefix(f"{lab}/tests/") for line in ids]
