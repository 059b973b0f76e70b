"""Early warning inside a running quarter (product.md, "beyond the peers"): which pages are on course to miss
the weekly norm, which executive bodies have not held the quarter's live stream yet, and what it takes to
catch up."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.activity import COUNTED_STATUSES, NOT_ENDED
from scoring.rating import QuarterRating


def is_running(rating: QuarterRating, today: date) -> bool:
    return rating.quarter.first_day <= today <= rating.quarter.last_day


def weekly_norm_risks(rating: QuarterRating) -> pl.DataFrame:
    """Pages on course to miss the weekly norm: the last ended week was below it, or the share of weeks at the
    norm so far is under the methodology's `early_warning.share_of_weeks`. `posts_needed` is what the running
    week still lacks; `best_B1` the share of weeks at the norm still reachable if every remaining week meets it."""
    share = float(rating.methodology.early_warning_share)
    grid = rating.grid
    left = grid.filter(pl.col("status") == NOT_ENDED).group_by("page_id").agg(
        pl.len().cast(pl.Int64).alias("weeks_left"),
        pl.col("posts").sort_by("week").first().fill_null(0).cast(pl.Int64).alias("posts_this_week"))
    counted = grid.filter(pl.col("status").is_in(COUNTED_STATUSES)).group_by("page_id").agg(
        pl.len().cast(pl.Int64).alias("weeks_counted"), pl.col("norm_met").sum().cast(pl.Int64).alias("weeks_met"),
        pl.col("norm_met").sort_by("week").last().alias("last_week_met"))
    pages = rating.pages.select("page_id", "url", "platform", "owner_id", "owner_name", "kind", "parent_name", "norm")
    frame = (pages.join(left, on="page_id", how="inner").join(counted, on="page_id", how="left")
             .with_columns(pl.col("weeks_counted").fill_null(0), pl.col("weeks_met").fill_null(0))
             .with_columns((pl.col("norm") - pl.col("posts_this_week")).clip(lower_bound=0).alias("posts_needed"),
                           ((pl.col("weeks_met") + pl.col("weeks_left"))
                            / (pl.col("weeks_counted") + pl.col("weeks_left"))).alias("best_B1")))
    behind = (pl.col("last_week_met") == False) | (pl.col("weeks_met") < share * pl.col("weeks_counted"))  # noqa: E712
    return (frame.filter(behind)
            .sort("best_B1", "posts_needed", "owner_name", "url", descending=[False, True, False, False]))


def live_stream_risks(rating: QuarterRating, today: date) -> pl.DataFrame:
    """Owners the methodology requires a live stream of (executive bodies) that have none yet this quarter."""
    needed = rating.methodology.norms.live_streams_per_quarter
    held = rating.streams.group_by("owner_id").agg(pl.len().cast(pl.Int64).alias("streams"))
    days_left = (rating.quarter.last_day - today).days + 1
    owners = rating.owners.filter(pl.col("kind").is_in(list(needed)), pl.col("pages") > 0)
    return (owners.select("owner_id", "owner_name", "kind").join(held, on="owner_id", how="left")
            .with_columns(pl.col("streams").fill_null(0),
                          pl.col("kind").replace_strict({k: int(v) for k, v in needed.items()}, default=0,
                                                        return_dtype=pl.Int64).alias("needed"),
                          pl.lit(days_left).alias("days_left"))
            .filter(pl.col("streams") < pl.col("needed")).sort("owner_name"))
