"""Tokens built by hand — valid, forged, expired, confused — for the tests to send.

Built with base64url and the raw signature primitives, never with PyJWT: a test must not
depend on the library it checks letting it make `alg: none` or an HS256-with-the-public-key
token. `claims(...)` is a valid set for a subject; `drop` removes claims, keywords override.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from markets_jwt.config import JwtConfig

ADA_PASSWORD = "correct horse battery staple"  # conftest.py's `ada`


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def claims(config: JwtConfig, subject: str, *, drop: tuple[str, ...] = (), **override: Any) -> dict:
    now = int(time.time())
    values = {
        "sub": subject,
        "iss": config.issuer,
        "aud": config.audience,
        "iat": now,
        "exp": now + int(config.lifetime.total_seconds()),
    } | override
    return {k: v for k, v in values.items() if k not in drop}


def eddsa(payload: dict[str, Any], key: Ed25519PrivateKey, **header: Any) -> str:
    signing_input = f"{segment({'alg': 'EdDSA', 'typ': 'JWT', **header})}.{segment(payload)}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode()))}"


def hs256(payload: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(payload)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def unsigned(payload: dict[str, Any], alg: str = "none") -> str:
    return f"{segment({'alg': alg, 'typ': 'JWT'})}.{segment(payload)}."


def public_pem(config: JwtConfig) -> bytes:
    """The public key as it is published: anyone has it, so it must never work as a secret."""
    return config.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def valid(config: JwtConfig, subject: str, **override: Any) -> str:
    return eddsa(claims(config, subject, **override), config.private_key)


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """`token` with its payload swapped and its signature kept."""
    header, _, signature = token.split(".")
    return f"{header}.{segment(payload)}.{signature}"


def with_flipped_signature(token: str) -> str:
    """`token` with one byte of its signature changed."""
    signing_input, _, signature = token.rpartition(".")
    raw = bytearray(unb64url(signature))
    raw[10] ^= 0x01
    return f"{signing_input}.{b64url(bytes(raw))}"


def payload_of(token: str) -> dict[str, Any]:
    return json.loads(unb64url(token.split(".")[1]))


def header_of(token: str) -> dict[str, Any]:
    return json.loads(unb64url(token.split(".")[0]))


# What a forged token is, by name: `ATTACKS[name](config, sub)` → a token this API must refuse.
def _other_key(config: JwtConfig, sub: str) -> str:
    return eddsa(claims(config, sub), Ed25519PrivateKey.generate())


def _tampered_payload(config: JwtConfig, sub: str) -> str:
    token = valid(config, sub)
    return with_payload(token, payload_of(token) | {"sub": "999", "admin": True})


LEEWAY_PLUS = 60  # seconds past the config's leeway: outside any small clock skew


def _expired(config: JwtConfig, sub: str) -> str:
    past = int(time.time()) - int(config.leeway.total_seconds()) - LEEWAY_PLUS
    return valid(config, sub, iat=past - 900, exp=past)


def _not_yet_valid(config: JwtConfig, sub: str) -> str:
    future = int(time.time()) + int(config.leeway.total_seconds()) + LEEWAY_PLUS
    return valid(config, sub, nbf=future)


def _issued_in_the_future(config: JwtConfig, sub: str) -> str:
    future = int(time.time()) + int(config.leeway.total_seconds()) + LEEWAY_PLUS
    return valid(config, sub, iat=future, exp=future + 900)


ATTACKS: dict[str, Any] = {
    "alg=none, no signature": lambda c, s: unsigned(claims(c, s)),
    "alg=None, no signature": lambda c, s: unsigned(claims(c, s), alg="None"),
    "payload tampered, signature kept": _tampered_payload,
    "signature tampered": lambda c, s: with_flipped_signature(valid(c, s)),
    "signature removed": lambda c, s: valid(c, s).rpartition(".")[0] + ".",
    "signed with another key": _other_key,
    "HS256 signed with the public key (HS/EdDSA key confusion)": (
        lambda c, s: hs256(claims(c, s), public_pem(c))
    ),
    "expired (past the leeway)": _expired,
    "not yet valid (nbf past the leeway)": _not_yet_valid,
    "issued in the future (iat past the leeway)": _issued_in_the_future,
    "no exp: it would live forever": lambda c, s: valid(c, s, drop=("exp",)),
    "no iat": lambda c, s: valid(c, s, drop=("iat",)),
    "no sub": lambda c, s: valid(c, s, drop=("sub",)),
    "no iss": lambda c, s: valid(c, s, drop=("iss",)),
    "no aud": lambda c, s: valid(c, s, drop=("aud",)),
    "wrong iss": lambda c, s: valid(c, s, iss="https://evil.example"),
    "wrong aud (a token for another API)": lambda c, s: valid(c, s, aud="billing-api"),
    "sub as a number": lambda c, s: valid(c, s, sub=int(s)),
    "not a JWT at all": lambda c, s: "not-a-jwt",
    "a header nested 3,000 deep": lambda c, s: f"{b64url(b'[' * 3000 + b']' * 3000)}.e30.AAAA",
    "two segments": lambda c, s: valid(c, s).rpartition(".")[0],
}
