"""Where a listening server can be reached: URLs for this machine, its network, and Jupyter.

Pure functions plus two look-ups: this machine's own addresses (no packet is sent),
and the Jupyter server that started this kernel (its info file, as
``jupyter server list`` reads it). No widgets, no tasks; must not import the hub.

Behind JupyterHub or any remote Jupyter server the browser cannot reach a port the
kernel opens; jupyter-server-proxy serves it at ``{base_url}proxy/{port}/`` on the
Jupyter server's own origin, WebSockets included. :func:`find_jupyter` reads that
base URL from the kernel's environment and :func:`proxy_urls` makes the addresses.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ANDROID_EMULATOR_HOST",
    "JupyterServer",
    "connect_urls",
    "find_jupyter",
    "is_loopback_only",
    "jupyter_server",
    "lan_addresses",
    "local_url",
    "proxy_urls",
    "running_jupyter_servers",
]

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


@dataclass(frozen=True, slots=True)
class JupyterServer:
    """The Jupyter server this kernel runs under, as far as the kernel can tell.

    ``base_url`` is its URL prefix (``/user/alice/``); ``origin`` is where a browser
    reaches it (``https://hub.example.org``), None when the kernel cannot know;
    ``source`` says where both were read.
    """

    base_url: str
    origin: str | None
    source: str


def _prefix(path: str) -> str:
    return "/" + path.strip("/") + "/" if path.strip("/") else "/"


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def find_jupyter(
    environ: Mapping[str, str], servers: Iterable[Mapping[str, Any]], parent_pid: int
) -> JupyterServer | None:
    """The Jupyter server of a kernel whose environment is ``environ`` (pure).

    JupyterHub's spawner sets ``JUPYTERHUB_SERVICE_PREFIX`` (and, when the hub knows
    its public address, ``JUPYTERHUB_PUBLIC_URL``); a plain Jupyter server is the one
    among ``servers`` (its info files) whose ``pid`` started the kernel
    (``JPY_PARENT_PID``, set by jupyter_client's launcher, else ``parent_pid``).
    """
    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix:
        origin = _origin(environ.get("JUPYTERHUB_PUBLIC_URL")) or _origin(environ.get("JUPYTERHUB_HOST"))
        return JupyterServer(_prefix(prefix), origin, "JUPYTERHUB_SERVICE_PREFIX")
    try:
        pid = int(environ.get("JPY_PARENT_PID", parent_pid))
    except ValueError:
        pid = parent_pid
    for info in servers:
        if info.get("pid") == pid and isinstance(info.get("base_url"), str):
            return JupyterServer(_prefix(info["base_url"]), _origin(info.get("url")), f"Jupyter server {pid}")
    return None


def running_jupyter_servers(runtime_dir: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """The info files of the Jupyter servers of this machine (``jpserver-*.json``).

    The files ``jupyter_server.serverapp.list_running_servers()`` reads, read here
    without importing jupyter_server (seconds on a busy machine); empty when
    jupyter_core is not installed. A file being written, or unreadable, is skipped.
    """
    if runtime_dir is None:
        try:
            from jupyter_core.paths import jupyter_runtime_dir
        except ImportError:
            return []
        runtime_dir = jupyter_runtime_dir()
    found = []
    with contextlib.suppress(OSError):
        for path in sorted(Path(runtime_dir).glob("jpserver-*.json")):
            with contextlib.suppress(OSError, ValueError):
                info = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(info, dict):
                    found.append(info)
    return found


def jupyter_server() -> JupyterServer | None:
    """The Jupyter server that runs this kernel, from its environment and info files."""
    environ = os.environ
    servers = [] if environ.get("JUPYTERHUB_SERVICE_PREFIX") else running_jupyter_servers()
    return find_jupyter(environ, servers, os.getppid())


def proxy_urls(server: JupyterServer, port: int, path: str = "/") -> list[str]:
    """Where a browser reaches ``port`` through jupyter-server-proxy on ``server``.

    The absolute ``ws(s)://host{base_url}proxy/{port}/path`` first when the origin is
    known, then the path alone, for a page served by the same Jupyter. The proxy
    strips its prefix: the server sees ``path``. Requests through it are
    authenticated like any Jupyter request (the login cookie, or ``?token=``).
    """
    relative = f"{server.base_url}proxy/{port}/{path.lstrip('/')}"
    urls = []
    if server.origin is not None:
        scheme, _, host = server.origin.partition("://")
        urls.append(f"{'wss' if scheme == 'https' else 'ws'}://{host}{relative}")
    urls.append(relative)
    return urls
