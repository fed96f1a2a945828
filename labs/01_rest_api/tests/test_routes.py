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
