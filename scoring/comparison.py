"""Two quarters side by side (issue 19, «Рейтинг» → «Сравнение кварталов» and its Excel): each owner's place,
score and zone in quarter A and quarter B with the changes. Pure: two ratings as frames (scoring.tables.RatingTables)
in, rows out."""
from __future__ import annotations

import polars as pl

from core.labels import shorten
from scoring.tables import RatingTables

COMPARED = ("owner_id", "owner", "parent_name", "rank", "score", "zone")  # what a row of a quarter brings


def zone_change(zone_a: str | None, zone_b: str | None) -> str:
    if zone_a is None and zone_b is None:
        return "не оценивается"
    if zone_a == zone_b:
        return "без изменений"
    return f"{zone_a or 'не оценивался'} → {zone_b or 'не оценивается'}"


def _owner_rows(tables: RatingTables, name: str) -> list[dict]:
    frame = tables.table(name)
    return frame.select(c for c in COMPARED if c in frame.columns).to_dicts() if not frame.is_empty() else []


def comparison_rows(tables_a: RatingTables, tables_b: RatingTables, name: str) -> list[dict]:
    """Owners of a table in two quarters (matched by owner id): place, score and zone in A and B; Δ place is
    positive when the owner moved up (as Δ места of the rating), Δ points = B − A; only between rated rows."""
    before = {r["owner_id"]: r for r in _owner_rows(tables_a, name)}
    rows = []
    for row in _owner_rows(tables_b, name):
        rows.append(_row(before.pop(row["owner_id"], {}), row))
    rows += [_row(old, {"owner": old["owner"], "parent_name": old.get("parent_name")}) for old in before.values()]
    return sorted(rows, key=lambda r: (r["rank_b"] is None, r["rank_b"] or 0, r["owner"]))


def _row(a: dict, b: dict) -> dict:
    rank_a, rank_b, score_a, score_b = a.get("rank"), b.get("rank"), a.get("score"), b.get("score")
    return {"owner": b.get("owner") or a.get("owner"), "parent": b.get("parent_name") or a.get("parent_name"),
            "rank_a": rank_a, "rank_b": rank_b,
            "delta_place": rank_a - rank_b if rank_a is not None and rank_b is not None else None,
            "score_a": score_a, "score_b": score_b,
            "delta_points": score_b - score_a if score_a is not None and score_b is not None else None,
            "zone_a": a.get("zone"), "zone_b": b.get("zone"), "zone_change": zone_change(a.get("zone"), b.get("zone"))}


REGION_SUFFIX = " Томской области"
CHART_LABEL = 36  # characters of a name on the chart's axis; the table beside it has the names whole


def chart_rows(rows: list[dict], limit: int | None = None) -> list[dict]:
    """The rows for the chart beside the table: the names without the region (every body's name ends with it) and
    shortened (the chart has half the screen), kept whole when that would make two names alike; with `limit`, the
    rows whose score changed most."""
    if limit is not None and len(rows) > limit:
        rows = sorted(rows, key=lambda r: -abs((r["score_b"] or 0) - (r["score_a"] or 0)))[:limit]
    short = [_short(r["owner"].removesuffix(REGION_SUFFIX)) for r in rows]
    if len(set(short)) < len(short):
        return rows
    return [r | {"owner": name} for r, name in zip(rows, short)]


def _short(name: str, limit: int = CHART_LABEL) -> str:
    return shorten(name, limit)


COMPARISON_SCHEMA = {"owner": pl.String, "parent": pl.String, "rank_a": pl.Int64, "rank_b": pl.Int64,
                     "delta_place": pl.Int64, "score_a": pl.Float64, "score_b": pl.Float64,
                     "delta_points": pl.Float64, "zone_a": pl.String, "zone_b": pl.String, "zone_change": pl.String}


def comparison_frame(rows: list[dict]) -> pl.DataFrame:
    """The rows as a typed frame for the screen's sortable table (scores rounded as shown)."""
    frame = pl.DataFrame(rows, schema=COMPARISON_SCHEMA)
    return frame.with_columns(pl.col("score_a", "score_b", "delta_points").round(1) + 0.0)  # + 0.0: never «−0»
