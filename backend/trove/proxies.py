"""Who the client is, trusting forwarding headers only from our own proxies.

X-Forwarded-For is written by whoever sends the request, so it is believed
only when the connection comes from a configured proxy (nginx), and then
only up to the first address that is not one of ours: an address a client
put there itself can never be taken for its real one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str) -> tuple[Network, ...]:
    """Parse `10.0.0.1, 172.16.0.0/12` style lists; raises ValueError."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in raw.split(",")
        if part.strip()
    )


class ClientResolver:
    def __init__(self, trusted: Iterable[Network]) -> None:
        self._trusted = tuple(trusted)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        """The client's address, given the peer and X-Forwarded-For."""
        if not self._trusted or not self._is_trusted(peer):
            return peer
        hops = [hop.strip() for hop in (forwarded_for or "").split(",")]
        for hop in reversed([hop for hop in hops if hop]):
            if not self._is_trusted(hop):
                return hop if _is_address(hop) else peer
        return peer

    def scheme(self, peer: str, forwarded_proto: str | None, actual: str) -> str:
        """`https` or `http` as the client used it."""
        if forwarded_proto and self._trusted and self._is_trusted(peer):
            proto = forwarded_proto.split(",")[0].strip().lower()
            if proto in ("http", "https"):
                return proto
        return actual


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
