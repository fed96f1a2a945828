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


@pytest.mark.parametrize("text", ["a" * 4000, "token" + "a-" * 2000], ids=["word", "token"])
def test_scrubbing_a_long_value_is_fast(text: str) -> None:
    started = time.perf_counter()
    scrub_text(text)
    seconds = time.perf_counter() - started
    assert seconds < 0.25, (
        f"scrub_text() of a {len(text):,}-character value took {seconds:.2f} s; an 8 KB "
        "header is logged on every request. A pattern such as [\\w-]*token backtracks over "
        "each long word (quadratic): start the match at the secret's name (task 1)"
    )


def test_a_mask_is_the_only_change() -> None:
    got = scrub_text(f"retry: password={SECRET}; user=ada")
    assert got == f"retry: password={MASK}; user=ada", (
        f"scrub_text('retry: password=…; user=ada') returned {got!r}; only the value is "
        f"replaced by {MASK!r}, the name and the rest of the text stay (task 1)"
    )
