"""Compatibility path: the maintainer checks live in `patterns_workbook.maintainer.verify`."""

from patterns_workbook.maintainer.verify import *  # noqa: F403
