"""Which result URLs the client fetches: HTTPS to hosts on the internet, nothing on this machine or its network.

Result URLs come from the service's answer, so they are untrusted: a hostile or hijacked answer
could point the client at a router's page, a cloud metadata service (``169.254.169.254``) or a
plain-HTTP host on the way. ``ResultHosts`` allows HTTPS to public addresses only, for the URL
and every redirect, and checks the address each connection really reached (a name that resolves
to a private address, ``127.1`` or ``2130706433`` included). The one exception: while the endpoint
itself is loopback (the emulator), loopback result URLs are fetched, over HTTP too.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from .config import is_loopback
from .errors import ProtocolError

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)  # no top-level domain looks like a number

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def embedded_v4(address: Address) -> Address:
    """The IPv4 address an IPv6 one stands for (mapped ``::ffff:a.b.c.d``, 6to4, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: Address) -> bool:
    """Whether ``address`` is on the internet: not loopback, private, link-local, shared, reserved or multicast."""
    address = embedded_v4(address)
    return address.is_global and not address.is_multicast


class ResultHosts:
    """The rule for result URLs of one endpoint; call it with a URL, ``peer`` with a connected address.

    Both raise ``ProtocolError`` naming the host only (a result URL is a credential for 24 h).
    """

    def __init__(self, endpoint: str | None = None) -> None:
        self.loopback_ok = bool(endpoint) and is_loopback(urlsplit(endpoint or "").hostname or "")

    def __call__(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise ProtocolError(f"refusing a result URL with scheme {parts.scheme or 'none'!r}; only HTTPS is fetched")
        if parts.username or parts.password:
            raise ProtocolError("refusing a result URL that carries credentials")
        if self.loopback_ok and is_loopback(host):
            return
        if parts.scheme != "https":
            raise ProtocolError(f"refusing a plain-HTTP result URL (host {host}); results are fetched over HTTPS only")
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            _check_name(host)
            return
        if not is_public(address):
            raise ProtocolError(f"refusing a result URL to {host}, which is not an address on the internet")

    def peer(self, address: str) -> None:
        """The address a connection for a result reached (by whatever name): public, or loopback when allowed."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # a link-local scope id is not part of the address
        if self.loopback_ok and embedded_v4(ip).is_loopback:
            return
        if not is_public(ip):
            raise ProtocolError(f"refusing to fetch a result from {address}, which is not an address on the internet")


def _check_name(host: str) -> None:
    """A host name (not a literal address) may go to the resolver: not this machine's, not a number in disguise."""
    name = host.rstrip(".").lower()
    last = name.rsplit(".", 1)[-1]
    if name == "localhost" or name.endswith(".localhost") or _NUMERIC_LABEL.fullmatch(last):
        raise ProtocolError(f"refusing a result URL to {host}, which is not a host on the internet")
