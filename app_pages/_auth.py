"""Login form. Off on a personal SQLite installation; on (GOSPABLIKI_AUTH=1) in any shared deployment."""
from __future__ import annotations

import os

import streamlit as st

from storage.users import ROLE_LABELS, UsernameError, authenticate, has_role


def auth_enabled() -> bool:
    return os.environ.get("GOSPABLIKI_AUTH", "").strip().lower() in ("1", "true", "yes", "on")


def require_login() -> None:
    if not auth_enabled():
        st.session_state.setdefault("auth_user", os.environ.get("GOSPABLIKI_USER", "локальный пользователь"))
        st.session_state.setdefault("auth_role", "admin")
        return
    if st.session_state.get("auth_role"):
        with st.sidebar:
            st.caption(f"{st.session_state['auth_user']} · {ROLE_LABELS[st.session_state['auth_role']]}")
            if st.button("Выйти", key="auth_logout"):
                for key in ("auth_user", "auth_role"):
                    st.session_state.pop(key, None)
                st.rerun()
        return
    from app_pages._shared import engine
    st.title("Госпаблики Томской области")
    with st.form("auth_form"):
        username = st.text_input("Имя пользователя")
        password = st.text_input("Пароль", type="password")
        submitted = st.form_submit_button("Войти")
    if submitted:
        try:
            role = authenticate(engine(), username.strip(), password)
        except UsernameError as error:
            st.error(f"Вход не выполнен: {error}")
            st.stop()
        if role:
            st.session_state.update(auth_user=username.strip(), auth_role=role)
            st.rerun()
        st.error("Неверное имя пользователя или пароль")
    st.stop()


def current_user() -> str:
    return st.session_state.get("auth_user", "?")


def can(needed: str) -> bool:
    return has_role(st.session_state.get("auth_role", "viewer"), needed)
