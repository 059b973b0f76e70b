"""The posts of a quarter summed per page and local week by PostgreSQL itself: a national quarter is ≈ 13 million
posts but only ≈ 2 million page × week rows, and shipping the sums instead of the posts is what keeps reading it
in seconds.

The rows are exactly what the scoring engine's own first step makes of the raw posts
(scoring.activity.posts_by_week, whose output schema this is): the engine takes either the posts or these rows,
and every rule after that step is the same code. The current version of a post is chosen as
storage.activity_store.current_versions chooses it — among the versions whose moment falls in the span read, the
one of the active batch observed latest (then the higher batch id) — before its week is taken.

The sums are stored once, when a batch is written (`write_week_sums`, table post_week_sums: per batch, page and
local Monday in the region's zone; and the same rows packed one row of bytes per batch, zone and page, table
post_page_weeks, `pack_weeks`), so reading a quarter is reading the packed rows of the active batches (≈ 175,000
nationally: sending 2.1 M rows of nine values cost the server more than the rest of the quarter); a page
whose posts in the span are in more than one active batch (a newer export of it: the newest version of each post
counts once) is summed again from the current versions, and all pages are aggregated from the posts when the
stored sums are not in the zone asked for (or a batch has none).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
from sqlalchemy import Connection, Engine, func, select, text

from core import post_sums
from loaders.activity import POST_SCHEMA
from storage import activity_store, schema
from storage.db import ReadSnapshot, read_frame, read_snapshot, write_frame

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


SUM_COLUMNS = tuple(WEEK_SUMS)[2:]
POST_READ = ("published_at", "views", "likes", "comments", "reposts", "reactions")  # what the sums are made of
BACKFILL_PAGES = 5_000  # pages of posts read at a time when the sums of stored batches are made (migration 0004)


def local_monday(column: str, tz: str) -> pl.Expr:
    """The Monday of the local date (in `tz`) of a UTC moment — the week of scoring.activity.local_week, taken
    through the local date (no local midnight that a zone skips or repeats is ever built)."""
    day = pl.col(column).dt.convert_time_zone(tz).dt.date()
    return day - pl.duration(days=day.dt.weekday() - 1)


def week_sums(posts: pl.DataFrame, tz: str) -> pl.DataFrame:
    """The stored rows of posts (a batch's, or several batches' when they carry `batch_id`): per page and local
    Monday in `tz`, the sums scoring.activity.posts_by_week takes (core.post_sums: one declaration for both)."""
    keys = [c for c in ("batch_id", "page_id") if c in posts.columns]
    return (post_sums.week_sums(posts.lazy(), *keys, local_monday("published_at", tz).alias("week_start"))
            .with_columns(pl.lit(tz).alias("zone")).collect())


def write_week_sums(conn: Connection, posts: pl.DataFrame, tz: str, batch_id: int | None = None) -> int:
    """Store the week sums of posts being written (`batch_id`, or the frame's own column) on the caller's
    connection, inside the transaction (or savepoint) that writes the posts, as rows (post_week_sums) and packed per
    page (post_page_weeks); returns the rows written."""
    if posts.height == 0:
        return 0
    rows = _write_rows(conn, posts, tz, batch_id)
    write_packed(conn, rows)
    return rows.height


def _write_rows(conn: Connection, posts: pl.DataFrame, tz: str, batch_id: int | None = None) -> pl.DataFrame:
    """The post_week_sums rows of posts, written and returned."""
    if batch_id is not None:
        posts = posts.with_columns(pl.lit(batch_id, pl.Int64).alias("batch_id"))
    rows = week_sums(posts.select("batch_id", "page_id", *POST_READ), tz).sort("batch_id", "page_id", "week_start")
    write_frame(conn, schema.post_week_sums.name, rows.select([c.name for c in schema.post_week_sums.columns]))
    return rows


RECORD = ("week_start", *SUM_COLUMNS)  # one week of a packed row (post_page_weeks.weeks): seven int64
EPOCH = date(1970, 1, 1)  # a packed week's Monday is its days since this day


def pack_weeks(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of post_page_weeks (batch_id, zone, page_id, first_week, last_week, weeks) from week sums rows
    (batch_id, zone, page_id, week_start, the six sums): per batch, zone and page, its weeks in the order of their
    Mondays, each as seven little-endian int64 — the Monday as days since 1970-01-01, then the sums."""
    keys = ["batch_id", "zone", "page_id"]
    rows = rows.sort(*keys, "week_start")
    groups = rows.group_by(keys, maintain_order=True).agg(
        pl.col("week_start").min().alias("first_week"), pl.col("week_start").max().alias("last_week"), pl.len())
    values = (rows.select(pl.col("week_start").cast(pl.Int32).cast(pl.Int64), *[pl.col(c).cast(pl.Int64)
                                                                              for c in SUM_COLUMNS])
              .to_numpy(order="c").astype("<i8", copy=False))
    size = len(RECORD) * 8
    ends = (np.cumsum(groups["len"].to_numpy().astype(np.int64)) * size).tolist()
    blob = values.tobytes()
    packed = [blob[a:b] for a, b in zip([0, *ends[:-1]], ends)]
    return groups.drop("len").with_columns(pl.Series("weeks", packed, pl.Binary))


def unpack_weeks(packed: pl.DataFrame) -> pl.DataFrame:
    """pack_weeks undone: per week of each row (`packed`: batch_id, page_id, weeks), batch_id, page_id,
    week_start and the six sums."""
    values = np.frombuffer(b"".join(packed["weeks"].to_list()), dtype="<i8").reshape(-1, len(RECORD))
    counts = (packed["weeks"].bin.size() // (len(RECORD) * 8)).to_numpy()
    frame = pl.DataFrame({"batch_id": np.repeat(packed["batch_id"].to_numpy(), counts),
                          "page_id": np.repeat(packed["page_id"].to_numpy(), counts),
                          **{c: values[:, i] for i, c in enumerate(RECORD)}})
    return frame.with_columns(pl.col("week_start").cast(pl.Int32).cast(pl.Date))


def write_packed(conn: Connection, rows: pl.DataFrame) -> None:
    """Store week sums rows (as written to post_week_sums) packed per batch, zone and page (post_page_weeks)."""
    if rows.height == 0:
        return
    packed = pack_weeks(rows)
    if conn.dialect.name == "postgresql":  # COPY … (FORMAT csv) takes bytea in its hex form
        packed = packed.with_columns(pl.concat_str(pl.lit("\\x"), pl.col("weeks").bin.encode("hex")).alias("weeks"))
    write_frame(conn, schema.post_page_weeks.name, packed.select([c.name for c in schema.post_page_weeks.columns]))


def backfill_packed(conn: Connection) -> int:
    """post_page_weeks of every batch's stored week sums (migration 0005), a range of pages at a time."""
    s = schema.post_week_sums
    low, high = conn.execute(select(func.min(s.c.page_id), func.max(s.c.page_id))).one()
    if low is None:
        return 0
    dtypes = {"batch_id": pl.Int64, "zone": pl.String, "page_id": pl.Int64, "week_start": pl.Date} | {
        c: pl.Int64 for c in SUM_COLUMNS}
    written = 0
    for first in range(low, high + 1, BACKFILL_PAGES * 4):
        rows = read_frame(conn, select(*[s.c[c] for c in dtypes]).where(
            s.c.page_id.between(first, first + BACKFILL_PAGES * 4 - 1)), dtypes)
        if rows.height:
            write_packed(conn, rows)
            written += rows.select("batch_id", "zone", "page_id").n_unique()
    return written


def backfill_week_sums(conn: Connection, tz: str) -> int:
    """The week sums of every stored batch's posts (migration 0004), read a range of pages at a time."""
    p = schema.posts
    low, high = conn.execute(select(func.min(p.c.page_id), func.max(p.c.page_id))).one()
    written = 0
    if low is None:
        return 0
    dtypes = {"batch_id": pl.Int64, "page_id": pl.Int64} | {c: POST_SCHEMA[c] for c in POST_READ}
    for first in range(low, high + 1, BACKFILL_PAGES):
        query = select(*[p.c[c] for c in dtypes]).where(p.c.page_id.between(first, first + BACKFILL_PAGES - 1))
        written += _write_rows(conn, read_frame(conn, query, dtypes), tz).height  # 0004: no packed table yet
    return written


def move_page_sums(conn: Connection, source: int, target: int) -> None:
    """The sums of page `source` become page `target`'s (storage.activity_store.link_page moves its posts), added
    to the target's own of the same batch, zone and week."""
    s = schema.post_week_sums
    dtypes = {"batch_id": pl.Int64, "zone": pl.String, "week_start": pl.Date} | {c: pl.Int64 for c in SUM_COLUMNS}
    both = s.c.page_id.in_([source, target])
    rows = read_frame(conn, select(*[s.c[c] for c in dtypes]).where(both), dtypes)
    if rows.height == 0:
        return
    conn.execute(s.delete().where(both))
    packed = schema.post_page_weeks
    conn.execute(packed.delete().where(packed.c.page_id.in_([source, target])))
    merged = (rows.group_by("batch_id", "zone", "week_start").agg(pl.col(c).sum() for c in SUM_COLUMNS)
              .with_columns(pl.lit(target, pl.Int64).alias("page_id")).select([c.name for c in s.columns]))
    write_frame(conn, s.name, merged)
    write_packed(conn, merged)


def _monday(moment: datetime, tz: str) -> date:
    day = moment.astimezone(ZoneInfo(tz)).date()
    return day - timedelta(days=day.weekday())


def posts_by_week(source: Engine | ReadSnapshot, span: tuple[datetime, datetime], tz: str, first_week: date,
                  weeks: int, origin: datetime | None = None, stats: dict | None = None) -> pl.DataFrame:
    """Per page and week of the quarter (week_no 0 … weeks − 1, the week of the post's local date in `tz`
    counted from the Monday `first_week`; `origin`: see _week_key): the posts and their sums, of the current post
    versions whose moment is in `span` (inclusive, as current_versions reads them). PostgreSQL only.

    The stored sums of the active batches (`write_week_sums`) when every active batch with posts has them in
    `tz`; otherwise one aggregate over the posts (`aggregated`). Either way a page whose posts in the span come
    from more than one active batch is summed again from the current versions (DISTINCT ON the post, latest
    observed batch first). `stats`, when given, is told how: `stored` (the stored sums read, else the aggregate)
    and `recounted_pages` (the pages summed from current versions)."""
    stats = {} if stats is None else stats
    if source.dialect.name != "postgresql":
        raise ValueError("суммы по неделям считаются в PostgreSQL")
    if isinstance(source, Engine):
        with read_snapshot(source) as snapshot:
            return posts_by_week(snapshot, span, tz, first_week, weeks, origin, stats)
    if not _ZONE.match(tz):
        raise ValueError(f"time zone {tz!r}")
    b, s = schema.batches, schema.post_page_weeks
    with source.connect() as conn:
        active = conn.execute(select(b.c.id).where(b.c.status == "active")).scalars().all()
        if not active:
            stats.update(stored=False, recounted_pages=0)
            return pl.DataFrame(schema=WEEK_SUMS)
        ids = ", ".join(str(int(i)) for i in active)
        # an active batch with posts but without sums in this zone (another zone configured when it was written).
        # The batches with posts are walked on the posts' batch index, one probe a batch: asked per batch as EXISTS,
        # the planner (all posts in one batch, by the statistics) scans every post for a batch without posts
        unsummed = conn.execute(text(f"""
            WITH RECURSIVE posted AS (
                SELECT (SELECT min(batch_id) FROM posts) AS id
                UNION ALL
                SELECT (SELECT min(p.batch_id) FROM posts p WHERE p.batch_id > posted.id) FROM posted
                WHERE posted.id IS NOT NULL)
            SELECT count(*) FROM posted WHERE posted.id IN ({ids}) AND (
                SELECT s.batch_id FROM post_page_weeks s WHERE s.batch_id = posted.id AND s.zone = :zone LIMIT 1
            ) IS NULL"""), {"zone": tz}).scalar_one()
    stats["stored"] = not unsummed
    if unsummed:
        return aggregated(source, span, tz, first_week, weeks, origin, ids, stats)
    # the weeks the span touches (wider than the quarter's: a page with a version of a post in another batch just
    # outside the quarter's weeks is found), a single batch's rows are the page's sums as they are
    # (packed per page: post_page_weeks)
    stored = _stored_weeks(source, ids, tz, _monday(span[0], tz), _monday(span[1], tz), first_week)
    return _with_current(source, stored, span, tz, first_week, weeks, origin, stats)


def _stored_weeks(source: ReadSnapshot, ids: str, tz: str, low: date, high: date, first_week: date) -> pl.DataFrame:
    """The packed rows of the batches `ids` (post_page_weeks) unpacked, of the weeks whose Mondays are `low` …
    `high`: batch_id, page_id, week_no (counted from `first_week`), the six sums — in the order of page, batch and
    week. Read as Arrow on the snapshot's columnar connection and unpacked from the bytes as they arrived (no copy
    into a frame of bytes first); only numbers, dates and a checked zone name go into the query."""
    import pyarrow as pa
    with source.adbc().cursor() as cursor:
        cursor.execute(f"SELECT batch_id, page_id, weeks FROM post_page_weeks WHERE zone = '{tz}' "
                       f"AND batch_id IN ({ids}) AND first_week <= DATE '{high}' AND last_week >= DATE '{low}'")
        packed = cursor.fetch_arrow_table()
    packed = packed.combine_chunks()
    order = (packed.column("page_id").to_numpy().astype(np.int64) << 31) + packed.column("batch_id").to_numpy()
    if not bool(np.all(order[1:] > order[:-1])):  # rows come in the order they were written: mostly sorted already
        packed = packed.take(np.argsort(order, kind="stable")).combine_chunks()
    size = len(RECORD) * 8
    weeks = packed.column("weeks").chunks[0] if packed.num_rows else pa.array([], pa.binary())
    offset_type = np.int64 if pa.types.is_large_binary(weeks.type) else np.int32
    offsets = (np.frombuffer(weeks.buffers()[1], offset_type)[weeks.offset:weeks.offset + len(weeks) + 1]
               if len(weeks) else np.zeros(1, np.int64))
    start = int(offsets[0]) if len(offsets) else 0
    count = (int(offsets[-1]) - start) // 8 if len(offsets) else 0
    values = (np.frombuffer(weeks.buffers()[2], "<i8", count=count, offset=start) if count
              else np.zeros(0, np.int64)).reshape(-1, len(RECORD))
    per_row = np.diff(offsets) // size
    days = values[:, 0]
    keep = (days >= (low - EPOCH).days) & (days <= (high - EPOCH).days)
    if bool(keep.all()):
        keep = slice(None)
    frame = {"batch_id": np.repeat(packed.column("batch_id").to_numpy().astype(np.int64), per_row)[keep],
             "page_id": np.repeat(packed.column("page_id").to_numpy().astype(np.int64), per_row)[keep],
             "week_no": ((days[keep] - (first_week - EPOCH).days) // 7).astype(np.int32)}
    return pl.DataFrame(frame | {c: values[keep, i + 1] for i, c in enumerate(SUM_COLUMNS)})


def aggregated(source: ReadSnapshot, span: tuple[datetime, datetime], tz: str, first_week: date, weeks: int,
               origin: datetime | None, ids: str, stats: dict) -> pl.DataFrame:
    """posts_by_week by one aggregate over the posts of the batches `ids` grouped by page, batch and week."""
    with source.adbc().cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    week = _week_key(tz, first_week, weeks, origin)
    week_type = pl.Datetime("us", "UTC") if origin is not None else pl.Date
    sums = dict(list(WEEK_SUMS.items())[2:])
    # every post of the span (outside the weeks too: week NULL), so that a page with versions in two batches is
    # found even when one version's moment moved out of the quarter's weeks
    per_batch = read_frame(source, text(f"""
        SELECT page_id, batch_id, {week} AS week_key, {_SUMS}
        FROM posts WHERE batch_id IN ({ids}) AND {_in_span(span)}
        GROUP BY 1, 2, 3"""), {"page_id": pl.Int64, "batch_id": pl.Int64, "week_key": week_type} | sums)
    return _with_current(source, _week_no(per_batch, first_week, origin), span, tz, first_week, weeks, origin, stats)


def _in_span(span: tuple[datetime, datetime]) -> str:
    return f"published_at BETWEEN {_moment(span[0])} AND {_moment(span[1])}"


def _with_current(source: ReadSnapshot, per_batch: pl.DataFrame, span: tuple[datetime, datetime], tz: str,
                  first_week: date, weeks: int, origin: datetime | None, stats: dict) -> pl.DataFrame:
    """The rows of the quarter's weeks from per-batch rows (page_id, batch_id, week_no, the sums; week_no outside
    0 … weeks − 1 or −1 for the span's posts outside them): a page of one batch as it is, a page of several batches
    summed from its current post versions."""
    if per_batch["batch_id"].n_unique() > 1:
        pairs = per_batch.select("page_id", "batch_id").unique()
        several = pairs.filter(pl.col("page_id").is_duplicated()).select("page_id").unique()
    else:  # one batch (a national load): no page is in two
        several = pl.DataFrame(schema={"page_id": pl.Int64})
    single = per_batch.filter(pl.col("week_no").is_between(0, weeks - 1))
    if not several.is_empty():
        single = single.join(several, on="page_id", how="anti")
    single = single.select(list(WEEK_SUMS))
    stats["recounted_pages"] = several.height
    if several.is_empty():
        return _by_page_week(single.cast(WEEK_SUMS))
    with source.adbc().cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    week = _week_key(tz, first_week, weeks, origin)
    week_type = pl.Datetime("us", "UTC") if origin is not None else pl.Date
    sums = dict(list(WEEK_SUMS.items())[2:])
    batches = per_batch.join(several, on="page_id", how="semi")["batch_id"].unique().to_list()
    order = activity_store.batch_order(source, batches)
    ranks = ", ".join(f"({int(r['batch_id'])}, {int(r['batch_rank'])})" for r in order.iter_rows(named=True))
    pages = ", ".join(str(int(p)) for p in several["page_id"].sort())
    current = read_frame(source, text(f"""
        SELECT page_id, {week} AS week_key, {_SUMS} FROM (
            SELECT DISTINCT ON (p.page_id, p.post_id) p.page_id, p.published_at, p.views, p.likes, p.comments,
                   p.reposts, p.reactions
            FROM posts p JOIN (VALUES {ranks}) AS r(batch_id, batch_rank) ON r.batch_id = p.batch_id
            WHERE p.page_id = ANY('{{{pages}}}'::int[]) AND p.{_in_span(span)}
            ORDER BY p.page_id, p.post_id, r.batch_rank DESC) AS posts
        GROUP BY 1, 2"""), {"page_id": pl.Int64, "week_key": week_type} | sums)
    current = _week_no(current, first_week, origin).filter(pl.col("week_no") >= 0).select(list(WEEK_SUMS))
    return _by_page_week(pl.concat([single.cast(WEEK_SUMS), current.cast(WEEK_SUMS)]))


def _by_page_week(frame: pl.DataFrame) -> pl.DataFrame:
    """In the order of page and week, sorted on one integer key (a week number is below 64): half the cost of a
    sort on the two columns for the ≈ 2 million rows of a national quarter."""
    key = frame.select((pl.col("page_id") * 64 + pl.col("week_no")).alias("key")).to_series()
    return frame if key.is_sorted() else frame.sort(key)  # one batch's stored rows come in that order
