"""The rating of a quarter as plain data: what `rate --json` prints, what approval freezes, what Excel and the
screens read back for an approved quarter. One shape for all of them."""
from __future__ import annotations

import math

import polars as pl

from core.domain import KIND_LABELS
from scoring import explain
from scoring.rating import TABLES, QuarterRating

OWNER_FIELDS = ("rank", "owner_id", "owner_name", "kind", "parent_name", "score", "zone", "B1", "delta_points",
                "delta_place", "previous_rank", "previous_score", "missing_platforms")
BODY_FIELDS = ("body_score", "head_score", "institutions_score", "institutions_count")


def _clean(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def owner_row(row: dict, blocks: list[str]) -> dict:
    out = {"owner" if k == "owner_name" else k: _clean(row.get(k)) for k in OWNER_FIELDS if k in row}
    out["kind_label"] = KIND_LABELS.get(row.get("kind"), row.get("kind"))
    out["blocks"] = {b: _clean(row.get(f"block_{b}")) for b in blocks}
    for key in BODY_FIELDS:
        if key in row:
            out[key] = _clean(row[key])
    out["recommendations"] = explain.owner_recommendations(row)
    return out


def page_rows(rating: QuarterRating) -> list[dict]:
    m = rating.methodology
    blocks = list(m.raw["blocks"])
    details = explain.indicator_rows(rating)
    by_page: dict[int, dict] = {}
    for r in details.iter_rows(named=True):
        by_page.setdefault(r["page_id"], {})[r["indicator"]] = {
            "value": _clean(r["value"]), "points": _clean(r["points"]), "weight": r["weight"],
            "na_reason": r["na_reason"], "raw": _clean(r["raw"]), "inputs": r["inputs"]}
    rows = []
    for row in rating.pages.iter_rows(named=True):
        rows.append({
            "page_id": row["page_id"], "url": row["url"], "platform": row["platform"], "owner": row["owner_name"],
            "owner_id": row["owner_id"], "owner_kind": row["kind"], "parent": row["parent_name"],
            "score": _clean(row["score"]), "blocks": {b: _clean(row.get(f"block_{b}")) for b in blocks},
            "weeks": row.get("weeks"), "weeks_ok": row.get("weeks_ok"), "weeks_no_data": row.get("weeks_no_data"),
            "posts": row.get("posts"), "indicators": by_page.get(row["page_id"], {}),
            "recommendations": explain.page_recommendations(row, rating)})
    return rows


def rating_payload(rating: QuarterRating) -> dict:
    m = rating.methodology
    blocks = list(m.raw["blocks"])
    payload = {"quarter": rating.quarter.code, "quarter_label": rating.quarter.label,
               "methodology": m.id, "methodology_title": m.title,
               "data_timestamp": rating.data_timestamp.isoformat() if rating.data_timestamp else None,
               "batch_ids": list(rating.batch_ids)}
    for name in (*TABLES, "reference"):
        payload[name] = [owner_row(r, blocks) for r in rating.tables[name].iter_rows(named=True)]
    payload["pages"] = page_rows(rating)
    return payload


def table_frame(payload: dict, name: str) -> pl.DataFrame:
    """A payload table back as a frame (block scores as block_A… columns), e.g. for an approved quarter."""
    rows = []
    for row in payload.get(name, []):
        flat = {k: v for k, v in row.items() if k not in ("blocks", "recommendations")}
        flat |= {f"block_{b}": v for b, v in (row.get("blocks") or {}).items()}
        rows.append(flat)
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
