"""Read a lab's Markdown: `## Task N` sections, `hints.md` tiers and their per-track blocks.

The one parser of a lab's text, used by `workbook hint` and `workbook watch` (learner) and by
the maintainer checks alike. Headings inside fenced code blocks are text, not structure.

`hints.md` (CONTRIBUTING, "Hints"):

    ## Task 2
    ### Hint 2
    Text every track sees.
    #### Django
    Only the Django track sees this.
    #### SQLAlchemy
    The FastAPI and Flask tracks see this (their tests carry the `sqlalchemy` marker).
    #### FastAPI, Flask
    A block may name several tracks or markers.

A `####` heading is a track block when every word of it names a track marker (`core`,
`django`, `fastapi`, `flask`, `sqlalchemy`, joined by `,`, `/` or `and`); any other `####`
heading is part of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from patterns_workbook.catalog import TRACK_MARKERS, TRACKS

HINTS_FILE = "hints.md"
README_FILE = "README.md"
WHY_SECTION = "Why this design"

_TASK = re.compile(r"^##\s+Task\s+(\d+)\b")
_HINT = re.compile(r"^###\s+Hint\s+(\d+)\b")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TRACK_WORDS = re.compile(r"\s*(?:,|/|\band\b|\s)\s*", re.I)
_FRAMEWORK_NAMES = {"django": "Django", "sqlalchemy": "SQLAlchemy", "fastapi": "FastAPI",
                    "flask": "Flask"}  # fmt: skip
_NAMES_IN_TEXT = {"django": ("Django", "DRF"), "sqlalchemy": ("SQLAlchemy",),
                  "fastapi": ("FastAPI", "Starlette"), "flask": ("Flask", "Werkzeug")}  # fmt: skip


class HintsError(Exception):
    """The lab has no hints file, or no hints for the task asked about."""


def headings(text: str) -> list[tuple[int, int, str]]:
    """(line index, level, line) of every Markdown heading outside fenced code blocks."""
    found: list[tuple[int, int, str]] = []
    fenced = False
    for index, line in enumerate(text.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and re.match(r"^#{1,6}\s", line):
            found.append((index, len(line) - len(line.lstrip("#")), line.rstrip()))
    return found


def _sections(text: str, level: int, pattern: re.Pattern[str]) -> list[tuple[re.Match, str]]:
    """(heading match, body) of each heading of `level` matching `pattern`; a body ends at the
    next heading of the same or a higher level."""
    lines = text.splitlines()
    found = headings(text)
    out = []
    for pos, (index, lvl, line) in enumerate(found):
        if lvl == level and (m := pattern.match(line)):
            end = next((i for i, lv, _ in found[pos + 1 :] if lv <= level), len(lines))
            out.append((m, "\n".join(lines[index + 1 : end])))
    return out


def task_sections(text: str) -> dict[int, str]:
    """Task number → the body of its `## Task N` section (README or hints)."""
    sections: dict[int, str] = {}
    for match, body in _sections(text, 2, _TASK):
        sections.setdefault(int(match.group(1)), body)
    return sections


def markdown_section(text: str, title: str) -> str | None:
    """The body of the `## <title>` section of a Markdown document, or None."""
    wanted = re.compile(rf"^##\s+{re.escape(title)}\s*$", re.I)
    found = _sections(text, 2, wanted)
    return (found[0][1].strip() or None) if found else None


def _track_block(line: str) -> tuple[str, ...] | None:
    words = [w.lower() for w in _TRACK_WORDS.split(line.lstrip("#").strip()) if w]
    return tuple(words) if words and all(w in TRACK_MARKERS for w in words) else None


@dataclass(frozen=True)
class Tier:
    """One hint tier: text for every track, then blocks for some tracks only."""

    common: str
    blocks: tuple[tuple[tuple[str, ...], str], ...] = ()  # ((markers…), text)

    def text(self, track: str | None = None) -> str:
        """The tier as `track` reads it; every block, labelled, when no track is chosen."""
        parts = [self.common] if self.common else []
        for markers, body in self.blocks:
            if track is None:
                label = " / ".join(_FRAMEWORK_NAMES.get(m, m) for m in markers)
                parts.append(f"**{label}:**\n\n{body}")
            elif set(markers) & set(TRACKS[track]):
                parts.append(body)
        return "\n\n".join(parts).strip()

    def frameworks_mentioned(self) -> list[str]:
        """Frameworks the shared text names (two or more: a tier worth splitting).

        A framework counts when its name or a library only its track uses appears: "DRF" is
        Django's, "Werkzeug" Flask's, "Starlette" FastAPI's.
        """
        return [
            _FRAMEWORK_NAMES[marker]
            for marker, names in _NAMES_IN_TEXT.items()
            if any(re.search(rf"\b{name}\b", self.common) for name in names)
        ]


def _tier(body: str) -> Tier:
    lines = body.splitlines()
    blocks: list[tuple[tuple[str, ...], str]] = []
    cuts = [
        (index, markers)
        for index, level, line in headings(body)
        if level == 4 and (markers := _track_block(line)) is not None
    ]
    common_end = cuts[0][0] if cuts else len(lines)
    for n, (index, markers) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(lines)
        blocks.append((markers, "\n".join(lines[index + 1 : end]).strip()))
    return Tier("\n".join(lines[:common_end]).strip(), tuple(blocks))


@dataclass(frozen=True)
class TaskHints:
    task: int
    tiers: tuple[Tier, ...]  # tier K is tiers[K - 1]


def parse_hints(text: str) -> dict[int, TaskHints]:
    """Map task number → its hint tiers, in file order."""
    hints: dict[int, TaskHints] = {}
    for task, body in sorted(task_sections(text).items()):
        tiers = tuple(_tier(b) for m, b in _sections(body, 3, _HINT) if int(m.group(1)) >= 1)
        if tiers:
            hints[task] = TaskHints(task, tiers)
    return hints


def load_hints(lab_path: Path) -> dict[int, TaskHints]:
    path = lab_path / HINTS_FILE
    try:
        return parse_hints(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise HintsError(f"{path} is missing: this lab has no hints") from exc


def why_this_design(lab_path: Path) -> str | None:
    """The lab README's `## Why this design` note, shown when the lab is done."""
    try:
        text = (lab_path / README_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return markdown_section(text, WHY_SECTION)
