"""How tokens are signed and checked: one `JwtConfig` per process. Given code.

EdDSA (Ed25519): the auth service signs with the private key, and any API verifies with the
public key, which cannot sign. The key pair is generated when the process starts (in
microseconds): no private key is ever written to the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"  # the one algorithm this API signs and accepts
ISSUER = "https://auth.markets.example"  # `iss`: who issued the token
AUDIENCE = "markets-api"  # `aud`: who the token is for
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)  # `exp` - `iat`: short, so a leak expires soon
LEEWAY = timedelta(seconds=30)  # clock skew tolerated between the issuer and this API
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")  # a token missing one is refused


@dataclass(frozen=True)
class JwtConfig:
    """The signing key pair and the claims every access token carries."""

    private_key: Ed25519PrivateKey = field(repr=False)
    issuer: str = ISSUER
    audience: str = AUDIENCE
    algorithm: str = ALGORITHM
    lifetime: timedelta = ACCESS_TOKEN_LIFETIME
    leeway: timedelta = LEEWAY

    @property
    def public_key(self) -> Ed25519PublicKey:
        """What verifies a signature (and cannot make one)."""
        return self.private_key.public_key()

    @classmethod
    def generate(cls) -> JwtConfig:
        """A config with a fresh Ed25519 key pair."""
        return cls(private_key=Ed25519PrivateKey.generate())
