"""Notebook 13 scaffolding: the naive thread queue, a database, RQ plumbing, measurements."""

from __future__ import annotations

import logging
import queue
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rq import Queue, SimpleWorker
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from workbook_helpers import nb13_jobs

# RQ's worker prints each job to stdout/stderr unless its loggers already have a handler.
# The notebook reads the registries instead, which is what an operator would do.
for name in ("rq.worker", "rq.job", "rq.queue"):
    logging.getLogger(name).addHandler(logging.NullHandler())
    logging.getLogger(name).propagate = False


class ThreadQueue:
    """The queue many codebases start with: a `queue.Queue` and one daemon thread."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()
        threading.Thread(target=self._work, daemon=True).start()

    def enqueue(self, func: Callable[..., Any], *args: Any) -> None:
        self.jobs.put((func, args))

    def _work(self) -> None:
        while True:
            func, args = self.jobs.get()
            try:
                func(*args)
            except Exception as exc:  # the naive part: print, forget, move on
                print(f"job {func.__name__}{args} failed: {exc!r}")
            finally:
                self.jobs.task_done()


EXITING_APP = textwrap.dedent(
    """
    import sys
    sys.path[:0] = {paths!r}
    from workbook_helpers.nb13_setup import ThreadQueue
    from workbook_helpers.nb13_jobs import slow_notice
    jobs = ThreadQueue()
    for n in range(5):
        jobs.enqueue(slow_notice, {out!r}, n)
    print("enqueued 5 notices; the process now exits (a deploy, a restart, a crash)")
    """
)


def run_exiting_app() -> tuple[str, int]:
    """Run a process that enqueues five 0.2-second jobs on a ThreadQueue and exits at once."""
    out = Path(tempfile.mkdtemp(prefix="nb13-")) / "sent.txt"
    script = EXITING_APP.format(paths=sys.path[:3], out=str(out))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    time.sleep(0.3)  # longer than one job: anything still running would have finished
    sent = out.read_text().count("notice") if out.exists() else 0
    return done.stdout.strip(), sent


def run_token() -> str:
    """A short name for this run, so its queues never meet an earlier run's on a real server."""
    return uuid.uuid4().hex[:8]


def database() -> sessionmaker[Session]:
    """A SQLite *file*: the worker reads through a connection of its own, as in production."""
    path = Path(tempfile.mkdtemp(prefix="nb13-")) / "app.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    nb13_jobs.Base.metadata.create_all(engine)
    return sessionmaker(engine, expire_on_commit=False)


def burst(q: Queue) -> None:
    """`rq worker --burst`: run every queued job in this process, then return."""
    SimpleWorker([q], connection=q.connection).work(burst=True)


def run_due_retries(q: Queue, *, seconds_later: float) -> list[str]:
    """What RQ's scheduler does when their time comes: put due retries back on the queue.
    The clock is moved `seconds_later` on instead of waiting."""
    registry = q.scheduled_job_registry
    due = registry.get_jobs_to_schedule(int(time.time() + seconds_later))
    for job_id in due:
        registry.requeue(job_id)
    return due


def thread_run(threads: ThreadQueue, func: Callable[[int], Any], n: int) -> None:
    for i in range(n):
        threads.enqueue(func, i)
    threads.jobs.join()


def rate(n: int, work: Callable[[], None], repeat: int = 3) -> float:
    """Items per second for `work()` doing n items (best of `repeat`)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return n / best


def django_users() -> Any:
    """Django configured once (SQLite in memory, no test wrapper: real commits) with a
    `NoticeUser` table; returns the model."""
    import os

    import django
    from django.conf import settings

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # ipykernel runs cells inside a loop
    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=[],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            USE_TZ=True,
        )
        django.setup()
    from django.db import connection, models

    class NoticeUser(models.Model):
        username = models.CharField(max_length=150, unique=True)

        class Meta:
            app_label = "nb13"

    with connection.schema_editor() as editor:
        editor.create_model(NoticeUser)
    return NoticeUser
