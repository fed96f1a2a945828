"""Salted scrypt password hashes, compared in constant time. Given code.

A stored hash reads `scrypt$<n>$<r>$<p>$<salt>$<hash>` (base64), so its cost travels with it
and can be raised later. Never a plain `sha256(password)`: one GPU tries billions a second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cached_property

PRODUCTION_COST = 2**15  # scrypt's n: ~50 ms a hash on a laptop, 32 MiB of memory
TEST_COST = 2**4  # what the lab's tests pass explicitly, to stay fast
MAX_MEMORY = 64 * 2**20  # OpenSSL's default cap (32 MiB) is just under n=2**15, r=8


@dataclass(frozen=True)
class PasswordHasher:
    n: int = PRODUCTION_COST
    r: int = 8
    p: int = 1

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(16)
        digest = self._scrypt(password, salt, self.n, self.r, self.p)
        return "$".join(("scrypt", str(self.n), str(self.r), str(self.p), _b64(salt), _b64(digest)))

    def verify(self, password: str, stored: str) -> bool:
        """True when `password` hashes to `stored`, compared in constant time."""
        _, n, r, p, salt, digest = stored.split("$")
        candidate = self._scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
        return hmac.compare_digest(candidate, base64.b64decode(digest))

    @cached_property
    def dummy_hash(self) -> str:
        """A hash no password matches, to verify against when the user does not exist: the
        answer then takes as long as for a wrong password (no user enumeration by timing)."""
        return self.hash(secrets.token_urlsafe(32))

    @staticmethod
    def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        return hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=MAX_MEMORY
        )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
