"""The rating of a quarter against the database: read the quarter's current data, score it, compare with the
previous quarter, approve (freeze) it and read an approved quarter back unchanged."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine, func, insert, select

from core.config import region_tz
from scoring import calendar
from scoring.activity import local_week
from scoring.calendar import Quarter
from scoring.inputs import COMMENT_COLUMNS, POST_COLUMNS, STREAM_COLUMNS, QuarterWindow, ScoringInput
from scoring.methodology import Methodology, methodology_for
from scoring.payload import payload_tables, rating_payload
from scoring.rating import TABLES, QuarterRating, add_movement, score_quarter
from storage import queries, schema
from storage.activity_store import current_versions
from storage.audit import write_audit
from storage.db import utcnow


FROZEN_TABLES = (*TABLES, "reference", "pages", "streams")  # the payload's row lists an approval stores


class ApprovalError(ValueError):
    """The quarter cannot be approved (already approved, no data); the message is in Russian."""


def scoring_input(engine: Engine, quarter: Quarter, tz: ZoneInfo) -> ScoringInput:
    """The current versions of the quarter's posts, streams and comments, and the registry they belong to."""
    window = QuarterWindow(quarter, tz)
    span = (window.load_from, window.load_to)
    posts = current_versions(engine, "posts", window=span)
    streams = current_versions(engine, "streams", window=span)
    comments = current_versions(engine, "comments", window=span)
    with engine.connect() as conn:
        b = schema.batches
        active = conn.execute(select(b.c.id).where(b.c.status == "active").order_by(b.c.id)).scalars().all()
        stamp = conn.execute(select(func.max(b.c.uploaded_at)).where(b.c.status == "active")).scalar_one()
    return ScoringInput(
        owners=queries.owners_frame(engine), pages=queries.pages_frame(engine),
        snapshots=queries.snapshots_frame(engine),
        posts=posts.select(list(POST_COLUMNS)).cast(POST_COLUMNS),
        streams=streams.select(list(STREAM_COLUMNS)).cast(STREAM_COLUMNS),
        comments=comments.select(list(COMMENT_COLUMNS)).cast(COMMENT_COLUMNS),
        coverage=queries.coverage_frame(engine), batch_ids=tuple(active),
        data_timestamp=stamp if stamp is None or stamp.tzinfo else stamp.replace(tzinfo=ZoneInfo("UTC")))


def fresh_rating(engine: Engine, quarter: Quarter, methodology: Methodology | None = None,
                 today: date | None = None, with_movement: bool = True) -> QuarterRating:
    """Score the quarter from the current data; Δ against the previous quarter (its approved rows if approved)."""
    tz = region_tz()
    today = today or calendar.local_today(tz)
    m = methodology or methodology_for(quarter.code)
    rating = score_quarter(scoring_input(engine, quarter, tz), m, quarter, tz, today)
    if not with_movement:
        return rating
    previous = approved_payload(engine, quarter.previous())
    if previous is None:
        earlier = fresh_rating(engine, quarter.previous(), methodology_for_or_none(quarter.previous()) or m, today,
                               with_movement=False)
        return apply_movement(rating, earlier.tables)
    return apply_movement(rating, payload_tables(previous))


def apply_movement(rating: QuarterRating, previous: dict[str, pl.DataFrame] | None) -> QuarterRating:
    """Δ place and Δ points against the previous quarter's tables (approved rows, or a fresh computation)."""
    tables = dict(rating.tables)
    for name in TABLES:
        frame = (previous or {}).get(name)
        tables[name] = add_movement(tables[name], frame if frame is not None and "rank" in frame.columns else None)
    return replace(rating, tables=tables)


def methodology_for_or_none(quarter: Quarter) -> Methodology | None:
    try:
        return methodology_for(quarter.code)
    except ValueError:
        return None


def approved_payload(engine: Engine, quarter: Quarter) -> dict | None:
    """The frozen payload of an approved quarter, exactly as approved, or None."""
    a, rows = schema.rating_approvals, schema.approved_rows
    with engine.connect() as conn:
        approval = conn.execute(select(a).where(a.c.quarter == quarter.code)).mappings().first()
        if approval is None:
            return None
        stored = conn.execute(select(rows.c.table_name, rows.c.payload).where(rows.c.quarter == quarter.code)
                              .order_by(rows.c.table_name, rows.c.row_no)).all()
    payload: dict = {}
    for table_name, row in stored:
        if table_name == "meta":
            payload.update(row)
        else:
            payload.setdefault(table_name, []).append(row)
    for name in FROZEN_TABLES:
        payload.setdefault(name, [])
    payload["approved"] = {"approved_at": approval["approved_at"].isoformat(), "approved_by": approval["approved_by"],
                           "methodology": approval["methodology_id"], "batch_ids": approval["batch_ids"]}
    return payload


def approve(engine: Engine, quarter: Quarter, user: str, today: date | None = None) -> dict:
    """Freeze the quarter: its result rows, the methodology version and the batches used (methodology.md §6)."""
    if approved_payload(engine, quarter) is not None:
        raise ApprovalError(f"рейтинг за {quarter.label} уже утверждён; утверждённый рейтинг не меняется")
    rating = fresh_rating(engine, quarter, today=today)
    if rating.pages.is_empty():
        raise ApprovalError(f"за {quarter.label} нечего утверждать: в реестре нет страниц")
    payload = rating_payload(rating)
    now = utcnow()
    m = rating.methodology
    with engine.begin() as conn:
        if conn.execute(select(schema.methodology_versions.c.id).where(
                schema.methodology_versions.c.id == m.id)).first() is None:
            conn.execute(insert(schema.methodology_versions).values(
                id=m.id, title=m.title, approved_on=m.approved_on, effective_from=m.effective_from,
                content=m.source, sha256=m.sha256, loaded_at=now))
        conn.execute(insert(schema.rating_approvals).values(
            quarter=quarter.code, methodology_id=m.id, approved_at=now, approved_by=user,
            batch_ids=list(rating.batch_ids), data_timestamp=rating.data_timestamp))
        meta = {k: v for k, v in payload.items() if k not in FROZEN_TABLES}
        rows = [{"quarter": quarter.code, "table_name": "meta", "row_no": 0, "payload": meta}]
        for name in FROZEN_TABLES:
            rows += [{"quarter": quarter.code, "table_name": name, "row_no": i, "payload": row}
                     for i, row in enumerate(payload[name])]
        conn.execute(insert(schema.approved_rows), rows)
        write_audit(conn, user, "approve", quarter.code, {"methodology": m.id, "rows": len(rows),
                                                         "batches": len(rating.batch_ids)})
    return approved_payload(engine, quarter)


def differences(approved: dict, fresh: dict) -> list[dict]:
    """Rows whose score or place differs between the approved and a fresh computation."""
    changes = []
    for name in TABLES:
        before = {r["owner_id"]: r for r in approved.get(name, [])}
        for row in fresh.get(name, []):
            old = before.pop(row["owner_id"], None)
            old_score = old.get("score") if old else None
            if old is None or old.get("rank") != row.get("rank") or (
                    (old_score is None) != (row.get("score") is None)
                    or (old_score is not None and abs(old_score - row["score"]) > 1e-9)):
                changes.append({"table": name, "owner": row["owner"], "approved_rank": old and old.get("rank"),
                                "fresh_rank": row.get("rank"), "approved_score": old_score,
                                "fresh_score": row.get("score")})
        for old in before.values():
            changes.append({"table": name, "owner": old["owner"], "approved_rank": old.get("rank"),
                            "fresh_rank": None, "approved_score": old.get("score"), "fresh_score": None})
    return changes


def data_quarters(engine: Engine, tz: ZoneInfo | None = None) -> list[Quarter]:
    """Quarters that have any active post data, newest first."""
    tz = tz or region_tz()
    p, b = schema.posts, schema.batches
    with engine.connect() as conn:
        low, high = conn.execute(select(func.min(p.c.published_at), func.max(p.c.published_at)).join(
            b, b.c.id == p.c.batch_id).where(b.c.status == "active")).one()
    if low is None:
        return []
    def local(moment: datetime) -> date:
        return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))).astimezone(tz).date()
    quarter, last = Quarter.of(local(low)), Quarter.of(local(high))
    found = []
    while quarter <= last:
        found.append(quarter)
        quarter = quarter.next()
    return found[::-1]


CONTENT_LABELS = {"text": "текст", "photo": "фото", "video": "видео", "live": "прямой эфир", "poll": "опрос",
                  "repost": "репост", "link": "ссылка"}


def page_posts(engine: Engine, page_id: int, quarter: Quarter, tz: ZoneInfo) -> pl.DataFrame:
    """One page's current posts in the quarter's weeks, newest first, with local time and week (drill-down)."""
    window = QuarterWindow(quarter, tz)
    with engine.connect() as conn:
        posts = current_versions(conn, "posts", page_ids=[page_id],
                                 window=(window.utc(window.first_week), window.utc(window.week_end)))
    if posts.is_empty():
        return pl.DataFrame(schema={"published_local": pl.Datetime("us"), "week": pl.String,
                                    "content_type": pl.String, "is_repost": pl.Boolean, "text": pl.String,
                                    "views": pl.Int64, "likes": pl.Int64, "comments": pl.Int64,
                                    "reposts": pl.Int64, "reactions": pl.Int64})
    local = pl.col("published_at").dt.convert_time_zone(tz.key)
    return (posts.sort("published_at", descending=True).select(
        local.dt.replace_time_zone(None).alias("published_local"),
        local_week("published_at", tz.key).map_elements(calendar.week_label, return_dtype=pl.String).alias("week"),
        pl.col("content_type").replace_strict(CONTENT_LABELS, default=pl.col("content_type")),
        "is_repost", pl.col("text").str.slice(0, 300), "views", "likes", "comments", "reposts", "reactions"))
