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

# TODO(task 2): declare the ContextVar that holds the bound fields here — see README task 2


def bound() -> dict[str, Any]:
    """The fields bound in the running context, as a new dict."""
    raise NotImplementedError("TODO(task 2): the fields bound so far — see README task 2")


def bind(**fields: Any) -> None:
    """Add `fields` to every line logged from here on in the running context."""
    raise NotImplementedError("TODO(task 2): add fields to the context — see README task 2")


def start_scope(**fields: Any) -> Token:
    """Begin a request: exactly `fields` are bound, whatever was bound before."""
    raise NotImplementedError(
        "TODO(task 2): bind exactly these fields, return the token — see README task 2"
    )


def end_scope(token: Token) -> None:
    """End the request `token` began: what was bound before it is back."""
    raise NotImplementedError("TODO(task 2): restore with the token — see README task 2")


@contextmanager
def request_scope(**fields: Any) -> Iterator[None]:
    """`start_scope` … `end_scope` around a block, even when it raises."""
    raise NotImplementedError(
        "TODO(task 2): start_scope, yield, end_scope even on an exception — see README task 2"
    )


def submit(executor: Executor, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
    """`executor.submit(fn, …)`, run in a copy of the caller's context (its bound fields)."""
    raise NotImplementedError(
        "TODO(task 2): submit fn to run inside a copy of this context — see README task 2"
    )
