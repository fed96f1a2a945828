"""Compatibility path: the `pytest11` entry point in pyproject.toml names this module.

The plugin lives in `patterns_workbook.testing.plugin` (what lab tests use).
"""

from patterns_workbook.testing.plugin import *  # noqa: F403
from patterns_workbook.testing.plugin import _last_logged_exception  # noqa: F401
