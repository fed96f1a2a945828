"""What the lab's tests share: tokens, a reply shown in a failure, the envelope with its id."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from markets_middleware.auth import TOKENS
from patterns_workbook.testing.http import HttpClient, Reply

ADA, BOB = sorted(TOKENS, key=TOKENS.__getitem__)  # the tokens of "ada" and "bob"
AS_ADA = {"Authorization": f"Bearer {ADA}"}
AS_BOB = {"Authorization": f"Bearer {BOB}"}
TIMING = re.compile(r"app;dur=(\d+\.\d)")


def body_of(reply: Reply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


def shown(reply: Reply) -> str:
    """The reply as a failure message shows it: status, the pipeline's headers, the body."""
    text = " ".join(reply.text.split())
    text = text if len(text) <= 300 else text[:300] + "…"
    headers = f"[X-Request-ID: {reply.header('x-request-id')!r}]"
    if reply.header("server-timing") is not None:
        headers += f" [Server-Timing: {reply.header('server-timing')!r}]"
    if reply.status == 500:
        text += (
            " [500: the server raised; its traceback is under 'Captured log' — an unfinished"
            " stub's TODO(task N) shows there too]"
        )
    return f"{reply.status} {headers} {text or '(empty body)'}"


def is_uuid4(value: str | None) -> bool:
    """True for a UUID4 in its canonical form (what `str(uuid.uuid4())` gives)."""
    try:
        parsed = uuid.UUID(value or "")
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == value


def expect_error(reply: Reply, status: int, code: str, call: str, task: int) -> dict[str, Any]:
    """An error in the envelope whose `request_id` is the response's `X-Request-ID`."""
    assert reply.status == status, (
        f"{call} answered {shown(reply)}; expected {status} (task {task})"
    )
    body = body_of(reply)
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict) and error.get("code") == code, (
        f"{call} answered {shown(reply)}; expected the envelope with error.code {code!r} "
        f"(task {task})"
    )
    request_id = reply.header("x-request-id")
    assert request_id is not None and error.get("request_id") == request_id, (
        f"{call} answered {shown(reply)}; error.request_id must be the response's "
        "X-Request-ID, so a user who reports the error hands you the id of its log lines: "
        "the given error handlers read what the request-id middleware stored (task 2)"
    )
    return error


def pipeline_problem(reply: Reply) -> str | None:
    """Why a reply lacks what the whole pipeline adds to every response, or None."""
    request_id = reply.header("x-request-id")
    if not request_id:
        return "every response carries X-Request-ID, errors included (task 2, task 5)"
    if reply.header("server-timing") is None or not TIMING.fullmatch(
        reply.header("server-timing") or ""
    ):
        return "every response carries Server-Timing: app;dur=<ms>, errors included (task 3, 5)"
    body = body_of(reply)
    error = body.get("error") if isinstance(body, dict) else None
    if reply.status >= 400 and isinstance(error, dict) and error.get("request_id") != request_id:
        return (
            f"error.request_id is {error.get('request_id')!r}, the X-Request-ID header "
            f"{request_id!r}: they must be the same id (task 2, task 5)"
        )
    return None


class PipelineClient(HttpClient):
    """A client that checks every reply for the pipeline's headers and the envelope's id.

    It then hands the reply on *without* `error.request_id`, so the workbook's hostile-input
    battery, which knows the three-key envelope, judges the rest of the contract.
    """

    def __init__(self, inner: HttpClient) -> None:
        self.inner = inner
        self.framework = inner.framework

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        reply = self.inner.send(method, path, body=body, headers=headers)
        if reply.status >= 500:
            return reply  # the battery says what broke
        problem = pipeline_problem(reply)
        assert problem is None, f"[{self.framework}] {method} {path} → {shown(reply)}: {problem}"
        parsed = body_of(reply)
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            parsed["error"].pop("request_id", None)
            return Reply(reply.status, json.dumps(parsed).encode(), reply.headers)
        return reply
