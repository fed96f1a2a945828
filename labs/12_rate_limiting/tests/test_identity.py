"""Task 2: whom a request counts against — the client IP behind trusted proxies, the user."""

from __future__ import annotations

import pytest

from markets_ratelimit.config import parse_networks
from markets_ratelimit.identity import bucket_key, client_ip

pytestmark = [pytest.mark.core, pytest.mark.task(2)]
TRUSTED = parse_networks(["10.0.0.0/24", "2001:db8::/32"])


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected", "why"),
    [
        ("198.51.100.7", None, "198.51.100.7", "no proxy, no header: the peer is the client"),
        (
            "198.51.100.7",
            "203.0.113.9",
            "198.51.100.7",
            "the peer is not a trusted proxy, so its X-Forwarded-For is whatever it chose to "
            "write: ignored, or anyone escapes the limit by sending a new one each time",
        ),
        (
            "10.0.0.2",
            "203.0.113.9",
            "203.0.113.9",
            "the peer is our proxy: the address it appended is the client's",
        ),
        (
            "10.0.0.77",
            "203.0.113.9",
            "203.0.113.9",
            "10.0.0.77 is inside the trusted network 10.0.0.0/24",
        ),
        (
            "10.0.0.2",
            "6.6.6.6, 203.0.113.9",
            "203.0.113.9",
            "the client wrote 6.6.6.6 itself; our proxy appended 203.0.113.9: walk from the "
            "right, never take the leftmost entry",
        ),
        (
            "10.0.0.2",
            "6.6.6.6,203.0.113.9, 10.0.0.5",
            "203.0.113.9",
            "two proxies of ours (10.0.0.5 then 10.0.0.2): skip every trusted hop",
        ),
        (
            "10.0.0.2",
            "203.0.113.9, 10.0.1.5",
            "10.0.1.5",
            "10.0.1.5 is outside 10.0.0.0/24: the first untrusted hop from the right is the "
            "client, whatever it forwarded",
        ),
        ("10.0.0.2", None, "10.0.0.2", "a trusted peer with no header is itself the client"),
        ("10.0.0.2", "", "10.0.0.2", "an empty header says nothing"),
        (
            "10.0.0.2",
            "10.0.0.3",
            "10.0.0.3",
            "every hop trusted: the leftmost (furthest) one is the client",
        ),
        (
            "10.0.0.2",
            "203.0.113.9, not-an-ip",
            "10.0.0.2",
            "an entry that is not an address ends the walk at the hop that handed it over",
        ),
        (
            "10.0.0.2",
            "not-an-ip, 203.0.113.9",
            "203.0.113.9",
            "our proxy appended 203.0.113.9; the junk to its LEFT is the client's own writing: "
            "walk from the right and stop at the first non-address, never throw the whole "
            "header away (the client would move into the proxy's shared bucket)",
        ),
        (
            "2001:db8::2",
            "2001:db8:ffff::1, 2606:4700::6",
            "2606:4700::6",
            "IPv6 works the same way",
        ),
        ("testclient", "203.0.113.9", "testclient", "a peer that is not an address is kept"),
    ],
)
def test_client_ip(peer, forwarded_for, expected, why) -> None:
    got = client_ip(peer, forwarded_for, TRUSTED)
    assert got == expected, (
        f"client_ip(peer={peer!r}, X-Forwarded-For={forwarded_for!r}, trusted=10.0.0.0/24 and "
        f"2001:db8::/32) returned {got!r}; expected {expected!r}: {why} (task 2)"
    )


def test_no_trusted_proxies_means_the_header_is_never_read() -> None:
    got = client_ip("10.0.0.2", "203.0.113.9", ())
    assert got == "10.0.0.2", (
        f"client_ip with no trusted proxies returned {got!r} for peer 10.0.0.2 forwarding "
        "203.0.113.9; with no proxy configured, nobody's X-Forwarded-For is believed (task 2)"
    )


@pytest.mark.parametrize(
    ("user_id", "ip", "expected"),
    [
        ("ada", "198.51.100.7", "user:ada"),
        ("bob", "198.51.100.7", "user:bob"),
        (None, "198.51.100.7", "ip:198.51.100.7"),
        (None, "2001:db8::1", "ip:2001:db8::1"),
    ],
)
def test_bucket_key_is_the_user_when_authenticated_else_the_ip(user_id, ip, expected) -> None:
    got = bucket_key(user_id, ip)
    assert got == expected, (
        f"bucket_key({user_id!r}, {ip!r}) returned {got!r}; expected {expected!r}: a user "
        "keeps one bucket from any address, and two users behind one address get one each "
        "(task 2)"
    )
