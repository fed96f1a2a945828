"""The hostile-input battery: requests no route may answer with a 500.

Every HTTP lab lists its routes once and runs this battery over each route in each framework,
so the contract (docs/design.md, "The HTTP contract") holds everywhere, in one place:

    ROUTES = [
        Route("GET", "/markets", task=1, query={"limit": "2", "status": "active"}),
        Route("POST", "/markets", task=3, body={"name": "Rain", "slug": "rain"}),
        Route("PATCH", "/markets/{id}", task=4, body={"name": "Snow"}, partial=True),
    ]

    @pytest.mark.parametrize("route", hostile.params(ROUTES))
    def test_hostile_requests_are_refused_in_the_envelope(client, route, market):
        hostile.assert_survives(client, route, ids={"id": market["id"]})

What a probe must get back:
- never a 5xx, whatever it sends;
- every 4xx as JSON in the envelope `{"error": {"code", "message", "details": {...}}}`;
- a body that is not a JSON object (a list, a string, `null`, broken or undecodable JSON)
  → 400; a JSON body sent as another content type, or with none → 415;
- an unknown field, a read-only field (`id`, `created_at`, the owner…), a field of the wrong
  type, a JSON number for money, `null` (in PATCH too) → 400 naming that field in `details`;
- an id that is not a small positive whole number in the path (huge, negative, non-ASCII
  digits, a word) → 400 or 404;
- strange query strings (huge or non-ASCII numbers, repeated or missing parameters) and
  oversized or unexpected headers → anything but a 5xx, in the envelope if refused;
- a method the path does not serve → 405 with every method it does serve in `Allow`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import urlencode

import pytest

from patterns_workbook.testing.http import HttpClient, Reply

ANY_4XX = frozenset(range(400, 500))
NOT_5XX = frozenset(range(200, 500))
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
READ_ONLY = ("id", "created_at", "updated_at")
HUGE = "9" * 400
HUGER = "9" * 5000  # past int()'s 4,300-digit limit: int(HUGER) raises ValueError
BAD_IDS = ("9223372036854775808", HUGE, "-1", "0", "abc", "1.5", "²", "٧", "%20", "1e3")
BAD_NUMBERS = (
    HUGE, HUGER, "9223372036854775808", "-1", "", "abc", "1.5", "5.0", "1e3",
    "²", "٧", " 5", "+5", "5_000", "0x10", "5\n",
)  # fmt: skip
SHOWN = 12  # broken replies listed in one failure
_fresh = count(1)


@dataclass(frozen=True)
class Route:
    """One route of a lab's API, with a request that the route accepts.

    `path` names its ids in braces (`/markets/{id}`); `body` is a valid JSON object for a
    write; `query` the parameters a read understands, with valid values; `headers` those
    every request needs — `{n}` in a value becomes a fresh number per probe (idempotency
    keys). `read_only` and `money` name the body's protected and decimal-string fields.
    """

    method: str
    path: str
    task: int
    body: Mapping[str, Any] | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    read_only: tuple[str, ...] = READ_ONLY
    money: tuple[str, ...] = ()
    nullable: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Probe:
    """One hostile request and the statuses it may get back."""

    what: str
    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    expect: frozenset[int] = ANY_4XX
    field: str | None = None  # the body field `details` must name
    why: str = "input the API cannot use is a client error, never a crash"


def params(routes: Iterable[Route]) -> list[Any]:
    """`pytest.param` per route, with its task marker and a readable id."""
    return [pytest.param(r, marks=pytest.mark.task(r.task), id=str(r)) for r in routes]


def assert_survives(client: HttpClient, route: Route, ids: Mapping[str, Any] | None = None) -> None:
    """Send the probes for `route`; fail once, listing the replies that broke the contract.

    Stops after `SHOWN` broken replies: an unfinished route breaks nearly all of them, and the
    first few say what is wrong (the rest would only slow a learner's run down).
    """
    failures: list[str] = []
    for probe in probes(route, ids or {}):
        if (problem := judge(probe, send(client, probe))) is not None:
            failures.append(problem)
            if len(failures) > SHOWN:
                break
    _fail_with(route, failures)


def assert_methods_refused(
    client: HttpClient, routes: Iterable[Route], ids: Mapping[str, Any] | None = None
) -> None:
    """Each path answers the methods it does not serve with 405 and a complete `Allow`."""
    served: dict[str, set[str]] = {}
    for route in routes:
        served.setdefault(route.path, set()).add(route.method)
    failures = []
    for template, methods in served.items():
        path = template.format(**(ids or {}))
        for method in sorted(set(METHODS) - methods):
            probe = Probe(
                f"{method}, which {template} does not serve",
                method,
                path,
                body=b"{}",
                headers={"Content-Type": "application/json"},
                expect=frozenset({405}),
                why="an unserved method is 405 Method Not Allowed",
            )
            reply = send(client, probe)
            problem = judge(probe, reply) or _allow_problem(probe, reply, methods)
            if problem is not None:
                failures.append(problem)
    _fail_with("the routes", failures)


# ------------------------------------------------------------------------------ the probes


def probes(route: Route, ids: Mapping[str, Any]) -> Iterator[Probe]:
    path = route.path.format(**ids)
    if route.body is not None:
        yield from _body_probes(route, path)
    if route.query:
        yield from _query_probes(route, path)
    yield from _path_probes(route, ids)
    yield from _header_probes(route, path)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _body_probes(route: Route, path: str) -> Iterator[Probe]:
    assert route.body is not None
    valid = dict(route.body)
    as_json = {"Content-Type": "application/json", **route.headers}

    def probe(what: str, body: bytes, **kw: Any) -> Probe:
        kw.setdefault("headers", as_json)
        kw.setdefault("expect", frozenset({400}))
        return Probe(what, route.method, path, body, **kw)

    unsupported = "a body that is not declared as application/json is 415 Unsupported Media Type"
    for what, media in (
        ("text/plain", "text/plain"),
        ("a form", "application/x-www-form-urlencoded"),
        ("a vendor +json type", "application/vnd.evil+json"),
    ):
        yield probe(
            f"a JSON body sent as {what}",
            _json(valid),
            headers={"Content-Type": media, **route.headers},
            expect=frozenset({415}),
            why=unsupported,
        )
    yield probe(
        "a JSON body with no Content-Type",
        _json(valid),
        headers=dict(route.headers),
        expect=frozenset({415}),
        why=unsupported,
    )
    not_object = "the body must be one JSON object; anything else is 400"
    for what, raw in (
        ("broken JSON", b'{"name": '),
        ("bytes that are not UTF-8", b"\xff\xfe\x00"),
        ("an empty body", b""),
        ("a JSON list", b"[]"),
        ("a JSON string", b'"market"'),
        ("JSON null", b"null"),
        ("a JSON number", b"7"),
        ("an object nested 10,000 deep", b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
    ):
        yield probe(what, raw, why=not_object)
    yield probe(
        "an unknown field",
        _json({**valid, "zz_unknown": 1}),
        field="zz_unknown",
        why="an unknown field is a 400 naming it: a typo must not be silently dropped",
    )
    for name, value in valid.items():
        if isinstance(value, str):
            for what, bad in (("a lone surrogate", "\ud800"), ("a NUL character", "\x00")):
                yield probe(
                    f"{what} in {name!r}",
                    _json({**valid, name: value + bad}),
                    field=name,
                    why="text no database can store (PostgreSQL refuses NUL, UTF-8 a lone "
                    "surrogate) is a 400 naming the field, never a 500",
                )
    for name in route.read_only:
        yield probe(
            f"read-only field {name!r}",
            _json({**valid, name: _read_only_value(name)}),
            field=name,
            why=f"{name!r} is the server's, never the client's, to write",
        )
    for name, value in valid.items():
        yield from _wrong_types(probe, valid, name, value, route)


def _read_only_value(name: str) -> Any:
    return 2 if name == "id" or name.endswith("_id") else "2020-01-01T00:00:00Z"


def _wrong_types(
    probe: Any, valid: dict[str, Any], name: str, value: Any, route: Route
) -> Iterator[Probe]:
    wrong: list[tuple[str, Any]] = [("a list", [value]), ("an object", {"v": value})]
    if not isinstance(value, bool):
        wrong.append(("true", True))
    if name not in route.nullable:
        wrong.append(("null", None))
    if name in route.money:
        wrong += [
            ("a JSON number", 0.1),
            ("not a number", "abc"),
            ("400 digits", HUGE),
            ("NaN", "NaN"),
            ("Infinity", "Infinity"),
        ]
    elif isinstance(value, int) and not isinstance(value, bool):
        wrong += [("a word", "abc"), ("a fraction", 1.5)]
    for what, bad in wrong:
        body = _json({**valid, name: bad})
        why = (
            f"money travels as a decimal string, so {name!r} as {what} is a 400"
            if name in route.money
            else f"{name!r} as {what} is a 400 naming the field"
        )
        yield probe(f"{name!r} as {what}", body, field=name, why=why)
    if isinstance(value, int) and not isinstance(value, bool):
        huge = valid | {name: int(HUGE)}
        yield probe(
            f"{name!r} as a 400-digit number",
            _json(huge),
            expect=ANY_4XX,
            why="a number too large for any column is a client error",
        )


def _query_probes(route: Route, path: str) -> Iterator[Probe]:
    def probe(what: str, query: list[tuple[str, str]]) -> Probe:
        url = f"{path}?{urlencode(query)}" if query else path
        return Probe(
            what,
            route.method,
            url,
            headers=route.headers,
            expect=NOT_5XX,
            why="a query string the route cannot use is refused, never a crash",
        )

    valid = list(route.query.items())
    yield probe("no query parameters at all", [])
    for name in route.query:
        others = [(k, v) for k, v in valid if k != name]
        yield probe(f"{name!r} missing", others)
        yield probe(f"{name!r} repeated", [*valid, (name, route.query[name])])
        near = (route.query[name].upper(), route.query[name].title(), route.query[name] + "x")
        for bad in (*BAD_NUMBERS, *near, "\x00", "é" * 50):
            yield probe(f"{name}={bad[:12]!r}", [*others, (name, bad)])


def _path_probes(route: Route, ids: Mapping[str, Any]) -> Iterator[Probe]:
    for name in ids:
        if f"{{{name}}}" not in route.path:
            continue
        for bad in BAD_IDS:
            path = route.path.format(**{**ids, name: bad})
            body = None if route.body is None else _json(dict(route.body))
            headers = (
                {"Content-Type": "application/json", **route.headers} if body else route.headers
            )
            yield Probe(
                f"{{{name}}} = {bad[:24]!r}",
                route.method,
                path,
                body,
                headers,
                frozenset({400, 404}),
                why="an id that cannot name a row is 404 (or "
                "400), never an overflow inside the database driver",
            )


def _header_probes(route: Route, path: str) -> Iterator[Probe]:
    body = None if route.body is None else _json(dict(route.body))
    base = {**({"Content-Type": "application/json"} if body is not None else {}), **route.headers}
    for what, extra in (
        ("an 8 KB header", {"X-Padding": "a" * 8192}),
        ("Accept: application/xml", {"Accept": "application/xml"}),
        ("a non-ASCII header value", {"X-Note": "café"}),
    ):
        yield Probe(
            what,
            route.method,
            path,
            body,
            {**base, **extra},
            NOT_5XX,
            why="headers the route does not use never crash it",
        )
    if body is not None:
        yield Probe(
            "Content-Type: Application/JSON; charset=UTF-8",
            route.method,
            path,
            body,
            {**base, "Content-Type": "Application/JSON; charset=UTF-8"},
            NOT_5XX - {415},
            why="media types are case-insensitive and may carry a charset (RFC 9110 §8.3)",
        )


# ------------------------------------------------------------------------------ the verdict


def send(client: HttpClient, probe: Probe) -> Reply:
    n = next(_fresh)
    headers = {k: v.replace("{n}", str(n)) for k, v in probe.headers.items()}
    return client.send(probe.method, probe.path, body=probe.body, headers=headers)


def judge(probe: Probe, reply: Reply) -> str | None:
    """None when the reply keeps the contract, else one line saying how it broke it."""
    said = f"{probe.what} → {_shown(reply)}"
    if reply.status >= 500:
        return f"{said}; no client input may produce a {reply.status}: {probe.why}"
    if reply.status not in probe.expect:
        return f"{said}; expected {_statuses(probe.expect)}: {probe.why}"
    if reply.status < 400:
        return None
    if problem := envelope_problem(reply):
        return f"{said}; {problem}"
    if probe.field is not None and reply.status == 400:
        details = reply.json()["error"]["details"]
        if probe.field not in details:
            return (
                f"{said}; the 400 must name {probe.field!r} in error.details "
                f"(got keys {sorted(details)}): {probe.why}"
            )
    return None


def envelope_problem(reply: Reply) -> str | None:
    """Why a 4xx reply is not the JSON error envelope, or None."""
    media = (reply.header("content-type") or "").split(";")[0].strip()
    if media != "application/json":
        return f"an error is sent as application/json, not {media or 'no Content-Type'}"
    try:
        body = reply.json()
    except ValueError:
        return "the error body is not JSON"
    error = body.get("error") if isinstance(body, dict) and set(body) == {"error"} else None
    keys = {"code", "message", "details"}
    if not (isinstance(error, dict) and keys <= set(error) <= keys | {"request_id"}):
        return 'every error body is {"error": {"code": ..., "message": ..., "details": {...}}}'
    if "request_id" in error and error["request_id"] != reply.header("x-request-id"):
        return "error.request_id is the response's X-Request-ID (labs 04, 08, 14)"
    if not (isinstance(error["code"], str) and isinstance(error["message"], str)):
        return "error.code and error.message are strings"
    if not isinstance(error["details"], dict):
        return "error.details is an object (per-field messages, or {})"
    return None


def _allow_problem(probe: Probe, reply: Reply, served: set[str]) -> str | None:
    allow = {m.strip().upper() for m in (reply.header("allow") or "").split(",") if m.strip()}
    if missing := served - allow:
        return (
            f"{probe.what} → 405 with Allow: {reply.header('allow')!r}; Allow must list "
            f"every method the path serves, and it misses {sorted(missing)}"
        )
    return None


def _statuses(expect: frozenset[int]) -> str:
    if expect == ANY_4XX:
        return "a 4xx"
    if expect == NOT_5XX:
        return "anything but a 5xx"
    return " or ".join(str(s) for s in sorted(expect))


def _shown(reply: Reply) -> str:
    text = " ".join(reply.text.split())
    return f"{reply.status} {text[:160] + ('…' if len(text) > 160 else '') or '(empty body)'}"


def _fail_with(subject: object, failures: list[str]) -> None:
    if failures:
        shown = "\n  - ".join(failures[:SHOWN])
        count = f"more than {SHOWN}" if len(failures) > SHOWN else str(len(failures))
        more = "\n  … and more (fix these first)" if len(failures) > SHOWN else ""
        pytest.fail(
            f"{subject}: {count} hostile requests broke the HTTP contract "
            f"(docs/design.md):\n  - {shown}{more}",
            pytrace=False,
        )
