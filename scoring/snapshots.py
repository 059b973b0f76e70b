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
    marks = (snapshots.filter(pl.col("subscribers").is_not_null(), pl.col("as_of") <= boundary)
             .select("page_id", "as_of", "batch_id", "subscribers")
             .sort("page_id", "as_of", "batch_id"))

    def last_of(*keys: str) -> pl.Expr:  # the last row of each run of equal keys in the sorted rows
        return pl.any_horizontal(pl.col(k).shift(-1) != pl.col(k) for k in keys).fill_null(True)
    # eagerly, one filter at a time: each «last of» reads the rows the filter before it kept
    marks = marks.filter(last_of("page_id", "as_of"))  # of one day, the latest batch's number
    ends = marks.filter(last_of("page_id")).select(
        "page_id", pl.col("as_of").alias("end_on"), pl.col("subscribers").alias("subscribers_end"))
    # the marks in date order per page: the end is the last one, the start the last one on or before the first day
    starts = marks.filter(pl.col("as_of") <= first_day)
    bounds = (starts.filter(last_of("page_id"))
              .select("page_id", pl.col("as_of").alias("start_on"), pl.col("subscribers").alias("subscribers_start"))
              .join(ends, on="page_id", how="left", maintain_order="left"))
    later = pl.col("end_on") > pl.col("start_on")
    return (bounds.lazy().select("page_id", "start_on", "end_on", "subscribers_start", "subscribers_end")
            .with_columns(pl.when(later).then(pl.col("end_on")).alias("end_on"),
                          pl.when(later).then(pl.col("subscribers_end")).alias("subscribers_end")))
