"""One HTTP test-client interface over Django, FastAPI and Flask.

A behavioural suite parametrized over the three frameworks talks to `HttpClient` and reads a
`Reply`, so the same assertions hold in each:

    client = as_client(app)           # a FastAPI app, a Flask app, or the string "django"
    reply = client.post("/markets", json={"name": "Rain"})
    assert reply.status == 201, reply.json()
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import weakref
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # keys lower-cased

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class HttpClient:
    """`request()` plus one method per HTTP verb; `raw` sends a body as-is (for bad JSON).

    Every adapter turns an unhandled server exception into a 500 `Reply`, never a raise,
    and logs its traceback (pytest shows it under "Captured log" when a test fails).
    `with as_client(app) as client:` closes the client when the block ends.
    """

    framework: str

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        raw: bytes | str | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body: bytes | None = None
        sent = dict(headers or {})
        if raw is not None:
            body = raw.encode() if isinstance(raw, str) else raw
            sent.setdefault("Content-Type", "application/json")
        elif json is not None:
            body = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        if params:
            path = f"{path}{'&' if '?' in path else '?'}{urlencode(params, doseq=True)}"
        return self._send(method.upper(), path, body, sent)

    def send(
        self, method: str, path: str, *, body: bytes | None = None, headers: Any = None
    ) -> Reply:
        """Send exactly these bytes and headers: no Content-Type is added (hostile inputs)."""
        return self._send(method.upper(), path, body, dict(headers or {}))

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        raise NotImplementedError

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Reply:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Reply:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Reply:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)


class DjangoHttpClient(HttpClient):
    framework = "django"

    def __init__(self, peer: str | None = None) -> None:
        from django.test import Client

        self._client = Client(raise_request_exception=False, REMOTE_ADDR=peer or "127.0.0.1")

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        content_type = headers.pop("Content-Type", "application/octet-stream")
        extra = {"data": body or b"", "content_type": content_type} if body is not None else {}
        response = self._client.generic(method, path, headers=headers, **extra)
        return Reply(response.status_code, response.content, _lower(response.headers.items()))


class FastAPIHttpClient(HttpClient):
    """httpx over the ASGI app, on an event loop of the client's own.

    Not Starlette's TestClient: it hands every request to an event-loop thread and back,
    ~1.6 ms a request against ~0.3 ms here, which made the FastAPI track the slowest
    one-track run (the hostile battery sends hundreds of requests).
    """

    framework = "fastapi"

    def __init__(self, app: Any, peer: str | None = None) -> None:
        import httpx

        transport = httpx.ASGITransport(
            _logging_exceptions(app), raise_app_exceptions=False, client=(peer or "127.0.0.1", 123)
        )
        self._client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self._loop = asyncio.new_event_loop()
        # Garbage collection may come inside another client's running loop: then only close.
        self._close_loop = weakref.finalize(self, self._loop.close)

    def __exit__(self, *exc_info: Any) -> None:
        if not self._loop.is_closed():
            self._run(self._client.aclose())
            self._close_loop()

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        # Header values go out as UTF-8 bytes, as a real client may send them (httpx would
        # refuse a non-ASCII str before the app ever saw it).
        raw = {key: value.encode() for key, value in headers.items()}
        response = self._run(self._client.request(method, path, content=body, headers=raw))
        return Reply(response.status_code, response.content, _lower(response.headers.items()))

    def _run(self, call: Coroutine[Any, Any, T]) -> T:
        """Run `call` on the client's loop — from a thread of its own inside Jupyter, whose
        kernel already runs a loop in this thread."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop running here: the tests' case
            return self._loop.run_until_complete(call)
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(self._loop.run_until_complete, call).result()


def _logging_exceptions(app: Any) -> Any:
    """Wrap an ASGI app so an unhandled exception is logged before the 500 goes out.

    The app's own exception handlers still answer; httpx then swallows the re-raised
    exception (`raise_app_exceptions=False`) — after this has logged it, as a server would.
    """

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except Exception:
            log.exception("%s %s raised inside the app", scope.get("method"), scope.get("path"))
            raise

    return asgi


class FlaskHttpClient(HttpClient):
    framework = "flask"

    def __init__(self, app: Any, peer: str | None = None) -> None:
        # Like the other two adapters: an unhandled exception becomes a 500 reply that a
        # test can assert on ("never a 500"), instead of propagating into the test.
        app.config["PROPAGATE_EXCEPTIONS"] = False
        self._client = app.test_client()
        self._client.environ_base["REMOTE_ADDR"] = peer or "127.0.0.1"

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        response = self._client.open(path, method=method, data=body, headers=headers)
        return Reply(response.status_code, response.get_data(), _lower(response.headers.items()))


def as_client(app: Any, *, peer: str | None = None) -> HttpClient:
    """`"django"` (uses settings.ROOT_URLCONF), a FastAPI/Starlette app, or a Flask app.

    `peer` is the address the request comes from, as the app sees it (`REMOTE_ADDR`,
    `request.client.host`); default 127.0.0.1 in every framework.
    """
    if app == "django":
        return DjangoHttpClient(peer)
    module = type(app).__module__
    if module.startswith(("fastapi", "starlette")):
        return FastAPIHttpClient(app, peer)
    if module.startswith("flask"):
        return FlaskHttpClient(app, peer)
    raise TypeError(f"as_client() takes 'django', a FastAPI app or a Flask app, not {app!r}")


def _lower(items: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in items}
