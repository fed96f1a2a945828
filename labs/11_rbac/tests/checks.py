"""Assertions the HTTP tests share: each says what was sent, what came back, and why."""

from __future__ import annotations

from typing import Any

from patterns_workbook.testing.hostile import envelope_problem


def shown(reply: Any) -> str:
    text = " ".join(reply.text.split())
    return f"{reply.status} {text[:200]}"


def assert_refused(fw: str, reply: Any, status: int, sent: str, why: str, task: int) -> None:
    """`reply` is `status` in the error envelope."""
    assert reply.status == status, (
        f"[{fw}] {sent} answered {shown(reply)}; expected {status}: {why} (task {task})"
    )
    problem = envelope_problem(reply)
    assert problem is None, f"[{fw}] {sent} answered {status}, but {problem} (task {task})"


def assert_401(fw: str, reply: Any, sent: str, task: int = 2) -> None:
    why = (
        "without valid credentials the answer is 401 Unauthorized — authentication comes "
        "before any permission check, so the client learns to log in, not that it is forbidden"
    )
    assert_refused(fw, reply, 401, sent, why, task)
    challenge = reply.header("www-authenticate") or ""
    assert challenge.startswith('Bearer realm="markets"'), (
        f"[{fw}] {sent} answered 401 with WWW-Authenticate: {challenge!r}; a 401 "
        "must say how to authenticate: 'Bearer realm=\"markets\"' (RFC 6750 §3) (task "
        f"{task})"
    )


def assert_403(fw: str, reply: Any, sent: str, why: str, task: int = 2) -> None:
    assert_refused(fw, reply, 403, sent, why, task)


def assert_allowed(fw: str, reply: Any, sent: str, why: str, task: int = 2) -> None:
    assert reply.status not in (401, 403) and reply.status < 500, (
        f"[{fw}] {sent} answered {shown(reply)}; expected it to be let through: {why} (task {task})"
    )
