"""The DATABASE_URL switch (patterns_workbook/testing/database.py), on a tiny lab of its own.

Unset: both ORMs on SQLite, `postgresql_only` tests skipped with the reason. A bad or
unreachable URL: one line that names DATABASE_URL and hides the password. Set (CI): both ORMs
on that server, each test starting from empty tables, two concurrent runs isolated, and no
scratch database left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from suite import needs_postgresql

PROJECT = Path(__file__).resolve().parents[1]

CONFTEST = """
from patterns_workbook.testing.django_settings import configure_django


def pytest_configure(config):
    configure_django(installed_apps=["tinyapp"])
"""

MODELS = """
from django.db import models


class Note(models.Model):
    text = models.CharField(max_length=20)

    class Meta:
        app_label = "tinyapp"
"""

TESTS = """
import os

import pytest
from sqlalchemy import (
    Column, ForeignKey, Integer, MetaData, String, Table, create_engine, insert, select,
)
from sqlalchemy.pool import StaticPool

from patterns_workbook.testing import database

NOTES = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("text", String))
EXPECTED = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"


@pytest.fixture
def engine(postgresql_url):
    engine = create_engine(postgresql_url or "sqlite://")
    NOTES.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("round", [1, 2])
def test_sqlalchemy_starts_empty_with_ids_from_1(engine, round):
    assert engine.dialect.name == EXPECTED
    with engine.begin() as conn:
        conn.execute(insert(NOTES).values(text=f"round {round}"))
        assert conn.execute(select(NOTES.c.id, NOTES.c.text)).all() == [(1, f"round {round}")]


@pytest.mark.django_db
@pytest.mark.parametrize("round", [1, 2])
def test_django_starts_empty(round):
    from django.db import connection

    from tinyapp.models import Note

    assert connection.vendor == EXPECTED
    Note.objects.create(text=f"round {round}")
    assert Note.objects.count() == 1


FAMILY = MetaData()
PARENT = Table("parent", FAMILY, Column("id", Integer, primary_key=True))
CHILD = Table(
    "child", FAMILY,
    Column("id", Integer, primary_key=True), Column("parent_id", ForeignKey("parent.id")),
    sqlite_autoincrement=True,
)  # fmt: skip
ENGINES = set()


@pytest.fixture
def kept(postgresql_url):
    # One engine per run: on SQLite `sqlite_engine`, on PostgreSQL `server_engine`.
    if postgresql_url:
        yield database.server_engine(postgresql_url, create_engine, FAMILY)
        return
    memory = lambda: create_engine("sqlite://", poolclass=StaticPool)  # noqa: E731
    with database.sqlite_engine("tiny", memory, FAMILY) as engine:
        yield engine


@pytest.mark.parametrize("round", [1, 2])
def test_a_kept_engine_starts_empty_with_ids_from_1(kept, round):
    ENGINES.add(id(kept))
    with kept.begin() as conn:
        conn.execute(insert(PARENT))
        conn.execute(insert(CHILD).values(parent_id=1))
        assert conn.execute(select(CHILD.c.id, CHILD.c.parent_id)).all() == [(1, 1)]
    assert len(ENGINES) == 1, "the engine is made once per run"


@pytest.mark.postgresql_only("two transactions at once")
def test_only_on_postgresql():
    assert database.on_postgresql()


@pytest.mark.sqlite_only("simulates a lock")
def test_only_on_sqlite():
    assert not database.on_postgresql()
"""


@pytest.fixture
def tiny_lab(tmp_path: Path) -> Path:
    lab = tmp_path / "labs" / "00_tiny"
    (lab / "tinyapp").mkdir(parents=True)
    (lab / "tests").mkdir()
    (lab / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (lab / "tinyapp" / "__init__.py").write_text("")
    (lab / "tinyapp" / "models.py").write_text(textwrap.dedent(MODELS))
    (lab / "tests" / "test_tiny.py").write_text(textwrap.dedent(TESTS))
    (tmp_path / "pyproject.toml").write_bytes((PROJECT / "pyproject.toml").read_bytes())
    return lab


def _start(lab: Path, database_url: str | None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_ADDOPTS")}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", str(lab), "-rs", "-p", "no:cacheprovider"],
        cwd=lab.parents[1], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _pytest(lab: Path, database_url: str | None) -> tuple[int, str]:
    """Run the tiny lab; its exit code and output."""
    proc = _start(lab, database_url)
    output = proc.communicate(timeout=120)[0]
    return proc.returncode, output


def test_without_database_url_both_orms_run_on_sqlite(tiny_lab: Path) -> None:
    code, output = _pytest(tiny_lab, None)
    assert code == 0, output
    assert "7 passed, 1 skipped" in output, output
    assert "needs PostgreSQL (DATABASE_URL=postgresql://…): two transactions at once" in output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@127.0.0.1/x", "DATABASE_URL must be a postgresql:// URL"),
        ("not a url", "DATABASE_URL is not a database URL"),
        (
            "postgresql://learner:s3cret@127.0.0.1:1/x",
            "DATABASE_URL=postgresql://learner:***@127.0.0.1:1/x: cannot connect to PostgreSQL",
        ),
    ],
)
def test_a_bad_database_url_is_one_line_naming_it(tiny_lab: Path, url: str, expected: str) -> None:
    code, output = _pytest(tiny_lab, url)
    assert code == 4, output
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and expected in errors[0], output
    assert "Traceback" not in output and "s3cret" not in output, output


def _scratch_databases() -> set[str]:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'workbook_%'")
        return {name for (name,) in rows}


@needs_postgresql
def test_with_database_url_both_orms_run_on_postgresql_isolated(tiny_lab: Path) -> None:
    before = _scratch_databases()
    runs = [_start(tiny_lab, os.environ["DATABASE_URL"]) for _ in range(2)]  # two at once
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output
        assert "7 passed, 1 skipped" in output, output
        assert "SQLite only: simulates a lock" in output, output
    assert _scratch_databases() == before, "a run left its scratch databases behind"
