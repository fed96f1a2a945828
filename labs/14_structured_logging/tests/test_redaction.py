"""Task 1: `redact` masks every secret in a structure, at any depth, in a copy."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType

import pytest

from markets_logging.redaction import MASK, redact, scrub_text

pytestmark = [pytest.mark.core, pytest.mark.task(1)]

SECRET = "s3cr3t-Value-42"
SENSITIVE_KEYS = [
    "authorization", "Authorization", "Proxy-Authorization", "cookie", "Cookie", "Set-Cookie",
    "password", "PASSWORD", "new_password", "token", "access_token", "refreshToken",
    "X-Auth-Token", "secret", "client_secret", "api_key", "X-Api-Key", "API-KEY",
]  # fmt: skip


@pytest.mark.parametrize("key", SENSITIVE_KEYS)
def test_a_sensitive_key_is_masked_whatever_its_case_or_prefix(key: str) -> None:
    got = redact({key: SECRET, "market_id": 7})
    assert got == {key: MASK, "market_id": 7}, (
        f"redact({{{key!r}: {SECRET!r}, 'market_id': 7}}) returned {got!r}; expected the "
        f"value of {key!r} masked as {MASK!r} and the rest kept: a key is sensitive when, "
        "lower-cased with '-' read as '_', it contains authorization, cookie, password, "
        "token, secret or api_key (task 1)"
    )


@pytest.mark.parametrize("value", [{"current": SECRET}, [SECRET], 4242, None], ids=repr)
def test_a_sensitive_key_is_masked_whatever_its_value(value: object) -> None:
    got = redact({"password": value, "token": value})
    assert got == {"password": MASK, "token": MASK}, (
        f"redact({{'password': {value!r}, 'token': {value!r}}}) returned {got!r}; the whole "
        "value under a secret's name is masked — a dict, a list, a number too (task 1)"
    )


def test_a_key_that_is_not_text_becomes_text() -> None:
    got = redact({7: "seven", "market": {3: "three"}})
    assert got == {"7": "seven", "market": {"3": "three"}}, (
        f"redact({{7: 'seven', 'market': {{3: 'three'}}}}) returned {got!r}; JSON keys are "
        "strings: str() each key, and never call a str method on a key that is not one "
        "(task 1)"
    )


def test_ordinary_keys_and_values_are_kept() -> None:
    data = {"market_id": 7, "user": "ada", "path": "/markets/7", "ratio": 0.5, "ok": True}
    got = redact(data)
    assert got == data, f"redact({data!r}) returned {got!r}; nothing there is secret (task 1)"


def test_secrets_are_masked_at_any_depth() -> None:
    data = {
        "request": {
            "headers": [{"Authorization": f"Bearer {SECRET}"}, {"X-Trace": "t-1"}],
            "body": {"user": {"name": "ada", "password": SECRET}},
            "pairs": ({"api_key": SECRET},),
        }
    }
    got = redact(data)
    expected = {
        "request": {
            "headers": [{"Authorization": MASK}, {"X-Trace": "t-1"}],
            "body": {"user": {"name": "ada", "password": MASK}},
            "pairs": [{"api_key": MASK}],
        }
    }
    assert got == expected, (
        f"redact() of a request with secrets nested in dicts, lists and tuples returned "
        f"{got!r}; expected {expected!r}: recurse into every dict, list and tuple (task 1)"
    )


class Headers(Mapping[str, str]):
    """A read-only mapping that is not a dict, like Django's or Starlette's request.headers."""

    def __init__(self, **items: str) -> None:
        self._items = {key.replace("_", "-").title(): value for key, value in items.items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@pytest.mark.parametrize(
    "mapping",
    [MappingProxyType({"Cookie": SECRET, "Accept": "*/*"}), Headers(cookie=SECRET, accept="*/*")],
    ids=["MappingProxyType", "a headers Mapping"],
)
def test_any_mapping_is_redacted_not_only_dict(mapping: Mapping[str, str]) -> None:
    got = redact({"headers": mapping})
    assert got == {"headers": {"Cookie": MASK, "Accept": "*/*"}}, (
        f"redact({{'headers': <{type(mapping).__name__}>}}) returned {got!r}; request.headers "
        "is a Mapping but not a dict in Django and Starlette: check for "
        "collections.abc.Mapping, and return a dict (task 1)"
    )


def test_the_callers_data_is_not_changed() -> None:
    data = {"headers": {"Authorization": SECRET}, "items": [{"token": SECRET}]}
    before = copy.deepcopy(data)
    redact(data)
    assert data == before, (
        f"after redact(data), data is {data!r}; it was {before!r}. The caller still needs "
        "the real header to authenticate the request: build a new structure, never mask "
        "in place (task 1)"
    )


@pytest.mark.parametrize(
    "text",
    [
        f"password={SECRET}&user=ada",
        f"Authorization: Bearer {SECRET}",
        f"authorization: basic {SECRET}",
        f"{{'api_key': '{SECRET}', 'user': 'ada'}}",
        f'{{"access_token": "{SECRET} and more", "user": "ada"}}',
        f"X-Api-Key={SECRET}",
        f"login failed: secret = {SECRET}",
        f"retry with password=hunter2&token={SECRET}&user=ada",
    ],
)
def test_a_secret_written_inside_text_is_masked(text: str) -> None:
    got = scrub_text(text)
    assert SECRET not in got and "hunter2" not in got and "and more" not in got, (
        f"scrub_text({text!r}) returned {got!r}; the value after a secret's name "
        "(name=value, name: value, 'name': 'value', Authorization: Bearer value) is "
        "masked, every one of them, so an exception message or a dict formatted into an event "
        "is safe (task 1)"
    )
    if "user" in text:
        assert "ada" in got, f"scrub_text({text!r}) returned {got!r}; 'ada' is no secret"


def test_text_in_a_structure_is_scrubbed_too() -> None:
    got = redact({"note": f"retry with password={SECRET}", "items": [f"token: {SECRET}"]})
    assert SECRET not in json.dumps(got), (
        f"redact() of text holding 'password=…' returned {got!r}; every string in the "
        "structure goes through scrub_text (task 1)"
    )


class Credentials:
    def __str__(self) -> str:
        return f"Credentials(user=ada, password={SECRET})"


def test_values_json_cannot_encode_become_scrubbed_text() -> None:
    data = {
        "volume": Decimal("12.50"),
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "tags": {"rain"},
        "who": Credentials(),
        "count": 3,
        "missing": None,
    }
    got = redact(data)
    text = json.dumps(got)  # raises if a value is still not JSON
    assert got["volume"] == "12.50" and got["tags"] == ["rain"], (
        f"redact() returned {got!r}; a Decimal becomes its text ('12.50', never a float) "
        "and a set a list, so json.dumps never fails on a record (task 1)"
    )
    assert got["count"] == 3 and got["missing"] is None and got["at"] == str(data["at"])
    assert SECRET not in text, (
        f"redact() returned {got!r}; an object's str() can hold a secret too: scrub it (task 1)"
    )


def test_true_false_and_numbers_keep_their_type() -> None:
    got = redact({"ok": True, "n": 0, "ratio": 1.5})
    assert got == {"ok": True, "n": 0, "ratio": 1.5} and got["ok"] is True, (
        f"redact() returned {got!r}; JSON scalars pass through unchanged (task 1)"
    )


@pytest.mark.parametrize(
    "text",
    ["a" * 8000, "token" + "a-" * 4000, "token " * 1400, "password" + " " * 8000],
    ids=["word", "token", "many names", "spaces"],
)
def test_scrubbing_a_long_value_is_fast(text: str) -> None:
    started = time.perf_counter()
    scrub_text(text)
    seconds = time.perf_counter() - started
    assert seconds < 0.1, (
        f"scrub_text() of a {len(text):,}-character value ({text[:24]!r}…) took "
        f"{seconds:.2f} s; an 8 KB header is logged on every request. A pattern such as "
        "[\\w-]*token backtracks over each long word, and token.*?= rescans the rest of the "
        "text from every name (both quadratic): start the match at the secret's name and "
        "let only [\\w-]*, a quote and spaces come before the separator (task 1)"
    )


def test_a_mask_is_the_only_change() -> None:
    got = scrub_text(f"retry: password={SECRET}; user=ada")
    assert got == f"retry: password={MASK}; user=ada", (
        f"scrub_text('retry: password=…; user=ada') returned {got!r}; only the value is "
        f"replaced by {MASK!r}, the name and the rest of the text stay (task 1)"
    )


def unquoted_masks(text: str) -> str:
    """Quotes kept around the mask or not, either is right: read both as the bare mask."""
    return text.replace(f"'{MASK}'", MASK).replace(f'"{MASK}"', MASK)


JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl-_x"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"access_token={JWT}&user=ada", f"access_token={MASK}&user=ada"),
        ("api_key: YWRhOmh1bnRlcjI=/+x9== user=ada", f"api_key: {MASK} user=ada"),
        (f"token={SECRET}.v2+more/x; user=ada", f"token={MASK}; user=ada"),
    ],
    ids=["a JWT", "base64", "dots, plus and slashes"],
)
def test_a_secret_value_is_masked_whole_whatever_its_characters(text: str, expected: str) -> None:
    got = scrub_text(text)
    assert got == expected, (
        f"scrub_text({text!r}) returned {got!r}; expected {expected!r}. A token is not only "
        "word characters: a JWT is three base64url parts joined by '.', base64 has '+', '/' "
        "and '=' — a value pattern like [\\w-]+ stops at the first '.' and logs the rest. "
        "An unquoted value runs to a space, a quote, ',', ';' or '&' (task 1)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password_confirmation=hunter2&user=ada", f"password_confirmation={MASK}&user=ada"),
        ("secret_key: hunter2 user=ada", f"secret_key: {MASK} user=ada"),
        ("token_value=hunter2, user=ada", f"token_value={MASK}, user=ada"),
        ("X-Auth-Token: hunter2 user=ada", f"X-Auth-Token: {MASK} user=ada"),
        ("'api-key-v2': 'hunter2', 'user': 'ada'", f"'api-key-v2': {MASK}, 'user': 'ada'"),
    ],
    ids=["password_confirmation", "secret_key", "token_value", "X-Auth-Token", "api-key-v2"],
)
def test_a_secret_name_with_more_after_it_is_masked_in_text_too(text: str, expected: str) -> None:
    got = unquoted_masks(scrub_text(text))
    assert got == expected, (
        f"scrub_text({text!r}) returned {got!r}; expected {expected!r}. is_sensitive() "
        "treats password_confirmation, secret_key and token_value as secrets (they CONTAIN a "
        "secret's name): so does the text pattern — the name, then any word characters or "
        "'-' after it, then the separator (task 1)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (str({"password": "it's me", "user": "ada"}), f"{{'password': {MASK}, 'user': 'ada'}}"),
        (str({"password": 'it\'s "me"', "user": "ada"}), f"{{'password': {MASK}, 'user': 'ada'}}"),
        (
            json.dumps({"password": 'say "hi" ok', "user": "ada"}),
            f'{{"password": {MASK}, "user": "ada"}}',
        ),
    ],
    ids=["repr with an apostrophe", "repr with both quotes", "JSON with escaped quotes"],
)
def test_a_quoted_secret_is_masked_to_its_closing_quote(text: str, expected: str) -> None:
    got = unquoted_masks(scrub_text(text))
    assert got == expected, (
        f"scrub_text({text!r}) returned {got!r}; expected {expected!r}. A value in double "
        "quotes may hold a single quote (Python's repr of \"it's me\"), and repr and JSON "
        "escape the quote that closes it (\\' and \\\"): a quoted value runs to the SAME "
        "quote, unescaped — not to the first quote of either kind (task 1)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "my token expired, user=ada",
        "password reset sent; attempts=3",
        "cookie banner shown: theme=dark",
        "no secret here: market_id=7",
    ],
)
def test_text_without_a_secret_after_the_name_is_left_alone(text: str) -> None:
    got = scrub_text(text)
    assert got == text, (
        f"scrub_text({text!r}) returned {got!r}; nothing there is a secret: the separator "
        "(':' or '=') must follow the name right away (word characters, '-', a quote "
        "between), not anywhere later in the line — a pattern like token.*?= masks "
        "whatever value comes next, and rescans the rest of the line from every name "
        "(task 1)"
    )


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        (f"Authorization: Token {SECRET}", SECRET),  # DRF's TokenAuthentication scheme
        (f"Proxy-Authorization: Negotiate {SECRET}", SECRET),
        (f'Authorization: Digest username="ada", response="{SECRET}"', SECRET),
        (f"authorization=Bearer {JWT}", "eyJzdWIiOiJhZGEifQ"),
        (f"Cookie: theme=dark; session={SECRET}", SECRET),
        (f"Set-Cookie: session={SECRET}; Path=/; HttpOnly", SECRET),
    ],
)
def test_an_authorization_or_cookie_value_is_masked_whole(text: str, leak: str) -> None:
    got = scrub_text(text)
    name = text.split(":")[0].split("=")[0]
    assert leak not in got and got.startswith(name), (
        f"scrub_text({text!r}) returned {got!r}; expected {name} kept and everything after "
        f"it masked, so {leak!r} is gone. An Authorization value is a scheme — Bearer, "
        "Basic, DRF's Token, Negotiate, Digest with its quoted parameters — and the "
        "credentials; a Cookie header holds every cookie, '; '-separated. Mask the whole "
        "value, to the end of the line, whatever the scheme (task 1)"
    )


def test_header_text_is_masked_line_by_line() -> None:
    text = (
        f"Authorization: Token {SECRET}-a\r\nCookie: theme=dark; session={SECRET}-c\r\n"
        "Accept: */*\r\nX-Trace: t-1\r\n"
    )  # str() of Werkzeug's request.headers
    got = scrub_text(text)
    expected = f"Authorization: {MASK}\r\nCookie: {MASK}\r\nAccept: */*\r\nX-Trace: t-1\r\n"
    assert got == expected, (
        f"scrub_text() of header text (Flask's str(request.headers)) returned {got!r}; "
        f"expected {expected!r}: the Authorization and Cookie values masked to the end of "
        "their line, the next header kept (task 1)"
    )


def test_headers_as_name_value_pairs_are_masked() -> None:
    data = {
        "wsgi": [("Authorization", f"Token {SECRET}"), ("Accept", "*/*")],
        "asgi": [(b"authorization", f"Bearer {SECRET}".encode()), (b"cookie", b"sid=1")],
        "lists": [["X-Api-Key", SECRET], ["X-Trace", "t-1"]],
        "numbers": [("pin_token", 4242), ("market_id", 7)],
    }
    got = redact(data)
    expected = {
        "wsgi": [["Authorization", MASK], ["Accept", "*/*"]],
        "asgi": [["b'authorization'", MASK], ["b'cookie'", MASK]],
        "lists": [["X-Api-Key", MASK], ["X-Trace", "t-1"]],
        "numbers": [["pin_token", MASK], ["market_id", 7]],
    }
    assert got == expected, (
        f"redact() of headers as (name, value) pairs returned {got!r}; expected {expected!r}. "
        "WSGI, ASGI's scope['headers'] (bytes) and list(headers.items()) give headers as "
        "pairs, not a mapping: a tuple or list of two whose first item (text or bytes) names "
        "a secret keeps its name and masks its value, whatever that value is (task 1)"
    )


@pytest.mark.parametrize(
    "pairs",
    [
        [("authorization", f"Token {SECRET}"), ("accept", "*/*")],
        [(b"authorization", f"Bearer {SECRET}".encode()), (b"accept", b"*/*")],
        {b"cookie": f"theme=dark; session={SECRET}".encode(), b"accept": b"*/*"},
    ],
    ids=["pairs", "ASGI byte pairs", "a dict of bytes"],
)
def test_the_text_of_header_pairs_is_masked(pairs: object) -> None:
    text = str(pairs)
    got = scrub_text(text)
    assert SECRET not in got and "*/*" in got, (
        f"scrub_text({text!r}) returned {got!r}; expected the secret's value gone and "
        "accept's '*/*' kept. In the text of a pair the name is followed by a quote and a "
        "comma — ('authorization', 'Token …') — and bytes are written b'…': both are a "
        "secret's name and its quoted value (task 1)"
    )


def test_lists_keep_their_shape_and_their_items_type() -> None:
    data = {"ids": [[1, 2], [3]], "mixed": [7, None, True, 1.5, "ada"], "pair": ("ada", 7)}
    got = redact(data)
    expected = {"ids": [[1, 2], [3]], "mixed": [7, None, True, 1.5, "ada"], "pair": ["ada", 7]}
    assert got == expected, (
        f"redact({data!r}) returned {got!r}; expected {expected!r}: every item of a list goes "
        "through redact() again — a list stays a list, a number a number — not str() (task 1)"
    )
