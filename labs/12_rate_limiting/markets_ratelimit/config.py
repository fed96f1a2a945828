"""What each app's rate-limit hook reads: the limiter, the trusted proxies, the tokens. Given.

config = RateLimitConfig(
    limiter=SlidingWindowLimiter(make_redis(), limit=100, window=60),
    trusted_proxies=parse_networks(["10.0.0.0/8"]),   # your load balancers
    tokens={"token-ada": "ada"},                      # a verified bearer token → user id
)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network

from markets_ratelimit.limiter import SlidingWindowLimiter

Network = IPv4Network | IPv6Network


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """`["10.0.0.0/8", "2001:db8::1"]` → networks (a bare address is a /32 or /128)."""
    return tuple(ip_network(cidr) for cidr in cidrs)


@dataclass(frozen=True)
class RateLimitConfig:
    limiter: SlidingWindowLimiter
    trusted_proxies: tuple[Network, ...] = ()
    tokens: Mapping[str, str] = field(default_factory=dict)


def user_for(authorization: str | None, tokens: Mapping[str, str]) -> str | None:
    """The user id of a valid `Authorization: Bearer <token>`, else None (anonymous).

    A stand-in for lab 10's JWT check: a token is valid when the table knows it. An unknown
    token is not an error here: the request is simply not authenticated.
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return tokens.get(token)
