"""Bearer tokens and logins: who a request is. Given code.

A fixed set of test tokens stands in for real ones (lab 10 issues JWTs). `authenticate` reads
an `Authorization` header; `lookup` finds a token's user, comparing in constant time.
"""

from __future__ import annotations

import hmac

# token → username. Test values only: a real service keeps hashes, never tokens, at rest.
TOKENS = {
    "ada-0123456789abcdef0123456789abcdef": "ada",
    "bob-fedcba9876543210fedcba9876543210": "bob",
}
PASSWORDS = {"ada": "correct horse battery staple", "bob": "tr0ub4dor&3"}
SCHEME = "Bearer"


def lookup(token: str) -> str | None:
    """The user a token belongs to, or None; every known token is compared (constant time)."""
    found = None
    for known, username in TOKENS.items():
        if hmac.compare_digest(known.encode(), token.encode(errors="surrogateescape")):
            found = username
    return found


def authenticate(authorization: str | None) -> str | None:
    """The username an `Authorization: Bearer <token>` header proves, or None.

    The scheme is case-insensitive (RFC 9110 §11.1); a missing header, another scheme or an
    unknown token is None.
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != SCHEME.lower() or not token.strip():
        return None
    return lookup(token.strip())


def login(username: str, password: str) -> str | None:
    """A token for a user whose password matches, or None."""
    expected = PASSWORDS.get(username)
    if expected is None:
        return None
    if not hmac.compare_digest(expected.encode(), password.encode(errors="surrogateescape")):
        return None
    return next(token for token, user in TOKENS.items() if user == username)
