"""Task 2, FastAPI: the OpenAPI schema says what the guard does — every operation needs the
Bearer scheme and documents its 401 and 403, and none advertises FastAPI's default 422."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.fastapi, pytest.mark.task(2)]


def test_every_operation_documents_bearer_401_and_403(fastapi_app_and_client):
    app, _ = fastapi_app_and_client
    schema = app.openapi()
    assert "HTTPBearer" in schema.get("components", {}).get("securitySchemes", {}), (
        "The OpenAPI schema declares no HTTPBearer security scheme: keep current_user's "
        "Depends(bearer) (task 2)"
    )
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation.get("responses", {}))
            assert {"401", "403"} <= documented and "422" not in documented, (
                f"{method.upper()} {path} documents responses {sorted(documented)}; every "
                "operation answers 401 and 403 (errors() adds them) and never 422 (task 2)"
            )
            if "requestBody" in operation:
                assert {"400", "415"} <= documented, (
                    f"{method.upper()} {path} reads a body but documents {sorted(documented)}: "
                    "a body route answers 400 for invalid input and 415 for a body not sent "
                    "as JSON (task 2)"
                )
            assert operation.get("security"), (
                f"{method.upper()} {path} has no `security` in the OpenAPI schema: the route is "
                "not behind current_user (require_permission depends on it) (task 2)"
            )
