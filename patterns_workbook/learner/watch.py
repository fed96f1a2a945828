"""`workbook watch`: re-run the current lab on every save and move on when it is done.

The loop takes its save events from a *change source* — a function `(lab folder, poll) →
iterator of sets of changed paths` — so a test can drive it with a finite list of events,
and it ends when the source does. The real source is `lab_changes`, built on watchfiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.text import Text

from patterns_workbook.catalog import Catalog, Lab
from patterns_workbook.labtext import why_this_design
from patterns_workbook.learner import ui
from patterns_workbook.learner.progress import LabStatus, Runner, Starters, lab_status, serves
from patterns_workbook.learner.state import RunCache

ChangeSource = Callable[[Path, bool], Iterator[set[str]]]

WATCHED_SUFFIXES = frozenset({".py", ".html", ".sql", ".toml", ".cfg"})  # what learners edit
IGNORED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".git"})
FALLBACK_MS = 1_000  # also compare file times this often, for mounts that send no events


def _watched(path: Path, root: Path) -> bool:
    rel = path.relative_to(root) if path.is_relative_to(root) else path
    return path.suffix in WATCHED_SUFFIXES and not IGNORED_DIRS.intersection(rel.parts)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every watched file under `folder`."""
    stats: dict[str, tuple[int, int]] = {}
    for path in folder.rglob("*"):
        if _watched(path, folder):
            try:
                info = path.stat()
            except OSError:  # removed while we looked
                continue
            stats[str(path)] = (info.st_mtime_ns, info.st_size)
    return stats


def lab_changes(folder: Path, poll: bool = False) -> Iterator[set[str]]:
    """Yield the changed paths under `folder` after each save, until interrupted.

    File-system events come from watchfiles (polling with `poll`, and automatically on WSL).
    Where events never arrive (network drives, some container mounts), the files' times are
    also compared every second, so a save is still seen within about a second.
    """
    from watchfiles import watch  # imported here: only `workbook watch` needs it

    def keep(_change: object, path: str) -> bool:
        return _watched(Path(path), folder)

    before = snapshot(folder)
    for events in watch(
        folder,
        watch_filter=keep,
        force_polling=True if poll else None,
        rust_timeout=FALLBACK_MS,
        yield_on_timeout=True,
        debounce=400,
    ):
        after = snapshot(folder)
        changed = {path for _, path in events} or {
            path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
        }
        before = after
        if changed:
            yield changed


@dataclass(frozen=True)
class Finished:
    status: LabStatus
    reruns: int  # saves it took; 0 when the lab was done before watching it


@dataclass
class Watcher:
    """Works through labs in order, re-running the current one after every save."""

    catalog: Catalog
    out: Console
    track: str | None = None
    poll: bool = False
    changes: ChangeSource | None = None  # lab_changes
    runner: Runner | None = None  # labrun.run_lab
    known_done: set[str] = field(default_factory=set)  # labs known to be done
    scanned: bool = False  # known_done came from running every lab (`workbook watch`)
    cache: RunCache | None = None
    starters: Starters | None = None

    def run(self, first: Lab) -> bool:
        """Watch `first`, then each later unfinished lab; True once every lab is done."""
        lab: Lab | None = first
        keep_screen = False
        while lab is not None:
            outcome = self.watch_lab(lab, keep_screen)
            if outcome is None:  # the change source ended (a test's, or interrupted)
                return False
            if outcome.reruns == 0 and lab is not first:
                self.out.print(Text(f"✔ Lab {ui.lab_label(lab)} was already done.", "green"))
            else:
                self.out.print(ui.done_view(lab, why_this_design(lab.path)))
            self.known_done.add(lab.id)
            lab = self.next_lab(lab)
            keep_screen = True  # leave the "done" note on screen above the next lab
        self.out.print(ui.all_done(self.track))
        return True

    def watch_lab(self, lab: Lab, keep_screen: bool) -> Finished | None:
        """Re-run `lab` after each save until it is done, or None when the saves stop."""
        saves = (self.changes or lab_changes)(lab.path, self.poll)
        reruns = 0
        try:
            while True:
                status = self.status(lab)
                if not keep_screen:
                    self.out.clear()
                keep_screen = False
                self.show(status)
                if status.done:
                    return Finished(status, reruns)
                self.out.print(
                    Text(f"Watching labs/{lab.id} — save a file to re-run; Ctrl-C to stop.", "dim")
                )
                if next(saves, None) is None:
                    return None
                reruns += 1
        finally:
            close = getattr(saves, "close", None)
            if close is not None:
                close()

    def status(self, lab: Lab, reuse: bool = False) -> LabStatus:
        starters = self.starters or Starters.read(self.catalog)  # one git call per run
        return lab_status(
            self.catalog, lab, self.track, self.runner,
            starters=starters, cache=self.cache, reuse=reuse,
        )  # fmt: skip

    def show(self, status: LabStatus) -> None:
        labs = [lab for lab in self.catalog.labs if serves(lab, self.track)]
        label = f"lab {status.lab.number}"  # by number: the catalog's numbers have gaps
        if self.scanned:
            label += f" · {len(self.known_done)} of {len(labs)} labs done"
        tests = status.tally
        self.out.print(ui.bar(tests.passed, tests.total, f"{tests} tests · {label}"))
        self.out.print(ui.check_view(status), soft_wrap=True)

    def next_lab(self, after: Lab) -> Lab | None:
        """The next unfinished lab that exists and serves the track: later labs first, then
        earlier ones (a learner may have skipped one). Labs not known to be done are checked
        (from the cache when their files have not changed)."""
        labs = list(self.catalog.labs)
        at = labs.index(after)
        for lab in labs[at + 1 :] + labs[:at]:
            if lab.id in self.known_done or not lab.path.is_dir() or not serves(lab, self.track):
                continue
            if not self.scanned and self.status(lab, reuse=True).done:
                self.known_done.add(lab.id)
                continue
            return lab
        return None
