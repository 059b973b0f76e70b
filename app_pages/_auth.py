"""Who uses the app, checked at every request (issue 18). Off on a personal installation — then the app serves this
machine only; on (GOSPABLIKI_AUTH=1) in any shared deployment: a local account (password, argon2id, lockout) whose
login survives a reload through a signed session cookie revoked on the server (storage.sessions), or the identity
provider through Streamlit's own OIDC login (st.login / st.user) when `.streamlit/secrets.toml` has an [auth]
section (app_pages/_oidc.py). The role and the body binding are read from the users table at every request."""
from __future__ import annotations

import ipaddress
import os

import streamlit as st

from core.text import plain
from storage import sessions
from storage.users import ROLE_LABELS, LoginRefused, UsernameError, authenticate, has_role

TRUTHY = ("1", "true", "yes", "on")
# the browser keeps the session token in a cookie; Streamlit reads cookies only from the request that opened the
# connection (st.context.cookies), so this component writes it, and the next reload or tab sends it
_COOKIE_JS = """
export default function ({ data }) {
  if (!data || !data.name) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const value = data.token ? data.token : "";
  const age = data.token ? data.max_age : 0;
  document.cookie = `${data.name}=${value}; Path=/; Max-Age=${age}; SameSite=Strict${secure}`;
}
"""
_cookie_writer = st.components.v2.component("gospabliki_session_cookie", js=_COOKIE_JS)


def auth_enabled() -> bool:
    return os.environ.get("GOSPABLIKI_AUTH", "").strip().lower() in ("1", "true", "yes", "on")


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUTHY


def _text(value) -> str | None:
    """A value of st.context as text (None when the connection has none, as in a test run)."""
    return value if isinstance(value, str) and value else None


def _header(name: str) -> str | None:
    return _text(st.context.headers.get(name))


def _cookie() -> str | None:
    return _text(st.context.cookies.get(sessions.COOKIE))


def client_address() -> str | None:
    """The client's address for the lockout: behind a trusted reverse proxy the last X-Forwarded-For value (the
    one the proxy wrote), else the connection's (None on this machine)."""
    if _truthy("GOSPABLIKI_TRUSTED_PROXY"):
        forwarded = (_header("X-Forwarded-For") or "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return _text(st.context.ip_address)


def is_local_client(address: str | None, forwarded: str | None) -> bool:
    """A request from this machine itself, not through a proxy (Streamlit gives no address for localhost)."""
    if forwarded:
        return False
    try:
        return address is None or ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def _local_client() -> bool:
    return is_local_client(_text(st.context.ip_address), _header("X-Forwarded-For"))


def _write_cookie(token: str | None) -> None:
    _cookie_writer(data={"name": sessions.COOKIE, "token": token or "",
                         "max_age": int(sessions.SESSION_HOURS * 3600)}, key="auth_cookie")


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
    from app_pages._shared import engine
    who = _identify(engine())
    if isinstance(who, sessions.Identity):
        st.session_state.update(auth_user=who.username, auth_role=who.role, auth_body=who.body,
                                auth_method=who.method)
        _signed_in_sidebar(engine(), who)
        return
    for key in ("auth_user", "auth_role", "auth_body", "auth_method"):
        st.session_state.pop(key, None)
    _login_form(engine(), who)
    st.stop()


def _signed_in_sidebar(engine, who: sessions.Identity) -> None:
    from app_pages import _oidc
    with st.sidebar:
        role = ROLE_LABELS.get(who.role, who.role) + (f": {who.body}" if who.body else "")
        st.caption(plain(f"{who.username} · {role}"))
        if who.method == "password" and _cookie() != st.session_state.get("auth_token"):
            _write_cookie(st.session_state.get("auth_token"))
        if st.button("Выйти", key="auth_logout"):
            sessions.logout(engine, st.session_state.pop("auth_token", None), who.username)  # audited
            if who.method == "oidc":
                _oidc.logout()
            st.rerun()


def _login_form(engine, ended: sessions.Ended | None) -> None:
    from app_pages import _oidc
    st.title("Госпаблики Томской области")
    if isinstance(ended, sessions.Ended):
        st.info(ended.message, icon=":material/logout:")
        if ended.reason.startswith("oidc") or (_oidc.configured() and _oidc.logged_in()):
            st.button("Выйти из единой учётной записи", key="auth_oidc_logout", on_click=_oidc.logout)
            return
    if _cookie():
        _write_cookie(None)  # a cookie of a session that is over is removed from the browser
    if _oidc.configured():
        _oidc.login_button()
    with st.form("auth_form"):
        username = st.text_input("Имя пользователя")
        password = st.text_input("Пароль", type="password")
        submitted = st.form_submit_button("Войти")
    if submitted:
        address = client_address()
        try:
            role = authenticate(engine, username.strip(), password, address)
        except UsernameError as error:
            st.error(f"Вход не выполнен: {error}")
            st.stop()
        except LoginRefused as error:
            st.error(str(error), icon=":material/lock_clock:")
            st.stop()
        if role:
            st.session_state["auth_token"] = sessions.create_session(engine, username.strip(), "password", address)
            st.rerun()
        st.error("Неверное имя пользователя или пароль")


def current_user() -> str:
    return st.session_state.get("auth_user", "?")


def can(needed: str) -> bool:
    return has_role(st.session_state.get("auth_role") or "body", needed)


def current_body() -> str | None:
    """The executive body a user of role «body» is bound to (None: every body is visible)."""
    return st.session_state.get("auth_body") if st.session_state.get("auth_role") == "body" else None
