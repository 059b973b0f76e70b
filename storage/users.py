"""Users and roles (body < viewer < analyst < admin). Passwords are stored only as argon2id hashes (argon2-cffi,
its RFC 9106 low-memory profile); a PBKDF2-SHA256 hash of an older version is verified once more and replaced by
argon2id at that login. A login is refused for a while after repeated failures of a user or from an address
(storage.lockout), takes the same time for an unknown user (a dummy hash is verified), and is audited; a password
follows a minimum policy. Disabling a user or changing the password ends the user's sessions (storage.sessions);
a role is read from this table at every request, so a demotion counts at the next click."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, func, insert, select, update

from core import limits
from storage import lockout, schema
from storage.audit import write_audit
from storage.db import utcnow

ROLES = ("body", "viewer", "analyst", "admin")  # each sees and does what the ones before it do (body: own data)
ROLE_LABELS = {"body": "исполнительный орган", "viewer": "просмотр", "analyst": "аналитик ЦУР",
               "admin": "администратор"}
PASSWORD_MIN_LENGTH = 10
OIDC_ONLY = "!oidc"  # the password hash of an account that signs in through the identity provider only
_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (RFC 9106 second recommended option)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify_pbkdf2(password: str, stored: str) -> bool:
    """A hash written by an older version: pbkdf2_sha256$iterations$salt$digest."""
    try:
        _, iterations, salt, digest = stored.split("$")
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    except (ValueError, OverflowError):
        return False
    return hmac.compare_digest(candidate, digest)


def verify_password(password: str, stored: str) -> tuple[bool, bool]:
    """(the password matches, the hash should be replaced): an old PBKDF2 hash or argon2 parameters below the
    current ones are replaced at a successful login."""
    if stored.startswith("pbkdf2_sha256$"):
        return _verify_pbkdf2(password, stored), True
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, _hasher.check_needs_rehash(stored)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(24))


class PasswordPolicyError(ValueError):
    """A password below the minimum policy; the message is Russian."""


def check_password(username: str, password: str) -> None:
    """The minimum policy: at least 10 characters, not only digits, not the user name (nor the name with a few
    characters around it), no NUL byte."""
    if "\x00" in password:
        raise PasswordPolicyError("в пароле не может быть нулевого байта")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordPolicyError(f"пароль должен быть не короче {PASSWORD_MIN_LENGTH} символов")
    if password.isdigit():
        raise PasswordPolicyError("пароль не может состоять из одних цифр")
    name, word = username.casefold().strip(), password.casefold()
    if name and (word == name or (len(name) >= 4 and name in word and len(word) - len(name) < 4)):
        raise PasswordPolicyError("пароль не может совпадать с именем пользователя")


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


class AccountError(ValueError):
    """A user, a role or a body binding that cannot be set; the message is Russian."""


def executive_body(conn: Connection, body: str | None) -> str:
    """The registry's name of the executive body `body` names (case and spaces as the registry compares names)."""
    from loaders.values import name_key
    if not body or not body.strip():
        raise AccountError("для роли «исполнительный орган» укажите орган: --body \"НАИМЕНОВАНИЕ ОРГАНА\"")
    found = conn.execute(select(schema.owners.c.name).where(
        schema.owners.c.name_key == name_key(body), schema.owners.c.kind == "executive_body")).scalar()
    if found is None:
        raise AccountError(f"в реестре нет исполнительного органа «{limits.fit(body.strip(), 120)}»")
    return found


def _role_values(conn: Connection, role: str, body: str | None) -> dict:
    if role not in ROLES:
        raise AccountError(f"неизвестная роль «{role}»; допустимо: {', '.join(ROLES)}")
    if role == "body":
        return {"role": role, "body": executive_body(conn, body)}
    if body:
        raise AccountError("орган указывают только для роли «исполнительный орган» (body)")
    return {"role": role, "body": None}


def set_user(engine: Engine, username: str, password: str | None, role: str, by: str, body: str | None = None,
             oidc: bool = False) -> None:
    """Create a user, or set an existing user's password, role and body (user-add). `oidc`: an account that signs
    in through the identity provider only (its user name is the provider's e-mail), without a password."""
    check_username(username)
    if not oidc:
        check_password(username, password or "")
    with engine.begin() as conn:
        values = _role_values(conn, role, body)
        values["password_hash"] = OIDC_ONLY if oidc else hash_password(password)
        values["password_changed_at"] = utcnow()
        exists = conn.execute(select(schema.users.c.username).where(schema.users.c.username == username)).first()
        if exists:
            conn.execute(update(schema.users).where(schema.users.c.username == username).values(**values))
            from storage.sessions import revoke_user_sessions
            revoke_user_sessions(conn, username, "password")
        else:
            conn.execute(insert(schema.users).values(username=username, created_at=utcnow(), **values))
        write_audit(conn, by, "user", username, {"role": role, "body": values["body"], "oidc": oidc,
                                                 "created": not exists})


def _existing(conn: Connection, username: str):
    row = conn.execute(select(schema.users).where(schema.users.c.username == username)).first()
    if row is None:
        raise AccountError(f"пользователя «{limits.fit(username, 120)}» нет")
    return row


def set_role(engine: Engine, username: str, role: str, by: str, body: str | None = None) -> None:
    """A new role (and body binding): it counts at the user's next request, without a new login."""
    with engine.begin() as conn:
        before = _existing(conn, username)
        values = _role_values(conn, role, body)
        conn.execute(update(schema.users).where(schema.users.c.username == username).values(**values))
        write_audit(conn, by, "user_role", username, {"role": role, "body": values["body"], "was": before.role,
                                                      "was_body": before.body})


def set_password(engine: Engine, username: str, password: str, by: str) -> None:
    """A new password: the user's sessions end (every device signs in again)."""
    check_password(username, password)
    with engine.begin() as conn:
        _existing(conn, username)
        conn.execute(update(schema.users).where(schema.users.c.username == username).values(
            password_hash=hash_password(password), password_changed_at=utcnow()))
        from storage.sessions import revoke_user_sessions
        ended = revoke_user_sessions(conn, username, "password")
        write_audit(conn, by, "user_password", username, {"sessions_ended": ended})


def set_disabled(engine: Engine, username: str, disabled: bool, by: str) -> None:
    """Disable a user (no login; every session ends at its next request) or enable again."""
    with engine.begin() as conn:
        _existing(conn, username)
        conn.execute(update(schema.users).where(schema.users.c.username == username).values(
            disabled_at=utcnow() if disabled else None))
        ended = 0
        if disabled:
            from storage.sessions import revoke_user_sessions
            ended = revoke_user_sessions(conn, username, "disabled")
        write_audit(conn, by, "user_disable" if disabled else "user_enable", username, {"sessions_ended": ended})


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    body: str | None
    disabled: bool
    created_at: object
    password_changed_at: object
    oidc_only: bool


def account(conn_or_engine, username: str) -> Account | None:
    """The user's row as the app checks it at every request (one primary-key read)."""
    u = schema.users.c
    query = select(u.username, u.role, u.body, u.disabled_at, u.created_at, u.password_changed_at,
                   u.password_hash == OIDC_ONLY).where(u.username == username)
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            row = conn.execute(query).first()
    else:
        row = conn_or_engine.execute(query).first()
    return None if row is None else Account(row[0], row[1], row[2], row[3] is not None, row[4], row[5], bool(row[6]))


def accounts(engine: Engine) -> list[Account]:
    """Every user, by name (the «Администрирование» screen, `cli.py user-list`)."""
    u = schema.users.c
    with engine.connect() as conn:
        rows = conn.execute(select(u.username, u.role, u.body, u.disabled_at, u.created_at, u.password_changed_at,
                                   u.password_hash == OIDC_ONLY).order_by(u.username)).all()
    return [Account(r[0], r[1], r[2], r[3] is not None, r[4], r[5], bool(r[6])) for r in rows]


def admins_left(conn: Connection, without: str) -> int:
    u = schema.users.c
    return conn.execute(select(func.count()).select_from(schema.users).where(
        u.role == "admin", u.disabled_at.is_(None), u.username != without)).scalar_one()


class LoginRefused(ValueError):
    """A login refused before the password is looked at (lockout) or after it (a disabled account); the message
    is Russian and says when to try again."""


def authenticate(engine: Engine, username: str, password: str, address: str | None = None) -> str | None:
    """The user's role, or None for a wrong name or password. Every attempt is audited; a name no account can have
    (too long, control characters) is refused with UsernameError before it reaches the users table — recorded in
    the log cut to its column, with its real length. After repeated failures of the user or from the address the
    attempt is refused with LoginRefused («слишком много попыток…») without checking the password. An unknown
    user costs the same hash verification as a known one. A correct password on an old PBKDF2 hash is rehashed
    with argon2id."""
    try:
        check_username(username)
    except UsernameError:
        with engine.begin() as conn:
            write_audit(conn, username or "?", "login", None, {"success": False, "refused": "username",
                                                               "username_length": len(username or "")})
        raise
    now = utcnow()
    with engine.connect() as conn:
        wait = lockout.wait_minutes(conn, username, address, now)
        row = conn.execute(select(schema.users.c.password_hash, schema.users.c.role, schema.users.c.disabled_at)
                           .where(schema.users.c.username == username)).first()
    if wait:
        with engine.begin() as conn:
            write_audit(conn, username, "login", None, {"success": False, "refused": "lockout", "address": address,
                                                        "wait_minutes": wait})
        raise LoginRefused(f"Слишком много попыток входа, повторите через {wait} мин.")
    usable = row is not None and row.password_hash != OIDC_ONLY
    ok, rehash = verify_password(password, row.password_hash if usable else _dummy_hash())
    ok = ok and usable
    disabled = ok and row.disabled_at is not None
    with engine.begin() as conn:
        lockout.record(conn, username, address, ok and not disabled, now)
        if ok and rehash and not disabled:
            conn.execute(update(schema.users).where(schema.users.c.username == username).values(
                password_hash=hash_password(password)))
        write_audit(conn, username, "login", None, {"success": ok and not disabled, "address": address,
                                                    **({"refused": "disabled"} if disabled else {}),
                                                    **({"rehashed": True} if ok and rehash else {})})
    if disabled:
        raise LoginRefused("Учётная запись отключена. Обратитесь к администратору.")
    return row.role if ok else None


def has_role(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)
