"""Task 5 (FastAPI): the OpenAPI schema tells the truth about the errors the app sends."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.fastapi, pytest.mark.task(5)]

DOCUMENTED = {
    ("get", "/markets/{market_id}"): {"404", "4XX"},
    ("post", "/markets"): {"400", "401", "403", "409", "415", "429", "4XX"},
}


def test_fastapi_openapi_documents_each_error_in_both_formats_and_no_422() -> None:
    from markets_errors.fastapi_app import create_app

    schema = create_app().openapi()
    problems = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            if "422" in responses:
                problems.append(f"{where} advertises FastAPI's 422, which this API never sends")
            expected = DOCUMENTED.get((method, path.replace(":id", "")), set())
            if missing := expected - set(responses):
                problems.append(f"{where} does not document {sorted(missing)}")
            for status in expected & set(responses):
                media = set(responses[status].get("content", {}))
                if media != {"application/json", "application/problem+json"}:
                    problems.append(f"{where} documents its {status} as {sorted(media)}")
    names = set(schema.get("components", {}).get("schemas", {}))
    problems += [f"the schema still defines {n}" for n in {"HTTPValidationError"} & names]
    assert not problems, (
        "the FastAPI app's OpenAPI schema (what /docs, generated clients and schemathesis read) "
        "describes another API than the one it serves: " + "; ".join(problems) + " (task 5)"
    )
