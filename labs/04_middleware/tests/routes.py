"""Every route each framework's app serves, read from the app itself (not from a list here).

So a route someone adds later is checked by the gate's tests the day it is added.
"""

from __future__ import annotations

import re
from typing import NamedTuple

IGNORED = {"HEAD", "OPTIONS"}  # the frameworks answer these themselves


class ServedRoute(NamedTuple):
    method: str
    name: str
    path: str  # an example path: each parameter is 1


def _example(template: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "1", template)


def django_routes() -> list[ServedRoute]:
    from django.urls import get_resolver

    from markets_middleware.django_app.views import served_methods

    return [
        ServedRoute(method, pattern.name, "/" + _example(str(pattern.pattern)))
        for pattern in get_resolver().url_patterns
        for method in sorted(served_methods(pattern.callback) - IGNORED)
    ]


def fastapi_routes() -> list[ServedRoute]:
    from fastapi.routing import APIRoute

    from markets_middleware.fastapi_app import router

    return [
        ServedRoute(method, route.name, _example(route.path_format))
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods - IGNORED)
    ]


def flask_routes() -> list[ServedRoute]:
    from markets_middleware.flask_app import create_app
    from markets_middleware.markets import MarketBook

    app = create_app(MarketBook(), lambda app: None)
    return [
        ServedRoute(method, rule.endpoint.removeprefix("api."), _example(rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in sorted((rule.methods or set()) - IGNORED)
    ]


ROUTES_OF = {"django": django_routes, "fastapi": fastapi_routes, "flask": flask_routes}
