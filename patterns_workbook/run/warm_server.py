"""The warm process: import the frameworks once, then fork a fresh pytest session per run.

    python -m patterns_workbook.run.warm_server SOCKET (--owned | --idle SECONDS)

started by `patterns_workbook.run.warm` with the environment its runs start with. It listens
on the Unix socket SOCKET. Each connection carries one run request (a JSON line: `args`,
`cwd`, `env`, `output`) and gets back `{"pid": …}` once the run is forked, then
`{"exit": …}` when it ends. A connection closed before its run ends (the client was
interrupted, or died) kills the run's process group.

It says `ready` on stdout once it listens (and closes `--lock-fd`, a file its starter locked,
so whoever waits on that lock may connect), then stops when its socket file is removed or
replaced, on SIGTERM, and — `--owned` — when its stdin closes (the process that started it
has ended), or — `--idle` — after that many seconds without a run. `--idle` detaches it at
once (it outlives the command that started it: the next command finds it warm).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import json
import os
import select
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, NoReturn

from patterns_workbook.run.groups import kill_group

# Imported once here. Only modules that need no configuration at import time (Django's
# settings are configured per lab, inside each child), and no pytest plugin: pytest rewrites
# a plugin's asserts as it imports it, so plugins must import in the child.
PRELOAD = [
    "pytest",
    "_pytest.python",
    "pdb",  # pytest's --pdb support imports it in every session
    "django.db.models",
    "django.test",
    "fastapi",
    "fastapi.testclient",
    "flask",
    "pydantic",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "httpx",
    "requests",  # DRF's test client
    "psycopg",  # PostgreSQL runs (DATABASE_URL): ~50 ms each, once here instead
    "redis",  # ~80 ms, and fakeredis ~60 ms: the Redis labs
    "fakeredis",
    "rq",
    "jwt",
    "cryptography.hazmat.primitives.asymmetric.ed25519",
    "limits",
    "tenacity",
    "structlog",
]
# What the interpreter, or a module above, reads from the environment once, at import: a run
# whose values differ needs a server of its own (they are part of its key).
IMPORT_TIME_ENV = (
    "PYTHON", "LC_", "LANG",  # the interpreter
    "NO_COLOR", "FORCE_COLOR",  # structlog
    "RQ_", "FAKEREDIS_", "PSYCOPG_",
)  # fmt: skip
POLL = 1.0  # seconds between checks that the socket is still this server's
STAGING_SUFFIX = ".new"  # the name a socket is bound under before it is renamed into place


@dataclass
class _Connection:
    sock: socket.socket
    buffer: bytes = b""
    pid: int | None = None  # the run forked for it


class _Server:
    def __init__(
        self, listener: socket.socket, path: str, idle: float | None, owner: int | None
    ) -> None:
        self.listener = listener
        self.owner = owner  # closes when the process that started this one ends (--owned)
        self.path = path
        self.inode = os.stat(path).st_ino
        self.idle = idle
        self.last_run = time.monotonic()
        self.connections: dict[int, _Connection] = {}  # by file descriptor
        self.runs: dict[int, _Connection] = {}  # by pid
        self.stopping = False
        # SIGCHLD and SIGTERM wake the loop at once (a byte on `woken`), not at the next poll.
        self.woken, self.wake = os.pipe()
        os.set_blocking(self.wake, False)
        signal.set_wakeup_fd(self.wake)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C is the client's

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def serve(self) -> None:
        try:
            self._loop()
        finally:  # however it ends, no run outlives the server, nor does its socket
            for pid in list(self.runs):
                kill_group(pid)
            with contextlib.suppress(OSError):
                if os.stat(self.path).st_ino == self.inode:
                    os.unlink(self.path)
            if self.owner is not None:  # an owned server's folder is its own
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.dirname(self.path))

    def _loop(self) -> None:
        while not self._done():
            watched = [self.listener.fileno(), self.woken, *self.connections]
            if self.owner is not None:
                watched.append(self.owner)
            readable, _, _ = select.select(watched, [], [], POLL)
            if self.woken in readable:
                os.read(self.woken, 512)
            if self.owner in readable and not os.read(self.owner, 512):
                break  # the process that started this one has ended
            if self.listener.fileno() in readable:
                self._accept()
            for fd in readable:
                if fd in self.connections:
                    self._receive(self.connections[fd])
            self._reap()

    def _done(self) -> bool:
        if self.stopping:
            return True
        try:
            if os.stat(self.path).st_ino != self.inode:
                return True  # replaced: a newer server answers at this path
        except FileNotFoundError:
            return True  # removed: `workbook stop`
        idle = self.idle is not None and time.monotonic() - self.last_run > self.idle
        return idle and not self.connections

    def _accept(self) -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            sock, _ = self.listener.accept()
            sock.setblocking(True)
            self.connections[sock.fileno()] = _Connection(sock)
            self.last_run = time.monotonic()

    def _receive(self, connection: _Connection) -> None:
        try:
            chunk = connection.sock.recv(65536)
        except OSError:
            chunk = b""
        if not chunk:  # the client is gone: so is its run
            self._close(connection)
            return
        connection.buffer += chunk
        if connection.pid is None and b"\n" in connection.buffer:
            line = connection.buffer.split(b"\n", 1)[0]
            try:
                request = json.loads(line)
                pid = os.fork()
            except (ValueError, RecursionError, OSError):  # not a request, or no fork: no run
                self._close(connection)
                return
            self._forked(connection, request, pid)

    def _forked(self, connection: _Connection, request: dict[str, Any], pid: int) -> None:
        if pid == 0:  # the child: it never comes back to this loop
            inherited = [self.listener.fileno(), self.woken, self.wake, *self.connections]
            try:
                _child(request, [*inherited, *([self.owner] if self.owner is not None else [])])
            finally:
                os._exit(3)
        connection.pid = pid
        self.runs[pid] = connection
        self._send(connection, {"pid": pid})

    def _send(self, connection: _Connection, message: dict[str, int]) -> None:
        try:
            connection.sock.sendall((json.dumps(message) + "\n").encode())
        except OSError:
            self._close(connection)

    def _close(self, connection: _Connection) -> None:
        if connection.pid is not None and connection.pid in self.runs:
            kill_group(connection.pid)
        self.connections.pop(connection.sock.fileno(), None)
        connection.sock.close()

    def _reap(self) -> None:
        while self.runs:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            kill_group(pid)  # what the run started dies with it, as after a subprocess
            connection = self.runs.pop(pid, None)
            self.last_run = time.monotonic()
            if connection is not None and connection.sock.fileno() in self.connections:
                self._send(connection, {"exit": os.waitstatus_to_exitcode(status)})
                self._close(connection)


def _child(request: dict[str, Any], inherited: list[int]) -> NoReturn:
    """In the forked child: a pytest session of its own, in a process group of its own,
    ended as `python -m pytest` ends (non-daemon threads joined, atexit handlers run)."""
    code = 3
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)  # the server's: its children are not this run's
        for number in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        for fd in inherited:
            with contextlib.suppress(OSError):
                os.close(fd)
        fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        started_in = os.getcwd()
        os.chdir(request["cwd"])
        if sys.path and sys.path[0] == started_in:  # `python -m pytest` puts its cwd first
            sys.path[0] = os.getcwd()
        # The hash seed is the one this interpreter started with, whatever the request says.
        env = {**request["env"], "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "random")}
        os.environ.clear()
        os.environ.update(env)
        time.tzset()  # the C library read TZ when this server started: read the run's
        sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        import pytest

        main = os.path.join(os.path.dirname(pytest.__file__), "__main__.py")
        sys.argv = [main, *request["args"]]  # as `python -m pytest …` has them

        # Packages that carry a pytest plugin were imported here before pytest could rewrite
        # their asserts (anyio through FastAPI). pytest warns about each; noise here.
        args = [*request["args"], "-W", "ignore::pytest.PytestAssertRewriteWarning"]
        code = int(pytest.main(args))
        threading._shutdown()  # type: ignore[attr-defined]  # what interpreter exit does
        atexit._run_exitfuncs()
    except SystemExit as exc:  # a conftest's sys.exit(): the code Python would exit with
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    finally:  # never back into the server's loop, whatever the run did to stdout
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        os._exit(code)


def _listen(path: str) -> socket.socket:
    """A listening socket at `path`, bound under a staging name then renamed into place."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = path + STAGING_SUFFIX  # one server starts at a time: its starter holds a lock
    with contextlib.suppress(FileNotFoundError):
        os.unlink(staging)
    listener.bind(staging)
    os.chmod(staging, 0o600)
    listener.listen(64)
    listener.setblocking(False)
    os.replace(staging, path)
    return listener


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m patterns_workbook.run.warm_server")
    parser.add_argument("socket")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--owned", action="store_true", help="stop when stdin closes")
    mode.add_argument("--idle", type=float, help="detach; stop after this many idle seconds")
    parser.add_argument("--lock-fd", type=int, help="a locked file, closed once listening")
    options = parser.parse_args(argv)
    if options.idle is not None and os.fork() > 0:
        os._exit(0)  # detached at once: the server is the child, which no command waits for
    for name in PRELOAD:
        with contextlib.suppress(Exception):  # not installed, or broken: a run imports it
            importlib.import_module(name)
    # What is imported stays: the collector never walks it again, in this process or a run's
    # (pytest collects at the end of every session: ~60 ms a pass over the frameworks).
    gc.freeze()
    os.chdir(os.sep)  # holds no folder of its own: each run chdirs to its lab
    owner = os.dup(0) if options.owned else None
    server = _Server(_listen(options.socket), options.socket, options.idle, owner)
    print(f"ready {os.getpid()}", flush=True)
    if options.lock_fd is not None:
        os.close(options.lock_fd)  # the commands waiting for this server may connect now
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    server.serve()


if __name__ == "__main__":
    main()
