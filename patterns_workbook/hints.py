"""Read a lab's `hints.md` and README sections, and remember which hints a learner has seen.

`hints.md` holds one `## Task N` section per task, each with tiers `### Hint 1`,
`### Hint 2`, … from a nudge to the shape of the code. `workbook hint` reveals them one at a
time and records how many it revealed in `.workbook/state.json` (git ignores `.workbook/`).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from patterns_workbook.workspace import WORKBOOK_DIR, ensure_workbook_dir

HINTS_FILE = "hints.md"
STATE_FILE = Path(WORKBOOK_DIR) / "state.json"
WHY_SECTION = "Why this design"

_TASK = re.compile(r"^##\s+Task\s+(\d+)\b")
_HINT = re.compile(r"^###\s+Hint\s+(\d+)\b")
_FENCE = re.compile(r"^\s*(```|~~~)")


class HintsError(Exception):
    """The lab has no hints file, or no hints for the task asked about."""


@dataclass(frozen=True)
class TaskHints:
    task: int
    tiers: tuple[str, ...]  # tier K is tiers[K - 1], as Markdown


def _headings(text: str) -> list[tuple[int, str]]:
    """(line index, line) of every Markdown heading outside fenced code blocks."""
    found: list[tuple[int, str]] = []
    fenced = False
    for index, line in enumerate(text.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            found.append((index, line.rstrip()))
    return found


def _level(heading: str) -> int:
    return len(heading) - len(heading.lstrip("#"))


def parse_hints(text: str) -> dict[int, TaskHints]:
    """Map task number → its hint tiers, in file order."""
    lines = text.splitlines()
    headings = _headings(text)
    tasks: dict[int, list[str]] = {}
    for pos, (index, line) in enumerate(headings):
        if not (hint := _HINT.match(line)):
            continue
        owner = next(
            (m for _, h in reversed(headings[:pos]) if _level(h) == 2 and (m := _TASK.match(h))),
            None,
        )
        if owner is None or int(hint.group(1)) < 1:
            continue
        end = next((i for i, h in headings[pos + 1 :] if _level(h) <= 3), len(lines))
        tasks.setdefault(int(owner.group(1)), []).append("\n".join(lines[index + 1 : end]).strip())
    return {n: TaskHints(n, tuple(tiers)) for n, tiers in sorted(tasks.items())}


def load_hints(lab_path: Path) -> dict[int, TaskHints]:
    path = lab_path / HINTS_FILE
    try:
        return parse_hints(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise HintsError(f"{path} is missing: this lab has no hints") from exc


def markdown_section(text: str, title: str) -> str | None:
    """The body of the `## <title>` section of a Markdown document, or None."""
    lines = text.splitlines()
    headings = _headings(text)
    for pos, (index, line) in enumerate(headings):
        if _level(line) == 2 and line.lstrip("#").strip().lower() == title.lower():
            end = next((i for i, h in headings[pos + 1 :] if _level(h) <= 2), len(lines))
            return "\n".join(lines[index + 1 : end]).strip() or None
    return None


def why_this_design(lab_path: Path) -> str | None:
    """The lab README's `## Why this design` note, shown when the lab is done."""
    try:
        return markdown_section((lab_path / "README.md").read_text(encoding="utf-8"), WHY_SECTION)
    except FileNotFoundError:
        return None


class WorkbookState:
    """The CLI's small memory (`.workbook/state.json`): how many hint tiers each task revealed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / STATE_FILE
        self.data: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return {}  # an unreadable state only forgets which hints were shown
        hints = data.get("hints") if isinstance(data, dict) else None
        if not isinstance(hints, dict):
            return {}
        return {"hints": {lab: tasks for lab, tasks in hints.items() if isinstance(tasks, dict)}}

    def revealed(self, lab_id: str, task: int) -> int:
        value = self.data.get("hints", {}).get(lab_id, {}).get(str(task), 0)
        return value if isinstance(value, int) and value > 0 else 0

    def reveal(self, lab_id: str, task: int, tiers: int) -> None:
        """Record that the first `tiers` hints of the task were shown (never fewer than before)."""
        hints = self.data.setdefault("hints", {})
        lab = hints.setdefault(lab_id, {})
        lab[str(task)] = max(tiers, self.revealed(lab_id, task))
        self._write()

    def _write(self) -> None:
        ensure_workbook_dir(self.root)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix="state-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.data, handle, indent=2, sort_keys=True)
        os.replace(tmp, self.path)
