"""`workbook`: the learner's command — progress, checks, hints, watch mode, reset, solutions.

Exit codes: 0 success (for `check`, every selected test passes), 1 tests fail, 2 the command
could not do its job (unknown lab, no catalog, no git, pytest crashed, a bad track, …), 130
interrupted (Ctrl-C kills every run in flight and cancels the queued ones). Every expected
problem prints one `error:` line on stderr, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.text import Text

from patterns_workbook import catalog as catalog_module
from patterns_workbook.catalog import (
    TRACK_ENV,
    Catalog,
    CatalogError,
    Lab,
    parse_track,
    track_from_env,
)
from patterns_workbook.labtext import HintsError, load_hints
from patterns_workbook.learner import ui
from patterns_workbook.learner.progress import (
    LabStatus,
    Starters,
    lab_status,
    lab_statuses,
    serves,
    warm_runner,
)
from patterns_workbook.learner.state import RunCache, WorkbookState
from patterns_workbook.learner.workspace import WorkspaceError, reset_labs, solution_diffs
from patterns_workbook.run import warm
from patterns_workbook.run.lab import LabRunError, cancel_all, reset_cancel

EXIT_FAILING = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="workbook",
    help="Work through the Backend Patterns Workbook's labs: progress, checks, hints, watch.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Problem(Exception):
    """An expected failure the CLI reports in one line."""


P = ParamSpec("P")
R = TypeVar("R")
EXPECTED = (Problem, CatalogError, LabRunError, WorkspaceError, HintsError, OSError)


def reports_problems(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the expected failures into one `error:` line and exit 2; Ctrl-C into exit 130."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        reset_cancel()
        warm.pop_started()  # what an earlier command (in this process) started is not news
        try:
            return command(*args, **kwargs)
        except EXPECTED as exc:
            ui.error(_one_line(exc))
            raise typer.Exit(EXIT_ERROR) from None
        except KeyboardInterrupt:
            cancel_all()  # every run in flight killed, the queued ones never start
            ui.console(stderr=True).print("interrupted")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        finally:
            reset_cancel()

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
    str | None,
    typer.Option(
        "--track",
        "-t",
        metavar="[django|fastapi|flask]",
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
    starters = Starters.read(catalog)
    with ui.busy(f"Running the tests of labs/{lab.id}…"):
        status = lab_status(
            catalog, lab, track, warm_runner(), starters=starters, cache=RunCache(catalog.root)
        )
    if status.error is not None:
        raise LabRunError(status.error)
    if status.run is not None and not status.tests and not status.run.collect_errors:
        scope = f" for the {track} track" if track else ""
        raise Problem(f"no tests found in labs/{lab.id}{scope}")
    _say_warm_runner_started()
    return status


def _say_warm_runner_started() -> None:
    if warm.pop_started():
        minutes = warm.IDLE_SECONDS // 60
        ui.note(
            "Starting the warm runner: the next runs skip importing the frameworks. It stops "
            f"after {minutes} idle minutes, or at `workbook stop`."
        )


def _value(track: str | None) -> str | None:
    """The track from `--track`, else from $WORKBOOK_TRACK; one error format for both."""
    return parse_track(track, "--track") if track is not None else track_from_env()


def _unknown_starter_note(statuses: list[LabStatus], starters: Starters) -> list[LabStatus]:
    if starters.shipped.known:
        return statuses
    why = starters.shipped.why_unknown
    return [dataclasses.replace(s, notes=(why,)) for s in statuses]


# ------------------------------------------------------------------------------ commands


@app.callback()
def overview(ctx: typer.Context) -> None:
    """With no command: the status of every lab (same as `workbook status`)."""
    if ctx.invoked_subcommand is None:
        status(track=None)


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
    starters = Starters.read(catalog)
    options = {"starters": starters, "cache": RunCache(catalog.root), "reuse": True}
    if err.is_terminal:
        from rich.progress import Progress

        with Progress(console=err, transient=True) as progress:
            bar = progress.add_task(f"Running {len(labs)} labs' tests", total=len(labs))
            statuses = lab_statuses(
                catalog, labs, name, on_each=lambda _: progress.advance(bar), **options
            )
    else:
        statuses = lab_statuses(catalog, labs, name, **options)
    ui.console().print(ui.status_view(_unknown_starter_note(statuses, starters), name))
    _say_warm_runner_started()


@app.command()
@reports_problems
def check(lab: LabArgument, track: TrackOption = None) -> None:
    """Run one lab's tests: which tasks pass, the first failure, what to do next."""
    catalog = _catalog()
    name = _value(track)
    chosen = _lab(catalog, lab, name)
    result = _run(catalog, chosen, name)
    ui.console().print(ui.check_view(result), soft_wrap=True)
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
    """The next hint for the first failing task (one tier at a time; --all for every tier).

    With --track, only that track's text, for the first task failing on that track.
    """
    catalog = _catalog()
    name = _value(track)
    chosen = _lab(catalog, lab, name)
    hints = load_hints(chosen.path)
    out = ui.console()
    if task is None:
        result = _run(catalog, chosen, name)
        if result.run is not None and result.run.collect_errors:
            out.print(ui.check_view(result), soft_wrap=True)
            raise typer.Exit(EXIT_FAILING)
        if result.done:
            scope = f" on the {name} track" if name else ""
            out.print(Text(f"✔ Every test of lab {chosen.number}{scope} passes: no hint needed."))
            return
        task = result.first_failing_task()
        if task is None:
            raise Problem(f"the failing tests of labs/{chosen.id} carry no task marker")
    if task not in hints:
        raise Problem(f"labs/{chosen.id}/hints.md has no hints for task {task}")
    tiers = hints[task].tiers
    state = WorkbookState(catalog.root)
    if state.warning:
        ui.warning(state.warning)
    seen = state.revealed(chosen.id, task)
    shown = range(1, len(tiers) + 1) if all_tiers else [min(seen + 1, len(tiers))]
    for tier in shown:
        text = tiers[tier - 1].text(name) or "(no hint text for this track at this tier)"
        out.print(ui.hint_view(chosen, task, tier, len(tiers), text, name))
    state.reveal(chosen.id, task, max(shown))
    if not all_tiers and seen >= len(tiers):
        last = f"That is the last hint for task {task}. The reference:"
        out.print(Text(f"{last} {ui.command('solution', chosen, None)}"))
    elif not all_tiers and seen > 0:
        earlier = ui.command("hint", chosen, name, "--task", str(task), "--all")
        out.print(Text(f"Earlier hints: {earlier}"))


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
    from patterns_workbook.learner.watch import Watcher

    catalog = _catalog()
    name = _value(track)
    out = ui.console()
    cache = RunCache(catalog.root)
    # A save is answered in the time of the tests, not of importing the frameworks again.
    runner = warm_runner(repeated=True)
    watcher = Watcher(catalog, out, track=name, poll=poll, cache=cache, runner=runner)
    if lab is not None:
        first = _lab(catalog, lab, name)
    else:
        candidates = [x for x in catalog.labs if x.path.is_dir() and serves(x, name)]
        with ui.busy("Finding your first unfinished lab…"):
            statuses = lab_statuses(
                catalog, candidates, name, starters=Starters.read(catalog), cache=cache, reuse=True
            )
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
    """Restore a lab's files to the starter (read from git); your version is backed up first."""
    catalog = _catalog()
    if (lab is None) == (not all_labs):
        raise Problem("name one lab (workbook reset 07) or use --all")
    if all_labs:  # every lab of this checkout with learner files (the catalog names them)
        labs = [x for x in catalog.labs if x.path.is_dir() and x.files]
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


@app.command()
@reports_problems
def stop() -> None:
    """Stop the warm runner that keeps the frameworks imported between commands.

    It stops by itself after 10 idle minutes; with WORKBOOK_WARM=off none is started.
    """
    stopped = warm.stop_shared()
    said = f"Stopped {stopped} warm runner(s)." if stopped else "No warm runner was running."
    ui.console().print(Text(said))


def _add_dev_commands() -> None:
    from patterns_workbook.maintainer.dev import dev_app

    app.add_typer(dev_app, name="dev")


_add_dev_commands()


def main() -> None:
    """The `workbook` console script."""
    app()
