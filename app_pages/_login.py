"""The login form and the signed-in user's sidebar (app_pages/_auth.py decides which one a request gets): the password
form with the lockout's messages, the identity provider's button (app_pages/_oidc.py), the «Выйти» button, and the
session cookie written in the browser."""
from __future__ import annotations

import streamlit as st

from app_pages._auth import client_address
from core.text import plain
from storage import sessions
from storage.users import ROLE_LABELS, LoginRefused, UsernameError, authenticate

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


def write_cookie(token: str | None) -> None:
    _cookie_writer(data={"name": sessions.COOKIE, "token": token or "",
                         "max_age": int(sessions.SESSION_HOURS * 3600)}, key="auth_cookie")


def signed_in_sidebar(engine, who: sessions.Identity, cookie: str | None) -> None:
    """The user and their role in the sidebar, the session cookie kept in the browser, the «Выйти» button."""
    from app_pages import _oidc
    with st.sidebar:
        role = ROLE_LABELS.get(who.role, who.role) + (f": {who.body}" if who.body else "")
        st.caption(plain(f"{who.username} · {role}"))
        if who.method == "password" and cookie != st.session_state.get("auth_token"):
            write_cookie(st.session_state.get("auth_token"))
        if st.button("Выйти", key="auth_logout"):
            sessions.logout(engine, st.session_state.pop("auth_token", None), who.username)  # audited
            if who.method == "oidc":
                _oidc.logout()
            st.rerun()


def login_form(engine, ended: sessions.Ended | None, cookie: str | None) -> None:
    """The password form (and the identity provider's button when configured); `ended`: why the last session is over."""
    from app_pages import _oidc
    st.title("Госпаблики Томской области")
    if isinstance(ended, sessions.Ended):
        st.info(ended.message, icon=":material/logout:")
        if ended.reason.startswith("oidc") or (_oidc.configured() and _oidc.logged_in()):
            st.button("Выйти из единой учётной записи", key="auth_oidc_logout", on_click=_oidc.logout)
            return
    if cookie:
        write_cookie(None)  # a cookie of a session that is over is removed from the browser
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
