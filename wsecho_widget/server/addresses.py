"""Where a listening server can be reached: URLs for this machine and its network.

Pure functions plus one look-up of this machine's own addresses (no packet is
sent). No widgets, no tasks; must not import the hub.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket

__all__ = ["ANDROID_EMULATOR_HOST", "connect_urls", "is_loopback_only", "lan_addresses", "local_url"]

#: How an Android emulator reaches the machine it runs on.
ANDROID_EMULATOR_HOST = "10.0.2.2"

_ANY = ("", "0.0.0.0", "::")


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def local_url(host: str | None, port: int, *, tls: bool = False) -> str:
    """The URL to reach the server from this machine: a wildcard becomes loopback."""
    scheme = "wss" if tls else "ws"
    if host in (None, "", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"{scheme}://{_bracket(host)}:{port}"


def is_loopback_only(host: str | None) -> bool:
    """Whether only this machine can connect to a server listening on ``host``."""
    if host in (None, *_ANY):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to any interface


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, best guess first.

    The address of the default route comes from a UDP socket "connected" to a
    private address (connecting a UDP socket sends nothing); the rest from the
    host name. Empty on a machine with no network.
    """
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.254.254.254", 1))
        found.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    seen: list[str] = []
    for address in found:
        unusable = address == "0.0.0.0" or ipaddress.ip_address(address).is_loopback
        if address not in seen and not unusable:
            seen.append(address)
    return seen


def connect_urls(host: str | None, port: int, *, tls: bool = False) -> list[str]:
    """Every URL a client may use: this machine's first, then the network's.

    For a wildcard host (``0.0.0.0``, ``::``) that is loopback, then each LAN
    address. Last, whenever the host's IPv4 loopback is served (a wildcard or
    127.0.0.1), the Android emulator's way to it: ``ws://10.0.2.2:PORT`` (the
    emulator's alias for the host's 127.0.0.1).
    """
    scheme = "wss" if tls else "ws"
    urls = [local_url(host, port, tls=tls)]
    if host in (None, *_ANY):
        urls += [f"{scheme}://{address}:{port}" for address in lan_addresses()]
    if host in (None, "", "0.0.0.0", "localhost") or (host or "").startswith("127."):
        urls.append(f"{scheme}://{ANDROID_EMULATOR_HOST}:{port}")
    return urls
