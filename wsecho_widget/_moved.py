"""Old module paths of 0.2 (one flat folder), kept for one minor version.

``import wsecho_widget.session`` still works until 0.4 and warns with the new
path (the CHANGELOG lists every move). The old path and the new one are the same
module object, so patching either patches both.

Imports nothing of the package at import time.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

#: Old path -> new path (0.2 -> 0.3). Packages that kept their name (``model``,
#: ``decoders``, ``server``) re-export what they held and are not listed.
MOVED = {
    "_client_api": "client._api",
    "_feed": "_util.feed",
    "_frames": "model._frames",
    "_inbox": "net.inbox",
    "_keepalive": "client._keepalive",
    "_loop": "_util.loop",
    "_observers": "client._observers",
    "_pretty": "decoders._pretty",
    "_protobuf": "decoders._protobuf",
    "_protoclient": "protocols._client",
    "_protopanel": "ui._protocol_panel",
    "_pumps": "client._pumps",
    "_reconnect": "client._reconnect",
    "_server_api": "server._api",
    "_supervisor": "client._supervisor",
    "_tasks": "_util.tasks",
    "_walkers": "decoders._walkers",
    "_websockets_internals": "net._internals",
    "addresses": "server.addresses",
    "connection": "client.connection",
    "controls": "ui.controls",
    "errors": "net.errors",
    "gate": "server.gate",
    "gql_client": "protocols.graphql.client",
    "gql_panel": "ui.graphql_panel",
    "gql_protocol": "protocols.graphql.protocol",
    "hooks": "client.hooks",
    "hub": "server.hub",
    "hub_door": "server.door",
    "hub_events": "server.events",
    "live": "ui.live",
    "logview": "ui.logview",
    "logwidget": "ui.logwidget",
    "media": "model.media",
    "options": "client.options",
    "panel": "ui.panel",
    "peers": "server.peers",
    "render": "ui.render",
    "server_panel": "ui.server_panel",
    "session": "client.session",
    "sio_client": "protocols.socketio.client",
    "sio_panel": "ui.socketio_panel",
    "sio_protocol": "protocols.socketio.protocol",
    "transcript": "model.transcript",
    "views": "ui.render",
}
REMOVED_IN = "0.4"


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old path and hands back the module at its new path."""

    def __init__(self) -> None:
        self._specs: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        prefix, _, rest = fullname.partition(".")
        if prefix != "wsecho_widget" or rest not in _flat():
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = "wsecho_widget." + _flat()[spec.name.partition(".")[2]]
        warnings.warn(
            f"{spec.name} moved to {new}; the old path goes in {REMOVED_IN}",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(new)
        # The import system sets __spec__ on what create_module returns: keep the real one.
        self._specs[new] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._specs[module.__name__]


def _flat() -> dict[str, str]:
    return {**MOVED, **{f"controls.{k}": f"ui.controls.{k}" for k in _CONTROLS}}


_CONTROLS = ("log", "options", "save", "sendbar", "status", "toolbar", "tree")


def install_moved_modules() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Alias())
