"""Audit log and batch records: who did what and when (product.md, Reliability and security)."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import Connection, insert, select

from core import limits
from storage import schema
from storage.db import utcnow


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def write_audit(conn: Connection, user: str, action: str, obj: str | None = None, details: dict | None = None) -> None:
    """One line of the audit log; who and what are cut to their columns (core.limits), never refused: an attempt
    with an impossible user name is recorded too."""
    conn.execute(insert(schema.audit_log).values(at=utcnow(), user=limits.fit(user, limits.USERNAME) or "?",
                                                 action=action, object=limits.fit(obj, limits.AUDIT_OBJECT),
                                                 details=details or {}))


def create_batch(conn: Connection, *, kind: str, fmt: str, filename: str, content: bytes | None, user: str,
                 as_of: date, digest: str | None = None, size: int | None = None) -> int:
    """A new active batch; `digest` and `size`: the content's SHA-256 and length when the caller has them
    instead of the content."""
    result = conn.execute(insert(schema.batches).values(
        kind=kind, format=fmt, filename=limits.fit(filename, limits.FILENAME), sha256=digest or sha256_of(content),
        size_bytes=len(content) if size is None else size, uploaded_by=limits.fit(user, limits.USERNAME),
        uploaded_at=utcnow(), as_of=as_of, status="active", report={}))
    return int(result.inserted_primary_key[0])


def find_active_batch(conn: Connection, sha256: str, kind: str) -> int | None:
    row = conn.execute(select(schema.batches.c.id).where(
        schema.batches.c.sha256 == sha256, schema.batches.c.kind == kind,
        schema.batches.c.status == "active").order_by(schema.batches.c.id.desc())).first()
    return None if row is None else int(row[0])
