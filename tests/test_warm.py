"""The warm servers: a forked run is a run of its own, bounded, and the shared one is private.

Each test writes a tiny test file and runs pytest on it through `run.warm`, owned (the
maintainer suite's) and shared (the learner's, kept between commands). The session's shared
servers live in a private folder of their own (`tests/conftest.py`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from patterns_workbook.learner import progress
from patterns_workbook.run import warm
from patterns_workbook.run.lab import run_lab

ROOT = Path(__file__).resolve().parents[1]
KINDS = [pytest.param(warm.Warm.OWNED, id="owned"), pytest.param(warm.Warm.SHARED, id="shared")]
WHO_RUNS_ME = """\
import os
import pathlib


def test_server():
    pathlib.Path({0!r}).write_text(str(os.getppid()))
"""


SECOND_COMMAND = """\
import sys
from pathlib import Path

import threading

from patterns_workbook.run import warm


class Live:
    cancelled = threading.Event()

    def add(self, pid): pass
    def discard(self, pid): pass


folder = Path(sys.argv[1])
args = [str(folder), "-q", "-p", "no:cacheprovider"]
env = {"PATH": sys.argv[2]}
sys.exit(warm.run_pytest(args, folder, env, folder / "o.txt", 60, Live(), mode=warm.Warm.SHARED))
"""


class _Live:
    def __init__(self) -> None:
        self.pids: list[int] = []
        self.cancelled = threading.Event()

    def add(self, pid: int) -> None:
        self.pids.append(pid)

    def discard(self, pid: int) -> None:
        pass


@pytest.fixture(autouse=True)
def _settings(tmp_path: Path) -> None:
    """The project's pytest settings (its plugins off: schemathesis alone costs seconds)."""
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")


def _env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), **extra}


def _run(folder: Path, env: dict[str, str], *, mode: warm.Warm, timeout: float = 60, live=None):
    output = folder / "output.txt"
    args = [str(folder), "-q", "-p", "no:cacheprovider", "-o", "timeout=0"]  # ours bounds it
    code = warm.run_pytest(args, folder, env, output, timeout, live or _Live(), mode=mode)
    return code, output.read_text() if output.exists() else ""


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie nobody reaped yet counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _ends(pid: int, within: float = 3) -> bool:
    """Whether `pid` has ended within `within` seconds (a SIGKILL takes a moment)."""
    deadline = time.monotonic() + within
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _server_of(folder: Path, env: dict[str, str]) -> int:
    """The pid of the shared server that runs a test in `folder` (the test's parent)."""
    (folder / "test_who.py").write_text(WHO_RUNS_ME.format(str(folder / "server.txt")))
    code, output = _run(folder, env, mode=warm.Warm.SHARED)
    assert code == 0, output
    return int((folder / "server.txt").read_text())


@pytest.mark.parametrize("mode", KINDS)
def test_warm_runs_share_no_state(tmp_path: Path, mode: warm.Warm) -> None:
    """Each forked run starts clean: what one lab run sets is gone in the next."""
    (tmp_path / "test_state.py").write_text(
        "import os, sys\n\n\ndef test_starts_clean():\n"
        "    assert not hasattr(sys, 'workbook_marker') and 'WORKBOOK_MARK' not in os.environ\n"
        "    sys.workbook_marker = os.environ['WORKBOOK_MARK'] = 'set'\n"
    )
    for attempt in (1, 2):
        code, output = _run(tmp_path, _env(), mode=mode)
        assert code == 0, f"run {attempt}: {output}"


@pytest.mark.parametrize("mode", KINDS)
def test_warm_runs_see_the_start_up_environment_and_folder_of_a_subprocess(
    tmp_path: Path, mode: warm.Warm
) -> None:
    """PYTHONHASHSEED (read only when Python starts) says the seed the run hashes with, and
    sys.path[0] is the run's folder, as for `python -m pytest` started there."""
    (tmp_path / "test_seed.py").write_text(
        "import os, pathlib, sys\n\n\ndef test_seed():\n"
        "    seed = os.environ['PYTHONHASHSEED']\n"
        "    pathlib.Path('seen.txt').write_text(f'{seed} {hash(\"workbook\")} {sys.path[0]}')\n"
    )
    code, output = _run(tmp_path, _env(PYTHONHASHSEED="4242"), mode=mode)
    assert code == 0, output
    seed, hashed, first = (tmp_path / "seen.txt").read_text().split(" ", 2)
    assert seed == "4242", "a seed the run names is the seed it runs with"
    expected = subprocess.run(
        [sys.executable, "-c", "print(hash('workbook'))"],
        env=_env(PYTHONHASHSEED=seed), capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    assert hashed == expected, f"the run says seed {seed} but hashes with another"
    assert first == str(tmp_path)


@pytest.mark.parametrize("mode", KINDS)
def test_a_hung_warm_run_is_killed_with_its_process_group(tmp_path: Path, mode: warm.Warm) -> None:
    (tmp_path / "test_hang.py").write_text(
        "import time\n\n\ndef test_hang():\n    time.sleep(60)\n"
    )
    live = _Live()
    started = time.perf_counter()
    code, _ = _run(tmp_path, _env(), mode=mode, timeout=2, live=live)
    assert code is None and time.perf_counter() - started < 10
    assert _ends(live.pids[0]), "the run that ran past its timeout is gone"


def test_the_shared_server_answers_the_next_command_and_outlives_this_one(tmp_path: Path) -> None:
    first = _server_of(tmp_path, _env())
    assert first != os.getpid() and _running(first)
    assert _server_of(tmp_path, _env()) == first, "a second run reuses the warm server"
    # a workbook command of its own, later: the same server answers it
    done = subprocess.run(
        [sys.executable, "-c", SECOND_COMMAND, str(tmp_path), os.environ.get("PATH", "")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + (tmp_path / "o.txt").read_text()
    assert int((tmp_path / "server.txt").read_text()) == first


def test_the_shared_server_is_one_per_start_up_environment(tmp_path: Path) -> None:
    base = _server_of(tmp_path, _env())
    assert _server_of(tmp_path, _env(LC_ALL="C.UTF-8")) != base, "another locale: another server"
    assert warm._shared_key(_env(PYTHONHASHSEED="1")) != warm._shared_key(_env()), (
        "a seed the run names is one its server starts with"
    )


def test_stop_ends_every_shared_server_within_a_second(tmp_path: Path) -> None:
    server = _server_of(tmp_path, _env())
    assert warm.stop_shared() >= 1
    deadline = time.monotonic() + 3
    while _running(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(server), "the server saw its socket go and stopped"
    assert warm.stop_shared() == 0
    assert _server_of(tmp_path, _env()) != server, "the next run starts a new one"


def test_an_idle_shared_server_stops_by_itself(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(warm, "IDLE_SECONDS", 0.5)
    path = warm._shared_socket(_env(LC_ALL="C.UTF-8", WORKBOOK_TEST="idle"))
    warm._start_shared(path, _env(), None, wait=True)
    assert path.exists()
    deadline = time.monotonic() + 5
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not path.exists(), "after IDLE_SECONDS without a run the server removes its socket"


def test_a_single_run_goes_alone_and_leaves_a_shared_server_for_the_next(tmp_path: Path) -> None:
    env = {"LANG": "C.UTF-8"}  # a start-up environment no server has yet
    (tmp_path / "test_who.py").write_text(WHO_RUNS_ME.format(str(tmp_path / "server.txt")))
    folder = warm.shared_dir()
    assert folder is not None
    before = set(folder.glob("*.sock"))

    assert run_lab(tmp_path, tmp_path, warm=warm.Warm.SHARED_IF_READY, env=env).exitstatus == 0
    assert int((tmp_path / "server.txt").read_text()) == os.getpid(), "a subprocess ran it"
    warm.await_starting(folder)
    assert len(set(folder.glob("*.sock")) - before) == 1, "...then started a server for the next"

    assert run_lab(tmp_path, tmp_path, warm=warm.Warm.SHARED_IF_READY, env=env).exitstatus == 0
    assert int((tmp_path / "server.txt").read_text()) != os.getpid(), "which ran the next"


def test_commands_starting_together_share_one_server(tmp_path: Path) -> None:
    env = _env(LANG="C", LC_CTYPE="C.UTF-8")  # a start-up environment no server has yet
    folders = [tmp_path / name for name in ("a", "b", "c")]
    for folder in folders:
        folder.mkdir()
        shutil.copy2(ROOT / "pyproject.toml", folder / "pyproject.toml")
    with ThreadPoolExecutor(3) as pool:
        servers = set(pool.map(lambda folder: _server_of(folder, env), folders))
    assert len(servers) == 1, "one waits for the server another started"


def test_a_shared_folder_others_can_enter_is_refused(tmp_path: Path, monkeypatch) -> None:
    base = tmp_path / "runtime"
    base.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    folder = base / f"patterns-workbook-{os.getuid()}"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert warm.shared_dir() is None
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    with pytest.raises(warm.Unavailable):
        _run(tmp_path, _env(), mode=warm.Warm.SHARED)
    run = run_lab(tmp_path, tmp_path, warm=warm.Warm.SHARED)  # a subprocess runs it instead
    assert run.exitstatus == 0 and [t.outcome for t in run.tests] == ["passed"]


def test_warm_off_runs_every_learner_run_in_a_subprocess(monkeypatch) -> None:
    monkeypatch.setenv(warm.WARM_ENV, "off")
    assert progress.warm_runner() is None and progress.warm_runner(repeated=True) is None
    monkeypatch.delenv(warm.WARM_ENV)
    assert progress.warm_runner().keywords == {"warm": warm.Warm.SHARED_IF_READY}
    assert progress.warm_runner(repeated=True).keywords == {"warm": warm.Warm.SHARED}


LEAVES_A_CHILD = """\
import atexit
import pathlib
import subprocess

KEEP = []  # not collected (and waited for) before the run ends


def test_starts_a_child():
    child = subprocess.Popen(["sleep", "60"])
    KEEP.append(child)
    pathlib.Path({0!r}).write_text(str(child.pid))
    atexit.register(pathlib.Path({1!r}).write_text, "ran")
"""


@pytest.mark.parametrize("mode", KINDS)
def test_a_run_ends_as_a_subprocess_ends(tmp_path: Path, mode: warm.Warm) -> None:
    """What a test started dies with the run, and the atexit handlers run, as after
    `python -m pytest`."""
    child, handler = tmp_path / "child.txt", tmp_path / "atexit.txt"
    (tmp_path / "test_child.py").write_text(LEAVES_A_CHILD.format(str(child), str(handler)))
    code, output = _run(tmp_path, _env(), mode=mode)
    assert code == 0, output
    assert _ends(int(child.read_text())), "the run's process group is killed at its end"
    assert handler.read_text() == "ran"


def test_a_server_that_dies_mid_run_takes_the_run_along_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "test_wait.py").write_text(
        "import os, pathlib, time\n\n\ndef test_wait():\n"
        f"    pathlib.Path({str(tmp_path / 'server.txt')!r}).write_text(str(os.getppid()))\n"
        "    time.sleep(60)\n"
    )
    live = _Live()
    killer = threading.Thread(target=_kill_server_when_written, args=(tmp_path / "server.txt",))
    killer.start()
    with pytest.raises(warm.Unavailable):  # run_lab then runs it again in a subprocess
        _run(tmp_path, _env(), mode=warm.Warm.SHARED, live=live)
    killer.join()
    assert _ends(live.pids[0]), "the run did not outlive its server"


def _kill_server_when_written(path: Path) -> None:
    deadline = time.monotonic() + 20
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(int(path.read_text()), signal.SIGKILL)


def test_a_request_that_is_not_one_does_not_stop_the_server(tmp_path: Path) -> None:
    server = _server_of(tmp_path, _env())
    path = warm._shared_socket(_env())
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(path))
        conn.sendall(b"not json\n")
        conn.settimeout(5)
        assert conn.recv(100) == b"", "the server closes that connection..."
    assert _server_of(tmp_path, _env()) == server, "...and goes on serving"


def test_a_relative_pythonpath_is_run_in_a_subprocess(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "helper_mod.py").write_text("VALUE = 1\n")
    (tmp_path / "test_path.py").write_text("def test_path():\n    import helper_mod  # noqa\n")
    for mode in (warm.Warm.OWNED, warm.Warm.SHARED):
        for pythonpath in ("sub", f"{tmp_path}{os.pathsep}"):  # an empty entry: the folder
            with pytest.raises(warm.Unavailable):
                _run(tmp_path, _env(PYTHONPATH=pythonpath), mode=mode)
    run = run_lab(tmp_path, tmp_path, warm=warm.Warm.SHARED, env={"PYTHONPATH": "sub"})
    assert [t.outcome for t in run.tests] == ["passed"], "read from the run's folder"


def test_a_relative_project_folder_is_the_same_folder(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    monkeypatch.chdir(tmp_path)
    run = run_lab(Path(), Path(), warm=warm.Warm.SHARED)
    assert [t.outcome for t in run.tests] == ["passed"]


def test_what_modules_read_at_import_and_the_process_settings_key_the_server(monkeypatch):
    base = warm._shared_key(_env())
    for name in ("NO_COLOR", "FORCE_COLOR", "RQ_KEY_PREFIX", "PSYCOPG_WAIT_FUNC", "LC_ALL"):
        assert warm._shared_key(_env(**{name: "1"})) != base, f"{name} is read once, at import"
    assert warm._shared_key(_env(REDIS_URL="redis://x")) == base, "read per run: not a key"
    umask, limits = warm._SETTINGS
    monkeypatch.setattr(warm, "_SETTINGS", (umask ^ 0o077, limits))
    assert warm._shared_key(_env()) != base, "a forked run inherits its server's umask"


def test_a_server_that_hangs_while_starting_is_waited_for_a_bounded_time(
    tmp_path: Path, monkeypatch
) -> None:
    import fcntl

    monkeypatch.setattr(warm, "START_TIMEOUT", 1)
    env = _env(LC_MONETARY="C")  # a start-up environment no server has yet
    path = warm._shared_socket(env)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a server starting holds it
        started = time.perf_counter()
        with pytest.raises(warm.Unavailable):
            _run(tmp_path, env, mode=warm.Warm.SHARED)
        assert time.perf_counter() - started < 3
        started = time.perf_counter()
        warm.stop_shared()
        assert time.perf_counter() - started < 3, "stop does not hang on it either"


def test_stop_counts_the_servers_that_were_listening(tmp_path: Path) -> None:
    folder = warm.shared_dir()
    assert folder is not None
    warm.stop_shared()
    stale = folder / "0123456789abcdef.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(stale))  # a socket file nothing listens on: a server killed -9
    assert warm.stop_shared() == 0 and not stale.exists()


def test_a_run_that_breaks_its_stdout_or_exits_in_a_conftest_ends_as_a_subprocess_would(
    tmp_path: Path,
) -> None:
    server = _server_of(tmp_path, _env())
    (tmp_path / "test_who.py").unlink()
    (tmp_path / "test_close.py").write_text(
        "import atexit, sys\n\n\ndef test_close():\n    atexit.register(sys.stdout.close)\n"
    )
    assert _run(tmp_path, _env(), mode=warm.Warm.SHARED)[0] == 0
    (tmp_path / "test_close.py").unlink()
    (tmp_path / "conftest.py").write_text("import sys\n\nsys.exit(5)\n")
    assert _run(tmp_path, _env(), mode=warm.Warm.SHARED)[0] == 5, "as `python -m pytest` exits"
    (tmp_path / "conftest.py").unlink()
    assert _server_of(tmp_path, _env()) == server, "the server lives on: the runs stayed theirs"


def test_a_server_that_does_not_answer_is_given_up_on_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(warm, "FORK_TIMEOUT", 0.5)
    monkeypatch.setattr(warm, "_failed", set())
    env = _env(LC_TIME="C")  # a start-up environment no server has yet
    path = warm._shared_socket(env)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as mute:
        mute.bind(str(path))
        mute.listen()  # accepts, never answers: a server that hangs
        started = time.perf_counter()
        for _ in range(3):
            with pytest.raises(warm.Unavailable):
                _run(tmp_path, env, mode=warm.Warm.SHARED)
        assert time.perf_counter() - started < 1.5, "waited for once, then not asked again"
    path.unlink()


def test_ctrl_c_ends_a_wait_for_a_server_starting(tmp_path: Path, monkeypatch) -> None:
    import fcntl

    env = _env(LC_NUMERIC="C")  # a start-up environment no server has yet
    path = warm._shared_socket(env)
    live = _Live()
    threading.Timer(0.3, live.cancelled.set).start()
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a server starting holds it
        started = time.perf_counter()
        with pytest.raises(warm.Unavailable):
            _run(tmp_path, env, mode=warm.Warm.SHARED, live=live)
        assert time.perf_counter() - started < 2, "not START_TIMEOUT"


def test_something_else_at_the_socket_path_is_cleared(tmp_path: Path) -> None:
    env = _env(LC_COLLATE="C")  # a start-up environment no server has yet
    warm._shared_socket(env).mkdir()
    (tmp_path / "test_ok.py").write_text("def test_ok():\n    pass\n")
    assert _run(tmp_path, env, mode=warm.Warm.SHARED)[0] == 0
