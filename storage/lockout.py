"""Lockout with backoff (issue 18): after repeated failed logins of one user, or from one address, further attempts
are refused for a while without checking the password.

- per user: after USER_FREE_FAILURES failures in a row (since the user's last successful login, within a day) the
  user waits 1 minute after the last failure, and twice as long for every further failure, up to MAX_WAIT;
- per address: ADDRESS_FREE_FAILURES failures from one address within ADDRESS_WINDOW (any user names: guessing
  across accounts) close the address until enough of them leave the window.

A refused attempt is audited but not counted, so waiting the stated time always helps. Unknown user names count
like known ones (the answer must not tell them apart). The durations can be set by the environment
(GOSPABLIKI_LOGIN_FREE_FAILURES, GOSPABLIKI_LOGIN_MAX_WAIT_MINUTES).
"""
from __future__ import annotations

import math
import os
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, insert, select

from core import limits
from storage import schema

USER_FREE_FAILURES = int(os.environ.get("GOSPABLIKI_LOGIN_FREE_FAILURES", "5"))
MAX_WAIT = timedelta(minutes=int(os.environ.get("GOSPABLIKI_LOGIN_MAX_WAIT_MINUTES", "60")))
USER_LOOKBACK = timedelta(days=1)
ADDRESS_FREE_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=15)


def _aware(moment: datetime) -> datetime:
    from datetime import timezone
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite returns naive UTC


def user_wait(conn: Connection, username: str, now: datetime) -> timedelta:
    """How long the user must still wait (zero: may try)."""
    a = schema.login_attempts.c
    rows = conn.execute(select(a.at, a.success).where(a.username == username, a.at > now - USER_LOOKBACK)
                        .order_by(a.at.desc(), a.id.desc()).limit(USER_FREE_FAILURES + 16)).all()
    failures = 0
    for _, success in rows:
        if success:
            break
        failures += 1
    if failures < USER_FREE_FAILURES:
        return timedelta(0)
    wait = min(timedelta(minutes=2 ** (failures - USER_FREE_FAILURES)), MAX_WAIT)
    return max(timedelta(0), _aware(rows[0][0]) + wait - now)


def address_wait(conn: Connection, address: str | None, now: datetime) -> timedelta:
    if not address:
        return timedelta(0)
    a = schema.login_attempts.c
    failures = [_aware(at) for (at,) in conn.execute(select(a.at).where(
        and_(a.address == address, a.success.is_(False), a.at > now - ADDRESS_WINDOW))
        .order_by(a.at.desc()).limit(ADDRESS_FREE_FAILURES)).all()]
    if len(failures) < ADDRESS_FREE_FAILURES:
        return timedelta(0)
    return max(timedelta(0), failures[-1] + ADDRESS_WINDOW - now)  # until the oldest of them leaves the window


def wait_minutes(conn: Connection, username: str, address: str | None, now: datetime) -> int:
    """Whole minutes to wait before the next attempt (0: may try now)."""
    wait = max(user_wait(conn, username, now), address_wait(conn, address, now))
    return math.ceil(wait.total_seconds() / 60) if wait > timedelta(0) else 0


def record(conn: Connection, username: str, address: str | None, success: bool, now: datetime) -> None:
    conn.execute(insert(schema.login_attempts).values(at=now, username=limits.fit(username, limits.USERNAME),
                                                      address=limits.fit(address, limits.ADDRESS), success=success))
