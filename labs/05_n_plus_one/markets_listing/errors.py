"""The JSON error envelope and each framework's error handlers (given: you do not edit them).

Every error the apps send — a framework-made 404 or 405, a crash — has one shape, in every
framework: `{"error": {"code": str, "message": str, "details": {...}}}`, as JSON. A 500 says
nothing about its cause: the traceback goes to the server's log, never to the client.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI
    from flask import Flask

# Headers a framework's own error carries that the envelope keeps (Allow on a 405).
KEPT_HEADERS = ("allow", "retry-after", "www-authenticate")


def error_body(
    status: int, message: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`{"error": {"code": "not_found", "message": "Not Found", "details": {}}}` for a status."""
    phrase = HTTPStatus(status).phrase
    code = "internal_error" if status >= 500 else phrase.lower().replace(" ", "_")
    if status >= 500:
        message = "The server could not answer this request."  # never the cause
    return {"error": {"code": code, "message": message or phrase, "details": details or {}}}


def add_fastapi_error_handlers(app: FastAPI) -> None:
    """Starlette's 404/405, a request FastAPI cannot validate (400, never 422) and a crash."""
    from fastapi import Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() in KEPT_HEADERS}
        body = error_body(exc.status_code, None if exc.status_code >= 500 else str(exc.detail))
        return JSONResponse(body, exc.status_code, headers=headers)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = {
            ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0]): error["msg"]
            for error in exc.errors()
        }
        return JSONResponse(error_body(400, "The request is invalid.", details), 400)

    async def crash(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body(500), 500)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, crash)  # Starlette logs it and re-raises after


def add_flask_error_handlers(app: Flask) -> None:
    """Werkzeug's 404/405 (and every other HTTP error) and a crash, on the whole app."""
    from flask import Response, jsonify
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int, dict[str, str]]:
        status = exc.code or 500
        made = exc.get_response()
        headers = {k: v for k, v in made.headers.items() if k.lower() in KEPT_HEADERS}
        return jsonify(error_body(status, None if status >= 500 else exc.name)), status, headers

    @app.errorhandler(Exception)
    def crash(exc: Exception) -> tuple[Response, int]:
        app.logger.error("unhandled exception", exc_info=exc)  # the log has the cause
        return jsonify(error_body(500)), 500
