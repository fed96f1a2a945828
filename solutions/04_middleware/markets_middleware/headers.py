"""The two header values the pipeline writes: the request id and Server-Timing.

Framework-agnostic, so one set of rules holds in Django, FastAPI and Flask.
"""

from __future__ import annotations

import re
import uuid

MAX_REQUEST_ID_LENGTH = 64
# ASCII letters, digits, dot, underscore, hyphen: safe in a header, a log line and a URL.
# `re.ASCII` is not needed with explicit ranges; `fullmatch` so a trailing "\n" is refused.
_SAFE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_REQUEST_ID_LENGTH}}}")


def request_id_from(incoming: str | None) -> str:
    """The request's id: the client's `X-Request-ID` when it is safe to echo, else a UUID4.

    Safe: 1 to 64 characters, each an ASCII letter, digit, `.`, `_` or `-`. Anything else —
    missing, empty, too long, spaces, CR/LF, quotes, non-ASCII — is replaced, never echoed.
    """
    if incoming is not None and _SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return str(uuid.uuid4())


def server_timing(seconds: float) -> str:
    """The `Server-Timing` value for a duration: `app;dur=<milliseconds, one decimal>`."""
    return f"app;dur={seconds * 1000:.1f}"
