"""Redaction: no secret reaches a log line, however deep it sits (task 1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "[REDACTED]"
# A key holding one of these (any case, `-` read as `_`) names a secret: `Authorization`,
# `Set-Cookie`, `access_token`, `X-Api-Key`, `client_secret`, `password_confirmation`…
SENSITIVE = ("authorization", "cookie", "password", "token", "secret", "api_key")
# The same names inside text: `password=hunter2`, `'token': 'abc'`, `Authorization: Token x`,
# and a pair's str(), `('authorization', 'Bearer x')`. A quoted value is masked to its closing
# quote (escapes read); an Authorization or Cookie value to the end of the line (any scheme's
# credentials, every cookie); any other to a space, quote, `,`, `;` or `&`.
# No leading `[\w-]*`: that would backtrack over every long word (an 8 KB header) quadratically.
_SECRET_IN_TEXT = re.compile(
    r"(?P<key>(?:(?P<whole_line>authorization|cookie)|password|token|secret|api[_-]key)"
    r"""[\w-]*(?:['"]?\s*[:=]\s*|['"]\s*,\s*(?=b?['"])))"""
    r"""(?:b?"(?:[^"\\]|\\.)*"|b?'(?:[^'\\]|\\.)*'"""
    r"""|(?(whole_line)[^\r\n]+|[^\s'",;&]+))""",
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
    sensitive keys hold `MASK`, at any depth; lists, tuples and sets become lists, and a
    `(name, value)` pair that names a secret keeps its name only; text is scrubbed; numbers,
    booleans and None stay; anything else becomes its scrubbed `str()`.
    """
    if isinstance(value, Mapping):
        return {str(k): MASK if is_sensitive(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and _is_secret_pair(value):
        return [redact(value[0]), MASK]
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    if isinstance(value, JSON_SCALARS):
        return value
    return scrub_text(str(value))


def _is_secret_pair(items: list[Any] | tuple[Any, ...]) -> bool:
    """`("Authorization", "Bearer x")`, `(b"cookie", b"sid=1")`: headers as a list of pairs
    (WSGI's, ASGI's `scope["headers"]`, `list(headers.items())`)."""
    return len(items) == 2 and isinstance(items[0], str | bytes) and is_sensitive(items[0])
