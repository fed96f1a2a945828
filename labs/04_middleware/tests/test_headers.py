"""Tasks 1 and 3 (core): the request id a response carries, and the Server-Timing value.

`request_id_from` decides what a client may put in our logs and headers: an id it sends is
kept only when it is short and made of safe characters; anything else is replaced by a fresh
UUID4 and never echoed (a header value can split a response, a log line, or a dashboard).
"""

from __future__ import annotations

import pytest
from checks import is_uuid4

from markets_middleware.headers import request_id_from, server_timing

pytestmark = pytest.mark.core

SAFE = [
    "abc",
    "0",
    "req-42",
    "A.b_c-9",
    "x" * 64,
    "3f1c8a1e-1b0f-4e77-9d55-0c2b8a64f0d1",
    "trace.2026-01-01.0001",
]
UNSAFE = [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("x" * 65, id="65 characters"),
    pytest.param("x" * 5000, id="5000 characters"),
    pytest.param("abc\n", id="a trailing newline"),
    pytest.param("abc\r\nSet-Cookie: session=evil", id="CR LF header injection"),
    pytest.param("a b", id="a space"),
    pytest.param(" abc", id="a leading space"),
    pytest.param("abc\t", id="a tab"),
    pytest.param("café", id="non-ASCII letter"),
    pytest.param("٧٧٧", id="Arabic-Indic digits"),
    pytest.param("ａｂｃ", id="fullwidth letters"),
    pytest.param("<script>alert(1)</script>", id="markup"),
    pytest.param('a"b', id="a double quote"),
    pytest.param("a'b", id="a single quote"),
    pytest.param("a,b", id="a comma (two ids folded into one header)"),
    pytest.param("a;b", id="a semicolon"),
    pytest.param("../../etc/passwd", id="a path"),
    pytest.param("a\x00b", id="a NUL"),
    pytest.param("ab\u200b", id="a zero-width space"),
    pytest.param("a\\b", id="a backslash (inside [A-z])"),
    pytest.param("a[b]", id="brackets (inside [A-z])"),
    pytest.param("a^b", id="a caret (inside [A-z])"),
    pytest.param("a`b", id="a backtick (inside [A-z])"),
    pytest.param("\u212a", id="the Kelvin sign (k under re.IGNORECASE)"),
    pytest.param("\u017f", id="a long s (s under re.IGNORECASE)"),
    pytest.param("\u0130", id="a dotted capital I (i under re.IGNORECASE)"),
]
A_TO_Z = (
    " — [A-z] is the code points 0x41 to 0x7A, which holds [ \\ ] ^ _ and ` between Z and "
    "a: spell the two ranges, [A-Za-z]"
)
IGNORECASE = (
    " — with re.IGNORECASE, [a-z] also matches the non-ASCII letters that case-fold onto "
    "ASCII ones (the Kelvin sign K onto k, the long s onto s, İ onto i): spell [A-Za-z] "
    "without the flag"
)
WHY_UNSAFE = {"a\\b": A_TO_Z, "a[b]": A_TO_Z, "a^b": A_TO_Z, "a`b": A_TO_Z}
WHY_UNSAFE |= dict.fromkeys(("\u212a", "\u017f", "\u0130"), IGNORECASE)


@pytest.mark.task(1)
@pytest.mark.parametrize("incoming", SAFE)
def test_a_safe_incoming_request_id_is_kept(incoming: str) -> None:
    got = request_id_from(incoming)
    assert got == incoming, (
        f"request_id_from({incoming!r}) returned {got!r}; an id of 1 to 64 ASCII letters, "
        "digits, '.', '_' or '-' is the client's to choose: keep it, so the client's logs and "
        "ours name the request alike (task 1)"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("incoming", UNSAFE)
def test_an_unsafe_incoming_request_id_is_replaced_by_a_uuid4(incoming: str | None) -> None:
    got = request_id_from(incoming)
    assert is_uuid4(got), (
        f"request_id_from({incoming!r}) returned {got!r}; anything but 1 to 64 ASCII letters, "
        "digits, '.', '_' or '-' is replaced by a fresh UUID4, str(uuid.uuid4()) — never "
        "trimmed, escaped or echoed: a client must not choose what goes into a header or a "
        f"log line{WHY_UNSAFE.get(incoming or '', '')} (task 1)"
    )


@pytest.mark.task(1)
def test_every_minted_request_id_is_fresh() -> None:
    minted = {request_id_from(None) for _ in range(200)}
    assert len(minted) == 200, (
        f"200 calls of request_id_from(None) minted {len(minted)} distinct ids; each request "
        "gets a new UUID4, never a cached or module-level one (task 1)"
    )


@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.25, "app;dur=250.0"),
        (0.0123456, "app;dur=12.3"),
        (0.0, "app;dur=0.0"),
        (1e-08, "app;dur=0.0"),
        (0.00096, "app;dur=1.0"),
        (123.456, "app;dur=123456.0"),
    ],
)
def test_server_timing_is_milliseconds_with_one_decimal(seconds: float, expected: str) -> None:
    got = server_timing(seconds)
    assert got == expected, (
        f"server_timing({seconds!r}) returned {got!r}; expected {expected!r}: Server-Timing's "
        "dur is in milliseconds (W3C Server Timing), written as a plain decimal with one "
        "digit after the point — never seconds, never an exponent like 1e-05 (task 3)"
    )
