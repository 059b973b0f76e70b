"""Local accounts hardened (issue 18), on SQLite and PostgreSQL: argon2id with PBKDF2 rehashed at login, lockout per
user and per address, the same path for unknown users, the password policy, sessions that survive a reload and
end on the server (logout, idle, expiry, password change, disable), roles read at every request, the CLI."""
import hashlib
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from storage import schema, sessions, users
from storage.db import utcnow
from storage.users import (AccountError, LoginRefused, PasswordPolicyError, authenticate, set_disabled,
                           set_password, set_role, set_user)

ROOT = Path(__file__).resolve().parent.parent
GOOD = "зелёный-чай-2026"
BODY = "Департамент финансов Томской области"


def _add_body(engine, name: str = BODY) -> None:
    from loaders.values import name_key
    with engine.begin() as conn:
        conn.execute(insert(schema.owners).values(name=name, name_key=name_key(name), kind="executive_body",
                                                  created_at=utcnow(), updated_at=utcnow()))


def _audit(engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(select(schema.audit_log).where(schema.audit_log.c.action == action)
                            .order_by(schema.audit_log.c.id)).all()


def test_passwords_are_argon2id(engine):
    set_user(engine, "analyst", GOOD, "analyst", by="test")
    with engine.connect() as conn:
        stored = conn.execute(select(schema.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert authenticate(engine, "analyst", GOOD) == "analyst"
    assert authenticate(engine, "analyst", GOOD + "!") is None


def test_old_pbkdf2_hash_is_rehashed_at_login(engine):
    salt, iterations = "00112233445566778899aabbccddeeff", 390_000
    digest = hashlib.pbkdf2_hmac("sha256", GOOD.encode(), salt.encode(), iterations).hex()
    with engine.begin() as conn:
        conn.execute(insert(schema.users).values(username="old", role="viewer", created_at=utcnow(),
                                                 password_hash=f"pbkdf2_sha256${iterations}${salt}${digest}"))
    assert authenticate(engine, "old", "неверный-пароль") is None
    with engine.connect() as conn:
        assert conn.execute(select(schema.users.c.password_hash)).scalar_one().startswith("pbkdf2_sha256$")
    assert authenticate(engine, "old", GOOD) == "viewer"
    with engine.connect() as conn:
        assert conn.execute(select(schema.users.c.password_hash)).scalar_one().startswith("$argon2id$")
    assert authenticate(engine, "old", GOOD) == "viewer"
    assert _audit(engine, "login")[-2].details.get("rehashed") is True


@pytest.mark.parametrize("password, message", [
    ("короткий", "не короче 10"), ("12345678901234", "одних цифр"), ("ivanova_ai", "именем пользователя"),
    ("IVANOVA_AI1", "именем пользователя"), ("с\x00нулём-внутри", "нулевого байта")])
def test_password_policy(engine, password, message):
    with pytest.raises(PasswordPolicyError, match=message):
        set_user(engine, "ivanova_ai", password, "viewer", by="test")


def test_unknown_user_takes_the_same_path(engine, monkeypatch):
    """An unknown name verifies a real argon2id hash too (the answer's time does not tell names apart) and counts
    towards the lockout like a known one."""
    set_user(engine, "known", GOOD, "viewer", by="test")
    verified = []
    original = users.verify_password
    monkeypatch.setattr(users, "verify_password", lambda p, h: verified.append(h) or original(p, h))
    assert authenticate(engine, "known", "неверный-пароль-1") is None
    assert authenticate(engine, "unknown", "неверный-пароль-1") is None
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)
    for _ in range(4):
        authenticate(engine, "unknown", "неверный-пароль-1")
    with pytest.raises(LoginRefused):
        authenticate(engine, "unknown", "неверный-пароль-1")


def test_lockout_per_user_with_backoff(engine, monkeypatch):
    set_user(engine, "analyst", GOOD, "analyst", by="test")
    for _ in range(5):
        assert authenticate(engine, "analyst", "неверный-пароль", "10.0.0.1") is None
    for password in ("неверный-пароль", GOOD):  # the sixth try, and then even the right password: refused
        with pytest.raises(LoginRefused, match=r"Слишком много попыток входа, повторите через 1 мин"):
            authenticate(engine, "analyst", password, "10.0.0.1")
    assert [r.details.get("refused") for r in _audit(engine, "login")][-2:] == ["lockout", "lockout"]
    later = utcnow() + timedelta(minutes=1, seconds=5)
    monkeypatch.setattr(users, "utcnow", lambda: later)
    assert authenticate(engine, "analyst", "неверный-пароль", "10.0.0.1") is None  # 6th failure: 2 minutes now
    with pytest.raises(LoginRefused, match="через 2 мин"):
        authenticate(engine, "analyst", GOOD, "10.0.0.1")
    monkeypatch.setattr(users, "utcnow", lambda: later + timedelta(minutes=2, seconds=5))
    assert authenticate(engine, "analyst", GOOD, "10.0.0.1") == "analyst"  # success clears the count
    assert authenticate(engine, "analyst", "неверный-пароль", "10.0.0.1") is None
    assert authenticate(engine, "analyst", GOOD, "10.0.0.1") == "analyst"


def test_lockout_per_address(engine):
    set_user(engine, "analyst", GOOD, "analyst", by="test")
    for number in range(20):  # guessing across many user names from one address
        assert authenticate(engine, f"guess{number}", "неверный-пароль", "203.0.113.7") is None
    with pytest.raises(LoginRefused, match="Слишком много попыток"):
        authenticate(engine, "analyst", GOOD, "203.0.113.7")
    assert authenticate(engine, "analyst", GOOD, "198.51.100.2") == "analyst"


def test_disabled_user_cannot_sign_in(engine):
    set_user(engine, "analyst", GOOD, "analyst", by="admin")
    set_disabled(engine, "analyst", True, by="admin")
    assert authenticate(engine, "analyst", "неверный-пароль") is None
    with pytest.raises(LoginRefused, match="отключена"):
        authenticate(engine, "analyst", GOOD)
    set_disabled(engine, "analyst", False, by="admin")
    assert authenticate(engine, "analyst", GOOD) == "analyst"
    assert [r.action for r in _audit(engine, "user_disable") + _audit(engine, "user_enable")] == [
        "user_disable", "user_enable"]


def test_role_body_needs_an_executive_body_of_the_registry(engine):
    with pytest.raises(AccountError, match="укажите орган"):
        set_user(engine, "finance", GOOD, "body", by="admin")
    with pytest.raises(AccountError, match="нет исполнительного органа"):
        set_user(engine, "finance", GOOD, "body", by="admin", body="Департамент, которого нет")
    _add_body(engine)
    set_user(engine, "finance", GOOD, "body", by="admin", body="  департамент финансов томской области ")
    assert users.account(engine, "finance").body == BODY  # the registry's own spelling
    with pytest.raises(AccountError, match="только для роли"):
        set_role(engine, "finance", "viewer", by="admin", body=BODY)
    set_role(engine, "finance", "viewer", by="admin")
    assert users.account(engine, "finance").body is None


# --- sessions: a login that survives a reload, ended on the server ---

def test_session_reads_the_current_role_at_every_request(engine):
    set_user(engine, "analyst", GOOD, "analyst", by="admin")
    token = sessions.create_session(engine, "analyst", "password", "10.0.0.1")
    found = sessions.identity(engine, token)
    assert isinstance(found, sessions.Identity) and found.role == "analyst"
    set_role(engine, "analyst", "viewer", by="admin")
    assert sessions.identity(engine, token).role == "viewer"  # demoted at the next request, still signed in
    with engine.connect() as conn:
        stored = conn.execute(select(schema.sessions.c.id)).scalar_one()
    assert token.split(".")[0] not in stored and len(stored) == 64  # only a hash of the secret is kept


@pytest.mark.parametrize("end", ["password", "disabled", "logout"])
def test_session_ends_on_the_server(engine, end):
    set_user(engine, "analyst", GOOD, "analyst", by="admin")
    token = sessions.create_session(engine, "analyst")
    other = sessions.create_session(engine, "analyst")
    if end == "password":
        set_password(engine, "analyst", "новый-пароль-2026", by="admin")
    elif end == "disabled":
        set_disabled(engine, "analyst", True, by="admin")
    else:
        sessions.logout(engine, token, "analyst")
        assert _audit(engine, "logout")[-1].user == "analyst"
    assert sessions.identity(engine, token) == sessions.Ended(end)
    assert isinstance(sessions.identity(engine, other), sessions.Identity) == (end == "logout")


def test_forged_or_damaged_token_is_nobody(engine):
    set_user(engine, "analyst", GOOD, "analyst", by="admin")
    token = sessions.create_session(engine, "analyst")
    secret, signature = token.split(".")
    assert sessions.identity(engine, f"{secret}.{'0' * len(signature)}") is None
    changed = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert sessions.identity(engine, f"{changed}.{signature}") is None
    assert sessions.identity(engine, "") is None and sessions.identity(engine, None) is None


def test_idle_timeout_and_absolute_expiry(engine):
    set_user(engine, "analyst", GOOD, "analyst", by="admin")
    start = utcnow()
    token = sessions.create_session(engine, "analyst", now=start)
    step = timedelta(minutes=sessions.IDLE_MINUTES - 1)
    moment = start
    while moment + step < start + timedelta(hours=sessions.SESSION_HOURS):  # active: a click every 29 minutes
        moment += step
        assert isinstance(sessions.identity(engine, token, now=moment), sessions.Identity)
    assert sessions.identity(engine, token, now=start + timedelta(hours=sessions.SESSION_HOURS, minutes=1)) == \
        sessions.Ended("expired")
    idle = sessions.create_session(engine, "analyst", now=start)
    assert sessions.identity(engine, idle, now=start + timedelta(minutes=sessions.IDLE_MINUTES + 1)) == \
        sessions.Ended("idle")
    assert sessions.Ended("idle").message.startswith(f"Сеанс завершён: не было действий {sessions.IDLE_MINUTES:g} мин.")


# --- the command line ---

def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOSPABLIKI_DATABASE_URL": url, "GOSPABLIKI_USER": "admin-cli"}
    return subprocess.run([str(ROOT / ".venv/bin/python"), "cli.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_user_commands(sqlite_url):
    from storage.db import make_engine
    engine = make_engine(sqlite_url)
    _add_body(engine)
    assert _cli(sqlite_url, "user-add", "finance", "--role", "body", "--body", BODY, "--password", GOOD).returncode == 0
    assert users.account(engine, "finance").body == BODY
    weak = _cli(sqlite_url, "user-add", "weak", "--password", "1234567890")
    assert weak.returncode != 0 and "одних цифр" in weak.stderr
    token = sessions.create_session(engine, "finance")
    assert _cli(sqlite_url, "user-role", "finance", "--role", "analyst").returncode == 0
    assert sessions.identity(engine, token).role == "analyst"
    assert _cli(sqlite_url, "user-password", "finance", "--password", "другой-пароль-1").returncode == 0
    assert sessions.identity(engine, token) == sessions.Ended("password")
    assert authenticate(engine, "finance", "другой-пароль-1") == "analyst"
    assert _cli(sqlite_url, "user-disable", "finance").returncode == 0
    with pytest.raises(LoginRefused):
        authenticate(engine, "finance", "другой-пароль-1")
    listing = _cli(sqlite_url, "user-list").stdout
    assert "finance" in listing and "отключён" in listing
    assert _cli(sqlite_url, "user-disable", "finance", "--enable").returncode == 0
    assert _cli(sqlite_url, "user-add", "ivanova@tomsk.gov.ru", "--oidc", "--role", "viewer").returncode == 0
    assert authenticate(engine, "ivanova@tomsk.gov.ru", users.OIDC_ONLY) is None  # no password login for OIDC
    assert [r.user for r in _audit(engine, "user_role")] == ["admin-cli"]
    engine.dispose()


# --- safe by default ---

@pytest.mark.parametrize("auth, address", [("", "127.0.0.1"), ("0", "127.0.0.1"), ("1", "0.0.0.0"),
                                           ("yes", "0.0.0.0")])
def test_make_run_listens_on_localhost_without_auth(auth, address):
    env = {**os.environ, "GOSPABLIKI_AUTH": auth}
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60).stdout
    assert f"--server.address {address}" in plan
    assert "cli.py migrate" in plan or "cli.py init-db" in plan


def test_logins_leave_the_data_version_alone(engine):
    """The app's caches are keyed on the data version: signing in and out, user changes do not empty them."""
    from storage.audit import write_audit
    from storage.db import data_version
    before = data_version(engine)
    set_user(engine, "analyst", GOOD, "analyst", by="admin")
    authenticate(engine, "analyst", GOOD)
    sessions.logout(engine, sessions.create_session(engine, "analyst"), "analyst")
    set_role(engine, "analyst", "viewer", by="admin")
    assert data_version(engine) == before
    with engine.begin() as conn:
        write_audit(conn, "analyst", "edit", "page:1", {})
    assert data_version(engine) != before
