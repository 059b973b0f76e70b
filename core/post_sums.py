"""The sums of a page's posts over a week that scoring reads (one declaration, shared by scoring.activity.posts_by_week,
which sums the posts of a quarter, and storage.post_weeks.week_sums, which stores them per batch at upload):
the posts; of those whose views are known, their number, views and engagement (likes + comments + reposts +
reactions, a missing counter as 0); the posts with a comment counter and its sum."""
from __future__ import annotations

import polars as pl

COUNTERS = ("likes", "comments", "reposts", "reactions")


def week_aggregations() -> list[pl.Expr]:
    """The aggregations of one group of posts (a page's week), in the column order of the week sums."""
    counters = [pl.col(c).fill_null(0) for c in COUNTERS]
    engagement = counters[0] + counters[1] + counters[2] + counters[3]
    return [pl.len().cast(pl.Int64).alias("posts"),
            pl.col("views").count().cast(pl.Int64).alias("posts_with_views"),  # count() = values present
            pl.col("views").sum().cast(pl.Int64).alias("views"),
            pl.when(pl.col("views").is_not_null()).then(engagement).sum().cast(pl.Int64).alias("engagement"),
            pl.col("comments").count().cast(pl.Int64).alias("posts_with_comment_counter"),
            pl.col("comments").sum().cast(pl.Int64).alias("comment_counter")]
