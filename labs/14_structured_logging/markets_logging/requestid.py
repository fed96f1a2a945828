"""The request id: accept a client's well-formed `X-Request-ID`, otherwise mint one. Given.

Lab 04 builds this middleware; here each app ships it ready (`django_app/middleware.py`,
`fastapi_app.RequestIdMiddleware`, `flask_app`'s request hooks). A client's id is taken only
when it is short and made of safe characters: it is echoed in a header and written into every
log line, so a newline or a 10 KB value must never get through.
"""

from __future__ import annotations

import re
import uuid

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{1,64}")  # the rule lab 04 teaches


def accept_or_mint(incoming: str | None) -> str:
    """The client's id when it is 1-64 safe characters, else a fresh UUID4."""
    if incoming is not None and _ACCEPTED.fullmatch(incoming):
        return incoming
    return str(uuid.uuid4())
