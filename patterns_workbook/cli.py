"""`workbook`: the learner's command — progress, checks, hints, watch mode, reset, solutions.

Exit codes: 0 success (for `check`, every selected test passes), 1 tests fail, 2 the command
could not do its job (unknown lab, no catalog, no git, pytest crashed, …), 130 interrupted.
Every expected problem prints one `error:` line on stderr, never a traceback.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.text import Text

from patterns_workbook import catalog as catalog_module
from patterns_workbook import ui
from patterns_workbook.catalog import Catalog, CatalogError, Lab
from patterns_workbook.hints import HintsError, WorkbookState, load_hints
from patterns_workbook.labrun import LabRunError
from patterns_workbook.progress import LabStatus, lab_status, lab_statuses, serves
from patterns_workbook.workspace import WorkspaceError, reset_labs, solution_diffs

EXIT_FAILING = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
TRACK_ENV = "WORKBOOK_TRACK"

app = typer.Typer(
    name="workbook",
    help="Work through the Backend Patterns Workbook's labs: progress, checks, hints, watch.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Track(StrEnum):
    django = "django"
    fastapi = "fastapi"
    flask = "flask"


class Problem(Exception):
    """An expected failure the CLI reports in one line."""


P = ParamSpec("P")
R = TypeVar("R")
EXPECTED = (Problem, CatalogError, LabRunError, WorkspaceError, HintsError, OSError)


def reports_problems(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the expected failures into one `error:` line and exit 2; Ctrl-C into exit 130."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except EXPECTED as exc:
            ui.error(_one_line(exc))
            raise typer.Exit(EXIT_ERROR) from None
        except KeyboardInterrupt:
            ui.console(stderr=True).print("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, LabRunError):  # its text ends with pytest's whole output
        lines = [line for line in str(exc).splitlines() if line.strip()]
        last = f" — pytest said: {lines[-1].strip()}" if len(lines) > 1 else ""
        first = lines[0].rstrip(":") if lines else "pytest failed"
        return f"{first}{last}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return str(exc) or type(exc).__name__


# ------------------------------------------------------------------------------- helpers

TrackOption = Annotated[
    Track | None,
    typer.Option(
        "--track",
        "-t",
        envvar=TRACK_ENV,
        case_sensitive=False,
        help=f"Only this track's tests (core + its framework). Default: ${TRACK_ENV} or all.",
    ),
]
LabArgument = Annotated[str, typer.Argument(help="The lab: 7, 07, 07_caching or caching.")]


def _catalog() -> Catalog:
    return catalog_module.load()


def _lab(catalog: Catalog, name: str, track: str | None = None) -> Lab:
    lab = catalog.find(name)
    if not lab.path.is_dir():
        raise Problem(f"labs/{lab.id} is listed in catalog.toml but is not in this checkout")
    if not serves(lab, track):
        raise Problem(f"lab {lab.id} has no {track} track (it serves: {', '.join(lab.frameworks)})")
    return lab


def _run(catalog: Catalog, lab: Lab, track: str | None) -> LabStatus:
    with ui.busy(f"Running the tests of labs/{lab.id}…"):
        status = lab_status(catalog, lab, track, compare_starter=False)
    if status.error is not None:
        raise LabRunError(status.error)
    if status.run is not None and not status.tests and not status.run.collect_errors:
        scope = f" for the {track} track" if track else ""
        raise Problem(f"no tests found in labs/{lab.id}{scope}")
    return status


def _value(track: Track | None) -> str | None:
    return None if track is None else track.value


# ------------------------------------------------------------------------------ commands


@app.callback()
def overview(ctx: typer.Context) -> None:
    """With no command: the status of every lab (same as `workbook status`)."""
    if ctx.invoked_subcommand is None:
        env = os.environ.get(TRACK_ENV, "").strip().lower() or None
        if env is not None and env not in Track.__members__:
            ui.error(f"${TRACK_ENV}={env!r} is not a track; use one of: django, fastapi, flask")
            raise typer.Exit(EXIT_ERROR)
        status(track=None if env is None else Track(env))


@app.command()
@reports_problems
def status(track: TrackOption = None) -> None:
    """A table of every lab — tests passing per track, state — and overall progress."""
    catalog = _catalog()
    if not catalog.labs:
        raise Problem("catalog.toml lists no labs")
    err = ui.console(stderr=True)
    name = _value(track)
    labs = [x for x in catalog.labs if serves(x, name)]
    if err.is_terminal:
        from rich.progress import Progress

        with Progress(console=err, transient=True) as progress:
            bar = progress.add_task(f"Running {len(labs)} labs' tests", total=len(labs))
            statuses = lab_statuses(catalog, labs, name, on_each=lambda _: progress.advance(bar))
    else:
        statuses = lab_statuses(catalog, labs, name)
    ui.console().print(ui.status_view(statuses, name))


@app.command()
@reports_problems
def check(lab: LabArgument, track: TrackOption = None) -> None:
    """Run one lab's tests: which tasks pass, the first failure, what to do next."""
    catalog = _catalog()
    chosen = _lab(catalog, lab, _value(track))
    result = _run(catalog, chosen, _value(track))
    ui.console().print(ui.check_view(result))
    if not result.done:
        raise typer.Exit(EXIT_FAILING)


@app.command()
@reports_problems
def hint(
    lab: LabArgument,
    task: Annotated[
        int | None, typer.Option("--task", min=1, help="This task (default: first failing).")
    ] = None,
    all_tiers: Annotated[bool, typer.Option("--all", help="Every hint for the task.")] = False,
    track: TrackOption = None,
) -> None:
    """The next hint for the first failing task (one tier at a time; --all for every tier)."""
    catalog = _catalog()
    chosen = _lab(catalog, lab, _value(track))
    hints = load_hints(chosen.path)
    out = ui.console()
    if task is None:
        result = _run(catalog, chosen, _value(track))
        if result.run is not None and result.run.collect_errors:
            out.print(ui.check_view(result))
            raise typer.Exit(EXIT_FAILING)
        if result.done:
            out.print(Text(f"✔ Every test of lab {chosen.number} passes: no hint needed."))
            return
        task = result.first_failing_task()
        if task is None:
            raise Problem(f"the failing tests of labs/{chosen.id} carry no task marker")
    if task not in hints:
        raise Problem(f"labs/{chosen.id}/hints.md has no hints for task {task}")
    tiers = hints[task].tiers
    state = WorkbookState(catalog.root)
    seen = state.revealed(chosen.id, task)
    title = _task_title(chosen, task)
    shown = range(1, len(tiers) + 1) if all_tiers else [min(seen + 1, len(tiers))]
    for tier in shown:
        out.print(ui.hint_view(chosen, task, title, tier, len(tiers), tiers[tier - 1]))
    state.reveal(chosen.id, task, max(shown))
    if not all_tiers and seen >= len(tiers):
        last = f"That is the last hint for task {task}. The reference: workbook solution"
        out.print(Text(f"{last} {chosen.number}"))
    elif not all_tiers and seen > 0:
        out.print(Text(f"Earlier hints: workbook hint {chosen.number} --task {task} --all"))


def _task_title(lab: Lab, task: int) -> str:
    return lab.tasks[task - 1] if 1 <= task <= len(lab.tasks) else f"task {task}"


@app.command()
@reports_problems
def watch(
    lab: Annotated[
        str | None, typer.Argument(help="Start with this lab (default: first unfinished).")
    ] = None,
    track: TrackOption = None,
    poll: Annotated[
        bool, typer.Option("--poll", help="Poll for changes (WSL2 mounts, network drives, …).")
    ] = False,
) -> None:
    """Re-run the current lab on every save; move on when it is done. Ctrl-C to stop."""
    from patterns_workbook.watching import Watcher

    catalog = _catalog()
    name = _value(track)
    out = ui.console()
    watcher = Watcher(catalog, out, track=name, poll=poll)
    if lab is not None:
        first = _lab(catalog, lab, name)
    else:
        candidates = [x for x in catalog.labs if x.path.is_dir() and serves(x, name)]
        with ui.busy("Finding your first unfinished lab…"):
            statuses = lab_statuses(catalog, candidates, name)
        watcher.known_done = {s.lab.id for s in statuses if s.done}
        watcher.scanned = True
        first = next((s.lab for s in statuses if not s.done), None)
        if first is None:
            out.print(ui.all_done(name))
            return
    try:
        watcher.run(first)
    except KeyboardInterrupt:
        out.print(Text("Stopped watching.", style="dim"))


@app.command()
@reports_problems
def reset(
    lab: Annotated[str | None, typer.Argument(help="The lab to reset.")] = None,
    all_labs: Annotated[bool, typer.Option("--all", help="Reset every lab.")] = False,
) -> None:
    """Restore a lab's files to the starter; your version is backed up first."""
    catalog = _catalog()
    if (lab is None) == (not all_labs):
        raise Problem("name one lab (workbook reset 07) or use --all")
    if all_labs:  # every lab of this checkout that has learner files (a solution names them)
        labs = [x for x in catalog.labs if x.path.is_dir() and x.solution_path.is_dir()]
    else:
        labs = [_lab(catalog, lab)]
    out = ui.console()
    for result in reset_labs(labs, catalog.root):
        where = f"labs/{result.lab.id}"
        if result.backup is None:
            out.print(Text(f"{where}: already the starter, nothing to do"))
            continue
        backup = os.path.relpath(result.backup, Path.cwd())
        out.print(
            Text.assemble(
                (f"{where}: ", "bold"),
                f"restored {len(result.restored)} file(s) to the starter; your version is in ",
                (backup, "cyan"),
            )
        )


@app.command()
@reports_problems
def solution(
    lab: LabArgument,
    files: Annotated[bool, typer.Option("--files", help="List the files that differ.")] = False,
) -> None:
    """A coloured diff from your files to the reference solution."""
    chosen = _lab(_catalog(), lab)
    diffs = solution_diffs(chosen)
    out = ui.console()
    differing = [d for d in diffs if d.differs]
    if not differing:
        out.print(Text(f"Your files in labs/{chosen.id} match the reference solution."))
        return
    if files:
        for diff in differing:
            out.print(Text(f"labs/{chosen.id}/{diff.rel}"))
        return
    out.print(ui.diff_view(differing), soft_wrap=True)


@app.command(name="open")
@reports_problems
def open_notebook(
    lab: LabArgument,
    launch: Annotated[bool, typer.Option("--launch", help="Open it in JupyterLab.")] = False,
) -> None:
    """Print the path of the lab's notebook (or open it in JupyterLab with --launch)."""
    catalog = _catalog()
    chosen = catalog.find(lab)
    path = catalog.root / chosen.notebook
    if not path.is_file():
        raise Problem(f"{chosen.notebook} is listed in catalog.toml but does not exist")
    if not launch:
        ui.console().print(Text(str(path)), soft_wrap=True)
        return
    command = [sys.executable, "-m", "jupyter", "lab", str(path)]
    code = subprocess.call(command, cwd=catalog.root)
    if code:
        raise typer.Exit(code)


def main() -> None:
    """The `workbook` console script."""
    app()
