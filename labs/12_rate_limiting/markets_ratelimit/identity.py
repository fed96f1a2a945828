"""Who a request counts against: the user when authenticated, else the client's IP (task 2).

The learner's file. `X-Forwarded-For` is written by whoever sent the request: only the hops
our own proxies appended can be believed.
"""

from __future__ import annotations

from collections.abc import Sequence

from markets_ratelimit.config import Network


def client_ip(peer: str, forwarded_for: str | None, trusted_proxies: Sequence[Network]) -> str:
    """The client's address: `peer` itself unless `peer` is one of our trusted proxies.

    Behind trusted proxies, walk `X-Forwarded-For` from the right (the hop nearest to us),
    skipping trusted hops; the first other address is the client. An entry that is not an
    address ends the walk: the hop that handed it over is the client as far as we can tell.
    """
    raise NotImplementedError(
        "TODO(task 2): believe X-Forwarded-For only from trusted proxies, from the right — "
        "see README task 2"
    )


def bucket_key(user_id: str | None, ip: str) -> str:
    """`user:<id>` for an authenticated request, else `ip:<address>`: two users behind one
    address have a bucket each, and a user cannot escape theirs by changing address."""
    raise NotImplementedError(
        "TODO(task 2): the user's bucket, else the address's — see README task 2"
    )
