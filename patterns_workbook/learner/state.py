"""The learner's state in `.workbook/` (git ignores it): revealed hints and cached lab runs.

`state.json` remembers how many hint tiers each task revealed. One that cannot be read is
never silently dropped: it is copied to `state.json.corrupt-<time>` and the learner is told.
`cache/` holds each lab's last run, keyed by a hash of the lab's files, so `workbook status`
re-runs only the labs that changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from patterns_workbook.catalog import TRACKS, Lab
from patterns_workbook.run.report import LabRun, on_track

WORKBOOK_DIR = ".workbook"
STATE_FILE = Path(WORKBOOK_DIR) / "state.json"
CACHE_DIR = Path(WORKBOOK_DIR) / "cache"
CACHE_VERSION = 1
_SKIPPED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


def ensure_workbook_dir(root: Path) -> Path:
    """`.workbook/`, created with its own `.gitignore` so git ignores it in any checkout."""
    folder = root / WORKBOOK_DIR
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# the workbook CLI's state and backups: never committed\n*\n")
    return folder


def _write_json(path: Path, data: object) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem + "-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
    os.replace(tmp, path)


class WorkbookState:
    """How many hint tiers each task revealed (`.workbook/state.json`).

    `warning` is set when the file existed but could not be read; the unreadable file is kept
    beside it as `state.json.corrupt-<time>` and the hints start again at tier 1.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / STATE_FILE
        self.warning: str | None = None
        self.data: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
            hints = data["hints"]
            if not isinstance(hints, dict) or not all(isinstance(v, dict) for v in hints.values()):
                raise ValueError("'hints' is not a table of labs")
        except (ValueError, KeyError, TypeError) as exc:
            kept = self.path.with_name(
                f"{self.path.name}.corrupt-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
            )
            shutil.copy2(self.path, kept)
            self.warning = (
                f"{STATE_FILE} could not be read ({type(exc).__name__}: {exc}); it is kept as "
                f"{kept.relative_to(self.root).as_posix()} and hints start again at tier 1"
            )
            return {}
        return {"hints": hints}

    def revealed(self, lab_id: str, task: int) -> int:
        value = self.data.get("hints", {}).get(lab_id, {}).get(str(task), 0)
        return value if isinstance(value, int) and value > 0 else 0

    def reveal(self, lab_id: str, task: int, tiers: int) -> None:
        """Record that the first `tiers` hints of the task were shown (never fewer than before)."""
        hints = self.data.setdefault("hints", {})
        lab = hints.setdefault(lab_id, {})
        lab[str(task)] = max(tiers, self.revealed(lab_id, task))
        ensure_workbook_dir(self.root)
        _write_json(self.path, self.data)


# ------------------------------------------------------------------------ cached lab runs


def _tooling_stamp(root: Path) -> str:
    """What else decides a run's result: the pytest configuration, this package's version
    of the plugin (its files' sizes and times, cheap to read) and the services it runs on."""
    parts = []
    for path in (root / "pyproject.toml", root / "catalog.toml"):
        if path.is_file():
            parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        info = path.stat()
        parts.append(f"{path.name}:{info.st_size}:{info.st_mtime_ns}")
    parts += [os.environ.get(name, "") for name in ("REDIS_URL", "DATABASE_URL")]
    return "\n".join(parts)


def lab_hash(lab: Lab, stamp: str | None = None) -> str:
    """A content hash of every file of the lab (code, tests, conftest) and of the tooling."""
    digest = hashlib.sha256((stamp if stamp is not None else _tooling_stamp(lab.root)).encode())
    for path in sorted(lab.path.rglob("*")):
        if not path.is_file() or _SKIPPED_PARTS.intersection(path.parts):
            continue
        if path.suffix in (".pyc", ".sqlite3"):
            continue
        digest.update(path.relative_to(lab.path).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


class RunCache:
    """Each lab's last run per track, keyed by `lab_hash`, in `.workbook/cache/`.

    A run of every track also answers for one track (its tests are filtered by track).
    `totals` remembers how many tests a lab has per track from its last run that collected
    cleanly, so a lab whose code stops importing still shows its real size.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / CACHE_DIR
        self._stamp: str | None = None

    def stamp(self) -> str:
        if self._stamp is None:
            self._stamp = _tooling_stamp(self.root)
        return self._stamp

    def key(self, lab: Lab) -> str:
        return lab_hash(lab, self.stamp())

    def _path(self, lab: Lab) -> Path:
        return self.folder / f"{lab.id}.json"

    def _load(self, lab: Lab) -> dict[str, Any]:
        try:
            data = json.loads(self._path(lab).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else {}

    def get(self, lab: Lab, track: str | None, key: str) -> LabRun | None:
        runs = self._load(lab).get("runs", {})
        for name in (track or "all", "all"):
            entry = runs.get(name)
            if isinstance(entry, dict) and entry.get("key") == key:
                try:
                    return LabRun.from_json(entry["run"])
                except (KeyError, TypeError, ValueError):
                    return None
        return None

    def put(self, lab: Lab, track: str | None, key: str, run: LabRun) -> None:
        data = self._load(lab) or {"version": CACHE_VERSION}
        data.setdefault("runs", {})[track or "all"] = {"key": key, "run": run.to_json()}
        if not run.collect_errors:
            totals = data.setdefault("totals", {})
            for name in [track] if track else [None, *TRACKS]:
                totals[name or "all"] = sum(on_track(t, name) for t in run.tests)
        try:
            ensure_workbook_dir(self.root)
            _write_json(self._path(lab), data)
        except OSError:
            pass  # a read-only checkout: the cache only saves time

    def known_totals(self, lab: Lab) -> dict[str, int]:
        """Tests per track ("all": every track) of the lab's last clean collection."""
        totals = self._load(lab).get("totals", {})
        return {k: v for k, v in totals.items() if isinstance(v, int)}
