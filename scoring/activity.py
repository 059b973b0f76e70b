"""Activity of each page in a quarter: the weekly grid (counted weeks, «нет данных», posts vs the norm), the
posts' reach and engagement sums, the comments and the page's replies, the live streams of each owner.

methodology.md §3 "Counted weeks": from the first full week after registration (or the quarter's first week)
to the last week the uploaded data covers; a week with no uploaded data is «нет данных», never «0 публикаций».
A week counts as covered when an active batch covers at least one of its days (exports run from their first
to their last item, so a page that posts rarely would otherwise lose the weeks at the edges of each export).
A week that has not ended yet (running quarter) is not counted.
"""
from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from scoring.inputs import QuarterWindow

# week statuses of the grid (labels: core.labels)
COUNTED, NO_DATA, BEFORE_REGISTRATION, NOT_ENDED = "counted", "no_data", "before_registration", "not_ended"


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


def covered_weeks(coverage: pl.DataFrame, data_kind: str, window: QuarterWindow) -> pl.DataFrame:
    """(page_id, week) for the quarter's weeks that active batches cover on at least one day."""
    last_day = window.week_end - timedelta(days=1)
    spans = coverage.filter(pl.col("data_kind") == data_kind, pl.col("date_to") >= window.first_week,
                            pl.col("date_from") <= last_day)
    return (spans.select("page_id", pl.date_ranges(
        pl.max_horizontal(pl.col("date_from"), pl.lit(window.first_week)).dt.truncate("1w"),
        pl.min_horizontal(pl.col("date_to"), pl.lit(last_day)).dt.truncate("1w"), interval="1w").alias("week"))
            .explode("week").unique())


def posts_by_week(posts: pl.DataFrame, window: QuarterWindow) -> pl.DataFrame:
    """The one pass over the posts: per page and local week of the quarter, the posts and the sums the
    indicators need (views and engagement of the posts whose views are known, the comment counters, reposts).
    Everything after this works on page × week rows, not on posts."""
    has_views = pl.col("views").is_not_null()
    engagement = pl.sum_horizontal(pl.col(c).fill_null(0) for c in ("likes", "comments", "reposts", "reactions"))
    return (posts.lazy().with_columns(window_week("published_at", window).alias("week"))
            .filter(pl.col("week").is_between(window.first_week, window.weeks[-1]))
            .group_by("page_id", "week").agg(
                pl.len().cast(pl.Int64).alias("posts"),
                has_views.sum().cast(pl.Int64).alias("posts_with_views"),
                pl.col("views").sum().cast(pl.Int64).alias("views"),
                pl.when(has_views).then(engagement).sum().cast(pl.Int64).alias("engagement"),
                pl.col("comments").is_not_null().sum().cast(pl.Int64).alias("posts_with_comment_counter"),
                pl.col("comments").sum().cast(pl.Int64).alias("comment_counter"),
                pl.col("is_repost").sum().cast(pl.Int64).alias("reposts_count"))
            .collect())


def weekly_grid(pages: pl.DataFrame, per_week: pl.DataFrame, coverage: pl.DataFrame, window: QuarterWindow,
                norms: pl.DataFrame, today: date) -> pl.DataFrame:
    """One row per page × week of the quarter: status, posts, norm, norm met (null unless counted), and the
    week's sums from posts_by_week (for post_metrics). One lazy query, collected once.

    `pages` needs page_id, kind, registered_on; `norms` maps kind → norm."""
    weeks = pl.LazyFrame({"week": window.weeks})
    covered = covered_weeks(coverage, "posts", window).lazy().with_columns(pl.lit(True).alias("covered"))
    start = pl.max_horizontal(pl.lit(window.first_week), first_full_week("registered_on"))
    status = (pl.when(pl.col("week") < start.fill_null(pl.lit(window.first_week))).then(pl.lit(BEFORE_REGISTRATION))
              .when(pl.col("week") + pl.duration(days=7) > pl.lit(today)).then(pl.lit(NOT_ENDED))
              .when(pl.col("covered").is_null()).then(pl.lit(NO_DATA))
              .otherwise(pl.lit(COUNTED)))
    counted = pl.col("status") == COUNTED
    return (pages.lazy().select("page_id", "kind", "registered_on").join(norms.lazy(), on="kind", how="left")
            .join(weeks, how="cross")
            .join(covered, on=["page_id", "week"], how="left")
            .join(per_week.lazy(), on=["page_id", "week"], how="left")
            .with_columns(status.alias("status"))
            .with_columns(pl.when(counted).then(pl.col("posts").fill_null(0)).otherwise(pl.col("posts"))
                          .cast(pl.Int64).alias("posts"),
                          pl.when(counted).then(pl.col("posts").fill_null(0) >= pl.col("norm")).otherwise(None)
                          .alias("norm_met"))
            .drop("kind", "registered_on", "covered")
            .sort("page_id", "week").collect())


def weekly_summary(grid: pl.DataFrame) -> pl.DataFrame:
    """Per page: counted weeks, weeks meeting the norm, posts in counted weeks, weeks without data."""
    counted = pl.col("status") == "counted"
    return grid.group_by("page_id").agg(
        counted.sum().cast(pl.Int64).alias("weeks"),
        pl.col("norm_met").sum().cast(pl.Int64).alias("weeks_ok"),
        pl.col("posts").filter(counted).sum().cast(pl.Int64).alias("posts"),
        (pl.col("status") == NO_DATA).sum().cast(pl.Int64).alias("weeks_no_data"),
        pl.col("week").filter(counted & ~pl.col("norm_met")).alias("weeks_below_norm"),
        pl.col("week").filter(pl.col("status") == NO_DATA).alias("weeks_without_data"),
    )


def post_metrics(grid: pl.DataFrame) -> pl.DataFrame:
    """Per page, over the posts of its counted weeks: posts with views, views, engagement (likes + comments +
    reposts + reactions of the posts whose views are known), posts with a comment counter and its sum, reposts."""
    sums = ("posts_with_views", "views", "engagement", "posts_with_comment_counter", "comment_counter",
            "reposts_count")
    return (grid.lazy().filter(pl.col("status") == COUNTED)
            .group_by("page_id").agg(pl.col(c).sum().cast(pl.Int64) for c in sums).collect())


def comment_metrics(comments: pl.DataFrame, coverage: pl.DataFrame, window: QuarterWindow) -> pl.DataFrame:
    """Per page with comment data in the quarter: users' comments in the quarter's weeks, those the page
    answered (a page comment whose parent is that comment), the median hours to the first reply, the slowest
    replies and the oldest unanswered comments (for explanations)."""
    pages_with_data = covered_weeks(coverage, "comments", window).select("page_id").unique()
    start, end = window.utc(window.first_week), window.utc(window.week_end)
    replies = (comments.filter(pl.col("author_is_page") & pl.col("parent_comment_id").is_not_null())
               .group_by("page_id", "parent_comment_id").agg(pl.col("created_at").min().alias("replied_at")))
    users = (comments.filter(~pl.col("author_is_page") & pl.col("created_at").is_between(start, end, closed="left"))
             .join(replies, left_on=["page_id", "comment_id"], right_on=["page_id", "parent_comment_id"], how="left")
             .with_columns(((pl.col("replied_at") - pl.col("created_at")).dt.total_seconds() / 3600)
                           .clip(lower_bound=0).alias("reply_hours")))
    stats = users.group_by("page_id").agg(
        pl.len().cast(pl.Int64).alias("user_comments"),
        pl.col("reply_hours").is_not_null().sum().cast(pl.Int64).alias("answered"),
        pl.col("reply_hours").median().alias("median_reply_hours"),
        pl.col("reply_hours").drop_nulls().sort(descending=True).head(3).alias("slowest_reply_hours"),
    )
    return (pages_with_data.join(stats, on="page_id", how="left")
            .with_columns(pl.col("user_comments").fill_null(0), pl.col("answered").fill_null(0),
                          pl.lit(True).alias("comment_data")))


def owner_streams(streams: pl.DataFrame, pages: pl.DataFrame, window: QuarterWindow) -> pl.DataFrame:
    """Live streams of each owner in the calendar quarter (local dates; any of the owner's pages counts)."""
    local_day = pl.col("started_at").dt.convert_time_zone(window.tz.key).dt.date()
    in_quarter = streams.filter(local_day.is_between(window.quarter.first_day, window.quarter.last_day))
    return (in_quarter.join(pages.select("page_id", "owner_id"), on="page_id")
            .group_by("owner_id").agg(pl.len().cast(pl.Int64).alias("owner_streams")))
