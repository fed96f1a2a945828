"""Ending a run: SIGKILL to its whole process group (every run leads a session of its own)."""

from __future__ import annotations

import os
import signal


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by `pid`, and so anything the run started."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL)
        else:  # Windows: no process groups; the run itself
            os.kill(pid, signal.SIGTERM)
    except OSError:  # gone already, or never ours
        pass
