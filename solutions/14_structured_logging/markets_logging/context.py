"""Request context in a `ContextVar`: fields bound once, on every line of the request (task 2).

A `ContextVar` follows the code that is running: each asyncio task and each thread sees its
own value, so two requests in flight never see each other's fields. A thread pool does not
copy it; `submit` does.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, TypeVar

T = TypeVar("T")
Fields = MappingProxyType[str, Any]
Token = contextvars.Token[Fields]

# Read-only mappings: `bind` sets a new one instead of changing the one it finds, because a
# copied context (an asyncio task, a `submit`ted worker) shares its parent's object: a change
# in place would show up in the parent and in every sibling. The default is shared by all.
_fields: contextvars.ContextVar[Fields] = contextvars.ContextVar(
    "log_fields", default=MappingProxyType({})
)


def bound() -> dict[str, Any]:
    """The fields bound in the running context, as a new dict."""
    return dict(_fields.get())


def bind(**fields: Any) -> None:
    """Add `fields` to every line logged from here on in the running context."""
    _fields.set(MappingProxyType({**_fields.get(), **fields}))


def start_scope(**fields: Any) -> Token:
    """Begin a request: exactly `fields` are bound, whatever was bound before."""
    return _fields.set(MappingProxyType(fields))


def end_scope(token: Token) -> None:
    """End the request `token` began: what was bound before it is back."""
    _fields.reset(token)


@contextmanager
def request_scope(**fields: Any) -> Iterator[None]:
    """`start_scope` … `end_scope` around a block, even when it raises."""
    token = start_scope(**fields)
    try:
        yield
    finally:
        end_scope(token)


def submit(executor: Executor, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    """`executor.submit(fn, …)`, run in a copy of the caller's context (its bound fields)."""
    return executor.submit(contextvars.copy_context().run, fn, *args, **kwargs)
