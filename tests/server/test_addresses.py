"""Where clients can reach a server: this machine, its network, the Android emulator, Jupyter's proxy."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path

from wsecho_widget.server.addresses import (
    JupyterServer,
    connect_urls,
    find_jupyter,
    is_loopback_only,
    lan_addresses,
    local_url,
    proxy_urls,
    running_jupyter_servers,
)


def test_the_local_url_turns_a_wildcard_into_loopback() -> None:
    assert local_url("0.0.0.0", 8765) == "ws://127.0.0.1:8765"
    assert local_url("::", 8765, tls=True) == "wss://[::1]:8765"
    assert local_url("127.0.0.1", 1) == "ws://127.0.0.1:1"
    assert local_url("localhost", 1) == "ws://localhost:1"


def test_loopback_only_hosts() -> None:
    assert is_loopback_only("127.0.0.1") and is_loopback_only("::1") and is_loopback_only("localhost")
    assert not is_loopback_only("0.0.0.0") and not is_loopback_only("::") and not is_loopback_only(None)
    assert not is_loopback_only("192.168.1.5") and not is_loopback_only("myhost")


def test_lan_addresses_are_real_non_loopback_ipv4() -> None:
    for address in lan_addresses():
        parsed = ipaddress.ip_address(address)
        assert parsed.version == 4 and not parsed.is_loopback and not parsed.is_unspecified


def test_connect_urls_list_loopback_then_lan_then_the_emulator() -> None:
    urls = connect_urls("0.0.0.0", 8765)
    assert urls[0] == "ws://127.0.0.1:8765" and urls[-1] == "ws://10.0.2.2:8765"
    assert urls[1:-1] == [f"ws://{a}:8765" for a in lan_addresses()]
    assert connect_urls("127.0.0.1", 9) == ["ws://127.0.0.1:9", "ws://10.0.2.2:9"]
    assert connect_urls("::1", 9) == ["ws://[::1]:9"]  # the emulator's alias is IPv4 loopback only
    assert connect_urls("192.168.1.5", 9, tls=True) == ["wss://192.168.1.5:9"]


# -- behind a Jupyter server (JupyterHub, a remote server): jupyter-server-proxy addresses


def test_a_hub_prefix_and_public_url_give_the_proxy_addresses() -> None:
    environ = {
        "JUPYTERHUB_SERVICE_PREFIX": "/user/alice",
        "JUPYTERHUB_PUBLIC_URL": "https://hub.example.org/user/alice/",
    }
    server = find_jupyter(environ, [], parent_pid=1)
    assert server == JupyterServer("/user/alice/", "https://hub.example.org", "JUPYTERHUB_SERVICE_PREFIX")
    assert proxy_urls(server, 8765) == [
        "wss://hub.example.org/user/alice/proxy/8765/",
        "/user/alice/proxy/8765/",
    ]
    assert proxy_urls(server, 8765, "/chat") == [
        "wss://hub.example.org/user/alice/proxy/8765/chat",
        "/user/alice/proxy/8765/chat",
    ]


def test_a_hub_without_a_public_url_gives_the_relative_form_only() -> None:
    server = find_jupyter({"JUPYTERHUB_SERVICE_PREFIX": "/user/bob/"}, [], parent_pid=1)
    assert server is not None and server.origin is None
    assert proxy_urls(server, 9000) == ["/user/bob/proxy/9000/"]


def test_the_server_that_started_the_kernel_is_found_by_its_pid() -> None:
    servers = [
        {"pid": 11, "base_url": "/other/", "url": "http://127.0.0.1:8888/other/"},
        {"pid": 22, "base_url": "/lab/x/", "url": "http://127.0.0.1:8890/lab/x/", "token": "secret"},
    ]
    server = find_jupyter({"JPY_PARENT_PID": "22"}, servers, parent_pid=5)
    assert server == JupyterServer("/lab/x/", "http://127.0.0.1:8890", "Jupyter server 22")
    assert proxy_urls(server, 1234) == ["ws://127.0.0.1:8890/lab/x/proxy/1234/", "/lab/x/proxy/1234/"]
    # Without JPY_PARENT_PID the kernel's parent process is the server.
    assert find_jupyter({}, servers, parent_pid=11) is not None
    assert find_jupyter({}, servers, parent_pid=33) is None
    assert find_jupyter({"JPY_PARENT_PID": "not a pid"}, servers, parent_pid=33) is None


def test_a_plain_python_process_has_no_jupyter_server() -> None:
    # This test process was not started by a Jupyter server.
    assert find_jupyter({}, running_jupyter_servers(), parent_pid=os.getppid()) is None


def test_info_files_are_read_and_broken_ones_skipped(tmp_path: Path) -> None:
    info = {"pid": 7, "base_url": "/", "url": "http://localhost:8888/"}
    (tmp_path / "jpserver-7.json").write_text(json.dumps(info), encoding="utf-8")
    (tmp_path / "jpserver-8.json").write_text('{"pid": 8, "base', encoding="utf-8")  # being written
    (tmp_path / "kernel-1.json").write_text("{}", encoding="utf-8")
    assert running_jupyter_servers(tmp_path) == [info]
    assert running_jupyter_servers(tmp_path / "missing") == []
