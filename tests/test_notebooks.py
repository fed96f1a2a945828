"""Every notebook has the anatomy of docs/design.md §4 and is committed executed and clean.

nbval (run by `make test`) re-executes each notebook and compares outputs; these checks read
the committed files, so a notebook saved unexecuted or with a section missing fails fast.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from suite import CATALOG, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LAB_NOTEBOOKS = {ROOT / lab.notebook: lab for lab in CATALOG.labs}
SECTIONS = (  # in this order
    r"^## Why\b|\*\*Why\.\*\*",
    r"^## The naive version and its traps",
    r"^## The pattern",
    r"^## Measured",
    r"^## In production",
    r"^## Your lab",
    r"^## Checklist",
)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _markdown(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_without_errors(path: Path) -> None:
    code = [c for c in _cells(path) if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    unrun = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    errors = [
        i for i, c in enumerate(code) if any(o["output_type"] == "error" for o in c["outputs"])
    ]
    timed = [i for i, c in enumerate(code) if "execution" in c.get("metadata", {})]
    assert code and not unrun, f"{path.name}: code cells {unrun} have no stored outputs"
    assert not errors, f"{path.name}: code cells {errors} store an error output"
    assert not timed, (
        f"{path.name}: code cells {timed} store execution timestamps; execute with "
        "--ExecutePreprocessor.record_timing=False (CONTRIBUTING.md)"
    )


@pytest.mark.parametrize("path", sorted(LAB_NOTEBOOKS), ids=lambda p: p.name)
def test_lab_notebook_has_every_section_in_order(path: Path) -> None:
    text = _markdown(path)
    positions = []
    for pattern in SECTIONS:
        match = re.search(pattern, text, re.M)
        assert match, f"{path.name}: no section matching {pattern!r} (docs/design.md §4)"
        positions.append(match.start())
    assert positions == sorted(positions), f"{path.name}: sections out of order {SECTIONS}"


@pytest.mark.parametrize("path", sorted(LAB_NOTEBOOKS), ids=lambda p: p.name)
def test_your_lab_section_names_the_lab_and_its_check_command(path: Path) -> None:
    lab = LAB_NOTEBOOKS[path]
    section = _markdown(path).split("## Your lab", 1)[1].split("\n## ", 1)[0]
    assert f"labs/{lab.id}" in section, f"{path.name}: 'Your lab' should point at labs/{lab.id}"
    assert re.search(rf"workbook check {lab.number}|pytest labs/{lab.id}", section), (
        f"{path.name}: 'Your lab' should give the command that checks it"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec_matches_the_installed_kernel(path: Path) -> None:
    """A kernelspec that differs from the installed one opens as modified and autosaves a diff."""
    from jupyter_client.kernelspec import KernelSpecManager

    kernelspec = json.loads(path.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
    installed = KernelSpecManager().get_kernel_spec(kernelspec["name"])
    assert (kernelspec["name"], kernelspec["display_name"]) == (
        "python3",
        installed.display_name,
    ), (
        f"{path.name}: kernelspec {kernelspec}; the environment's kernel is 'python3' "
        f"({installed.display_name!r}) — commit what the environment uses"
    )
