"""Which hosts a scan may reach: http(s) only, and never a private, loopback or link-local
address (after DNS resolution) unless the operator's setting allows them, so that a
back-office user cannot make the server browse its internal network.

Every connection the browser makes goes through ``scanner.proxy``, which asks ``Resolver``
for the address to connect to: the address checked is the address used (no DNS rebinding
between the check and the connection), redirects and sub-resources included.
"""

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

SCHEMES = ("http", "https")


class AddressRefused(Exception):
    """A URL or host the scan may not reach; ``message`` says why, for the legal team."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_public(address):
    """True for an address on the internet: not private, loopback, link-local, multicast,
    reserved or unspecified (an IPv4 address mapped into IPv6 counts as itself)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url):
    """(scheme, host, port) of an http(s) URL, else AddressRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(_l("“%(url)s” is not a web address.", url=url[:200])) from None
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise AddressRefused(_l("Only http and https addresses can be scanned (“%(url)s”).", url=url[:200]))
    if parts.username or parts.password:
        raise AddressRefused(_l("An address to scan cannot carry a user name or password."))
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


@dataclass
class Resolver:
    """Resolves host names for the scan and refuses what it may not reach.

    ``rules``: MAP rules (tests and the fixture site map their host names to 127.0.0.1);
    ``allowed_networks``: the networks the operator lets a scan reach although they are not
    public (``SCANNER_ALLOWED_NETWORKS``, e.g. 127.0.0.1/32 for a site on this machine).
    """

    rules: dict = field(default_factory=dict)
    allowed_networks: tuple = ()

    def _mapped(self, host):
        if host in self.rules:
            return self.rules[host]
        for pattern, address in self.rules.items():
            if pattern.startswith("*.") and host.endswith(pattern[1:]):
                return address
        return None

    def addresses(self, host, port):
        mapped = self._mapped(host)
        if mapped:
            return [mapped]
        try:
            ipaddress.ip_address(host.strip("[]"))
            return [host.strip("[]")]
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise AddressRefused(_l("The host name “%(host)s” does not resolve.", host=host[:200])) from None
        return list(dict.fromkeys(info[4][0] for info in infos))

    def resolve(self, host, port):
        """The address to connect to for ``host``; AddressRefused when any of its addresses
        is not public (a name that also resolves to an internal address is refused whole)."""
        found = self.addresses(host.lower(), port)
        private = [address for address in found if not is_public(address) and not self._allowed(address)]
        if private:
            raise AddressRefused(
                _l(
                    "“%(host)s” is a private, loopback or link-local address (%(address)s): the scanner does "
                    "not reach the internal network unless SCANNER_ALLOWED_NETWORKS lets it.",
                    host=host[:200],
                    address=private[0],
                )
            )
        return found[0]

    def _allowed(self, address):
        ip = ipaddress.ip_address(address)
        return any(ip in network for network in self.allowed_networks)
