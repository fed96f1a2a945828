"""`with raises(Conflict, "why it must raise (task N)") as caught:` — pytest.raises that teaches.

A missing exception fails with the given reason; a different exception fails naming both;
NotImplementedError passes through untouched, so an unfinished task reads as unfinished.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

import pytest

E = TypeVar("E", bound=BaseException)


@dataclass
class Caught(Generic[E]):
    value: E | None = None


@contextmanager
def raises(error: type[E], why: str) -> Iterator[Caught[E]]:
    caught: Caught[E] = Caught()
    try:
        yield caught
    except error as exc:
        caught.value = exc
        return
    except NotImplementedError:
        raise
    except Exception as other:
        pytest.fail(f"{why}; it raised {type(other).__name__}({other}) instead", pytrace=False)
    pytest.fail(f"{why}; no {error.__name__} was raised", pytrace=False)
