"""JSON lines: one JSON object per log record, configured once for the process (task 3)."""

from __future__ import annotations

import logging
from typing import TextIO

# Every attribute a bare LogRecord has: what is left on a record is what `extra=` added.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: timestamp, level, logger, event, context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        raise NotImplementedError(
            "TODO(task 3): the record as one JSON line (timestamp in UTC, level, logger, "
            "event, context.bound(), extras, exception), through redact() — see README task 3"
        )


def configure_logging(stream: TextIO | None = None, level: str = "INFO") -> None:
    """Every record from every logger, at `level` and above, to `stream` as JSON lines.

    `stream` defaults to `sys.stderr` as it is when this is called. Idempotent: a second
    call replaces the first one's handler, never adds to it, so no line is printed twice.
    """
    raise NotImplementedError(
        "TODO(task 3): one JsonFormatter handler on the root logger, replaced on every call "
        "— see README task 3"
    )
