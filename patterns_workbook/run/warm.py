"""Run many short pytest sessions fast: fork each from a process that imported the frameworks.

A lab run spends ~0.9 s importing Django, DRF, FastAPI, Flask, SQLAlchemy and pytest before
its first test. A *warm server* (`run.warm_server`) imports them once and forks a fresh
pytest session per run. It is started like any run (`subprocess`, its own session) with the
run's environment, so what Python and those modules read once, at start (`PYTHONPATH`,
locale, `NO_COLOR`, …; `warm_server.IMPORT_TIME_ENV`), and the umask and resource limits
are the same as for a run of its own; a run for which they differ gets a server of its own.
Each forked child is a fresh pytest session in a new process group: nothing a lab imports,
configures or patches survives it; a timeout or Ctrl-C, and the run's end, kill its group
like a subprocess's. Where a fork cannot stand in for a subprocess (Windows, a relative
`PYTHONPATH`, a server that died or hangs), `Unavailable` sends the run to a subprocess.

Two kinds of server:

- **owned** (`Warm.OWNED`): started by this process and ending with it — the maintainer
  suite's runs, which must leave nothing behind.
- **shared** (`Warm.SHARED`): the learner's commands. One per user, Python, start-up
  environment and installed packages: a socket in a private folder (`shared_dir`, mode
  0700), named by a hash of those. The first `workbook` command that needs one starts it,
  detached; it stays `IDLE_SECONDS` after its last run, so the next `check` is answered
  warm. `status` and `watch`, which run many, wait for it to start; a single `check` does
  not (`SHARED_IF_READY`): it runs in a subprocess, importing only its track's framework,
  then starts the server for the next one (`prepare_shared`). Unless the run names a
  `PYTHONHASHSEED`, a server draws one when it starts, and all its runs hash alike.
  `WORKBOOK_WARM=off` turns warm runs off; `workbook stop` stops the shared servers.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import site
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

from patterns_workbook.run import warm_server
from patterns_workbook.run.groups import kill_group
from patterns_workbook.run.warm_server import STAGING_SUFFIX

IDLE_SECONDS = 600
FORK_TIMEOUT = 10  # seconds for a server to fork a run (it takes milliseconds)
WARM_ENV = "WORKBOOK_WARM"
START_TIMEOUT = 30  # seconds to wait for a shared server to start (it takes about one)
SERVER = Path(warm_server.__file__)
_SOCKET_PATH_MAX = 100  # bytes, staging name included; AF_UNIX allows 103 (macOS) to 107 (Linux)


class Warm(StrEnum):
    OFF = "off"  # a subprocess of its own
    OWNED = "owned"  # a server of this process's own
    SHARED = "shared"  # the shared server; started, and waited for, when there is none
    SHARED_IF_READY = "shared-if-ready"  # or a subprocess, then start one for the next run


class Unavailable(Exception):
    """No warm server could take the run: run it in a subprocess instead."""


class Live(Protocol):
    """The caller's runs in flight: a Ctrl-C kills them, and ends any wait (`cancelled`)."""

    cancelled: threading.Event

    def add(self, pid: int) -> None: ...
    def discard(self, pid: int) -> None: ...


def available() -> bool:
    """Whether this platform can fork (not Windows): callers fall back to a subprocess."""
    return hasattr(os, "fork") and sys.platform != "win32"


def shared_enabled() -> bool:
    """Whether the learner's commands use the shared server (not with `WORKBOOK_WARM=off`)."""
    setting = os.environ.get(WARM_ENV, "").strip().lower()
    return available() and setting not in ("off", "0", "no", "false")


def startup_env(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The part of an environment read when a server starts, not per run."""
    read = warm_server.IMPORT_TIME_ENV
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith(read)))


def _process_settings() -> tuple[int, list[tuple[int, int]]]:
    """This process's umask and resource limits, which a forked run inherits from its server.

    Read once, at import: setting the umask is the only way to read it (before Python 3.13),
    and no other thread may run in between."""
    umask = os.umask(0)
    os.umask(umask)
    names = sorted(n for n in dir(resource) if n.startswith("RLIMIT_"))
    return umask, [resource.getrlimit(getattr(resource, n)) for n in names]


_SETTINGS = _process_settings() if hasattr(os, "fork") else (0, [])


def run_pytest(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    output: Path,
    timeout: float,
    live: Live,
    *,
    mode: Warm = Warm.OWNED,
) -> int | None:
    """`pytest args` in `cwd` with exactly `env`; output to `output`. The exit code, or None
    when it ran past `timeout` seconds (it was killed). Raises `Unavailable` when no warm
    server could run it (for `SHARED_IF_READY`: none was listening)."""
    pythonpath = env.get("PYTHONPATH", "")  # an empty entry, too, is the run's folder
    if pythonpath and not all(map(os.path.isabs, pythonpath.split(os.pathsep))):
        raise Unavailable("a relative PYTHONPATH is read from the run's folder")
    request = {"args": args, "cwd": os.path.abspath(cwd), "env": env, "output": str(output)}
    if mode in (Warm.SHARED, Warm.SHARED_IF_READY):
        path = _shared_socket(env)
        if path in _failed:
            raise Unavailable("the shared warm server failed this process once")
        try:
            return _run_shared(path, env, request, timeout, live, start=mode is Warm.SHARED)
        except _Hung:
            _failed.add(path)  # the next runs of this process go straight to a subprocess
            raise
    for _ in range(2):  # a server that died is started again, once (one that hangs is not)
        try:
            return _owned(env).run(request, timeout, live)
        except _NotListening:
            continue
    raise Unavailable("the warm server did not answer")


# -------------------------------------------------------------------- one run on a server


def _run_shared(
    path: Path, env: dict[str, str], request: dict[str, Any], timeout: float, live: Live,
    *, start: bool,
) -> int | None:  # fmt: skip
    """A run on the shared server at `path`; with `start`, started first if none listens
    (else `_NotListening`: the caller runs it alone, then calls `prepare_shared`)."""
    try:
        return _run_on(path, request, timeout, live)
    except _NotListening:
        if not start:
            raise
        _start_shared(path, env, live, wait=True)
        return _run_on(path, request, timeout, live)


class _NotListening(Unavailable):
    """Nothing listens at the socket (never started, stopped, or crashed)."""


class _Hung(Unavailable):
    """The server did not fork the run, or did not start, in time."""


_failed: set[Path] = set()  # shared servers that hung on this process


def _run_on(path: Path, request: dict[str, Any], timeout: float, live: Live) -> int | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        try:
            conn.connect(str(path))
            conn.sendall((json.dumps(request) + "\n").encode())
        except OSError as exc:  # no server, or it went between connect and send
            raise _NotListening(str(path)) from exc
        messages = _Messages(conn)
        try:
            pid = messages.next(FORK_TIMEOUT).get("pid")
        except OSError:  # TimeoutError included: a server that hangs is no server
            pid = None
        if pid is None:
            raise _Hung("the warm server did not fork the run")
        live.add(pid)
        try:
            code = messages.next(timeout).get("exit")
        except TimeoutError:
            return None
        finally:  # done, timed out, Ctrl-C or the server gone: the run's group goes too
            messages.stop(pid)
            live.discard(pid)
        if code is None:  # the server died (or was stopped) mid-run: run it again alone
            raise Unavailable("the warm server ended during the run")
        return code


class _Messages:
    """The server's JSON lines on one connection."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buffer = b""
        self.exited = False  # the server said the run ended (and killed its group)

    def next(self, timeout: float) -> dict[str, int]:
        """The next message; {} when the server closed the connection first."""
        self.conn.settimeout(timeout)
        while b"\n" not in self.buffer:
            chunk = self.conn.recv(4096)
            if not chunk:
                return {}
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        message = json.loads(line)
        self.exited = self.exited or "exit" in message
        return message

    def stop(self, pid: int) -> None:
        """Unless the run has ended (its server then killed its group before saying so, and
        the pid may be another process's by now), kill its group and wait (briefly) until
        the server has reaped it."""
        if self.exited:
            return
        kill_group(pid)
        with contextlib.suppress(OSError, ValueError):
            self.next(5)


def _start(
    path: Path, env: dict[str, str], *, idle: float | None = None, lock: int | None = None
) -> subprocess.Popen[bytes]:
    """Start a server at `path`: owned (no `idle`: it reads our stdin pipe, and is waited for
    until it listens), or shared (it detaches at once, holding `lock` until it listens)."""
    if "PYTHONHASHSEED" not in env:  # a seed its runs can be told
        env = {**env, "PYTHONHASHSEED": str(random.randrange(1, 2**32))}
    owned = idle is None
    mode = ["--owned"] if owned else ["--idle", str(idle)]
    if lock is not None:
        mode += ["--lock-fd", str(lock)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "patterns_workbook.run.warm_server", str(path), *mode],
        env=env, stdin=subprocess.PIPE if owned else subprocess.DEVNULL,
        stdout=subprocess.PIPE if owned else subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=os.sep, start_new_session=True, pass_fds=() if lock is None else (lock,),
    )  # fmt: skip
    if not owned:
        proc.wait()  # only until it has detached
        return proc
    assert proc.stdout is not None
    ready = proc.stdout.readline()
    proc.stdout.close()
    if not ready.startswith(b"ready"):
        proc.kill()
        proc.wait()
        raise Unavailable("the warm server did not start")
    return proc


# ------------------------------------------------------------------------- owned servers


class _Owned:
    """A server this process started, in a private temporary folder; it ends with us."""

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="workbook-warm-"))
        self.path = self.folder / "warm.sock"
        self.proc = _start(self.path, env)  # it stops when our end of its stdin closes

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, request: dict[str, Any], timeout: float, live: Live) -> int | None:
        return _run_on(self.path, request, timeout, live)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_owned_servers: dict[tuple[tuple[str, str], ...], _Owned] = {}
_owned_lock = threading.Lock()


def _owned(env: dict[str, str]) -> _Owned:
    key = startup_env(env)
    with _owned_lock:
        server = _owned_servers.get(key)
        if server is None or not server.alive():
            if server is not None:
                server.close()
            server = _owned_servers[key] = _Owned(env)
        return server


@atexit.register
def _close_owned() -> None:
    for server in _owned_servers.values():
        server.close()


# ------------------------------------------------------------------------ shared servers


def shared_dir() -> Path | None:
    """The private folder of this user's shared servers; None when it is not private."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = runtime if os.path.isabs(runtime) else tempfile.gettempdir()  # as XDG says
    folder = Path(base) / f"patterns-workbook-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
    return folder if private and not info.st_mode & 0o077 else None


def _shared_socket(env: dict[str, str]) -> Path:
    folder = shared_dir()
    if folder is None:
        raise Unavailable("no private folder for the shared warm server")
    path = folder / f"{_shared_key(env)}.sock"
    if len(os.fsencode(path)) + len(STAGING_SUFFIX) > _SOCKET_PATH_MAX:
        raise Unavailable(f"the socket path is too long for this system: {path}")
    return path


def _shared_key(env: dict[str, str]) -> str:
    """Which shared server may run with `env`: the same Python, installed packages, start-up
    environment, umask and resource limits."""
    installed = [*site.getsitepackages(), site.getusersitepackages(), str(SERVER)]
    stamps = []
    for where in installed:  # a `pip install` changes its site-packages folder's mtime
        with contextlib.suppress(OSError):
            stamps.append((where, os.stat(where).st_mtime_ns))
    text = json.dumps([sys.executable, startup_env(env), _SETTINGS, stamps])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_started_here: list[Path] = []


def pop_started() -> bool:
    """Whether this process started a shared server since the last call (the CLI says so)."""
    started = bool(_started_here)
    _started_here.clear()
    return started


def _start_shared(path: Path, env: dict[str, str], live: Live | None, *, wait: bool) -> None:
    """Start the shared server at `path` unless one is starting; with `wait`, until it listens.

    The lock file next to the socket is held by a server while it starts (an `flock` it
    inherits, and lets go of once it listens), so a waiting command waits on that lock — at
    most START_TIMEOUT seconds (`Unavailable`: a server that hangs while starting).
    """
    lock_path = path.with_suffix(".lock")
    with open(lock_path, "a") as lock:
        if not _lock(lock, START_TIMEOUT if wait else 0, live):
            if wait:
                raise _Hung("the shared warm server is still starting")
            return  # another command's server is starting
        if not _listening(path):
            _clear(path)
            _start(path, env, idle=IDLE_SECONDS, lock=lock.fileno())
            _started_here.append(path)
    if wait:
        with open(lock_path, "a") as lock:
            if not _lock(lock, START_TIMEOUT, live):  # free once it listens (or has died)
                raise _Hung("the shared warm server did not start in time")


def _clear(path: Path) -> None:
    """Remove what is at a socket path nothing listens on: our folder holds only ours."""
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _lock(handle: IO[str], timeout: float, live: Live | None = None) -> bool:
    """Take an exclusive `flock` on `handle` within `timeout` seconds, unless the caller's
    runs are cancelled first (Ctrl-C); whether it was taken."""
    import fcntl

    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline or (live is not None and live.cancelled.is_set()):
                return False
            time.sleep(0.02)


def prepare_shared(env: dict[str, str]) -> None:
    """Start the shared server for `env` in the background, unless it runs or is starting, so
    that the next run finds it warm. Started after a run, not beside it: on two cores its
    imports would slow that run down."""
    with contextlib.suppress(Unavailable, OSError):
        _start_shared(_shared_socket(env), env, None, wait=False)


def _listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True


def await_starting(folder: Path) -> None:
    """Return once every shared server starting in `folder` listens, has died, or has had
    START_TIMEOUT seconds to."""
    for lock_path in folder.glob("*.lock"):
        with open(lock_path, "a") as lock:
            _lock(lock, START_TIMEOUT)  # a server starting holds it until it listens


def stop_shared() -> int:
    """Stop this user's shared servers, once those starting listen (each sees its socket go
    within a second): how many were listening."""
    folder = shared_dir()
    if folder is None:
        return 0
    await_starting(folder)
    stopped = 0
    for path in folder.glob("*.sock"):
        stopped += _listening(path)
        with contextlib.suppress(OSError):
            path.unlink()
    return stopped
