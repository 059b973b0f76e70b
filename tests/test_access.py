"""services.access: who may reach the app, from plain values (the request's address, the proxy's header)."""
import pytest

from services.access import auth_enabled, client_address, is_local_client


@pytest.mark.parametrize("connection, forwarded, trusted, expected", [
    ("10.0.0.5", "198.51.100.1, 203.0.113.9", True, "203.0.113.9"),  # the value the trusted proxy itself wrote
    ("10.0.0.5", "203.0.113.9", False, "10.0.0.5"),  # an untrusted header is ignored (it could be forged)
    ("10.0.0.5", " ", True, "10.0.0.5"), (None, None, True, None)])
def test_client_address(connection, forwarded, trusted, expected):
    assert client_address(connection, forwarded, trusted) == expected


@pytest.mark.parametrize("value, enabled", [("1", True), (" Yes ", True), ("on", True), ("0", False), ("", False)])
def test_auth_enabled_reads_the_setting(monkeypatch, value, enabled):
    monkeypatch.setenv("GOSPABLIKI_AUTH", value)
    assert auth_enabled() is enabled


def test_a_proxied_request_is_never_local():
    assert is_local_client("127.0.0.1", "203.0.113.9") is False and is_local_client("127.0.0.1", None) is True
