"""Task 3: `bearer_token` reads `Authorization: Bearer <token>` by RFC 6750 §2.1, no looser."""

from __future__ import annotations

import pytest

from markets_jwt.auth import bearer_token
from markets_jwt.contract import InvalidToken, NotAuthenticated

pytestmark = [pytest.mark.core, pytest.mark.task(3)]

TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl-_"

ACCEPTED = {
    f"Bearer {TOKEN}": TOKEN,
    f"bearer {TOKEN}": TOKEN,  # the scheme is case-insensitive (RFC 9110 §11.1)
    f"BEARER {TOKEN}": TOKEN,
    "Bearer abc+/=": "abc+/=",  # b64token: base64 and base64url characters, '=' padding
    f"Bearer  {TOKEN}": TOKEN,  # 1*SP: one space or more
    # every b64token character (a JWT never holds '~', but the grammar does):
    "Bearer aZ09-._~+/==": "aZ09-._~+/==",
}
NO_CREDENTIALS = {  # → NotAuthenticated: the request did not try Bearer at all
    "no header": None,
    "an empty header": "",
    "a header of spaces only": "   ",
    "a header of a tab and spaces": " \t ",
    "Basic credentials": "Basic dXNlcjpwYXNz",
    "another scheme, same token": f"Token {TOKEN}",
    "the bare token, no scheme": TOKEN,
    "a scheme ending in Bearer (.replace('Bearer ', '') takes it)": f"xxBearer {TOKEN}",
    "a scheme starting with Bearer": f"BearerX {TOKEN}",
}
MALFORMED = {  # → InvalidToken: Bearer credentials that are not one b64token
    "Bearer and nothing": "Bearer",
    "Bearer and a space": "Bearer ",
    "two tokens": "Bearer  a b",
    "the token and junk": f"Bearer {TOKEN} junk",
    "Bearer twice": f"Bearer Bearer {TOKEN}",
    "a comma after the token": f"Bearer {TOKEN},",
    "a character outside b64token": f"Bearer {TOKEN[:-3]}!{TOKEN[-3:]}",
    "padding inside the token": "Bearer ab=cd",
    "a newline after the token": f"Bearer {TOKEN}\n",
}
TAB = f"Bearer\t{TOKEN}"  # RFC 6750 §2.1: "Bearer" 1*SP b64token — a tab is not a space


@pytest.mark.parametrize("header", list(ACCEPTED))
def test_bearer_credentials_give_the_token(header: str) -> None:
    try:
        got: object = bearer_token(header)
    except (InvalidToken, NotAuthenticated) as exc:
        got = f"{type(exc).__name__}({exc})"
    assert got == ACCEPTED[header], (
        f"bearer_token({header!r}) gave {got!r}, expected {ACCEPTED[header]!r}: "
        "'Bearer', any case, then spaces and one b64token (RFC 6750 §2.1) (task 3)"
    )


@pytest.mark.parametrize("what", list(NO_CREDENTIALS))
def test_no_bearer_credentials_is_not_authenticated(what: str) -> None:
    header = NO_CREDENTIALS[what]
    try:
        got = bearer_token(header)
    except NotAuthenticated:
        return
    except InvalidToken:
        pytest.fail(
            f"bearer_token({header!r}) ({what}) raised InvalidToken; a header that is not "
            "Bearer credentials is NotAuthenticated: the client sent no Bearer token, so "
            'the 401 carries no error="invalid_token" (RFC 6750 §3.1) (task 3)'
        )
    except Exception as exc:
        pytest.fail(
            f"bearer_token({header!r}) ({what}) raised {type(exc).__name__}: {exc} — the "
            "apps answer that with a 500; a header that is not Bearer credentials (even "
            "blank: .split()[0] of it has nothing to take) is NotAuthenticated (task 3)"
        )
    pytest.fail(
        f"bearer_token({header!r}) ({what}) returned {got!r}; it must raise NotAuthenticated: "
        "the scheme is exactly 'Bearer' (any case), followed by a space — not a substring "
        "removed with .replace() (task 3)"
    )


@pytest.mark.parametrize("what", list(MALFORMED))
def test_malformed_bearer_credentials_are_an_invalid_token(what: str) -> None:
    header = MALFORMED[what]
    try:
        got = bearer_token(header)
    except InvalidToken:
        return
    except NotAuthenticated:
        pytest.fail(
            f"bearer_token({header!r}) ({what}) raised NotAuthenticated; the client did "
            "send Bearer credentials, malformed ones: InvalidToken (task 3)"
        )
    except Exception as exc:
        pytest.fail(
            f"bearer_token({header!r}) ({what}) raised {type(exc).__name__}: {exc} — the "
            "apps answer that with a 500; malformed Bearer credentials are InvalidToken "
            "(task 3)"
        )
    pytest.fail(
        f"bearer_token({header!r}) ({what}) returned {got!r}; it must raise InvalidToken: "
        "after 'Bearer' and spaces comes exactly one b64token, "
        "[A-Za-z0-9-._~+/]+ then '=' padding, and nothing else (RFC 6750 §2.1) (task 3)"
    )


def test_a_tab_after_bearer_is_refused() -> None:
    try:
        got = bearer_token(TAB)
    except (InvalidToken, NotAuthenticated):
        return
    except Exception as exc:
        pytest.fail(f"bearer_token({TAB!r}) raised {type(exc).__name__}: {exc} (task 3)")
    pytest.fail(
        f"bearer_token({TAB!r}) returned {got!r}; it must raise (InvalidToken or "
        "NotAuthenticated): Bearer credentials are 'Bearer', then one or more SPACES "
        "(1*SP, RFC 6750 §2.1), then the b64token — a tab, or \\s+ / split(), is looser "
        "than the grammar (task 3)"
    )
