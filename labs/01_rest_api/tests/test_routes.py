"""Task 5: each framework serves the same two resource URLs with the same methods.

A route missing a method answers 405 where the contract promises a response; a route with an
extra one advertises it in `Allow`. These tests name the method and the framework at fault.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.task(5)

COLLECTION = {"GET", "POST"}
ITEM = {"GET", "PUT", "PATCH", "DELETE"}
IGNORED = {"HEAD", "OPTIONS"}  # every framework adds these itself


def _check(framework: str, served: dict[str, set[str]]) -> None:
    for url, expected in (("/markets", COLLECTION), ("/markets/{id}", ITEM)):
        got = served.get(url, set()) - IGNORED
        assert got == expected, (
            f"[{framework}] {url} serves {sorted(got) or 'nothing'}; the contract is "
            f"{sorted(expected)}: {url} is the {'collection' if url == '/markets' else 'item'} "
            "resource, and each method it promises needs a route (task 5)"
        )


def _normalise(path: str) -> str:
    """`/markets/<int:market_id>`, `/markets/{market_id}` → `/markets/{id}`."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{id}", path.rstrip("/") or "/")


@pytest.mark.django
def test_django_urls_serve_the_contract_methods() -> None:
    from django.urls import resolve

    served = {}
    for url, probe in (("/markets", "/markets"), ("/markets/{id}", "/markets/1")):
        view_class = resolve(probe).func.cls
        served[url] = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    _check("django", served)


@pytest.mark.fastapi
def test_fastapi_routes_serve_the_contract_methods() -> None:
    from markets_rest.fastapi_app import create_app
    from markets_rest.store import MarketStore

    paths = create_app(MarketStore()).openapi()["paths"]  # the routes, as clients see them
    served = {_normalise(path): {m.upper() for m in ops} for path, ops in paths.items()}
    _check("fastapi", served)


@pytest.mark.flask
def test_flask_rules_serve_the_contract_methods() -> None:
    from markets_rest.flask_app import create_app
    from markets_rest.store import MarketStore

    served: dict[str, set[str]] = {}
    app: Any = create_app(MarketStore())
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            served.setdefault(_normalise(rule.rule), set()).update(rule.methods or ())
    _check("flask", served)


# What each FastAPI operation must document, besides its success: (method, path) → statuses.
DOCUMENTED_ERRORS = {
    ("get", "/markets"): {"400"},
    ("post", "/markets"): {"400", "409", "415"},
    ("get", "/markets/{id}"): {"404"},
    ("put", "/markets/{id}"): {"400", "404", "409", "415"},
    ("patch", "/markets/{id}"): {"400", "404", "409", "415"},
    ("delete", "/markets/{id}"): {"404"},
}


@pytest.mark.fastapi
def test_fastapi_openapi_schema_tells_the_truth() -> None:
    from markets_rest.fastapi_app import create_app
    from markets_rest.store import MarketStore

    schema = create_app(MarketStore()).openapi()
    problems = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            responses = op.get("responses", {})
            if "422" in responses:
                problems.append(f"{where} advertises 422, which this API never sends (400)")
            for status in DOCUMENTED_ERRORS.get((method, _normalise(path)), set()):
                ref = (
                    responses.get(status, {})
                    .get("content", {})
                    .get("application/json", {})
                    .get("schema", {})
                    .get("$ref", "")
                )
                if not ref.endswith("/ErrorBody"):
                    problems.append(f"{where} does not document its {status} as an ErrorBody")
    declared = schema["paths"]["/markets"]["get"].get("parameters", [])
    listed = {p["name"] for p in declared}
    if missing := {"status", "ordering", "limit", "offset"} - listed:
        problems.append(f"GET /markets does not declare its query parameters {sorted(missing)}")
    for p in declared:
        low = {"limit": 1, "offset": 0}.get(p["name"])
        if low is not None and p.get("schema", {}).get("minimum") != low:
            problems.append(f"GET /markets declares {p['name']}'s minimum other than {low}")
    patch = schema["components"]["schemas"]["MarketPatch"]["properties"]
    problems += [
        f"MarketPatch.{name} is advertised as nullable, but null is a 400"
        for name, prop in patch.items()
        if "null" in str(prop)
    ]
    assert not problems, (
        "the FastAPI app's OpenAPI schema (what generated clients and schemathesis read) "
        "describes another API than the one it serves: "
        + "; ".join(problems)
        + ". Keep the route decorators' responses=errors(...) and the declared list "
        "parameters (task 5)"
    )
