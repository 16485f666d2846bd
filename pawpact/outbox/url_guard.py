"""Where a shop's webhooks may be posted: never into the platform's own network.

A webhook URL is chosen by whoever holds a staff token, so without a guard the platform
would post, from inside its network, to any address they name (a database port, a cloud
metadata service at 169.254.169.254 or 100.100.100.200, an admin page on 10.x). In live mode
only public unicast addresses are allowed: private, loopback, link-local, shared (CGNAT),
multicast and reserved ranges are refused, IPv4-mapped IPv6 included. Test mode also allows
loopback, so a developer can receive events on their own machine (http://127.0.0.1:4000/hooks).

Checked twice: when the endpoint is saved (a literal address or a localhost name; no DNS
lookup, which a name not yet published would fail), and before every delivery on the
addresses the name resolves to then, so a name later pointed inside is refused too.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


class AddressRefused(OSError):
    """The URL's host is, or resolves to, an address webhooks are never sent to."""


def address_allowed(address: str, *, livemode: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope id is not part of the address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not livemode
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def url_host_allowed(url: str, *, livemode: bool) -> bool:
    """The check when an endpoint is saved: a literal address or a local name."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return False
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return not livemode
    literal = _literal(host)
    return literal is None or address_allowed(literal, livemode=livemode)


def url_addresses_check(url: str, *, livemode: bool) -> list[str]:
    """The check before a delivery: every address the host resolves to now must be allowed.
    Raises AddressRefused (an OSError: the attempt fails and is retried like a refused connection)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    refused = [address for address in addresses if not address_allowed(address, livemode=livemode)]
    if not addresses or refused:
        raise AddressRefused(f"address refused: {', '.join(refused) or host}")
    return addresses
