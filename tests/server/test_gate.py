"""The handshake rules on their own: pure decisions on real websockets Requests."""

from __future__ import annotations

import pytest
from websockets.datastructures import Headers
from websockets.http11 import Request

from wsecho_widget.server.gate import Gate, mask_headers, mask_path


def request(path: str = "/", **headers: str) -> Request:
    return Request(path, Headers({name.replace("_", "-"): value for name, value in headers.items()}))


def test_no_rules_lets_everyone_in() -> None:
    assert Gate().check(request("/anything?x=1"), connected=0) is None


def test_path_is_compared_without_the_query() -> None:
    gate = Gate(path="/chat")
    assert gate.check(request("/chat?room=1"), 0) is None
    refusal = gate.check(request("/other"), 0)
    assert refusal is not None and refusal.status == 404
    assert "expected '/chat'" in refusal.reason


def test_origins_accept_listed_ones_and_none_means_no_header() -> None:
    gate = Gate(origins=["http://127.0.0.1:8000"])
    assert gate.check(request(Origin="http://127.0.0.1:8000"), 0) is None
    refusal = gate.check(request(Origin="http://evil.example"), 0)
    assert refusal is not None and refusal.status == 403 and "evil.example" in refusal.reason
    refusal = gate.check(request(), 0)
    assert refusal is not None and refusal.status == 403 and "no Origin header" in refusal.reason
    assert Gate(origins=[None]).check(request(), 0) is None


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/?token=s3cret", {}, None),
        ("/", {"Authorization": "Bearer s3cret"}, None),
        ("/", {"Authorization": "bearer   s3cret "}, None),
        ("/", {}, "no token"),
        ("/?token=nope", {}, "wrong token"),
        ("/", {"Authorization": "Bearer nope"}, "wrong token"),
        ("/", {"Authorization": "Basic czNjcmV0"}, "no token"),
    ],
)
def test_token_by_query_or_bearer(path: str, headers: dict[str, str], expected: str | None) -> None:
    refusal = Gate(token="s3cret").check(request(path, **headers), 0)
    if expected is None:
        assert refusal is None
    else:
        assert refusal is not None and refusal.status == 401 and refusal.reason.startswith(expected)
        assert "s3cret" not in refusal.reason


def test_max_clients_counts_those_connected() -> None:
    gate = Gate(max_clients=2)
    assert gate.check(request(), 1) is None
    refusal = gate.check(request(), 2)
    assert refusal is not None and refusal.status == 503 and "max_clients=2" in refusal.reason


def test_rules_are_checked_in_order_path_origin_token_room() -> None:
    gate = Gate(path="/p", origins=["http://ok"], token="t", max_clients=1)
    assert gate.check(request("/x"), 5).status == 404  # type: ignore[union-attr]
    assert gate.check(request("/p"), 5).status == 403  # type: ignore[union-attr]
    assert gate.check(request("/p", Origin="http://ok"), 5).status == 401  # type: ignore[union-attr]
    assert gate.check(request("/p?token=t", Origin="http://ok"), 5).status == 503  # type: ignore[union-attr]


def test_the_token_is_not_in_the_repr_and_bad_settings_say_why() -> None:
    gate = Gate(token="s3cret")
    assert "s3cret" not in repr(gate) and gate.has_token
    with pytest.raises(ValueError, match="start with '/'"):
        Gate(path="chat")
    with pytest.raises(ValueError, match="at least 1"):
        Gate(max_clients=0)
    with pytest.raises(ValueError, match="empty"):
        Gate(token="")
    with pytest.raises(TypeError, match=r"\['http://localhost:3000'\], not one string"):
        Gate(origins="http://localhost:3000")  # type: ignore[arg-type]


def test_masking_hides_the_token_and_credential_headers_only() -> None:
    assert mask_path("/chat?token=abc&room=1") == "/chat?token=***&room=1"
    assert mask_path("/chat?room=1") == "/chat?room=1"
    assert mask_path("/chat") == "/chat"
    headers = Headers({"Authorization": "Bearer abc", "Cookie": "sid=1", "User-Agent": "x"})
    assert mask_headers(headers) == [("Authorization", "***"), ("Cookie", "***"), ("User-Agent", "x")]
