"""Run many short pytest sessions fast: fork each from a process that imported the frameworks.

A lab run spends ~0.9 s importing Django, DRF, FastAPI, Flask, SQLAlchemy and pytest before
its first test. The maintainer suite runs every lab several times (starter, solution, each
wrong answer), so it forks each run from a multiprocessing *forkserver* that has imported
them once. Each child is a fresh pytest session in its own process: nothing a lab imports,
configures or patches survives it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import ForkServerContext
from pathlib import Path

# Imported once in the forkserver. Only modules that need no configuration at import time
# (Django's settings are configured per lab, inside each child), and no pytest plugin:
# pytest rewrites a plugin's asserts as it imports it, so plugins must import in the child.
PRELOAD = [
    "pytest",
    "_pytest.python",
    "django.db.models",
    "django.test",
    "fastapi",
    "fastapi.testclient",
    "flask",
    "pydantic",
    "sqlalchemy.orm",
    "httpx",
]
_context: ForkServerContext | None = None


def available() -> bool:
    """Whether this platform can fork (not Windows): callers fall back to a subprocess."""
    return "forkserver" in multiprocessing.get_all_start_methods()


def _forkserver() -> ForkServerContext:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def run_pytest(
    args: list[str], cwd: Path, env: dict[str, str], output: Path, timeout: float
) -> int:
    """`pytest args` in `cwd` with exactly `env`; its output goes to `output`. The exit code.

    Raises TimeoutError (after killing the run) when it takes longer than `timeout` seconds.
    """
    child = _forkserver().Process(target=_child, args=(args, str(cwd), env, str(output)))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        raise TimeoutError(f"pytest ran past {timeout:.0f} s")
    return child.exitcode if child.exitcode is not None else 1


def _child(args: list[str], cwd: str, env: dict[str, str], output: str) -> None:
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.dont_write_bytecode = True
    import pytest

    # Packages that carry a pytest plugin were imported here before pytest could rewrite
    # their asserts (anyio through FastAPI; this package, to run `_child`). pytest warns
    # about each; their asserts are not the tests', so the warning is noise here.
    code = pytest.main([*args, "-W", "ignore::pytest.PytestAssertRewriteWarning"])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))
