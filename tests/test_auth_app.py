"""The login of the app (issue 18), with AppTest: a login survives a reload (the session cookie), the role is read
at every request (a demoted analyst loses «Загрузка данных» at the next click; a disabled user is signed out), the
lockout message, an audited logout, and OIDC through st.user (AppTest's user simulation)."""
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from storage import schema

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "секретный-пароль-2026"
OIDC_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "тест-секрет",
                         "client_id": "gospabliki", "client_secret": "секрет",
                         "server_metadata_url": "https://idp.example.ru/.well-known/openid-configuration"}}


@pytest.fixture
def app_db(sqlite_url, monkeypatch):
    from storage.db import get_engine
    from storage.users import set_user
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GOSPABLIKI_AUTH", "1")
    engine = get_engine(sqlite_url)
    set_user(engine, "analyst", PASSWORD, "analyst", by="test")
    return engine


def _new_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def _sign_in(at: AppTest, username: str = "analyst", password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def _pages(at: AppTest) -> list[str]:
    return sorted(Path(str(info.get("script_path"))).stem for info in at._registered_pages.values())


def test_login_survives_a_reload(app_db, monkeypatch):
    from app_pages import _auth
    at = _sign_in(_new_app())
    token = at.session_state["auth_token"]
    assert at.session_state["auth_role"] == "analyst" and token.count(".") == 1
    # a reload is a new Streamlit session: nothing in session_state, the browser sends the cookie it was given
    monkeypatch.setattr(_auth, "_cookie", lambda: token)
    reloaded = _new_app().run()
    assert not reloaded.exception and reloaded.session_state["auth_user"] == "analyst"
    assert [b.label for b in reloaded.button] == ["Выйти"]
    monkeypatch.setattr(_auth, "_cookie", lambda: token[:-1] + ("0" if token[-1] != "0" else "1"))  # forged
    assert [b.label for b in _new_app().run().button] == ["Войти"]


def test_demoted_analyst_loses_the_upload_screen_at_the_next_click(app_db):
    from storage.users import set_role
    at = _sign_in(_new_app())
    assert "upload" in _pages(at)
    set_role(app_db, "analyst", "viewer", by="admin")
    at.run()
    assert at.session_state["auth_role"] == "viewer" and "upload" not in _pages(at)


@pytest.mark.parametrize("change", ["disable", "password"])
def test_disabled_user_or_new_password_ends_the_session(app_db, change):
    from storage.users import set_disabled, set_password
    at = _sign_in(_new_app())
    if change == "disable":
        set_disabled(app_db, "analyst", True, by="admin")
    else:
        set_password(app_db, "analyst", "новый-пароль-2026", by="admin")
    at.run()
    assert "auth_role" not in at.session_state and [b.label for b in at.button] == ["Войти"]
    assert "отключена" in at.info[0].value if change == "disable" else "Пароль изменён" in at.info[0].value


def test_lockout_message_in_russian(app_db):
    at = _new_app()
    for _ in range(5):
        _sign_in(at, password="неверный-пароль")
        assert at.error[0].value == "Неверное имя пользователя или пароль"
    _sign_in(at)  # the right password, refused for a while
    assert "auth_role" not in at.session_state
    assert at.error[0].value.startswith("Слишком много попыток входа, повторите через ")
    assert at.error[0].value.endswith(" мин.")


def test_logout_is_audited_and_ends_the_session(app_db, monkeypatch):
    from app_pages import _auth
    at = _sign_in(_new_app())
    token = at.session_state["auth_token"]
    at.button(key="auth_logout").click().run()
    assert [b.label for b in at.button] == ["Войти"]
    with app_db.connect() as conn:
        assert conn.execute(select(schema.audit_log.c.user).where(schema.audit_log.c.action == "logout")
                            ).scalars().all() == ["analyst"]
    monkeypatch.setattr(_auth, "_cookie", lambda: token)  # the old cookie no longer signs in
    reloaded = _new_app().run()
    assert [b.label for b in reloaded.button] == ["Войти"] and "Вы вышли" in reloaded.info[0].value


# --- OIDC through st.login / st.user ---

def _oidc_app(user: dict, secrets: dict | None = None) -> AppTest:
    at = _new_app()
    at.secrets = secrets or OIDC_SECRETS
    at.user = user
    return at.run()


def test_oidc_user_of_the_users_table(app_db):
    from storage.users import set_user
    set_user(app_db, "ivanova@tomsk.gov.ru", None, "analyst", by="admin", oidc=True)
    at = _oidc_app({"is_logged_in": True, "email": "Ivanova@tomsk.gov.ru", "email_verified": True, "sub": "42"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["auth_user"] == "ivanova@tomsk.gov.ru" and at.session_state["auth_role"] == "analyst"
    assert "upload" in _pages(at)
    with app_db.connect() as conn:
        logins = conn.execute(select(schema.audit_log.c.details).where(schema.audit_log.c.action == "login")).all()
    assert [d.details["method"] for d in logins] == ["oidc"]


def test_oidc_claims_mapped_to_a_role(app_db):
    secrets = {**OIDC_SECRETS, "gospabliki": {"oidc": {"roles_claim": "groups",
                                                       "roles": {"cur-analysts": "analyst", "leaders": "viewer"}}}}
    at = _oidc_app({"is_logged_in": True, "email": "petrov@tomsk.gov.ru", "groups": ["leaders", "staff"]}, secrets)
    assert at.session_state["auth_role"] == "viewer" and "upload" not in _pages(at)
    at = _oidc_app({"is_logged_in": True, "email": "sidorov@tomsk.gov.ru", "groups": ["staff"]}, secrets)
    assert "auth_role" not in at.session_state and "нет роли" in at.info[0].value
    assert [b.label for b in at.button] == ["Выйти из единой учётной записи"]


def test_oidc_disabled_user_is_refused(app_db):
    from storage.users import set_disabled, set_user
    set_user(app_db, "ivanova@tomsk.gov.ru", None, "analyst", by="admin", oidc=True)
    set_disabled(app_db, "ivanova@tomsk.gov.ru", True, by="admin")
    at = _oidc_app({"is_logged_in": True, "email": "ivanova@tomsk.gov.ru"})
    assert "auth_role" not in at.session_state and "отключена" in at.info[0].value


def test_oidc_login_offered_next_to_the_password_form(app_db):
    at = _oidc_app({"is_logged_in": False})
    assert [b.label for b in at.button] == ["Войти через единую учётную запись", "Войти"]


# --- safe by default: without a login, only this machine ---

@pytest.mark.parametrize("address, forwarded, local", [
    (None, None, True), ("127.0.0.1", None, True), ("::1", None, True), ("192.0.2.7", None, False),
    ("10.1.2.3", None, False), (None, "203.0.113.9", False), ("fe80::1%eth0", None, False), ("нечто", None, False)])
def test_local_client(address, forwarded, local):
    from app_pages._auth import is_local_client
    assert is_local_client(address, forwarded) is local


def test_without_auth_a_remote_client_is_refused(sqlite_url, monkeypatch):
    from app_pages import _auth
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("GOSPABLIKI_AUTH", raising=False)
    monkeypatch.setattr(_auth, "_local_client", lambda: False)
    at = _new_app().run()
    assert not at.exception and "только на компьютере, где оно запущено" in at.error[0].value
    assert not at.title and "auth_role" not in at.session_state
