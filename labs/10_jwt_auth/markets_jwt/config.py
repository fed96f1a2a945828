"""How tokens are signed and checked: one `JwtConfig` per process. Given code.

EdDSA (Ed25519): the auth service signs with the private key, and any API verifies with the
public key, which cannot sign. The key pair is generated when the process starts (in
microseconds): no private key is ever written to the repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"  # the one algorithm this API signs and accepts
ISSUER = "https://auth.markets.example"  # `iss`: who issued the token
AUDIENCE = "markets-api"  # `aud`: who the token is for
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)  # `exp` - `iat`: short, so a leak expires soon
REFRESH_LIFETIME = timedelta(days=30)  # a login's refresh tokens all end 30 days after it
LEEWAY = timedelta(seconds=30)  # clock skew tolerated between the issuer and this API
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")  # a token missing one is refused


@dataclass(frozen=True)
class JwtConfig:
    """The key pair and the claims every access token carries.

    `private_key` is only the issuer's: an API that only verifies gets `verifier()`, a
    config without it.
    """

    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = field(default=None, repr=False)
    issuer: str = ISSUER
    audience: str = AUDIENCE
    algorithm: str = ALGORITHM
    lifetime: timedelta = ACCESS_TOKEN_LIFETIME
    refresh_lifetime: timedelta = REFRESH_LIFETIME
    leeway: timedelta = LEEWAY

    @classmethod
    def generate(cls) -> JwtConfig:
        """A config with a fresh Ed25519 key pair."""
        private_key = Ed25519PrivateKey.generate()
        return cls(public_key=private_key.public_key(), private_key=private_key)

    def verifier(self) -> JwtConfig:
        """The same config without the private key: what a verifying API holds."""
        return replace(self, private_key=None)
