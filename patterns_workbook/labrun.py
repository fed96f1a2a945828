"""Compatibility path for callers written before the package was split by responsibility.

Running a lab: `patterns_workbook.run.lab` and `run.report`; the shipped starter:
`patterns_workbook.starter`; variants for the maintainer suite: `maintainer.variants`.
"""

from patterns_workbook.maintainer.variants import PatchError, apply_patch, build_tree, run_variant
from patterns_workbook.run.lab import LabRunError, run_lab, track_expression
from patterns_workbook.run.report import LabRun, TestResult
from patterns_workbook.starter import committed_file, shipped_ref, starter_files

__all__ = [
    "LabRun", "LabRunError", "PatchError", "TestResult", "apply_patch", "build_tree",
    "committed_file", "run_lab", "run_variant", "shipped_ref", "starter_files",
    "track_expression",
]  # fmt: skip
