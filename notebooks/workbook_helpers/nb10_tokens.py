"""Notebook 10: JWTs taken apart and put together by hand, and a verifier written naively.

`forge_*` build tokens without PyJWT (so PyJWT cannot refuse to make them); `naive_verify`
is the hand-rolled verifier many projects started with: it lets the token's header choose
the algorithm — the design RFC 8725 §2.1 warns against.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """Header, payload and signature of a token: no key needed to read the first two."""
    header, payload, signature = token.split(".")
    return json.loads(unb64url(header)), json.loads(unb64url(payload)), unb64url(signature)


def forge_unsigned(claims: dict[str, Any]) -> str:
    return f"{segment({'alg': 'none', 'typ': 'JWT'})}.{segment(claims)}."


def forge_hs256(claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


class BadToken(Exception):
    pass


def naive_verify(token: str, key: bytes) -> dict[str, Any]:
    """Check the signature with `key`, by the algorithm the token's header names. Don't."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    signing_input = f"{header_b64}.{payload_b64}".encode()
    signature = unb64url(signature_b64)
    alg = json.loads(unb64url(header_b64))["alg"]
    if alg == "HS256":  # `key` is a shared secret...
        expected = hmac.new(key, signing_input, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            raise BadToken("bad HMAC")
    elif alg == "EdDSA":  # ...or a public key, the header says which
        try:
            load_pem_public_key(key).verify(signature, signing_input)  # type: ignore[call-arg]
        except InvalidSignature:
            raise BadToken("bad signature") from None
    elif alg != "none":  # "none": the token is unsecured (RFC 7519 §6), nothing to check
        raise BadToken(f"unknown alg {alg}")
    return json.loads(unb64url(payload_b64))


def verdict(call: Any) -> str:
    """What a verification call did, in one stable line."""
    try:
        claims = call()
    except Exception as exc:
        return f"refused: {type(exc).__name__}"
    return f"ACCEPTED, sub={claims.get('sub')!r}"
