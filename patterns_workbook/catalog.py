"""Read `catalog.toml`, the one manifest that orders the labs and ties each to its notebook.

The bottom of the package: it imports nothing else of it. What a lab is (its folders, its
tasks and their titles, the files a learner edits), what a track is, and how a name a learner
types resolves to a lab are decided here and nowhere else.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

CATALOG_FILE = "catalog.toml"
TRACKS: dict[str, tuple[str, ...]] = {
    "django": ("core", "django"),
    "fastapi": ("core", "sqlalchemy", "fastapi"),
    "flask": ("core", "sqlalchemy", "flask"),
}
TRACK_MARKERS = ("core", "django", "fastapi", "flask", "sqlalchemy")
TRACK_ENV = "WORKBOOK_TRACK"


class CatalogError(Exception):
    """The catalog is missing or malformed, or a lab name does not resolve."""


@dataclass(frozen=True)
class Lab:
    id: str  # "01_rest_api": the folder name under labs/ and solutions/
    title: str
    notebook: str  # path relative to the project root
    package: str  # the importable package the learner edits
    frameworks: tuple[str, ...]
    tasks: tuple[str, ...]  # task N is tasks[N - 1]
    minutes: int
    redis: bool
    root: Path
    database: bool = False  # stores rows: runs on PostgreSQL too when DATABASE_URL is set
    files: tuple[str, ...] = ()  # lab-relative paths of the files the learner edits

    @property
    def number(self) -> str:
        return self.id[:2]

    @property
    def slug(self) -> str:
        return self.id[3:]

    @property
    def path(self) -> Path:
        return self.root / "labs" / self.id

    @property
    def solution_path(self) -> Path:
        return self.root / "solutions" / self.id

    @property
    def wrong_answers_path(self) -> Path:
        return self.root / "tests" / "wrong_answers" / self.id

    def editable_files(self) -> list[str]:
        """Lab-relative paths the learner edits, as the catalog names them (`files`)."""
        return sorted(self.files)

    def solution_files(self) -> list[str]:
        """Lab-relative paths of the files under `solutions/<id>/` (should equal `files`)."""
        if not self.solution_path.is_dir():
            return []
        return sorted(
            p.relative_to(self.solution_path).as_posix()
            for p in self.solution_path.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        )

    def task_title(self, task: int | None) -> str:
        """The catalog's title of task N (the one place a task number becomes words)."""
        if task is None:
            return "tests without a task marker"
        if 1 <= task <= len(self.tasks):
            return self.tasks[task - 1]
        return f"task {task}"


@dataclass(frozen=True)
class Catalog:
    root: Path
    start: str
    labs: tuple[Lab, ...]

    def find(self, name: str) -> Lab:
        """Resolve `7`, `07`, `07_caching` or `caching` to a lab, or raise CatalogError."""
        key = name.strip().lower()
        if key.isascii() and key.isdigit():  # "²".isdigit() is true and int("٧") is 7
            key = f"{int(key):02d}"
        hits = [
            lab
            for lab in self.labs
            if key in (lab.id, lab.number, lab.slug) or (len(key) > 2 and key in lab.slug)
        ]
        exact = [lab for lab in hits if key in (lab.id, lab.number, lab.slug)]
        if len(exact) == 1:
            return exact[0]
        if not hits:
            known = ", ".join(lab.id for lab in self.labs)
            raise CatalogError(f"no lab matches {name!r}; the labs are: {known}")
        if len(hits) > 1:
            names = ", ".join(lab.id for lab in hits)
            raise CatalogError(f"{name!r} is ambiguous: it matches {names}")
        return hits[0]


def parse_track(value: str | None, source: str = "--track") -> str | None:
    """A track name from the command line or the environment, or CatalogError in one format."""
    if value is None or not value.strip():
        return None
    name = value.strip().lower()
    if name not in TRACKS:
        raise CatalogError(f"{source} {value!r} is not a track; use one of: {', '.join(TRACKS)}")
    return name


def track_from_env() -> str | None:
    import os

    return parse_track(os.environ.get(TRACK_ENV), f"${TRACK_ENV}")


def find_root(start: Path | None = None) -> Path:
    """The workbook's root: the nearest folder at or above `start` holding catalog.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CATALOG_FILE).is_file():
            return folder
    raise CatalogError(
        f"no {CATALOG_FILE} found in {here} or above: run this inside the workbook's folder"
    )


def load(root: Path | None = None) -> Catalog:
    root = find_root() if root is None else root.resolve()
    path = root / CATALOG_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        labs = tuple(_lab(entry, root) for entry in data.get("lab", []))
        return Catalog(root=root, start=data["start"], labs=labs)
    except FileNotFoundError as exc:
        raise CatalogError(f"{path} is missing") from exc
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"{path} is malformed: {exc}") from exc


def _lab(entry: dict, root: Path) -> Lab:
    return Lab(
        id=entry["id"],
        title=entry["title"],
        notebook=entry["notebook"],
        package=entry["package"],
        frameworks=tuple(entry["frameworks"]),
        tasks=tuple(entry["tasks"]),
        minutes=int(entry["minutes"]),
        redis=bool(entry.get("redis", False)),
        root=root,
        database=bool(entry.get("database", False)),
        files=tuple(entry.get("files", ())),
    )
