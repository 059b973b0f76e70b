"""Logins that survive a reload (issue 18): a signed, expiring session token for local accounts, revoked on the
server.

The token is `<secret>.<signature>`: 32 random bytes and their HMAC-SHA256 under the deployment's key
(GOSPABLIKI_SECRET_KEY, else a key file generated once under data/). The browser keeps it in a cookie; the
database keeps only the SHA-256 of the secret part (a leaked table gives no usable token) with the user, the
moments of creation, last use and expiry, and the revocation. Every request of the app checks the token with one
read that joins the user's row (`identity`): a revoked, expired or idle session, a disabled user or a session older
than the user's last password change gives None, and the role and the body binding are the user's current ones —
a demotion counts at the next click.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, Engine, insert, select, update

from core import limits
from core.config import DATA_DIR
from storage import schema
from storage.audit import write_audit
from storage.db import utcnow

COOKIE = "gospabliki_session"
SESSION_HOURS = float(os.environ.get("GOSPABLIKI_SESSION_HOURS", "12"))  # absolute lifetime of a login
IDLE_MINUTES = float(os.environ.get("GOSPABLIKI_IDLE_MINUTES", "30"))  # idle timeout
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute (a click costs one read)
KEY_FILE = DATA_DIR / "session.key"


def _key() -> bytes:
    """The signing key: GOSPABLIKI_SECRET_KEY (several app hosts share it), else a random key kept in
    data/session.key (created once, readable by the owner only)."""
    configured = os.environ.get("GOSPABLIKI_SECRET_KEY", "").strip()
    if configured:
        return configured.encode()
    if not KEY_FILE.exists():
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return KEY_FILE.read_text().strip().encode()


def _signature(secret: str) -> str:
    return hmac.new(_key(), secret.encode(), hashlib.sha256).hexdigest()


def _session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _secret_of(token: str | None) -> str | None:
    """The token's secret part if its signature is right (a forged or damaged token costs no database read)."""
    if not token or len(token) > 200 or token.count(".") != 1:
        return None
    secret, signature = token.split(".")
    return secret if hmac.compare_digest(signature, _signature(secret)) else None


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def create_session(engine: Engine, username: str, method: str = "password", address: str | None = None,
                   now: datetime | None = None) -> str:
    """A new session for a user who has just signed in; returns the token for the browser."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(schema.sessions).values(
            id=_session_id(secret), username=username, method=method, created_at=now, last_seen_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS), address=limits.fit(address, limits.ADDRESS)))
    return f"{secret}.{_signature(secret)}"


@dataclass(frozen=True)
class Identity:
    """Who a request acts as, read at that request: the user's current role and body binding."""
    username: str
    role: str
    body: str | None
    method: str
    session_id: str | None = None


@dataclass(frozen=True)
class Ended:
    """Why a token no longer signs in (shown on the login form in Russian)."""
    reason: str

    @property
    def message(self) -> str:
        return {"idle": f"Сеанс завершён: не было действий {IDLE_MINUTES:g} мин. Войдите снова.",
                "expired": f"Сеанс завершён: вход действует {SESSION_HOURS:g} ч. Войдите снова.",
                "password": "Пароль изменён: войдите снова.",
                "disabled": "Учётная запись отключена. Обратитесь к администратору.",
                "logout": "Вы вышли из приложения.",
                "oidc_no_role": "Для этой учётной записи в приложении нет роли: обратитесь к администратору ЦУР.",
                "oidc_unverified": "Поставщик удостоверений не подтвердил адрес электронной почты: вход невозможен."
                }.get(self.reason, "Сеанс завершён. Войдите снова.")


def identity(engine: Engine, token: str | None, now: datetime | None = None) -> Identity | Ended | None:
    """The identity behind a token, checked on the server at this request: None for no or a forged token, Ended
    for a session that is over (and is closed now if it was not)."""
    secret = _secret_of(token)
    if secret is None:
        return None
    now = now or utcnow()
    s, u = schema.sessions.c, schema.users.c
    sid = _session_id(secret)
    with engine.connect() as conn:
        row = conn.execute(select(s.username, s.method, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at,
                                  s.revoked_reason, u.role, u.body, u.disabled_at, u.password_changed_at)
                           .join(schema.users, u.username == s.username, isouter=True).where(s.id == sid)).first()
    if row is None:
        return None
    if row.revoked_at is not None:
        return Ended(row.revoked_reason or "logout")
    reason = None
    if row.role is None or row.disabled_at is not None:
        reason = "disabled"
    elif row.password_changed_at is not None and _aware(row.password_changed_at) > _aware(row.created_at):
        reason = "password"
    elif now >= _aware(row.expires_at):
        reason = "expired"
    elif now - _aware(row.last_seen_at) > timedelta(minutes=IDLE_MINUTES):
        reason = "idle"
    if reason:
        with engine.begin() as conn:
            _revoke(conn, [sid], reason, now)
            if reason in ("idle", "expired"):
                write_audit(conn, row.username, "session_end", None, {"reason": reason})
        return Ended(reason)
    if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(update(schema.sessions).where(s.id == sid).values(last_seen_at=now))
    return Identity(row.username, row.role, row.body, row.method, sid)


def _revoke(conn: Connection, ids: list[str], reason: str, now: datetime) -> int:
    s = schema.sessions.c
    result = conn.execute(update(schema.sessions).where(s.id.in_(ids), s.revoked_at.is_(None)).values(
        revoked_at=now, revoked_reason=reason))
    return result.rowcount or 0


def logout(engine: Engine, token: str | None, user: str) -> None:
    """End the session of this token (the «Выйти» button); audited."""
    secret = _secret_of(token)
    with engine.begin() as conn:
        if secret is not None:
            _revoke(conn, [_session_id(secret)], "logout", utcnow())
        write_audit(conn, user, "logout", None, {})


def revoke_user_sessions(conn: Connection, username: str, reason: str) -> int:
    """End every open session of the user (password changed, user disabled); the number ended."""
    s = schema.sessions.c
    result = conn.execute(update(schema.sessions).where(s.username == username, s.revoked_at.is_(None)).values(
        revoked_at=utcnow(), revoked_reason=reason))
    return result.rowcount or 0


def open_sessions(engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """Open sessions per user (the «Администрирование» screen)."""
    from sqlalchemy import func
    now = now or utcnow()
    s = schema.sessions.c
    with engine.connect() as conn:
        rows = conn.execute(select(s.username, func.count()).where(s.revoked_at.is_(None), s.expires_at > now)
                            .group_by(s.username)).all()
    return {name: count for name, count in rows}
