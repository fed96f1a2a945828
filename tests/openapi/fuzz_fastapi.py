"""Schemathesis over a lab's FastAPI app: the OpenAPI schema it publishes is the truth.

Not a module of the maintainer suite itself: `tests/test_openapi.py` lays it into a copy of
each FastAPI lab (solution applied) as `tests/test_openapi_fuzz.py`, where the lab's conftest
provides the `fastapi_app` fixture — a ready app with market 1 stored. Every schemathesis
check is on (no 5xx, documented status codes, bodies and content types, schema-violating
requests refused with a 4xx), for data the schema allows and data it forbids. Bounded and
repeatable: a fixed number of examples per operation, derandomized.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

EXAMPLES = 25
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
def test_fastapi_app_keeps_its_published_contract(fastapi_app: Any, mode: Any) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fastapi_app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: Any) -> None:
            case.call_and_validate()

        try:
            check()
        except Unsatisfiable:  # the schema leaves no way to break it (e.g. no parameters)
            continue
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's, then fail
            failures.append(f"{operation.label} ({mode.value} data): {_described(exc)}")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def _described(exc: BaseException) -> str:
    """Schemathesis raises a group of failures; each one's text says what and how to reproduce."""
    parts = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return "\n".join(f"{type(part).__name__}: {part}"[:800] for part in parts)
