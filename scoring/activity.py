"""Activity of each page in a quarter: the weekly grid (counted weeks, «нет данных», posts vs the norm), the
posts' reach and engagement sums, the comments and the page's replies, the live streams of each owner.

methodology.md §3 "Counted weeks": the quarter's weeks from the first full week after registration (or the
quarter's first week) in which the uploaded data covers all seven days for the page; a partly covered week counts
only when the page already meets the norm in it (evidence enough), otherwise it is «неполные данные»; a week with
no uploaded data is «нет данных». Neither is ever «0 публикаций», and neither enters B1/B2. A week that has not
ended yet (running quarter) is not counted.

Every week of every page gets exactly one status here (WEEK_STATUSES); screens, figures, workbooks and
`rate --json` only map it to a colour and a label.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from core import post_sums
from scoring.inputs import QuarterWindow

# The one week classification (labels: core.labels.WEEK_STATUS_LABELS; colours: reports.figures).
# Counted weeks are MET, BELOW or ZERO; PARTIAL and NO_DATA are data gaps; the last three are outside the rating
# (before the page's first full week, a week still running, from the week of the page's closing day on).
MET, BELOW, ZERO = "met", "below", "zero"
PARTIAL, NO_DATA = "partial", "no_data"
BEFORE_REGISTRATION, NOT_ENDED, CLOSED = "before_registration", "not_ended", "closed"
WEEK_STATUSES = (MET, BELOW, ZERO, PARTIAL, NO_DATA, BEFORE_REGISTRATION, NOT_ENDED, CLOSED)
COUNTED_STATUSES = (MET, BELOW, ZERO)
FULL_WEEK = 0b1111111  # the seven days of a week as a day mask


def local_week(column: str, tz: str) -> pl.Expr:
    """Monday (local date) of the ISO week holding a UTC moment."""
    return pl.col(column).dt.convert_time_zone(tz).dt.truncate("1w").dt.date()


def fixed_offset(window: QuarterWindow) -> timedelta | None:
    """The zone's UTC offset if it is the same all through the window (Asia/Tomsk has had no daylight saving
    since 2016), else None."""
    start, end = window.load_from, window.load_to
    samples = {(start + (end - start) * i / 40).astimezone(window.tz).utcoffset() for i in range(41)}
    return samples.pop() if len(samples) == 1 else None


def window_week(column: str, window: QuarterWindow) -> pl.Expr:
    """local_week, computed by adding the fixed offset when the zone has one in the window: the same Mondays at
    half the cost of a time-zone conversion of every post."""
    offset = fixed_offset(window)
    if offset is None:
        return local_week(column, window.tz.key)
    return (pl.col(column).dt.replace_time_zone(None) + pl.lit(offset)).dt.truncate("1w").dt.date()


def first_full_week(column: str) -> pl.Expr:
    """The Monday on or after a date: the first week the page existed for all seven days."""
    return pl.col(column) + pl.duration(days=(8 - pl.col(column).dt.weekday().cast(pl.Int32)) % 7)


WEEK_SLOTS = 64  # group key = page_id × WEEK_SLOTS + week number (a quarter has 13 or 14 weeks)
WEEK_US = 7 * 86_400 * 1_000_000


def week_number(column: str, window: QuarterWindow) -> pl.Expr:
    """Number (0 = the quarter's first week) of the local ISO week holding a UTC moment; < 0 or ≥ the number of
    weeks outside the quarter's weeks. With a fixed offset in the window the quarter's first Monday 00:00 local
    is one UTC instant, and the week number is integer arithmetic on the moment; otherwise each moment is
    converted to the zone (local_week)."""
    if fixed_offset(window) is None:
        return (local_week(column, window.tz.key) - pl.lit(window.first_week)).dt.total_days() // 7
    start_us = int(window.utc(window.first_week).timestamp()) * 1_000_000
    return (pl.col(column).dt.epoch("us") - start_us) // WEEK_US


def end_week_number(window: QuarterWindow) -> pl.Expr:
    """The number of the quarter's weeks a page existed all through before it was closed (`closed_on`, the day it
    no longer is an official page): the weeks from the one holding its closing day on are not its weeks — neither
    required nor a data gap (issue 17). All the quarter's weeks when the page is not closed."""
    n = len(window.weeks)
    closed = (pl.col("closed_on") - pl.lit(window.first_week)).dt.total_days() // 7
    return pl.when(pl.col("closed_on").is_null()).then(pl.lit(n)).otherwise(closed.clip(0, n)).cast(pl.Int32)


def ended_weeks(window: QuarterWindow, today: date) -> int:
    """How many of the quarter's weeks have ended by `today` (a running week is not counted)."""
    return sum(1 for week in window.weeks if week + timedelta(days=7) <= today)


def _bits(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    """A week mask with the bits of weeks low … high − 1 set (none when high ≤ low)."""
    def below(k: pl.Expr) -> pl.Expr:
        return pl.lit(2, dtype=pl.Int64).pow(k.cast(pl.Int64)) - 1
    return pl.when(high > low).then(below(high) - below(low)).otherwise(pl.lit(0, dtype=pl.Int64))


def _week_bit(week_no: str = "week_no") -> pl.Expr:
    return pl.lit(2, dtype=pl.Int64).pow(pl.col(week_no).cast(pl.Int64))


def _has_week(mask: str, week_no: str = "week_no") -> pl.Expr:
    return (pl.col(mask) & _week_bit(week_no)) != 0


def weeks_of(mask: int | None, weeks: list[date]) -> list[date]:
    """The Mondays of the weeks set in a week mask."""
    return [week for number, week in enumerate(weeks) if mask and mask >> number & 1]


CHUNK_WEEKS = 7  # a day mask holds the days of 7 weeks (49 bits of an Int64); a quarter's ≤ 14 weeks take two


def coverage_masks(coverage: pl.DataFrame, data_kind: str, window: QuarterWindow) -> pl.LazyFrame:
    """Per page, two week masks of the quarter: the weeks whose seven days the active batches cover (in the
    union of their periods: two exports that meet mid-week cover the week together) and the weeks covered on
    some but not all days. Each coverage row becomes day masks of the quarter's days (7 weeks a mask), the
    page's rows are OR-ed together (the union), and each week's seven bits are read off."""
    n = len(window.weeks)
    last_day = window.week_end - timedelta(days=1)
    first = pl.lit(window.first_week)
    day_from = (pl.max_horizontal(pl.col("date_from"), first) - first).dt.total_days()
    day_to = (pl.min_horizontal(pl.col("date_to"), pl.lit(last_day)) - first).dt.total_days()
    chunk_days = 7 * CHUNK_WEEKS
    chunks = range((n + CHUNK_WEEKS - 1) // CHUNK_WEEKS)
    day_masks = [_bits((pl.col("day_from") - c * chunk_days).clip(0, chunk_days),
                       (pl.col("day_to") + 1 - c * chunk_days).clip(0, chunk_days)).alias(f"__days{c}")
                 for c in chunks]
    per_page = (coverage.lazy().filter(pl.col("data_kind") == data_kind, pl.col("date_to") >= window.first_week,
                                       pl.col("date_from") <= last_day, pl.col("date_from") <= pl.col("date_to"))
                .select("page_id", day_from.alias("day_from"), day_to.alias("day_to"))
                .select("page_id", *day_masks)
                .group_by("page_id").agg(pl.col(f"__days{c}").bitwise_or() for c in chunks))

    def week_days(w: int) -> pl.Expr:  # the seven day bits of week w
        return (pl.col(f"__days{w // CHUNK_WEEKS}") // (1 << (7 * (w % CHUNK_WEEKS)))) % (1 << 7)

    full = pl.sum_horizontal(pl.when(week_days(w) == FULL_WEEK).then(pl.lit(1 << w, dtype=pl.Int64))
                             .otherwise(pl.lit(0, dtype=pl.Int64)) for w in range(n))
    partial = pl.sum_horizontal(pl.when((week_days(w) != FULL_WEEK) & (week_days(w) != 0))
                                .then(pl.lit(1 << w, dtype=pl.Int64)).otherwise(pl.lit(0, dtype=pl.Int64))
                                for w in range(n))
    return per_page.select("page_id", full.alias("full_mask"), partial.alias("partial_cover_mask"))


def covered_pages(coverage: pl.DataFrame, data_kind: str, window: QuarterWindow) -> pl.LazyFrame:
    """The pages with any uploaded data of this kind on a day of the quarter's weeks."""
    last_day = window.week_end - timedelta(days=1)
    return (coverage.lazy().filter(pl.col("data_kind") == data_kind, pl.col("date_to") >= window.first_week,
                                   pl.col("date_from") <= last_day).select("page_id").unique())


def posts_by_week(posts: pl.DataFrame, window: QuarterWindow) -> pl.LazyFrame:
    """The one pass over the posts: per page and week of the quarter (week_no), the posts and the sums the
    indicators need (views and engagement of the posts whose views are known, the comment counters).
    Grouped on one integer key (page × week), half the cost of grouping on two columns. Everything after this
    works on page × week rows, not on posts."""
    in_weeks = (posts.lazy().with_columns(week_number("published_at", window).alias("week_no"))
                .filter(pl.col("week_no").is_between(0, len(window.weeks) - 1)))
    return (post_sums.week_sums(in_weeks, (pl.col("page_id") * WEEK_SLOTS + pl.col("week_no")).alias("key"))
            .select((pl.col("key") // WEEK_SLOTS).alias("page_id"),
                    (pl.col("key") % WEEK_SLOTS).cast(pl.Int32).alias("week_no"), pl.exclude("key")))


WEEK_SUMS_SCHEMA = {"page_id": pl.Int64, "week_no": pl.Int32, "posts": pl.Int64, "posts_with_views": pl.Int64,
                    "views": pl.Int64, "engagement": pl.Int64, "posts_with_comment_counter": pl.Int64,
                    "comment_counter": pl.Int64}


def week_sums(posts: pl.DataFrame, window: QuarterWindow, summed: pl.DataFrame | None = None) -> pl.LazyFrame:
    """The first step of scoring: the posts per page and week with their sums (posts_by_week), from the raw
    posts, or given already summed (`summed`, the same rows computed where the posts are stored: a national
    quarter from PostgreSQL), or both for different pages. Every rule after this step reads only these rows."""
    own = posts_by_week(posts, window)
    if summed is None:
        return own
    weeks = len(window.weeks)
    given = (summed.lazy().select(list(WEEK_SUMS_SCHEMA)).cast(WEEK_SUMS_SCHEMA)
             .filter(pl.col("week_no").is_between(0, weeks - 1)))
    return pl.concat([given, own.cast(WEEK_SUMS_SCHEMA)])


POST_SUMS = ("posts_with_views", "views", "engagement", "posts_with_comment_counter", "comment_counter")
WEEK_MASKS = ("counted_mask", "met_mask", "below_norm_mask", "zero_mask", "partial_mask", "no_data_mask")
DENSE_SLACK = 1 << 22  # a direct-address table of page ids may hold this many more entries than pages (32 MB)


def row_positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The row of each `wanted` id among `ids` (unique), −1 where it is not there. Page ids are database ids, dense
    from 1: a table addressed by the id itself, one array lookup a row; ids too sparse for such a table (or
    negative) are matched by a hash join instead."""
    if not len(wanted) or not len(ids):
        return np.full(len(wanted), -1, dtype=np.int64)
    low, top = min(ids.min(), wanted.min()), max(ids.max(), wanted.max()) + 1
    if low >= 0 and top <= 8 * len(ids) + DENSE_SLACK:
        table = np.full(top, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids), dtype=np.int64)
        return table[wanted]
    rows = pl.DataFrame({"id": ids, "row": np.arange(len(ids), dtype=np.int64)})
    return (pl.DataFrame({"id": wanted}).join(rows, on="id", how="left", maintain_order="left")["row"]
            .fill_null(-1).to_numpy())


def counted_week_sums(per_week: pl.DataFrame, base: pl.DataFrame) -> dict[str, np.ndarray]:
    """Per page of `base` (page_id, norm, __eligible, full_mask, partial_cover_mask; one row a page), from its page ×
    week rows: the weeks at the norm (__at_norm) and with posts (__with_posts) as week masks, and the posts and
    POST_SUMS of its counted weeks — a week with posts is counted when eligible and fully covered, or partly
    covered and at the norm (methodology.md §3). Each row is given its page's values by the page's row in `base`
    and added into that row (a scatter-add): no join and no hash grouping of the 2 million rows of a national
    quarter."""
    row = row_positions(base["page_id"].to_numpy(), per_week["page_id"].to_numpy())
    keep = row >= 0
    row = row[keep]
    # a page without a norm never meets it
    page = base.select(pl.col("norm").fill_null(np.iinfo(np.int64).max).cast(pl.Int64).alias("__norm"),
                       (pl.col("__eligible") & pl.col("full_mask")).alias("__sure"),
                       (pl.col("__eligible") & pl.col("partial_cover_mask")).alias("__if_at_norm"))
    weeks = per_week.filter(pl.Series(keep))
    bit, at_norm, counted = pl.col("__bit"), pl.col("__at_norm_week"), pl.col("__counted")
    values = (weeks.lazy().select(*[pl.col(c).fill_null(0) for c in ("posts", *POST_SUMS)])
              .with_columns(*[pl.Series(name, column.to_numpy()[row]) for name, column in page.to_dict().items()],
                            pl.Series("__bit", np.left_shift(np.int64(1), weeks["week_no"].to_numpy().astype(np.int64))))
              .with_columns((pl.col("posts") >= pl.col("__norm")).alias("__at_norm_week"))
              .with_columns((((pl.col("__sure") | pl.when(at_norm).then(pl.col("__if_at_norm")).otherwise(0)) & bit)
                             != 0).alias("__counted"))
              .select(pl.when(at_norm).then(bit).otherwise(0).alias("__at_norm"),
                      pl.when(pl.col("posts") > 0).then(bit).otherwise(0).alias("__with_posts"),
                      *[pl.when(counted).then(pl.col(c)).otherwise(0).alias(c) for c in ("posts", *POST_SUMS)])
              .collect())

    def scatter(column: pl.Series) -> np.ndarray:
        total = np.zeros(base.height, dtype=np.int64)
        np.add.at(total, row, column.to_numpy())
        return total
    return {column.name: scatter(column) for column in values.iter_columns()}


def page_weeks(pages: pl.DataFrame, per_week: pl.DataFrame, coverage: pl.DataFrame, window: QuarterWindow,
               today: date) -> pl.DataFrame:
    """Per page (`pages`: page_id, registered_on, closed_on, norm; one row a page), in the order of `pages`, the week
    classification as week masks — the first week it is rated from (start_week_no), the first week from its closing
    on (end_week_no), the counted weeks and among them those at the norm, below it and without posts, the partly
    covered weeks below the norm («неполные данные»), the weeks without data — their counts, and the sums of the
    posts of its counted weeks (for B2, C and D). The page × week grid itself is only built when a screen or a
    report asks for it (weekly_grid), from these masks."""
    n = len(window.weeks)
    start = ((first_full_week("registered_on") - pl.lit(window.first_week)).dt.total_days() // 7).clip(0, n)
    base = (pages.lazy().select("page_id", "norm", start.fill_null(0).cast(pl.Int32).alias("start_week_no"),
                                end_week_number(window).alias("end_week_no"))
            .join(coverage_masks(coverage, "posts", window), on="page_id", how="left", maintain_order="left")
            .with_columns(pl.col("full_mask").fill_null(0), pl.col("partial_cover_mask").fill_null(0),
                          _bits(pl.col("start_week_no"), pl.min_horizontal(pl.col("end_week_no"),
                                                                           pl.lit(ended_weeks(window, today))))
                          .alias("__eligible"))
            .collect())
    eligible, full, part = pl.col("__eligible"), pl.col("full_mask"), pl.col("partial_cover_mask")
    # weeks at the norm, whatever their coverage: a norm of 0 is met by every week, with posts or without
    at_norm_weeks = (pl.when(pl.col("norm") <= 0).then(_bits(pl.lit(0), pl.lit(n)))
                     .otherwise(pl.col("__at_norm")))
    counted = pl.col("counted_mask") != 0
    return (base.with_columns(pl.Series(name, values) for name, values in counted_week_sums(per_week, base).items())
            .lazy()
            .with_columns(at_norm_weeks.alias("__at_norm"))
            # methodology.md §3: all seven days covered, or partly covered and already at the norm
            .with_columns((eligible & (full | (part & pl.col("__at_norm")))).alias("counted_mask"),
                          (eligible & part & ~pl.col("__at_norm")).alias("partial_mask"),
                          (eligible & ~full & ~part).alias("no_data_mask"))
            .with_columns((pl.col("counted_mask") & pl.col("__at_norm")).alias("met_mask"),
                          (pl.col("counted_mask") & ~pl.col("__at_norm")).alias("below_norm_mask"))
            .with_columns((pl.col("below_norm_mask") & ~pl.col("__with_posts")).alias("zero_mask"))
            .with_columns(pl.col("counted_mask").bitwise_count_ones().cast(pl.Int64).alias("weeks"),
                          pl.col("met_mask").bitwise_count_ones().cast(pl.Int64).alias("weeks_ok"),
                          pl.col("no_data_mask").bitwise_count_ones().cast(pl.Int64).alias("weeks_no_data"),
                          pl.col("partial_mask").bitwise_count_ones().cast(pl.Int64).alias("weeks_partial"),
                          *[pl.when(counted).then(pl.col(c)).alias(c) for c in POST_SUMS])
            .select("page_id", "start_week_no", "end_week_no", "full_mask", "partial_cover_mask", "counted_mask",
                    "partial_mask", "no_data_mask", "met_mask", "below_norm_mask", "zero_mask", "posts", *POST_SUMS,
                    "weeks", "weeks_ok", "weeks_no_data", "weeks_partial").collect())


def weekly_grid(page_weeks: pl.DataFrame, per_week: pl.DataFrame, window: QuarterWindow, today: date) -> pl.DataFrame:
    """One row per page × week of the quarter: its status (WEEK_STATUSES, from the masks of page_weeks), posts
    (0 in a counted week without posts, null where nothing is known), norm, and norm_met (null unless counted)."""
    weeks = pl.LazyFrame({"week_no": range(len(window.weeks)), "week": window.weeks},
                         schema={"week_no": pl.Int32, "week": pl.Date})
    status = (pl.when(pl.col("week_no") < pl.col("start_week_no")).then(pl.lit(BEFORE_REGISTRATION))
              .when(pl.col("week_no") >= pl.col("end_week_no")).then(pl.lit(CLOSED))
              .when(pl.col("week_no") >= ended_weeks(window, today)).then(pl.lit(NOT_ENDED))
              .when(_has_week("met_mask")).then(pl.lit(MET))
              .when(_has_week("zero_mask")).then(pl.lit(ZERO))
              .when(_has_week("below_norm_mask")).then(pl.lit(BELOW))
              .when(_has_week("partial_mask")).then(pl.lit(PARTIAL))
              .otherwise(pl.lit(NO_DATA)))
    counted = pl.col("status").is_in(COUNTED_STATUSES)
    return (page_weeks.lazy().select("page_id", "norm", "start_week_no", "end_week_no", *WEEK_MASKS)
            .join(weeks, how="cross")
            .join(per_week.lazy().select("page_id", "week_no", "posts"), on=["page_id", "week_no"], how="left")
            .with_columns(status.alias("status"))
            .with_columns(pl.when(counted).then(pl.col("posts").fill_null(0)).otherwise(pl.col("posts"))
                          .cast(pl.Int64).alias("posts"),
                          pl.when(counted).then(pl.col("status") == MET).otherwise(None).alias("norm_met"))
            .select("page_id", "week", "status", "posts", "norm", "norm_met")
            .sort("page_id", "week").collect())


def comment_metrics(comments: pl.DataFrame, coverage: pl.DataFrame, window: QuarterWindow) -> pl.LazyFrame:
    """Per page with comment data in the quarter: users' comments in the quarter's weeks, those the page
    answered (a page comment whose parent is that comment), the median hours to the first reply and the
    slowest replies (for explanations)."""
    pages_with_data = covered_pages(coverage, "comments", window)
    start, end = window.utc(window.first_week), window.utc(window.week_end)
    comments = comments.lazy()
    replies = (comments.filter(pl.col("author_is_page") & pl.col("parent_comment_id").is_not_null())
               .group_by("page_id", "parent_comment_id").agg(pl.col("created_at").min().alias("replied_at")))
    users = (comments.filter(~pl.col("author_is_page") & pl.col("created_at").is_between(start, end, closed="left"))
             .join(replies, left_on=["page_id", "comment_id"], right_on=["page_id", "parent_comment_id"], how="left")
             .with_columns(((pl.col("replied_at") - pl.col("created_at")).dt.total_seconds() / 3600)
                           .clip(lower_bound=0).alias("reply_hours")))
    # the answered comments sorted once, slowest first, one list per page: its median and its three slowest are
    # read off by position (a median and a sort per group cost twice as much); the median as Polars computes it,
    # the lower middle value plus half the gap to the upper one
    hours = pl.col("__hours")
    lower, upper = hours.list.get(pl.col("answered") // 2), hours.list.get((pl.col("answered") - 1) // 2)
    answered = (users.filter(pl.col("reply_hours").is_not_null()).select("page_id", "reply_hours")
                .sort("page_id", "reply_hours", descending=[False, True])
                .group_by("page_id", maintain_order=True)
                .agg(pl.col("reply_hours").alias("__hours"), pl.len().cast(pl.Int64).alias("answered"))
                .select("page_id", "answered", (lower + (upper - lower) * 0.5).alias("median_reply_hours"),
                        hours.list.head(3).alias("slowest_reply_hours")))
    stats = (users.group_by("page_id").agg(pl.len().cast(pl.Int64).alias("user_comments"))
             .join(answered, on="page_id", how="left"))
    return (pages_with_data.join(stats, on="page_id", how="left")
            .with_columns(pl.col("user_comments").fill_null(0), pl.col("answered").fill_null(0),
                          pl.when(pl.col("user_comments").is_not_null() & pl.col("slowest_reply_hours").is_null())
                          .then(pl.lit([], dtype=pl.List(pl.Float64))).otherwise(pl.col("slowest_reply_hours"))
                          .alias("slowest_reply_hours"),
                          pl.lit(True).alias("comment_data")))


def owner_streams(streams: pl.DataFrame, pages: pl.DataFrame, window: QuarterWindow) -> pl.LazyFrame:
    """Live streams of each owner in the calendar quarter (local dates; any of the owner's pages counts)."""
    local_day = pl.col("started_at").dt.convert_time_zone(window.tz.key).dt.date()
    in_quarter = streams.lazy().filter(local_day.is_between(window.quarter.first_day, window.quarter.last_day))
    return (in_quarter.join(pages.lazy().select("page_id", "owner_id"), on="page_id")
            .group_by("owner_id").agg(pl.len().cast(pl.Int64).alias("owner_streams")))
