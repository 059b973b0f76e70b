"""Data coverage: which days of which pages the uploaded exports speak for (methodology §3: a week with no
uploaded data is «нет данных», not «0 публикаций»)."""
from __future__ import annotations

from datetime import date

import polars as pl

MONTHS_RU = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def month_label(month_start: date) -> str:
    return f"{MONTHS_RU[month_start.month - 1]} {month_start:%Y}"


def covered_days(coverage: pl.DataFrame, data_kind: str, start: date, end: date) -> pl.DataFrame:
    """(page_id, day) for every local day in [start, end] that some active batch covers."""
    return (coverage.filter(pl.col("data_kind") == data_kind,
                            pl.col("date_to") >= start, pl.col("date_from") <= end)
            .select("page_id", pl.date_ranges(pl.max_horizontal(pl.col("date_from"), pl.lit(start)),
                                              pl.min_horizontal(pl.col("date_to"), pl.lit(end))).alias("day"))
            .explode("day").unique())


def month_coverage(coverage: pl.DataFrame, page_ids: pl.Series, start: date, end: date,
                   data_kind: str = "posts") -> pl.DataFrame:
    """Share of each month's days covered, per page: columns page_id and one per month (0…1), months in order."""
    days = pl.DataFrame({"day": pl.date_range(start, end, eager=True)}).with_columns(
        pl.col("day").dt.month_start().alias("month"))
    month_length = days.group_by("month").agg(pl.len().alias("days"))
    covered = (covered_days(coverage, data_kind, start, end).filter(pl.col("page_id").is_in(page_ids.implode()))
               .with_columns(pl.col("day").dt.month_start().alias("month"))
               .group_by("page_id", "month").agg(pl.len().alias("covered")))
    grid = (pl.DataFrame({"page_id": page_ids}).join(month_length, how="cross")
            .join(covered, on=["page_id", "month"], how="left")
            .with_columns((pl.col("covered").fill_null(0) / pl.col("days")).alias("share"))
            .sort("month"))
    wide = grid.with_columns(pl.col("month").map_elements(month_label, return_dtype=pl.String)).pivot(
        on="month", index="page_id", values="share", sort_columns=False)
    return pl.DataFrame({"page_id": page_ids}).join(wide, on="page_id", how="left")
