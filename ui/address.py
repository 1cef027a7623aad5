"""The address a student's phone can reach: this machine's address on its network, found
from its own interfaces (nothing is connected to), for the link and the QR code of a page
opened on ``localhost``."""
import ipaddress
import logging
import socket
from urllib.parse import urlsplit, urlunsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_LAN = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
log = logging.getLogger("ffn-digits")
_VIRTUAL = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "wg", "zt")


def is_loopback(host):
    host = (host or "").strip("[]").lower()
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_local(host):
    """This machine's own address for itself: a loopback one, or 0.0.0.0 or ``::``."""
    try:
        unspecified = ipaddress.ip_address((host or "").strip("[]")).is_unspecified
    except ValueError:
        unspecified = False
    return unspecified or is_loopback(host)


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
    """``{name: (is_up, [IPv4 addresses])}`` of this machine, or ``{}`` if they can't be read."""
    try:
        import psutil

        stats = psutil.net_if_stats()
        addresses = psutil.net_if_addrs()
    except Exception:  # a sandbox without /proc/net, or no psutil: the link stays as it is
        log.warning("this machine's network interfaces could not be read", exc_info=True)
        return {}
    return {name: (name in stats and stats[name].isup,
                   [a.address for a in addrs if a.family == socket.AF_INET])
            for name, addrs in addresses.items()}


def for_the_class(url, server_address, server_port, address):
    """The page's ``url`` as the class's machines reach it, and why it is what it is:
    ``(url, reason)``.

    ``reason`` is None when ``url`` already names this machine on the network; else the page
    is open at this machine's own address (``localhost``, ``127.0.0.1``, ``0.0.0.0``), and
    it is ``'only_here'`` when the server answers this machine only (``server_address``
    loopback, and the page talks to the server itself on ``server_port``, not through a
    balancer that listens on the network): the url is kept, for nothing else works either;
    ``'network'`` when ``address``, this machine's on the network, takes the host's place
    (the port and the path kept); ``'no_network'`` when there is none to use."""
    parts = urlsplit(url)
    if not is_local(parts.hostname):
        return url, None
    if is_loopback(server_address) and (parts.port or 80) == server_port:
        return url, "only_here"
    if not address:
        return url, "no_network"
    netloc = address + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), "network"
