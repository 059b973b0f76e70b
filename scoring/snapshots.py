"""Which checklist and subscriber values hold for a quarter, from the dated snapshots (registry uploads, the
Госпаблики export, groups.getById). An empty cell is unknown, so each item is taken separately."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.indicators import CHECKLIST

COLUMNS = [*CHECKLIST, "subscribers"]


def in_force(snapshots: pl.DataFrame, first_day: date, boundary: date) -> pl.LazyFrame:
    """Per page: the checklist in force and C2's subscriber marks."""
    return checklist_in_force(snapshots, boundary).join(subscriber_marks(snapshots, first_day, boundary),
                                                        on="page_id", how="left")


def checklist_in_force(snapshots: pl.DataFrame, boundary: date) -> pl.LazyFrame:
    """Per page and item: the latest known value as of `boundary` (the day after the quarter); when nothing
    was known by then, the earliest value known afterwards (a registry uploaded after the quarter); of several
    uploads of one day the latest batch. One ordering of the snapshots by that preference, then the first
    known value of each item."""
    preference = (pl.when(pl.col("as_of") <= boundary).then((pl.lit(boundary) - pl.col("as_of")).dt.total_days())
                  .otherwise((pl.col("as_of") - pl.lit(boundary)).dt.total_days() + 1_000_000))
    return (snapshots.lazy().with_columns(preference.alias("__preference"))
            .sort("page_id", "__preference", "batch_id", descending=[False, False, True])
            .group_by("page_id", maintain_order=True).agg(pl.col(c).first(ignore_nulls=True) for c in COLUMNS))


def subscriber_marks(snapshots: pl.DataFrame, first_day: date, boundary: date) -> pl.LazyFrame:
    """C2's two marks per page: the last count on or before the quarter's first day (start) and the last count on
    or before the day after the quarter (end) — never a later one, so data uploaded months after the quarter
    cannot stand in for its end. The end must be a later observation than the start; otherwise the growth is
    unknown (N/A), not 0. Of several uploads of one day the latest batch's number counts."""
    marks = (snapshots.lazy().filter(pl.col("subscribers").is_not_null(), pl.col("as_of") <= boundary)
             .select("page_id", "as_of", "batch_id", "subscribers")
             .sort("page_id", "as_of", "batch_id")
             .group_by("page_id", "as_of", maintain_order=True).agg(pl.col("subscribers").last()))
    # the marks in date order per page: the end is the last one, the start the last one on or before the first day
    at_start = pl.col("as_of") <= first_day
    bounds = (marks.with_columns(pl.when(at_start).then(pl.col("as_of")).alias("__start_on"),
                                 pl.when(at_start).then(pl.col("subscribers")).alias("__start"))
              .group_by("page_id", maintain_order=True).agg(
                  pl.col("__start_on").last(ignore_nulls=True).alias("start_on"), pl.col("as_of").last().alias("end_on"),
                  pl.col("__start").last(ignore_nulls=True).alias("subscribers_start"),
                  pl.col("subscribers").last().alias("subscribers_end")))
    later = pl.col("end_on") > pl.col("start_on")
    return (bounds.filter(pl.col("start_on").is_not_null())
            .with_columns(pl.when(later).then(pl.col("end_on")).alias("end_on"),
                          pl.when(later).then(pl.col("subscribers_end")).alias("subscribers_end")))
