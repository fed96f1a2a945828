"""Flask plumbing for the HTTP contract: the market-id converter and the error envelope. Given.

`install_error_handlers(app)` makes every error Werkzeug produces — a 404 for no route, a 405
(keeping its `Allow`), a 500 for an unhandled exception — answer in the envelope of
`http_json`, never as an HTML page.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import BaseConverter

from markets_repository.http_json import MAX_ID, ApiError, status_error_json


class MarketIdConverter(BaseConverter):
    """`<market_id:...>`: ASCII digits naming a storable id (1 … 2**63 - 1); other digits 404.

    Werkzeug's `int` converter matches `\\d+`, which takes non-ASCII digits such as "٧", and
    has no upper bound: 2**63 would reach the database driver and overflow (a 500). Out of
    range raises NotFound rather than ValidationError: Werkzeug turns a ValidationError into
    "no match", and a path another method's rule matched then answers 405, not 404.
    """

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound()
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def install_error_handlers(app: Flask) -> None:
    app.url_map.converters["market_id"] = MarketIdConverter
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)


def _api_error(exc: ApiError) -> tuple[Response, int]:
    return jsonify(exc.body), exc.status


def _http_error(exc: HTTPException) -> tuple[Response, int, dict[str, str]]:
    """Werkzeug's errors (an unhandled exception arrives as a 500 InternalServerError)."""
    status = exc.code or 500
    headers = {key: value for key, value in exc.get_headers() if key.lower() == "allow"}
    return jsonify(status_error_json(status)), status, headers
