"""Engine from one URL; the schema is created on first use."""
from __future__ import annotations

import functools
from datetime import datetime, timezone

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url

from core.config import DATA_DIR, database_url
from storage import schema


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            DATA_DIR.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    schema.metadata.create_all(engine)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (the app and the CLI share it)."""
    return _engine_for(url or database_url())


@functools.lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.owners)).scalar_one() == 0


def data_version(engine: Engine) -> tuple:
    """Changes with every batch, revert, registry edit and approval: the app's cache key."""
    with engine.connect() as conn:
        last_batch = conn.execute(select(func.max(schema.batches.c.id), func.count(schema.batches.c.reverted_at))).one()
        last_audit = conn.execute(select(func.max(schema.audit_log.c.id))).scalar_one()
    return (engine.url.render_as_string(hide_password=True), *last_batch, last_audit)
