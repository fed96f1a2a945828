"""How the `workbook` command shows things: rich renderables built from plain data.

Everything a test, a README or a learner wrote is printed as `Text` (never parsed as rich
markup), so `test_x[flask]` or `[red]` in a message prints as written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from urllib.parse import urlsplit

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from patterns_workbook.catalog import TRACKS, Lab
from patterns_workbook.learner.progress import LabStatus, State, Tally
from patterns_workbook.learner.workspace import FileDiff
from patterns_workbook.run.lab import track_expression

TRACK_LABELS = {"django": "Django", "fastapi": "FastAPI", "flask": "Flask"}
STATE_STYLES = {
    State.DONE: "bold green",
    State.IN_PROGRESS: "yellow",
    State.NOT_STARTED: "dim",
    State.BROKEN: "bold red",
    State.MISSING: "dim italic",
}
MESSAGE_LINES = 25  # of a failure message; the full text is one `pytest` run away


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)


def error(message: str) -> None:
    """One line on stderr: what went wrong and, where it helps, what to do."""
    console(stderr=True).print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


def warning(message: str) -> None:
    """One line on stderr about something the command recovered from."""
    console(stderr=True).print(Text.assemble(("warning: ", "bold yellow"), message), soft_wrap=True)


def note(message: str) -> None:
    """One dim line on stderr: something the command did besides its job."""
    console(stderr=True).print(Text(message, style="dim"), soft_wrap=True)


def busy(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while something runs — only on a terminal (nothing to import else)."""
    err = console(stderr=True)
    return err.status(message) if err.is_terminal else nullcontext()


def lab_label(lab: Lab) -> str:
    return f"{lab.number} · {lab.title}"


def command(verb: str, lab: Lab | None, track: str | None, *extra: str) -> str:
    """A `workbook …` command to suggest, keeping the learner's `--track`."""
    words = ["workbook", verb, *([lab.number] if lab else []), *extra]
    return " ".join(words + (["--track", track] if track else []))


def pytest_command(lab: Lab, track: str | None) -> str:
    expr = track_expression(track)
    return f"pytest labs/{lab.id}" + (f' -m "{expr}"' if expr else "")


def unwrapped(*parts: str | tuple[str, str]) -> Text:
    """A line that is never wrapped (test ids, paths): it may run past the edge instead."""
    text = Text.assemble(*parts)
    text.no_wrap = True
    text.overflow = "ignore"
    return text


def bar(done: int, total: int, label: str, width: int = 30) -> Text:
    """`█████░░░░░ label`: readable with or without colour."""
    filled = round(width * done / total) if total else 0
    return Text.assemble(("█" * filled, "green"), ("░" * (width - filled), "dim"), " ", label)


# -------------------------------------------------------------------------------- status


def _tally_cell(value: Tally | None) -> Text:
    if value is None:
        return Text("—", style="dim")
    style = "green" if value.complete else ("yellow" if value.passed else "")
    return Text(str(value), style=style)


def _state_cell(status: LabStatus) -> Text:
    state = status.state
    text = Text(state.value, style=STATE_STYLES[state])
    if state is State.IN_PROGRESS and status.track is None and status.done_tracks:
        text.append(f" (done: {', '.join(status.done_tracks)})", style="green")
    return text


def status_view(statuses: list[LabStatus], track: str | None) -> RenderableType:
    tracks = [track] if track else list(TRACKS)
    title = "Backend Patterns Workbook" + (f" — {TRACK_LABELS[track]} track" if track else "")
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("#", justify="right", style="bold")
    table.add_column("Lab", min_width=20)
    for name in tracks:
        table.add_column(TRACK_LABELS[name], justify="right", no_wrap=True)
    table.add_column("State", no_wrap=True)
    for status in statuses:
        lab = status.lab
        table.add_row(
            lab.number,
            Text(lab.title),
            *(_tally_cell(status.track_tally(name)) for name in tracks),
            _state_cell(status),
        )
    counted = [s for s in statuses if s.state is not State.MISSING]
    tests = Tally(
        sum(s.tally.passed for s in counted),
        sum(s.tally.total for s in counted),
        sum(s.tally.skipped for s in counted),
    )
    labs_done = sum(s.done for s in statuses)
    summary = f"{tests} tests pass · {labs_done} of {len(statuses)} labs done"
    parts: list[RenderableType] = [table, bar(tests.passed, tests.total, summary)]
    problems = [s for s in statuses if s.state is State.BROKEN]
    for status in problems:
        parts.append(Text(f"{status.lab.number}: {_broken_reason(status)}", style="red"))
    for status in statuses:
        if status.given_changed and status.state is not State.MISSING:
            files = ", ".join(status.given_changed)
            parts.append(Text(f"{status.lab.number}: given files differ from the starter: {files}",
                              style="yellow"))  # fmt: skip
    unknown = next((s for s in statuses if not s.starter_known), None)
    if unknown is not None:
        parts.append(Text(f"Note: {_why_unknown(unknown)}; a lab counts as started once one of "
                          "its tests passes.", style="dim"))  # fmt: skip
    next_lab = next((s for s in statuses if s.state not in (State.DONE, State.MISSING)), None)
    if next_lab is not None:
        check = command("check", next_lab.lab, track)
        parts.append(Text(f"Next: {check}   (or: {command('watch', None, track)})"))
    return Group(*parts)


def _why_unknown(status: LabStatus) -> str:
    return status.notes[0] if status.notes else "the starter as shipped cannot be known"


def _broken_reason(status: LabStatus) -> str:
    if status.error is not None:
        return _first_line(status.error)
    if status.run is not None and status.run.collect_errors:
        return "the tests do not import — run `workbook check " + status.lab.number + "`"
    return "could not run"


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), text)


# --------------------------------------------------------------------------------- check


def _database(lab: Lab) -> str:
    """Where a database lab's tests run: SQLite, or the server DATABASE_URL names."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        return "SQLite"
    try:
        password = urlsplit(raw).password
    except ValueError:
        password = None
    return f"PostgreSQL ({raw.replace(f':{password}@', ':***@') if password else raw})"


def check_view(status: LabStatus) -> RenderableType:
    """Which tasks pass, the first failure's message, and what to run next."""
    lab = status.lab
    header = Text.assemble(
        (lab_label(lab), "bold"),
        (f"   labs/{lab.id}", "dim"),
        (f"   track: {status.track}" if status.track else "", "cyan"),
        (f"   on {_database(lab)}" if lab.database else "", "cyan"),
    )
    parts: list[RenderableType] = [header]
    run = status.run
    track = status.track
    if status.error is not None or run is None:
        parts.append(Text(_tail(status.error or "the tests could not run"), style="red"))
        return Group(*parts)
    if status.given_changed:
        files = ", ".join(status.given_changed)
        note = f"Note: you changed given files the lab does not ask you to edit: {files}"
        parts.append(Text(note, style="yellow"))
    if run.collect_errors:
        total, ran = status.tally.total, len(status.tests)
        lost = f"{total - ran} of {total} tests" if status.known_total else "its tests"
        parts.append(Text(f"Your code or the tests do not import, so {lost} could not run:", "red"))
        for problem in run.collect_errors:
            parts.append(_indented(_tail(problem["message"])))
            if problem.get("also"):
                more = len(problem["also"].split())
                parts.append(_indented(f"(the same error stops {more} more test module(s))"))
        parts.append(Text(f"Fix that, then: {command('check', lab, track)}"))
        return Group(*parts)
    tasks = Table.grid(padding=(0, 0, 0, 2), pad_edge=True)
    for summary in status.tasks():
        ok = summary.tally.complete
        mark = Text("✔", "green") if ok else Text("✘", "red")
        name = f"task {summary.task}" if summary.task is not None else "other"
        tasks.add_row(mark, Text(name, "bold"), Text(summary.title), _tally_cell(summary.tally))
    parts += [Text(""), tasks, Text("")]
    tally = status.tally
    if status.done:
        parts.append(Text(f"✔ All {tally.total} tests pass — lab {lab.number} is done.", "green"))
        parts += _skipped_note(status)
        return Group(*parts)
    failure = status.failures()[0] if status.failures() else None
    if failure is not None:
        task = f"task {failure.task}" if failure.task is not None else "a test"
        if failure.exc_type == "Timeout":
            task += ", stopped by the timeout"
        parts.append(unwrapped(("First failure", "bold red"), f" ({task}): ", failure.nodeid))
        parts += [_indented(_tail(failure.message, head=True)), Text("")]
    elif run.exitstatus not in (0, 1):  # pytest stopped without failing a test: say why
        parts.append(Text(f"pytest stopped (exit {run.exitstatus}) before the tests ran:", "red"))
        parts += [_indented(run.output_tail()), Text("")]
    parts.append(
        unwrapped(
            f"{tally} tests pass.  Stuck? {command('hint', lab, track)}   "
            f"Full output: {pytest_command(lab, track)}"
        )
    )
    return Group(*parts)


def _skipped_note(status: LabStatus) -> list[RenderableType]:
    """Skipped tests, counted apart, with the first one's reason (e.g. "needs PostgreSQL")."""
    skipped = [t for t in status.tests if t.outcome == "skipped"]
    if not skipped:
        return []
    reason = f": {skipped[0].message}" if skipped[0].message else ""
    return [Text(f"{len(skipped)} test(s) skipped{reason}", style="dim")]


def _indented(text: str, by: int = 4) -> Text:
    return Text("\n".join(" " * by + line for line in text.splitlines()))


def _tail(message: str, head: bool = False) -> str:
    """At most MESSAGE_LINES lines of a message: its start (a failure) or end (a traceback)."""
    lines = message.strip().splitlines() or ["(no message)"]
    if len(lines) <= MESSAGE_LINES:
        return "\n".join(lines)
    cut = len(lines) - MESSAGE_LINES
    if head:
        return "\n".join([*lines[:MESSAGE_LINES], f"… {cut} more lines"])
    return "\n".join([f"… {cut} lines above", *lines[-MESSAGE_LINES:]])


# --------------------------------------------------------------------------- hints, docs


def markdown(text: str) -> RenderableType:
    from rich.markdown import Markdown  # markdown-it is only worth importing when needed

    return Markdown(text)


def hint_view(
    lab: Lab, task: int, tier: int, tiers: int, text: str, track: str | None = None
) -> RenderableType:
    from rich.panel import Panel

    title = lab.task_title(task)
    body = Group(Text(f"Task {task} — {title}", style="bold"), Text(""), markdown(text))
    scope = f" · {TRACK_LABELS[track]} track" if track else ""
    heading = Text(f"lab {lab.number} · hint {tier} of {tiers}{scope}")
    return Panel(body, title=heading, title_align="left", border_style="cyan")


def done_view(lab: Lab, why: str | None) -> RenderableType:
    """Shown by `workbook watch` when a lab turns green: the README's design note."""
    from rich.panel import Panel

    if not why:
        return Text("")
    return Panel(markdown(why), title=f"Why this design — lab {lab.number}", title_align="left")


def all_done(track: str | None) -> Text:
    scope = f" on the {TRACK_LABELS[track]} track" if track else ""
    return Text(f"✔ No unfinished labs left{scope}. Well played.", style="bold green")


# ------------------------------------------------------------------------------ solution


def diff_view(diffs: Iterable[FileDiff]) -> Text:
    styles = (("+++", "bold"), ("---", "bold"), ("@@", "cyan"), ("+", "green"), ("-", "red"))
    lines = [line for diff in diffs for line in diff.lines]
    text = Text()
    for n, line in enumerate(lines):
        style = next((s for prefix, s in styles if line.startswith(prefix)), "")
        text.append(line, style=style)
        if n < len(lines) - 1:
            text.append("\n")
    return text
