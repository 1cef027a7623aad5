"""The address a student's phone can reach: this machine's address on its network, found
from its own interfaces (nothing is connected to), for the QR code of a page opened on
``localhost``."""
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_LAN = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
_VIRTUAL = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "wg", "zt")


def is_loopback(host):
    host = (host or "").strip("[]").lower()
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_address(interfaces=None):
    """This machine's IPv4 address on its local network, or None.

    ``interfaces``: ``{name: (is_up, [IPv4 addresses])}``, by default read from the machine
    (:func:`interfaces`). Loopback and link-local addresses are left out; a private address
    (10/8, 172.16/12, 192.168/16) on a physical interface comes first."""
    found = []
    for name, (up, addresses) in (interfaces if interfaces is not None else _interfaces()).items():
        for a in addresses:
            ip = ipaddress.ip_address(a)
            if not up or ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast:
                continue
            lan = any(ip in ipaddress.ip_network(n) for n in _LAN)
            virtual = name.lower().startswith(_VIRTUAL)
            found.append((virtual, not lan, name, a))
    return min(found)[3] if found else None


def _interfaces():
    import psutil  # here: only a presenter's page asks

    stats = psutil.net_if_stats()
    return {name: (name in stats and stats[name].isup,
                   [a.address for a in addrs if a.family == socket.AF_INET])
            for name, addrs in psutil.net_if_addrs().items()}


def reachable(url, address):
    """``url`` with a loopback host replaced by ``address`` (its port and path kept), or
    ``url`` unchanged when its host is already another machine's name, or there is no
    ``address``. Returns ``(url, replaced)``."""
    parts = urlsplit(url)
    if not address or not is_loopback(parts.hostname):
        return url, False
    netloc = address + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), True
