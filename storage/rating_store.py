"""Ratings in the database: the frames a quarter is scored from, approvals (frozen payloads) and their
withdrawal. Storage only: no scoring here (services.quarters joins the two)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine, delete, func, insert, select

from storage import post_weeks as post_weeks_store
from storage import queries, registry_history, schema
from storage.activity_store import current_versions
from storage.audit import write_audit
from storage.db import ReadSnapshot, insert_or_nothing, read_snapshot, retrying, utcnow, writing

META = "meta"  # the approved_rows entry holding the payload's scalar fields


@dataclass(frozen=True)
class StoredQuarter:
    """The current data a quarter is scored from: the registry and the current versions of the activity rows
    whose moments fall in the span asked for."""
    owners: pl.DataFrame
    pages: pl.DataFrame
    snapshots: pl.DataFrame
    posts: pl.DataFrame
    streams: pl.DataFrame
    comments: pl.DataFrame
    coverage: pl.DataFrame
    batch_ids: tuple[int, ...]
    data_timestamp: datetime | None
    post_weeks: pl.DataFrame | None = None  # the posts summed per page and week (storage.post_weeks), if asked


def read_quarter(engine: Engine, span: tuple[datetime, datetime],
                 columns: dict[str, tuple[str, ...]] | None = None,
                 weeks: tuple[str, date, int] | None = None, registry_day: date | None = None) -> StoredQuarter:
    """`_read_quarter` at one moment of the database (storage.db.read_snapshot): an upload committed while the
    quarter is read is either wholly in it or not at all, so an approval freezes exactly the batches it lists.
    `weeks` (zone, the quarter's first Monday, number of weeks): on PostgreSQL the posts are read already summed
    per page and week (storage.post_weeks: ≈ 2 M rows instead of 13 M posts nationally), `posts` left empty.
    `registry_day`: the owners and pages as the registry stood on that day (registry_history.registry_for_rating),
    not as they are now."""
    with read_snapshot(engine) as snapshot:
        return _read_quarter(snapshot, span, columns, weeks, registry_day)


def _read_quarter(engine: Engine | ReadSnapshot, span: tuple[datetime, datetime],
                  columns: dict[str, tuple[str, ...]] | None = None,
                  weeks: tuple[str, date, int] | None = None, registry_day: date | None = None) -> StoredQuarter:
    """The registry and the current activity rows in `span` (UTC), only the `columns` asked for per table (all
    when not given). Posts are read through the engine (ADBC on PostgreSQL: the columnar path that keeps a
    national quarter in seconds)."""
    columns = columns or {}
    summed = weeks is not None and engine.dialect.name == "postgresql"
    post_weeks = post_weeks_store.posts_by_week(engine, span, *weeks) if summed else None
    posts = current_versions(engine, "posts", window=span, columns=columns.get("posts"),
                             page_ids=[] if summed else None)  # summed: no page's raw posts (the frame's columns)
    streams = current_versions(engine, "streams", window=span, columns=columns.get("streams"))
    comments = current_versions(engine, "comments", window=span, columns=columns.get("comments"))
    with engine.connect() as conn:
        b = schema.batches
        active = conn.execute(select(b.c.id).where(b.c.status == "active").order_by(b.c.id)).scalars().all()
        stamp = conn.execute(select(func.max(b.c.uploaded_at)).where(b.c.status == "active")).scalar_one()
    registry = registry_history.registry_for_rating(engine, registry_day) if registry_day else None
    owners, pages = ((queries.owners_frame(engine), queries.pages_frame(engine)) if registry is None
                     else (registry.owners, registry.pages))
    return StoredQuarter(owners, pages, queries.snapshots_frame(engine),
                         posts, streams, comments, queries.coverage_frame(engine), tuple(active),
                         stamp if stamp is None or stamp.tzinfo else stamp.replace(tzinfo=ZoneInfo("UTC")),
                         post_weeks)


def post_time_span(engine: Engine) -> tuple[datetime | None, datetime | None]:
    """The first and last moment of any current post and of any covered day (UTC), for listing quarters."""
    p, b, c = schema.posts, schema.batches, schema.batch_coverage
    with engine.connect() as conn:
        low, high = conn.execute(select(func.min(p.c.published_at), func.max(p.c.published_at)).join(
            b, b.c.id == p.c.batch_id).where(b.c.status == "active")).one()
        day_low, day_high = conn.execute(select(func.min(c.c.date_from), func.max(c.c.date_to)).join(
            b, b.c.id == c.c.batch_id).where(b.c.status == "active", c.c.data_kind == "posts")).one()

    def utc(moment):
        return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC")))
    moments = [m for m in (utc(low), utc(high)) if m is not None]
    days = [datetime(d.year, d.month, d.day, 12, tzinfo=ZoneInfo("UTC")) for d in (day_low, day_high) if d]
    every = moments + days
    return (min(every), max(every)) if every else (None, None)


def page_posts_in(engine: Engine, page_id: int, span: tuple[datetime, datetime]) -> pl.DataFrame:
    """One page's current posts whose moments fall in `span` (the drill-down of the weekly screen)."""
    with engine.connect() as conn:
        return current_versions(conn, "posts", page_ids=[page_id], window=span)


def approved_payload(engine: Engine, quarter_code: str) -> dict | None:
    """The frozen payload of an approved quarter, exactly as approved, or None."""
    a, rows = schema.rating_approvals, schema.approved_rows
    with engine.connect() as conn:
        approval = conn.execute(select(a).where(a.c.quarter == quarter_code)).mappings().first()
        if approval is None:
            return None
        stored = conn.execute(select(rows.c.table_name, rows.c.payload).where(rows.c.quarter == quarter_code)
                              .order_by(rows.c.table_name, rows.c.row_no)).all()
    payload: dict = {}
    for table_name, row in stored:
        if table_name == META:
            payload.update(row)
        else:
            payload.setdefault(table_name, []).append(row)
    payload["approved"] = {"approved_at": approval["approved_at"].isoformat(), "approved_by": approval["approved_by"],
                           "methodology": approval["methodology_id"], "batch_ids": approval["batch_ids"]}
    return payload


def approved_quarters(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(schema.rating_approvals.c.quarter)).scalars())


class AlreadyApproved(Exception):
    """Another approval of the same quarter got there first."""


def store_approval(engine: Engine, quarter_code: str, methodology: dict, payload: dict, tables: tuple[str, ...],
                   batch_ids: list[int], data_timestamp: datetime | None, user: str, details: dict) -> None:
    """Freeze a payload: its rows, the methodology version and the batches used, in one transaction. Approvals of
    a quarter run one at a time (the second finds the first and is refused); a collision is retried."""
    retrying(lambda: _store_approval(engine, quarter_code, methodology, payload, tables, batch_ids, data_timestamp,
                                     user, details))


def _store_approval(engine: Engine, quarter_code: str, methodology: dict, payload: dict, tables: tuple[str, ...],
                    batch_ids: list[int], data_timestamp: datetime | None, user: str, details: dict) -> None:
    now = utcnow()
    mv = schema.methodology_versions
    with writing(engine, f"approval:{quarter_code}") as conn:
        if conn.execute(select(schema.rating_approvals.c.quarter).where(
                schema.rating_approvals.c.quarter == quarter_code)).first() is not None:
            raise AlreadyApproved(quarter_code)
        # an approval of another quarter may record the same methodology version at the same moment
        insert_or_nothing(conn, mv, {**methodology, "loaded_at": now}, ("id",))
        conn.execute(insert(schema.rating_approvals).values(
            quarter=quarter_code, methodology_id=methodology["id"], approved_at=now, approved_by=user,
            batch_ids=list(batch_ids), data_timestamp=data_timestamp))
        meta = {k: v for k, v in payload.items() if k not in tables}
        rows = [{"quarter": quarter_code, "table_name": META, "row_no": 0, "payload": meta}]
        for name in tables:
            rows += [{"quarter": quarter_code, "table_name": name, "row_no": i, "payload": row}
                     for i, row in enumerate(payload.get(name, []))]
        conn.execute(insert(schema.approved_rows), rows)
        write_audit(conn, user, "approve", quarter_code, {"methodology": methodology["id"], "rows": len(rows),
                                                         "batches": len(batch_ids), **details})


def withdraw_approval(engine: Engine, quarter_code: str, user: str, reason: str) -> dict | None:
    """Remove a quarter's approval (the frozen rows are kept in approval_withdrawals with the reason);
    None when the quarter was not approved."""
    payload = approved_payload(engine, quarter_code)
    if payload is None:
        return None
    a, rows = schema.rating_approvals, schema.approved_rows
    with writing(engine, f"approval:{quarter_code}") as conn:
        approval = conn.execute(select(a).where(a.c.quarter == quarter_code).with_for_update()).mappings().first()
        if approval is None:
            return None
        conn.execute(insert(schema.approval_withdrawals).values(
            quarter=quarter_code, methodology_id=approval["methodology_id"], approved_at=approval["approved_at"],
            approved_by=approval["approved_by"], withdrawn_at=utcnow(), withdrawn_by=user, reason=reason,
            payload={k: v for k, v in payload.items() if k != "approved"}))
        conn.execute(delete(rows).where(rows.c.quarter == quarter_code))
        conn.execute(delete(a).where(a.c.quarter == quarter_code))
        write_audit(conn, user, "unapprove", quarter_code, {"reason": reason,
                                                           "approved_at": approval["approved_at"].isoformat(),
                                                           "approved_by": approval["approved_by"]})
    return payload["approved"]


def withdrawals(engine: Engine, quarter_code: str) -> list[dict]:
    w = schema.approval_withdrawals
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(w.c.approved_at, w.c.approved_by, w.c.withdrawn_at, w.c.withdrawn_by, w.c.reason)
            .where(w.c.quarter == quarter_code).order_by(w.c.id)).mappings()]


def post_texts_in(engine: Engine, span: tuple[datetime, datetime], page_ids: list[int] | None = None) -> pl.DataFrame:
    """The texts of the current posts whose moments fall in `span` (UTC), of every page or of `page_ids`:
    page_id, post_id, published_at, text (the style of publications, services.style)."""
    frame = current_versions(engine, "posts", page_ids=page_ids, window=span)
    return frame.select("page_id", "post_id", "published_at", "text")
