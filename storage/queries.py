"""Reading the database into Polars frames (the only place SQL results become frames)."""
from __future__ import annotations

import polars as pl
from sqlalchemy import ColumnElement, Engine, case, func, literal, select

from core import schemas
from storage import schema
from storage.db import ReadSnapshot, read_frame

# the frames scoring reads: the `scoring` stage of the declarations in core.schemas
OWNER_SCHEMA = schemas.OWNER.schema(schemas.SCORING)
PAGE_SCHEMA = schemas.PAGE.schema(schemas.SCORING)
COVERAGE_SCHEMA = schemas.COVERAGE.schema(schemas.SCORING)
SNAPSHOT_SCHEMA = schemas.SNAPSHOT.schema(schemas.SCORING)


def _frame(engine: Engine | ReadSnapshot, query, schema_overrides: dict) -> pl.DataFrame:
    if isinstance(engine, ReadSnapshot) and engine.dialect.name == "postgresql":
        # a quarter read at one moment (rating_store.read_quarter): columnar, on the snapshot's ADBC connection — the
        # registry, snapshots and coverage of a national quarter are ≈ 830,000 rows, a Python tuple each cost more
        # than the posts' sums
        return read_frame(engine, query, schema_overrides)
    with engine.connect() as conn:
        result = conn.execute(query)
        rows = [tuple(r) for r in result]
    return pl.DataFrame(rows, schema=schema_overrides, orient="row")


def owners_frame(engine: Engine) -> pl.DataFrame:
    o, parent = schema.owners, schema.owners.alias("parent")
    query = (select(o.c.id, o.c.name, o.c.kind, o.c.parent_id, parent.c.name, o.c.ogrn, o.c.responsible,
                    o.c.exemption).select_from(o.outerjoin(parent, parent.c.id == o.c.parent_id)).order_by(o.c.id))
    return _frame(engine, query, OWNER_SCHEMA)


def pages_frame(engine: Engine) -> pl.DataFrame:
    p = schema.pages
    query = select(p.c.id, p.c.owner_id, p.c.platform, p.c.page_key, p.c.platform_id, p.c.url, p.c.title,
                   p.c.registered_on, p.c.responsible, p.c.closed_on).where(p.c.owner_id.is_not(None)).order_by(p.c.id)
    return _frame(engine, query, PAGE_SCHEMA)


def unregistered_pages(engine: Engine) -> list[dict]:
    """Pages seen in exports but not in the registry, with suggestions, for the analyst to link."""
    from storage.activity_store import unregistered
    with engine.connect() as conn:
        ids = {r[0] for r in conn.execute(select(schema.pages.c.id).where(schema.pages.c.owner_id.is_(None)))}
        return unregistered(conn, ids)


def coverage_frame(engine: Engine, active: tuple[int, ...] | None = None) -> pl.DataFrame:
    """Which local days of which pages the active batches cover, for posts and for comments. `active`: the active
    batches' ids as the caller's snapshot sees them (activity_store.of_active)."""
    from storage.activity_store import of_active
    c = schema.batch_coverage
    query = of_active(select(c.c.page_id, c.c.data_kind, c.c.date_from, c.c.date_to, c.c.batch_id), c, active,
                      engine.dialect.name).order_by(c.c.page_id, c.c.date_from)
    return _frame(engine, query, COVERAGE_SCHEMA)


def snapshots_frame(engine: Engine, ordered: bool = True, active: tuple[int, ...] | None = None) -> pl.DataFrame:
    """Every checklist snapshot of active batches (dated; scoring picks the one in force), by page, date and batch
    unless not `ordered`: a quarter's reading (rating_store.read_quarter) leaves the order to scoring, which sorts
    the snapshots itself (scoring.snapshots; page and batch are unique, so the order read changes nothing) — the
    server's sort of a national quarter's 350,000 snapshots. `active`: the active batches' ids as the caller's
    snapshot sees them (activity_store.of_active). On PostgreSQL the yes/no items come packed in one number
    (`packed_flags`): the driver's cost is per value, and nine of the eighteen are these flags."""
    from storage.activity_store import of_active
    s = schema.page_snapshots
    packed = engine.dialect.name == "postgresql"
    flags = [name for name in SNAPSHOT_SCHEMA if SNAPSHOT_SCHEMA[name] == pl.Boolean] if packed else []
    cols = [getattr(s.c, name) for name in SNAPSHOT_SCHEMA if name not in flags]
    read = {name: dtype for name, dtype in SNAPSHOT_SCHEMA.items() if name not in flags}
    if flags:
        cols.append(packed_flags([s.c[name] for name in flags]).label(FLAGS))
        read[FLAGS] = pl.Int32
    query = of_active(select(*cols), s, active, engine.dialect.name)
    if ordered:
        query = query.order_by(s.c.page_id, s.c.as_of, s.c.batch_id)
    frame = _frame(engine, query, read)
    return unpacked_flags(frame, flags).select(list(SNAPSHOT_SCHEMA)) if flags else frame


FLAGS = "__flags"


def packed_flags(columns: list) -> ColumnElement:
    """Nullable yes/no columns as one number, two bits each (1 no, 2 yes, 0 unknown): at most 15 in an int4."""
    assert len(columns) <= 15
    return sum((case((c.is_(True), 2 << (2 * i)), (c.is_(False), 1 << (2 * i)), else_=0)
                for i, c in enumerate(columns)), start=literal(0))


def unpacked_flags(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The yes/no columns `names` back from the number packed_flags made (`FLAGS`, then dropped)."""
    codes = [(pl.col(FLAGS) // (1 << (2 * i))) % 4 for i in range(len(names))]
    return frame.with_columns(pl.when(code == 2).then(True).when(code == 1).then(False).otherwise(None)
                              .cast(pl.Boolean).alias(name) for name, code in zip(names, codes)).drop(FLAGS)


def batches_frame(engine: Engine) -> pl.DataFrame:
    b = schema.batches
    query = select(b.c.id, b.c.kind, b.c.format, b.c.filename, b.c.uploaded_by, b.c.uploaded_at, b.c.as_of,
                   b.c.status, b.c.reverted_at, b.c.period_from, b.c.period_to).order_by(b.c.id.desc())
    return _frame(engine, query, {"batch_id": pl.Int64, "kind": pl.String, "format": pl.String,
                                  "filename": pl.String, "uploaded_by": pl.String,
                                  "uploaded_at": pl.Datetime("us", "UTC"), "as_of": pl.Date, "status": pl.String,
                                  "reverted_at": pl.Datetime("us", "UTC"),
                                  "period_from": pl.Datetime("us", "UTC"), "period_to": pl.Datetime("us", "UTC")})


def stats(engine: Engine) -> dict:
    """Counts for `cli.py stats --json`: owners, pages per platform, current posts, batches."""
    p, b, posts = schema.pages, schema.batches, schema.posts
    with engine.connect() as conn:
        owners = conn.execute(select(func.count()).select_from(schema.owners)).scalar_one()
        per_platform = dict(conn.execute(select(p.c.platform, func.count()).where(p.c.owner_id.is_not(None))
                                         .group_by(p.c.platform)).all())
        active = select(b.c.id).where(b.c.status == "active")
        current_posts = (select(posts.c.page_id, posts.c.post_id).where(posts.c.batch_id.in_(active))
                         .distinct().subquery())
        unregistered = conn.execute(select(func.count()).select_from(p).where(p.c.owner_id.is_(None))).scalar_one()
        post_count = conn.execute(select(func.count()).select_from(current_posts)).scalar_one()
        batches = conn.execute(select(func.count()).select_from(b)).scalar_one()
    return {"owners": owners, "pages": {k: int(per_platform.get(k, 0)) for k in ("vk", "ok", "telegram")},
            "posts": int(post_count), "batches": int(batches), "unregistered_pages": int(unregistered)}


AUDIT_SCHEMA = {"id": pl.Int64, "at": pl.Datetime("us"), "user": pl.String, "action": pl.String,
                "object": pl.String, "details": pl.String}  # `at`: UTC (SQLite gives it naive)


def audit_frame(engine: Engine, since=None, until=None, users: list[str] | None = None,
                actions: list[str] | None = None, limit: int = 50_000) -> pl.DataFrame:
    """The audit log, newest first, filtered by moment (UTC, `since` inclusive, `until` exclusive), users and
    actions; `details` as text (JSON) for tables and export."""
    import json
    from datetime import timezone
    a = schema.audit_log.c
    query = select(a.id, a.at, a.user, a.action, a.object, a.details).order_by(a.id.desc()).limit(limit)
    if since is not None:
        query = query.where(a.at >= since)
    if until is not None:
        query = query.where(a.at < until)
    if users:
        query = query.where(a.user.in_(users))
    if actions:
        query = query.where(a.action.in_(actions))
    with engine.connect() as conn:
        rows = [(r[0], r[1], r[2], r[3], r[4], json.dumps(r[5] or {}, ensure_ascii=False, default=str))
                for r in conn.execute(query)]
    rows = [(r[0], r[1].astimezone(timezone.utc).replace(tzinfo=None) if r[1].tzinfo else r[1], *r[2:])
            for r in rows]
    return pl.DataFrame(rows, schema=AUDIT_SCHEMA, orient="row").with_columns(
        pl.col("at").dt.replace_time_zone("UTC"))


def audit_choices(engine: Engine) -> tuple[list[str], list[str]]:
    """The users and the actions the audit log names (the filters of «Администрирование»)."""
    a = schema.audit_log.c
    with engine.connect() as conn:
        users = sorted(r[0] for r in conn.execute(select(a.user).distinct()))
        actions = sorted(r[0] for r in conn.execute(select(a.action).distinct()))
    return users, actions
