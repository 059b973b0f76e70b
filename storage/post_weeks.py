"""The posts of a quarter summed per page and local week by PostgreSQL itself: a national quarter is ≈ 13 million
posts but only ≈ 2 million page × week rows, and shipping the sums instead of the posts is what keeps reading it
in seconds.

The rows are exactly what the scoring engine's own first step makes of the raw posts
(scoring.activity.posts_by_week, whose output schema this is): the engine takes either the posts or these rows,
and every rule after that step is the same code. The current version of a post is chosen as
storage.activity_store.current_versions chooses it — among the versions whose moment falls in the span read, the
one of the active batch observed latest (then the higher batch id) — before its week is taken.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import polars as pl
from sqlalchemy import Engine, select, text

from storage import schema
from storage.activity_store import batch_order
from storage.db import ReadSnapshot, read_frame, read_snapshot

# the output of scoring.activity.posts_by_week (tests/test_post_weeks.py holds the two to the same schema)
WEEK_SUMS = {"page_id": pl.Int64, "week_no": pl.Int32, "posts": pl.Int64, "posts_with_views": pl.Int64,
             "views": pl.Int64, "engagement": pl.Int64, "posts_with_comment_counter": pl.Int64,
             "comment_counter": pl.Int64}
_ZONE = re.compile(r"^[A-Za-z0-9_+\-/]+$")
# sums as float8 (a by-value aggregate state: a third of the hash table of bigint sums, whose states are allocated;
# exact for integers below 2**53) and back to bigint
_SUMS = """count(*) AS posts, count(views) AS posts_with_views, coalesce(sum(views::float8), 0)::bigint AS views,
    coalesce(sum(CASE WHEN views IS NOT NULL THEN (coalesce(likes, 0) + coalesce(comments, 0) + coalesce(reposts, 0)
                      + coalesce(reactions, 0))::float8 END), 0)::bigint AS engagement,
    count(comments) AS posts_with_comment_counter, coalesce(sum(comments::float8), 0)::bigint AS comment_counter"""
# the ≈ 2 million groups of a national quarter hashed in memory, not spilled to disk (this transaction only)
WORK_MEM = "256MB"


def _moment(value: datetime) -> str:
    return f"TIMESTAMPTZ '{value.astimezone(timezone.utc).isoformat()}'"


def _week_key(tz: str, first_week: date, weeks: int, origin: datetime | None) -> str:
    """SQL of the week of a post, NULL outside the quarter's weeks. With `origin` (the UTC instant of the first
    Monday 00:00 local, when the zone keeps one offset through the span) the week is date_bin arithmetic on the
    moment, as the engine's week_number; otherwise the Monday of the post's local date in `tz`, as local_week."""
    if origin is not None:
        start = _moment(origin)
        return (f"CASE WHEN published_at >= {start} AND published_at < {start} + INTERVAL '{7 * weeks} days' "
                f"THEN date_bin('7 days', published_at, {start}) END")
    if not _ZONE.match(tz):
        raise ValueError(f"time zone {tz!r}")
    days = f"((published_at AT TIME ZONE '{tz}')::date - DATE '{first_week.isoformat()}')"
    return f"CASE WHEN {days} BETWEEN 0 AND {7 * weeks - 1} THEN DATE '{first_week.isoformat()}' + {days} / 7 * 7 END"


def _week_no(frame: pl.DataFrame, first_week: date, origin: datetime | None) -> pl.DataFrame:
    """The week key (a moment or a Monday) as the week's number; −1 outside the quarter's weeks."""
    key = pl.col("week_key")
    since = (key - pl.lit(origin)) if origin is not None else (key - pl.lit(first_week))
    return frame.with_columns((since.dt.total_days() // 7).fill_null(-1).cast(pl.Int32).alias("week_no"))


def posts_by_week(source: Engine | ReadSnapshot, span: tuple[datetime, datetime], tz: str, first_week: date,
                  weeks: int, origin: datetime | None = None) -> pl.DataFrame:
    """Per page and week of the quarter (week_no 0 … weeks − 1, the week of the post's local date in `tz`
    counted from the Monday `first_week`; `origin`: see _week_key): the posts and their sums, of the current post
    versions whose moment is in `span` (inclusive, as current_versions reads them). PostgreSQL only.

    One aggregate over the posts grouped by page, batch and week; a page whose posts in the span come from more
    than one active batch may hold several versions of a post, and only those pages are summed again from the
    current versions (DISTINCT ON the post, latest observed batch first)."""
    if source.dialect.name != "postgresql":
        raise ValueError("суммы по неделям считаются в PostgreSQL")
    if isinstance(source, Engine):
        with read_snapshot(source) as snapshot:
            return posts_by_week(snapshot, span, tz, first_week, weeks, origin)
    with source.adbc().cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    week = _week_key(tz, first_week, weeks, origin)
    week_type = pl.Datetime("us", "UTC") if origin is not None else pl.Date
    in_span = f"published_at BETWEEN {_moment(span[0])} AND {_moment(span[1])}"
    b = schema.batches
    with source.connect() as conn:
        active = conn.execute(select(b.c.id).where(b.c.status == "active")).scalars().all()
    if not active:
        return pl.DataFrame(schema=WEEK_SUMS)
    ids = ", ".join(str(int(i)) for i in active)
    sums = dict(list(WEEK_SUMS.items())[2:])
    # every post of the span (outside the weeks too: week NULL), so that a page with versions in two batches is
    # found even when one version's moment moved out of the quarter's weeks
    per_batch = read_frame(source, text(f"""
        SELECT page_id, batch_id, {week} AS week_key, {_SUMS}
        FROM posts WHERE batch_id IN ({ids}) AND {in_span}
        GROUP BY 1, 2, 3"""), {"page_id": pl.Int64, "batch_id": pl.Int64, "week_key": week_type} | sums)
    per_batch = _week_no(per_batch, first_week, origin)
    several = per_batch.group_by("page_id").agg(pl.col("batch_id").n_unique().alias("n")).filter(pl.col("n") > 1)
    single = (per_batch.join(several, on="page_id", how="anti").filter(pl.col("week_no") >= 0)
              .select(list(WEEK_SUMS)))
    if several.is_empty():
        return single.cast(WEEK_SUMS).sort("page_id", "week_no")
    order = batch_order(source, per_batch["batch_id"].unique().to_list())
    ranks = ", ".join(f"({int(r['batch_id'])}, {int(r['batch_rank'])})" for r in order.iter_rows(named=True))
    pages = ", ".join(str(int(p)) for p in several["page_id"].sort())
    current = read_frame(source, text(f"""
        SELECT page_id, {week} AS week_key, {_SUMS} FROM (
            SELECT DISTINCT ON (p.page_id, p.post_id) p.page_id, p.published_at, p.views, p.likes, p.comments,
                   p.reposts, p.reactions
            FROM posts p JOIN (VALUES {ranks}) AS r(batch_id, batch_rank) ON r.batch_id = p.batch_id
            WHERE p.page_id = ANY('{{{pages}}}'::int[]) AND p.{in_span}
            ORDER BY p.page_id, p.post_id, r.batch_rank DESC) AS posts
        GROUP BY 1, 2"""), {"page_id": pl.Int64, "week_key": week_type} | sums)
    current = _week_no(current, first_week, origin).filter(pl.col("week_no") >= 0).select(list(WEEK_SUMS))
    return pl.concat([single.cast(WEEK_SUMS), current.cast(WEEK_SUMS)]).sort("page_id", "week_no")
