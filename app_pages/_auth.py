"""Who uses the app, checked at every request (issue 18). Off on a personal installation — then the app serves this
machine only; on (GOSPABLIKI_AUTH=1) in any shared deployment: a local account (password, argon2id, lockout) whose
login survives a reload through a signed session cookie revoked on the server (storage.sessions), or the identity
provider through Streamlit's own OIDC login (st.login / st.user) when `.streamlit/secrets.toml` has an [auth]
section (app_pages/_oidc.py). The role and the body binding are read from the users table at every request; the
login form and the signed-in sidebar are drawn by app_pages/_login.py."""
from __future__ import annotations

import os

import streamlit as st

from services.access import auth_enabled, client_address as _client_address, env_flag, is_local_client
from storage import sessions
from storage.users import has_role

__all__ = ["auth_enabled", "can", "client_address", "current_body", "current_user", "is_local_client",
           "require_login"]


def _text(value) -> str | None:
    """A value of st.context as text (None when the connection has none, as in a test run)."""
    return value if isinstance(value, str) and value else None


def _header(name: str) -> str | None:
    return _text(st.context.headers.get(name))


def _cookie() -> str | None:
    return _text(st.context.cookies.get(sessions.COOKIE))


def client_address() -> str | None:
    """The client's address for the lockout (services.access.client_address; None on this machine)."""
    return _client_address(_text(st.context.ip_address), _header("X-Forwarded-For"),
                           env_flag("GOSPABLIKI_TRUSTED_PROXY"))


def _local_client() -> bool:
    return is_local_client(_text(st.context.ip_address), _header("X-Forwarded-For"))


def _identify(engine) -> sessions.Identity | sessions.Ended | None:
    """The identity of this request: the identity provider's user (OIDC), else the session token of this
    Streamlit session or of the browser's cookie, checked on the server."""
    from app_pages import _oidc
    if _oidc.configured() and _oidc.logged_in():
        return _oidc.identity(engine)
    token = st.session_state.get("auth_token") or _cookie()
    if not token:
        return None
    found = sessions.identity(engine, token)
    if isinstance(found, sessions.Identity):
        st.session_state["auth_token"] = token
    else:
        st.session_state.pop("auth_token", None)
    return found


def require_login() -> None:
    if not auth_enabled():
        if not _local_client():  # safe by default: without a login the app serves this machine only
            st.error("Без входа по паролю приложение доступно только на компьютере, где оно запущено. Для общего "
                     "доступа включите вход (GOSPABLIKI_AUTH=1) и опубликуйте приложение через обратный прокси с TLS.")
            st.stop()
        st.session_state.setdefault("auth_user", os.environ.get("GOSPABLIKI_USER", "локальный пользователь"))
        st.session_state.setdefault("auth_role", "admin")
        st.session_state.setdefault("auth_body", None)
        return
    from app_pages._data import engine
    from app_pages._login import login_form, signed_in_sidebar
    who = _identify(engine())
    if isinstance(who, sessions.Identity):
        st.session_state.update(auth_user=who.username, auth_role=who.role, auth_body=who.body,
                                auth_method=who.method)
        signed_in_sidebar(engine(), who, _cookie())
        return
    for key in ("auth_user", "auth_role", "auth_body", "auth_method"):
        st.session_state.pop(key, None)
    login_form(engine(), who, _cookie())
    st.stop()


def current_user() -> str:
    return st.session_state.get("auth_user", "?")


def can(needed: str) -> bool:
    return has_role(st.session_state.get("auth_role") or "body", needed)


def current_body() -> str | None:
    """The executive body a user of role «body» is bound to (None: every body is visible)."""
    return st.session_state.get("auth_body") if st.session_state.get("auth_role") == "body" else None
