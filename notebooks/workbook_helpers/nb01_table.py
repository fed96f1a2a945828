"""Notebook 01: the table of reply shapes (status, kind of body, Location) over several apps."""

from __future__ import annotations

from typing import Any


def shape(reply: Any) -> str:
    """What kind of body came back: envelope, detail, html, page, list, object or empty."""
    try:
        body = reply.json()
    except ValueError:
        return "html" if reply.body.lstrip().startswith(b"<") else "empty"
    if isinstance(body, list):
        return f"list of {len(body)}"
    if "results" in body:
        return f"page of {len(body['results'])}"
    if "error" in body:
        return "envelope"
    if "detail" in body or reply.status == 400:
        return "detail"
    return "object"


def describe(reply: Any) -> str:
    location = " +Location" if reply.header("Location") else ""
    return f"{reply.status} {shape(reply)}{location}"


def shapes_table(apps: dict[str, tuple[Any, str]], requests: dict[str, tuple]) -> str:
    """A Markdown table: one row per request, one column per (client, URL prefix)."""
    rows = ["| request | " + " | ".join(apps) + " |", "| --- " * (len(apps) + 1) + "|"]
    for label, (method, url, kwargs) in requests.items():
        cells = [
            describe(getattr(client, method)(prefix + url, **kwargs))
            for client, prefix in apps.values()
        ]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)
