"""Redaction: no secret reaches a log line, however deep it sits (task 1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "[REDACTED]"
# A key holding one of these (any case, `-` read as `_`) names a secret: `Authorization`,
# `Set-Cookie`, `access_token`, `X-Api-Key`, `client_secret`, `password_confirmation`…
SENSITIVE = ("authorization", "cookie", "password", "token", "secret", "api_key")
# The same names inside text: `password=hunter2`, `'token': 'abc'`, `Authorization: Bearer x`.
# No leading `[\w-]*`: that would backtrack over every long word (an 8 KB header) quadratically.
_SECRET_IN_TEXT = re.compile(
    r"(?P<key>(?:authorization|cookie|password|token|secret|api[_-]key)[\w-]*"
    r"""['"]?\s*[:=]\s*)"""
    r"""(?:"[^"]*"|'[^']*'|(?:(?:bearer|basic)\s+)?[^\s'",;&]+)""",
    re.IGNORECASE,
)
JSON_SCALARS = (bool, int, float, type(None))


def is_sensitive(key: object) -> bool:
    """True for a key that names a secret: `Authorization`, `X-Api-Key`, `refresh_token`."""
    name = str(key).lower().replace("-", "_")
    return any(word in name for word in SENSITIVE)


def scrub_text(text: str) -> str:
    """`text` with the value after each secret's name masked: `password=[REDACTED]`."""
    return _SECRET_IN_TEXT.sub(lambda match: match["key"] + MASK, text)


def redact(value: Any) -> Any:
    """A JSON-ready copy of `value` with every secret masked; `value` itself is unchanged.

    Mappings of any kind (a dict, Django's or Starlette's headers) become dicts whose
    sensitive keys hold `MASK`, at any depth; lists, tuples and sets become lists; text is
    scrubbed; numbers, booleans and None stay; anything else becomes its scrubbed `str()`.
    """
    if isinstance(value, Mapping):
        return {str(k): MASK if is_sensitive(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    if isinstance(value, JSON_SCALARS):
        return value
    return scrub_text(str(value))
