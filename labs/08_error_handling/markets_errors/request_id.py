"""The request id: taken from `X-Request-ID` when it is safe, otherwise minted. Given.

Lab 04 teaches the middleware; here each app ships it ready (`RequestIdMiddleware` in
FastAPI, `before_request`/`after_request` hooks in Flask, `django_app.middleware`). It puts
the id in three places: on the request (`request.state.request_id`, `g.request_id`,
`request.request_id`), in the context variable `current` for the length of the request, and
on the response's `X-Request-ID` header. Every error body carries the same id, so a client
quoting it finds the server's log line — `RequestIdFilter` stamps it on log records as
`record.request_id`.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
# An id a client may choose: short, and only characters that are safe in a log line and a
# header (no spaces, no newlines, no quotes). Anything else is replaced, never echoed.
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")

current: ContextVar[str | None] = ContextVar("request_id", default=None)


def accept_or_mint(incoming: str | None) -> str:
    """The client's id when it is safe, else a fresh UUID4."""
    if incoming is not None and _SAFE.fullmatch(incoming):
        return incoming
    return str(uuid.uuid4())


class RequestIdFilter(logging.Filter):
    """Stamps `record.request_id` with the id of the request being served (None outside one).

    A filter runs for the records of the logger it is attached to: `log` below, Flask's
    `app.logger` and Django's `django.request` logger get one each.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current.get()
        return True


log = logging.getLogger("markets_errors")  # the lab's logger: log through it
log.addFilter(RequestIdFilter())
