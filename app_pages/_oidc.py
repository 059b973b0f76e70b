"""Login through the organisation's identity provider (OpenID Connect) with Streamlit's own st.login / st.user,
when `.streamlit/secrets.toml` has an [auth] section (README «Вход через OIDC»). Streamlit keeps the provider's
identity in its own signed cookie, so the login survives a reload.

Who the provider's user is in the app is decided at every request:
1. a row of the users table whose name is the user's e-mail (`cli.py user-add ivanova@tomsk.gov.ru --oidc --role
   body --body "…"`): its role and body binding; a disabled row refuses;
2. else the provider's claim named by [gospabliki.oidc] roles_claim (e.g. "groups") mapped by
   [gospabliki.oidc.roles] to a role (`"cur-analysts" = "analyst"`); the highest mapped role wins (role «body»
   needs a users row: the binding to a body lives there);
3. else no access (the page says so and offers to sign out).
"""
from __future__ import annotations

import streamlit as st

from storage import sessions
from storage.audit import write_audit
from storage.users import ROLES, account


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml: Streamlit raises when it has nothing to parse
        return {}


def settings() -> dict:
    return (_secrets().get("gospabliki") or {}).get("oidc") or {}


def configured() -> bool:
    auth = _secrets().get("auth") or {}
    return bool(auth.get("client_id") or any(isinstance(v, dict) and v.get("client_id") for v in auth.values()))


def logged_in() -> bool:
    return bool(st.user.get("is_logged_in"))


def _provider() -> str | None:
    """A named provider ([auth.NAME]) or None for the [auth] section's own client."""
    auth = _secrets().get("auth") or {}
    if auth.get("client_id"):
        return None
    return settings().get("provider") or next(k for k, v in auth.items() if isinstance(v, dict) and v.get("client_id"))


def login_button() -> None:
    provider = _provider()
    st.button(settings().get("label") or "Войти через единую учётную запись", key="auth_oidc_login", type="primary",
              on_click=st.login, args=(provider,) if provider else (), icon=":material/login:")
    st.caption("или по имени пользователя и паролю:")


def _mapped_role(claims: dict) -> str | None:
    claim = settings().get("roles_claim")
    mapping = settings().get("roles") or {}
    if not claim or not mapping:
        return None
    values = claims.get(claim)
    values = values if isinstance(values, list) else [values]
    roles = [mapping.get(str(v)) for v in values if mapping.get(str(v)) in ROLES and mapping.get(str(v)) != "body"]
    return max(roles, key=ROLES.index) if roles else None


def identity(engine) -> sessions.Identity | sessions.Ended:
    """The provider's user as the app sees it at this request (one read of the users table)."""
    claims = st.user.to_dict()
    name = str(claims.get(settings().get("username_claim") or "email") or "").strip().lower()
    if not name or claims.get("email_verified") is False:
        return sessions.Ended("oidc_unverified")
    row = account(engine, name)
    if row is not None and row.disabled:
        return sessions.Ended("disabled")
    role, body = (row.role, row.body) if row is not None else (_mapped_role(claims), None)
    if role is None:
        return sessions.Ended("oidc_no_role")
    if st.session_state.get("auth_oidc_audited") != name:  # one audit line per sign-in, not per click
        with engine.begin() as conn:
            write_audit(conn, name, "login", None, {"success": True, "method": "oidc", "role": role})
        st.session_state["auth_oidc_audited"] = name
    return sessions.Identity(name, role, body, "oidc")


def logout() -> None:
    st.session_state.pop("auth_oidc_audited", None)
    st.logout()
