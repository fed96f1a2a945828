"""Redaction: no secret reaches a log line, however deep it sits (task 1)."""

from __future__ import annotations

from typing import Any

MASK = "[REDACTED]"
# A key holding one of these (any case, `-` read as `_`) names a secret: `Authorization`,
# `Set-Cookie`, `access_token`, `X-Api-Key`, `client_secret`, `password_confirmation`…
SENSITIVE = ("authorization", "cookie", "password", "token", "secret", "api_key")


def is_sensitive(key: object) -> bool:
    """True for a key that names a secret: `Authorization`, `X-Api-Key`, `refresh_token`."""
    raise NotImplementedError(
        "TODO(task 1): does the key, lower-cased with '-' as '_', contain a SENSITIVE word? "
        "— see README task 1"
    )


def scrub_text(text: str) -> str:
    """`text` with the value after each secret's name masked: `password=[REDACTED]`."""
    raise NotImplementedError(
        "TODO(task 1): mask name=value, name: value, 'name': 'value', ('name', 'value') and "
        "Authorization/Cookie values in text — see README task 1"
    )


def redact(value: Any) -> Any:
    """A JSON-ready copy of `value` with every secret masked; `value` itself is unchanged.

    Mappings of any kind (a dict, Django's or Starlette's headers) become dicts whose
    sensitive keys hold `MASK`, at any depth; lists, tuples and sets become lists; text is
    scrubbed; numbers, booleans and None stay; anything else becomes its scrubbed `str()`.
    """
    raise NotImplementedError(
        "TODO(task 1): copy the structure, masking sensitive keys at any depth — see README task 1"
    )
