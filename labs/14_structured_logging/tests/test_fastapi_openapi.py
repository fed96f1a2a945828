"""The FastAPI app's published schema tells the truth (given code; task 4 adds middleware to it).

FastAPI learners read `/docs`: the envelope with its `request_id` should be there, and
FastAPI's default 422, which this API never sends, should not.
"""

from __future__ import annotations

import pytest

from markets_logging.service import MarketService, sample_markets

pytestmark = [pytest.mark.fastapi, pytest.mark.task(4)]


def test_the_schema_documents_the_envelope_and_no_422() -> None:
    from markets_logging.fastapi_app import create_app

    schema = create_app(MarketService(sample_markets())).openapi()
    advertised = {
        (path, method, status)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    assert not {entry for entry in advertised if entry[2] == "422"}, (
        f"the schema advertises a 422 ({sorted(advertised)}); this API answers bad input 400"
    )
    assert ("/markets/{market_id}", "get", "404") in advertised
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message", "details", "request_id"}, (
        f"the documented error is {error}; it carries the request id"
    )
