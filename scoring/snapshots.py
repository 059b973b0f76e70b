"""Which checklist and subscriber values hold for a quarter, from the dated snapshots (registry uploads, the
Госпаблики export, groups.getById). An empty cell is unknown, so each item is taken separately."""
from __future__ import annotations

from datetime import date

import polars as pl

from scoring.indicators import CHECKLIST


def _latest_per_day(snapshots: pl.DataFrame, columns: list[str]) -> pl.LazyFrame:
    """One row per page and day: of several uploads of one day the latest batch wins, item by item."""
    return (snapshots.lazy().sort("page_id", "as_of", "batch_id")
            .group_by("page_id", "as_of", maintain_order=True)
            .agg(pl.col(c).drop_nulls().last() for c in columns))


def checklist_in_force(snapshots: pl.DataFrame, boundary: date) -> pl.LazyFrame:
    """Per page and item: the latest known value as of `boundary` (the day after the quarter); when nothing
    was known by then, the earliest value known afterwards (a registry uploaded after the quarter)."""
    columns = [*CHECKLIST, "subscribers"]
    days = _latest_per_day(snapshots, columns)
    distance = (pl.when(pl.col("as_of") <= boundary).then((pl.lit(boundary) - pl.col("as_of")).dt.total_days())
                .otherwise((pl.col("as_of") - pl.lit(boundary)).dt.total_days() + 1_000_000))
    return (days.with_columns(distance.alias("__distance")).sort("page_id", "__distance")
            .group_by("page_id", maintain_order=True).agg(pl.col(c).drop_nulls().first() for c in columns))


def subscriber_marks(snapshots: pl.DataFrame, first_day: date, boundary: date) -> pl.LazyFrame:
    """C2's two marks per page: the start (latest on or before the quarter's first day, else the earliest
    inside the quarter) and the end (latest later mark on or before the day after the quarter, else the
    earliest after it). A page with one mark has no end."""
    marks = _latest_per_day(snapshots, ["subscribers"]).filter(pl.col("subscribers").is_not_null())
    start = marks.group_by("page_id").agg(pl.coalesce(
        pl.col("as_of").filter(pl.col("as_of") <= first_day).max(),
        pl.col("as_of").filter((pl.col("as_of") > first_day) & (pl.col("as_of") < boundary)).min()
    ).alias("start_on")).filter(pl.col("start_on").is_not_null())
    later = marks.join(start, on="page_id").filter(pl.col("as_of") > pl.col("start_on"))
    end = later.group_by("page_id").agg(pl.coalesce(
        pl.col("as_of").filter(pl.col("as_of") <= boundary).max(),
        pl.col("as_of").filter(pl.col("as_of") > boundary).min()).alias("end_on"))
    value = marks.select("page_id", "as_of", "subscribers")
    return (start.join(end, on="page_id", how="left")
            .join(value.rename({"as_of": "start_on", "subscribers": "subscribers_start"}), on=["page_id", "start_on"],
                  how="left")
            .join(value.rename({"as_of": "end_on", "subscribers": "subscribers_end"}), on=["page_id", "end_on"],
                  how="left"))
