"""Users and roles (viewer < analyst < admin). Passwords are stored only as salted PBKDF2-SHA256 hashes."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Engine, insert, select, update

from core import limits
from storage import schema
from storage.audit import write_audit
from storage.db import utcnow

ROLES = ("viewer", "analyst", "admin")
ROLE_LABELS = {"viewer": "просмотр", "analyst": "аналитик ЦУР", "admin": "администратор"}
ITERATIONS = 390_000


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), ITERATIONS).hex()
    return f"pbkdf2_sha256${ITERATIONS}${salt}${digest}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)


class UsernameError(ValueError):
    """A user name no account can have (too long, control characters); the message is Russian."""


def check_username(username: str) -> None:
    """A user name fits its column and has no control characters (core.limits), on SQLite as on PostgreSQL."""
    if not username:
        raise UsernameError("укажите имя пользователя")
    if len(username) > limits.USERNAME:
        raise UsernameError(f"имя пользователя длиннее {limits.USERNAME} символов ({len(username)}): такой учётной "
                            "записи быть не может")
    if limits.CONTROL_IN_NAME.search(username):
        raise UsernameError("в имени пользователя есть управляющие символы: такой учётной записи быть не может")


def set_user(engine: Engine, username: str, password: str, role: str, by: str) -> None:
    check_username(username)
    if "\x00" in password:
        raise ValueError("в пароле не может быть нулевого байта")
    if role not in ROLES:
        raise ValueError(f"неизвестная роль «{role}»; допустимо: {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("пароль должен быть не короче 8 символов")
    with engine.begin() as conn:
        exists = conn.execute(select(schema.users.c.username).where(schema.users.c.username == username)).first()
        values = {"password_hash": hash_password(password), "role": role}
        if exists:
            conn.execute(update(schema.users).where(schema.users.c.username == username).values(**values))
        else:
            conn.execute(insert(schema.users).values(username=username, created_at=utcnow(), **values))
        write_audit(conn, by, "user", username, {"role": role})


def authenticate(engine: Engine, username: str, password: str) -> str | None:
    """The user's role, or None. Every attempt is audited; a name no account can have (too long, control
    characters) is refused with UsernameError before it reaches the users table — recorded in the log cut to its
    column, with its real length."""
    try:
        check_username(username)
    except UsernameError:
        with engine.begin() as conn:
            write_audit(conn, username or "?", "login", None, {"success": False, "refused": "username",
                                                               "username_length": len(username or "")})
        raise
    with engine.begin() as conn:
        row = conn.execute(select(schema.users).where(schema.users.c.username == username)).first()
        ok = row is not None and verify_password(password, row.password_hash)
        write_audit(conn, username or "?", "login", None, {"success": ok})
    return row.role if ok else None


def has_role(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)
