"""Compatibility path: the `workbook` console script in pyproject.toml names `cli:main`.

The learner's command lives in `patterns_workbook.learner.cli`.
"""

from patterns_workbook.learner.cli import app, main

__all__ = ["app", "main"]
