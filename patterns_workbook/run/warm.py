"""Run many short pytest sessions fast: fork each from a process that imported the frameworks.

A lab run spends ~0.9 s importing Django, DRF, FastAPI, Flask, SQLAlchemy and pytest before
its first test. The maintainer suite runs every lab many times (starter, solution, each wrong
answer), so it forks each run from a *warm* process that imported them once:
`python -m patterns_workbook.run.warm`, started like any run (`subprocess`, its own session)
with the run's environment, so everything Python reads at interpreter start
(`PYTHONHASHSEED`, `PYTHONPATH`, locale, …) is the same as for a run of its own. A run whose
start-up environment differs gets a warm process of its own. Each forked child is a fresh
pytest session in a new process group: nothing a lab imports, configures or patches
survives it, and a timeout or Ctrl-C kills its group like any run's. It needs `os.fork`
(not Windows), and no `if __name__ == "__main__"` guard in the caller.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import itertools
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

# Imported once in the warm process. Only modules that need no configuration at import time
# (Django's settings are configured per lab, inside each child), and no pytest plugin:
# pytest rewrites a plugin's asserts as it imports it, so plugins must import in the child.
PRELOAD = [
    "pytest",
    "_pytest.python",
    "django.db.models",
    "django.test",
    "fastapi",
    "fastapi.testclient",
    "flask",
    "pydantic",
    "sqlalchemy.orm",
    "httpx",
    "psycopg",  # PostgreSQL runs (DATABASE_URL): ~50 ms each, once here instead
]
STARTUP_PREFIXES = ("PYTHON", "LC_", "LANG")


class Live(Protocol):
    def add(self, pid: int) -> None: ...
    def discard(self, pid: int) -> None: ...


def available() -> bool:
    """Whether this platform can fork (not Windows): callers fall back to a subprocess."""
    return hasattr(os, "fork") and sys.platform != "win32"


def startup_env(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The part of an environment Python reads when the interpreter starts."""
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(STARTUP_PREFIXES)))


class _Run:
    def __init__(self) -> None:
        self.started = threading.Event()
        self.done = threading.Event()
        self.pid: int | None = None
        self.code: int | None = None


class WarmProcess:
    """One warm process and the runs forked from it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "patterns_workbook.run.warm"],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=os.sep,  # holds no folder of its own: each run chdirs to its lab
            start_new_session=True,
        )  # fmt: skip
        self.lock = threading.Lock()
        self.runs: dict[int, _Run] = {}
        self.ids = itertools.count(1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            message = json.loads(line)
            run = self.runs.get(message["id"])
            if run is None:
                continue
            if "pid" in message:
                run.pid = message["pid"]
                run.started.set()
            if "exit" in message:
                run.code = message["exit"]
                run.started.set()
                run.done.set()
        for run in list(self.runs.values()):  # the warm process died: nothing will finish
            run.started.set()
            run.done.set()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, request: dict[str, Any], timeout: float, live: Live) -> int | None:
        from patterns_workbook.run.lab import kill_group

        run = _Run()
        with self.lock:
            ident = next(self.ids)
            self.runs[ident] = run
            assert self.proc.stdin is not None
            self.proc.stdin.write((json.dumps({**request, "id": ident}) + "\n").encode())
            self.proc.stdin.flush()
        try:
            run.started.wait(30)
            if run.pid is None:
                return 1 if run.code is None else run.code
            live.add(run.pid)
            if not run.done.wait(timeout):
                return None
            return 1 if run.code is None else run.code
        finally:
            if run.pid is not None:
                if not run.done.is_set():
                    kill_group(run.pid)
                    run.done.wait(5)
                live.discard(run.pid)
            self.runs.pop(ident, None)

    def close(self) -> None:
        if self.alive():
            self.proc.kill()
            self.proc.wait()


_warm: dict[tuple[tuple[str, str], ...], WarmProcess] = {}
_warm_lock = threading.Lock()


def _close_all() -> None:
    for process in _warm.values():
        process.close()


atexit.register(_close_all)


def run_pytest(
    args: list[str], cwd: Path, env: dict[str, str], output: Path, timeout: float, live: Live
) -> int | None:
    """`pytest args` in `cwd` with exactly `env`; output to `output`. The exit code, or None
    when it ran past `timeout` seconds (it was killed)."""
    key = startup_env(env)
    with _warm_lock:
        process = _warm.get(key)
        if process is None or not process.alive():
            process = _warm[key] = WarmProcess(env)
    request = {"args": args, "cwd": str(cwd), "env": env, "output": str(output)}
    return process.run(request, timeout, live)


# ------------------------------------------------------------------- the warm process itself


def _child(request: dict[str, Any], protocol: int, wakeup: tuple[int, int]) -> None:
    """In the forked child: a pytest session of its own, in a process group of its own."""
    code = 3
    try:
        os.setsid()
        os.close(protocol)
        signal.set_wakeup_fd(-1)  # the parent's: its children are not this run's
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for end in wakeup:
            os.close(end)
        fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.dont_write_bytecode = True
        import pytest

        # Packages that carry a pytest plugin were imported here before pytest could rewrite
        # their asserts (anyio through FastAPI). pytest warns about each; noise here.
        args = [*request["args"], "-W", "ignore::pytest.PytestAssertRewriteWarning"]
        code = int(pytest.main(args))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    """Read run requests (JSON lines) on stdin; fork each; report its pid and exit code."""
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    protocol = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A child's exit wakes the loop at once (a byte on `woken`), instead of the next poll.
    woken, wake = os.pipe()
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, int] = {}
    buffer = b""

    def send(message: dict[str, int]) -> None:
        os.write(protocol, (json.dumps(message) + "\n").encode())

    open_input = True
    while open_input or children:
        readable, _, _ = select.select([0, woken] if open_input else [woken], [], [], 1.0)
        if woken in readable:
            os.read(woken, 512)
        if 0 in readable:
            chunk = os.read(0, 65536)
            open_input = bool(chunk)
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request, protocol, (woken, wake))
                children[pid] = request["id"]
                send({"id": request["id"], "pid": pid})
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            ident = children.pop(pid, None)
            if ident is not None:
                send({"id": ident, "exit": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    serve()
