"""The maintainer suite's own settings."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from patterns_workbook.run import warm

# The toy workbook, the wrong answers and the OpenAPI fuzz module are lab material run by the
# harness in their own pytest processes, never collected as part of the maintainer suite.
collect_ignore = ["toy", "wrong_answers", "openapi"]

LAB_RUN_TIMEOUT = 600  # one maintainer test runs whole labs; each lab test inside has 10 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(LAB_RUN_TIMEOUT))


@pytest.fixture(scope="session", autouse=True)
def private_warm_servers() -> Iterator[None]:
    """The learner commands' shared warm servers (`run.warm`) started by this suite live in a
    folder of its own (short: a socket path has ~100 bytes) and are stopped when it ends."""
    saved = os.environ.get("XDG_RUNTIME_DIR")
    folder = tempfile.mkdtemp(prefix="wb-")
    os.environ["XDG_RUNTIME_DIR"] = folder
    try:
        yield
    finally:
        warm.stop_shared()
        if saved is None:
            del os.environ["XDG_RUNTIME_DIR"]
        else:
            os.environ["XDG_RUNTIME_DIR"] = saved
        shutil.rmtree(folder, ignore_errors=True)
