"""The two header values the pipeline writes: the request id and Server-Timing.

Framework-agnostic, so one set of rules holds in Django, FastAPI and Flask.
"""

from __future__ import annotations

MAX_REQUEST_ID_LENGTH = 64


def request_id_from(incoming: str | None) -> str:
    """The request's id: the client's `X-Request-ID` when it is safe to echo, else a UUID4.

    Safe: 1 to 64 characters, each an ASCII letter, digit, `.`, `_` or `-`. Anything else —
    missing, empty, too long, spaces, CR/LF, quotes, non-ASCII — is replaced, never echoed.
    """
    raise NotImplementedError(
        "TODO(task 1): keep a safe incoming id, else mint str(uuid.uuid4()) — see README task 1"
    )


def server_timing(seconds: float) -> str:
    """The `Server-Timing` value for a duration: `app;dur=<milliseconds, one decimal>`."""
    raise NotImplementedError(
        "TODO(task 3): seconds → 'app;dur=<ms with one decimal>' — see README task 3"
    )
