"""Ratings in the database: the frames a quarter is scored from, approvals (frozen payloads) and their
withdrawal. Storage only: no scoring here (services.quarters joins the two)."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import msgspec
import polars as pl
from sqlalchemy import JSON, Engine, Text, bindparam, cast, column, delete, func, insert, or_, select, table, text

from core.quarter_frames import QuarterFrames
from storage import post_weeks as post_weeks_store
from storage import queries, registry_history, schema
from storage.activity_store import current_versions
from storage.audit import write_audit
from storage.db import ReadSnapshot, insert_or_nothing, read_snapshot, retrying, utcnow, writing

META = "meta"  # the approved_rows entry holding the payload's scalar fields


def read_quarter(engine: Engine, span: tuple[datetime, datetime],
                 columns: dict[str, tuple[str, ...]] | None = None,
                 weeks: tuple[str, date, int, datetime | None] | None = None,
                 registry_day: date | None = None) -> QuarterFrames:
    """`_read_quarter` at one moment of the database (storage.db.read_snapshot): an upload committed while the
    quarter is read is either wholly in it or not at all, so an approval freezes exactly the batches it lists.
    `weeks` (zone, the quarter's first Monday, number of weeks, the UTC instant of that Monday 00:00 when the
    zone keeps one offset — storage.post_weeks): on PostgreSQL the posts are read already summed
    per page and week (storage.post_weeks: ≈ 2 M rows instead of 13 M posts nationally), `posts` left empty.
    `registry_day`: the owners and pages as the registry stood on that day (registry_history.registry_for_rating),
    not as they are now."""
    with read_snapshot(engine) as snapshot:
        return _read_quarter(snapshot, span, columns, weeks, registry_day)


def _read_quarter(engine: Engine | ReadSnapshot, span: tuple[datetime, datetime],
                  columns: dict[str, tuple[str, ...]] | None = None,
                  weeks: tuple[str, date, int, datetime | None] | None = None,
                  registry_day: date | None = None) -> QuarterFrames:
    """The registry and the current activity rows in `span` (UTC), only the `columns` asked for per table (all
    when not given). Posts are read through the engine (ADBC on PostgreSQL: the columnar path that keeps a
    national quarter in seconds)."""
    columns = columns or {}
    summed = weeks is not None and engine.dialect.name == "postgresql"
    # the registry as it stood on `registry_day` (rebuilt from its history), or None: the current one, read here
    registry = registry_history.registry_for_rating(engine, registry_day) if registry_day else None

    with engine.connect() as conn:  # the active batches of this snapshot: the rows below are read by their ids
        b = schema.batches
        active = tuple(conn.execute(select(b.c.id).where(b.c.status == "active").order_by(b.c.id)).scalars().all())
        stamp = conn.execute(select(func.max(b.c.uploaded_at)).where(b.c.status == "active")).scalar_one()

    def pages_snapshots_sums(source: Engine | ReadSnapshot) -> tuple:
        # the snapshots unordered: scoring sorts them itself (queries.snapshots_frame)
        return (queries.pages_frame(source) if registry is None else registry.pages,
                queries.snapshots_frame(source, ordered=False, active=active),
                post_weeks_store.posts_by_week(source, span, *weeks) if summed else None)

    with _beside(engine, summed) as other, ThreadPoolExecutor(1) as pool:
        # PostgreSQL: a second connection in the same snapshot reads the pages, the snapshots and the week sums
        # while this one reads the comments, streams, owners and coverage (about half the work each) — the server
        # sends and this process converts on both cores at once
        beside = pool.submit(pages_snapshots_sums, other) if other is not None else None
        posts = current_versions(engine, "posts", window=span, columns=columns.get("posts"),
                                 page_ids=[] if summed else None, active=active)  # summed: no page's raw posts
        streams = current_versions(engine, "streams", window=span, columns=columns.get("streams"), active=active)
        comments = current_versions(engine, "comments", window=span, columns=columns.get("comments"), active=active)
        owners = queries.owners_frame(engine) if registry is None else registry.owners
        coverage = queries.coverage_frame(engine, active)
        pages, snapshots, post_weeks = beside.result() if beside is not None else pages_snapshots_sums(engine)
    return QuarterFrames(owners, pages, snapshots, posts, streams, comments, coverage, active,
                         stamp if stamp is None or stamp.tzinfo else stamp.replace(tzinfo=ZoneInfo("UTC")),
                         post_weeks)


@contextmanager
def _beside(snapshot: Engine | ReadSnapshot, wanted: bool) -> Iterator[ReadSnapshot | None]:
    """A second connection in the same snapshot of PostgreSQL (`SET TRANSACTION SNAPSHOT` of the exported one),
    for reading beside the first; None when not `wanted` or not in a snapshot."""
    if not (wanted and isinstance(snapshot, ReadSnapshot) and snapshot.snapshot_id is not None):
        yield None
        return
    with snapshot.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot.snapshot_id}'"))
        other = ReadSnapshot(snapshot.engine, conn, snapshot.snapshot_id)
        try:
            yield other
        finally:
            other.close()
            conn.rollback()


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
        # the rows' JSON as text, decoded by msgspec: several times faster than the driver's json for the pages
        stored = conn.execute(select(rows.c.table_name, cast(rows.c.payload, Text)).where(
            rows.c.quarter == quarter_code).order_by(rows.c.table_name, rows.c.row_no)).all()
    payload: dict = {}
    for table_name, text in stored:
        row = msgspec.json.decode(text)
        if table_name == META:
            payload.update(row)
        else:
            payload.setdefault(table_name, []).append(row)
    payload["approved"] = _approval_info(approval)
    return payload


def _approval_info(approval) -> dict:
    return {"approved_at": approval["approved_at"].isoformat(), "approved_by": approval["approved_by"],
            "methodology": approval["methodology_id"], "batch_ids": approval["batch_ids"]}


def approval_info(engine: Engine, quarter_code: str) -> dict | None:
    """When, by whom, by which methodology and from which batches the quarter was approved (the `approved` entry of
    its approved payload), or None."""
    a = schema.rating_approvals
    with engine.connect() as conn:
        approval = conn.execute(select(a).where(a.c.quarter == quarter_code)).mappings().first()
    return None if approval is None else _approval_info(approval)


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


# approved_rows with its payload as JSON text (written as it is; the model's JSON type would encode it again)
APPROVED_ROWS_TEXT = table("approved_rows", column("quarter"), column("table_name"), column("row_no"),
                           column("payload", Text))


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
        rows = [{"q": quarter_code, "t": META, "n": 0, "p": meta}]
        for name in tables:
            rows += [{"q": quarter_code, "t": name, "n": i, "p": row} for i, row in enumerate(payload.get(name, []))]
        for row in rows:  # the JSON written by msgspec: several times faster than the driver's json for the pages
            row["p"] = msgspec.json.encode(row["p"]).decode()
        text_payload = bindparam("p", type_=Text)
        conn.execute(insert(APPROVED_ROWS_TEXT).values(
            quarter=bindparam("q"), table_name=bindparam("t"), row_no=bindparam("n"),
            payload=cast(text_payload, JSON) if conn.dialect.name == "postgresql" else text_payload), rows)
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


# --- computed ratings (issue 21): a quarter is computed once for what determines it, and read back after ---

def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC")))


def _day_moment(day, days: int) -> datetime:
    """Midnight UTC `days` days from a local day: a covered day as moments, with room for any zone."""
    return datetime.fromordinal(day.toordinal() + days).replace(tzinfo=ZoneInfo("UTC"))


def _batch_spans(conn, batches: list[tuple[int, str]]) -> list[dict]:
    """The moments the rows of these batches fall in: posts, streams and covered days; comments apart (a quarter
    reads replies after its end). A registry batch (owners, pages) and a batch with page snapshots (a checklist in
    force may be taken from after the quarter) change every quarter."""
    ids = [batch_id for batch_id, kind in batches if kind == "activity"]
    moments: dict[tuple[int, bool], list[datetime]] = {}
    s = schema.page_snapshots
    every = {batch_id for batch_id, kind in batches if kind != "activity"}
    every |= set(conn.execute(select(s.c.batch_id).where(s.c.batch_id.in_(ids)).distinct()).scalars())
    for table, column in ((schema.posts, "published_at"), (schema.live_streams, "started_at"),
                          (schema.comments, "created_at")):
        for batch_id, low, high in conn.execute(select(table.c.batch_id, func.min(table.c[column]),
                                                       func.max(table.c[column]))
                                                .where(table.c.batch_id.in_(ids)).group_by(table.c.batch_id)):
            moments.setdefault((batch_id, table is schema.comments), []).extend([_utc(low), _utc(high)])
    c = schema.batch_coverage
    for batch_id, low, high in conn.execute(select(c.c.batch_id, func.min(c.c.date_from), func.max(c.c.date_to))
                                            .where(c.c.batch_id.in_(ids)).group_by(c.c.batch_id)):
        moments.setdefault((batch_id, False), []).extend([_day_moment(low, -1), _day_moment(high, 2)])
    rows = []
    for batch_id, _ in batches:
        own, replies = moments.get((batch_id, False), []), moments.get((batch_id, True), [])
        rows.append({"batch_id": batch_id, "first_at": min(own, default=None), "last_at": max(own, default=None),
                     "comments_first_at": min(replies, default=None), "comments_last_at": max(replies, default=None),
                     "every_quarter": batch_id in every})
    return rows


def ensure_batch_spans(engine: Engine) -> int:
    """Record the span of each batch that has none yet (a batch's rows never change their moments, so once per
    batch; the first reader after an upload does it). Returns how many were recorded."""
    b, s = schema.batches, schema.batch_spans
    with engine.connect() as conn:
        missing = conn.execute(select(b.c.id, b.c.kind).select_from(b.outerjoin(s, s.c.batch_id == b.c.id))
                               .where(s.c.batch_id.is_(None)).order_by(b.c.id)).all()
        if not missing:
            return 0
        rows = [row for start in range(0, len(missing), 500)
                for row in _batch_spans(conn, [tuple(r) for r in missing[start:start + 500]])]

    def write() -> None:
        with writing(engine) as conn:  # a concurrent reader may have recorded the same spans: the same values
            for row in rows:
                insert_or_nothing(conn, s, row, ("batch_id",))
    retrying(write)
    return len(rows)


def quarter_batches(engine: Engine, span: tuple[datetime, datetime], until: datetime,
                    among: tuple[int, ...] | None = None) -> tuple[tuple[int, ...], datetime | None]:
    """The batches that can change a quarter read over `span` (UTC) whose rows other than comments end at `until`
    (after it only the replies of the reply look-ahead count): those whose rows meet it, those that change every
    quarter and those whose span is not recorded yet; of the active batches, or of `among` (the active batches of
    a reading's snapshot). With the newest upload of them."""
    b, s = schema.batches, schema.batch_spans
    low, high = span
    meets = or_(s.c.batch_id.is_(None), s.c.every_quarter.is_(True),
                (s.c.first_at <= until) & (s.c.last_at >= low),
                (s.c.comments_first_at <= high) & (s.c.comments_last_at >= low))
    query = select(b.c.id, b.c.uploaded_at).select_from(b.outerjoin(s, s.c.batch_id == b.c.id)).where(meets)
    query = query.where(b.c.status == "active") if among is None else query.where(b.c.id.in_(list(among)))
    with engine.connect() as conn:
        used = conn.execute(query.order_by(b.c.id)).all()
    return tuple(r.id for r in used), max((_utc(r.uploaded_at) for r in used), default=None)


def last_registry_edit(engine: Engine) -> int | None:
    """The audit line of the last edit that is not a batch of its own (linking a page of an export to the
    registry moves its rows): part of what every quarter's computation depends on."""
    a = schema.audit_log.c
    with engine.connect() as conn:
        return conn.execute(select(func.max(a.id)).where(a.action == "edit")).scalar()


def stored_rating(engine: Engine, quarter_code: str, inputs_key: str, with_payload: bool = True
                  ) -> tuple[bytes | None, bytes] | None:
    """The stored computation of a quarter for these inputs: (payload, frames) as stored (the payload left out
    when not asked for), or None."""
    r = schema.computed_ratings
    columns = [r.c.payload if with_payload else r.c.quarter, r.c.frames]
    with engine.connect() as conn:
        row = conn.execute(select(*columns).where(r.c.quarter == quarter_code, r.c.inputs_key == inputs_key)).first()
    if row is None:
        return None
    return (bytes(row[0]) if with_payload else None), bytes(row[1])


def store_rating(engine: Engine, quarter_code: str, inputs_key: str, methodology_id: str, inputs: dict,
                 payload: bytes, frames: bytes, keep: int = 3) -> bool:
    """Store a quarter's computation for its inputs; False when another process stored the same first (its row is
    the same result and is kept). The quarter's older computations beyond the `keep` newest are removed."""
    r = schema.computed_ratings

    def write() -> bool:
        with writing(engine, f"computed:{quarter_code}") as conn:
            added = insert_or_nothing(conn, r, {
                "quarter": quarter_code, "inputs_key": inputs_key, "methodology_id": methodology_id,
                "inputs": inputs, "computed_at": utcnow(), "payload": payload, "frames": frames},
                ("quarter", "inputs_key")) is not None
            older = conn.execute(select(r.c.inputs_key).where(r.c.quarter == quarter_code)
                                 .order_by(r.c.computed_at.desc(), r.c.inputs_key)).scalars().all()[keep:]
            if older:
                conn.execute(delete(r).where(r.c.quarter == quarter_code, r.c.inputs_key.in_(older)))
            return added
    return retrying(write)


def stored_ratings(engine: Engine, quarter_code: str | None = None) -> list[dict]:
    """The stored computations (quarter, inputs key, methodology, inputs, when), newest first."""
    r = schema.computed_ratings
    query = select(r.c.quarter, r.c.inputs_key, r.c.methodology_id, r.c.inputs, r.c.computed_at)
    if quarter_code is not None:
        query = query.where(r.c.quarter == quarter_code)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query.order_by(r.c.computed_at.desc())).mappings()]
