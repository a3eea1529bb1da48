"""Where clients can reach a server: URLs for this machine, its network and the Android emulator."""

from __future__ import annotations

import ipaddress

from wsecho_widget.server.addresses import connect_urls, is_loopback_only, lan_addresses, local_url


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
