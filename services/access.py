"""Who may reach the app, decided from plain values (app_pages/_auth.py reads them from the request and the
environment): whether the login is on, the client's address behind a trusted proxy, and whether a request comes
from this machine itself — without a login the app serves only that one (safe by default)."""
from __future__ import annotations

import ipaddress
import os

TRUTHY = ("1", "true", "yes", "on")


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUTHY


def auth_enabled() -> bool:
    """The login is on in any shared deployment (GOSPABLIKI_AUTH=1); off on a personal installation."""
    return env_flag("GOSPABLIKI_AUTH")


def client_address(connection: str | None, forwarded_for: str | None, trusted_proxy: bool) -> str | None:
    """The client's address for the lockout: behind a trusted reverse proxy the last X-Forwarded-For value (the
    one the proxy wrote), else the connection's."""
    if trusted_proxy:
        forwarded = (forwarded_for or "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return connection


def is_local_client(address: str | None, forwarded: str | None) -> bool:
    """A request from this machine itself, not through a proxy (Streamlit gives no address for localhost)."""
    if forwarded:
        return False
    try:
        return address is None or ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False
