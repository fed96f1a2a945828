"""The maintainer suite's own settings."""

from __future__ import annotations

import pytest

# The toy workbook, the wrong answers and the OpenAPI fuzz module are lab material run by the
# harness in their own pytest processes, never collected as part of the maintainer suite.
collect_ignore = ["toy", "wrong_answers", "openapi"]

LAB_RUN_TIMEOUT = 600  # one maintainer test runs whole labs; each lab test inside has 10 s


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(LAB_RUN_TIMEOUT))
