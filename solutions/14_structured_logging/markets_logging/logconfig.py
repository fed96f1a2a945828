"""JSON lines: one JSON object per log record, configured once for the process (task 3)."""

from __future__ import annotations

import json
import logging
import logging.config
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from markets_logging import context
from markets_logging.redaction import redact

# Every attribute a bare LogRecord has: what is left on a record is what `extra=` added.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: timestamp, level, logger, event, context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            # The record's own creation time, in UTC with its offset: `utcnow()` is naive.
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **context.bound(),
            **{k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES},
        }
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json.dumps(redact(fields))


def configure_logging(stream: TextIO | None = None, level: str = "INFO") -> None:
    """Every record from every logger, at `level` and above, to `stream` as JSON lines.

    `stream` defaults to `sys.stderr` as it is when this is called. Idempotent: a second
    call replaces the first one's handler, never adds to it, so no line is printed twice.
    """
    logging.config.dictConfig(
        {
            "version": 1,
            # Loggers made at import time (`logging.getLogger(__name__)`) keep working.
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": JsonFormatter}},
            "handlers": {
                "json": {
                    "class": "logging.StreamHandler",
                    "formatter": "json",
                    "stream": stream or sys.stderr,
                }
            },
            "root": {"level": level, "handlers": ["json"]},
        }
    )
