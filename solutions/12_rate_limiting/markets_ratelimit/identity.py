"""Who a request counts against: the user when authenticated, else the client's IP (task 2).

The learner's file. `X-Forwarded-For` is written by whoever sent the request: only the hops
our own proxies appended can be believed.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

from markets_ratelimit.config import Network

Address = IPv4Address | IPv6Address


def client_ip(peer: str, forwarded_for: str | None, trusted_proxies: Sequence[Network]) -> str:
    """The client's address: `peer` itself unless `peer` is one of our trusted proxies.

    Behind trusted proxies, walk `X-Forwarded-For` from the right (the hop nearest to us),
    skipping trusted hops; the first other address is the client. An entry that is not an
    address ends the walk: the hop that handed it over is the client as far as we can tell.
    """
    hop = _address(peer)
    if hop is None:
        return peer
    for entry in reversed((forwarded_for or "").split(",")):
        if not _is_trusted(hop, trusted_proxies):
            break
        forwarded = _address(entry.strip())
        if forwarded is None:
            break
        hop = forwarded
    return str(hop)


def _address(text: str) -> Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


def _is_trusted(address: Address, trusted_proxies: Sequence[Network]) -> bool:
    return any(address in network for network in trusted_proxies)


def bucket_key(user_id: str | None, ip: str) -> str:
    """`user:<id>` for an authenticated request, else `ip:<address>`: two users behind one
    address have a bucket each, and a user cannot escape theirs by changing address."""
    return f"user:{user_id}" if user_id is not None else f"ip:{ip}"
