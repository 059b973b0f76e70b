"""The rating of a quarter as plain data: what `rate --json` prints, what approval freezes, what Excel and the
screens read back for an approved quarter. One shape for all of them."""
from __future__ import annotations

import math


from core.domain import KIND_LABELS, PLATFORM_LABELS
from scoring import explain, warning
from scoring.methodology import announced_late
from scoring.rating import TABLES, QuarterRating

OWNER_FIELDS = ("rank", "owner_id", "owner_name", "kind", "parent_name", "score", "zone", "not_rated_reason",
                "rated_pages", "pages_total", "B1", "delta_points", "delta_place", "previous_rank", "previous_score",
                "missing_platforms")
BODY_FIELDS = ("body_score", "head_score", "institutions_score", "institutions_count", "institutions_total",
               "missing_parts")
PART_LABELS = {"head": "руководитель", "institutions": "учреждения"}


def completeness(row: dict) -> str:
    """«оценено 2 из 3 страниц» (methodology.md §4), with the parts a body's composite lacks."""
    text = f"оценено {row.get('rated_pages') or 0} из {row.get('pages_total') or 0} стр."
    missing = [PART_LABELS[p] for p in row.get("missing_parts") or [] if p in PART_LABELS]
    if missing and row.get("score") is not None:
        text += "; без оценки: " + ", ".join(missing)
    return text


def _clean(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def owner_row(row: dict, blocks: list[str]) -> dict:
    out = {"owner" if k == "owner_name" else k: _clean(row.get(k)) for k in OWNER_FIELDS if k in row}
    out["kind_label"] = KIND_LABELS.get(row.get("kind"), row.get("kind"))
    out["completeness"] = completeness(row)
    out["blocks"] = {b: _clean(row.get(f"block_{b}")) for b in blocks}
    for key in BODY_FIELDS:
        if key in row:
            out[key] = _clean(row[key])
    out["recommendations"] = explain.owner_recommendations(row)
    return out


def page_rows(rating: QuarterRating) -> list[dict]:
    m = rating.methodology
    blocks = list(m.blocks)
    details = explain.indicator_rows(rating)
    by_page: dict[int, dict] = {}
    for r in details.iter_rows(named=True):
        by_page.setdefault(r["page_id"], {})[r["indicator"]] = {
            "value": _clean(r["value"]), "points": _clean(r["points"]), "weight": r["weight"],
            "na_reason": r["na_reason"], "raw": _clean(r["raw"]), "inputs": r["inputs"]}
    weekly: dict[int, tuple[list, list]] = {}
    for page_id, statuses, posts in rating.grid.sort("page_id", "week").group_by("page_id", maintain_order=True).agg(
            "status", "posts").iter_rows():
        weekly[page_id] = (statuses, posts)
    rows = []
    for row in rating.pages.iter_rows(named=True):
        rows.append({
            "page_id": row["page_id"], "url": row["url"], "platform": row["platform"], "owner": row["owner_name"],
            "owner_id": row["owner_id"], "owner_kind": row["kind"], "parent": row["parent_name"],
            "score": _clean(row["score"]), "not_rated_reason": row.get("not_rated_reason"), "blocks": {b: _clean(row.get(f"block_{b}")) for b in blocks},
            "weeks": row.get("weeks"), "weeks_ok": row.get("weeks_ok"), "weeks_no_data": row.get("weeks_no_data"),
            "weeks_partial": row.get("weeks_partial"), "posts": row.get("posts"), "norm": row.get("norm"), "indicators": by_page.get(row["page_id"], {}),
            "weekly_status": weekly.get(row["page_id"], ([], []))[0],
            "weekly_posts": weekly.get(row["page_id"], ([], []))[1],
            "recommendations": explain.page_recommendations(row, rating)})
    return rows


def rating_payload_meta(rating: QuarterRating) -> dict:
    """The payload's scalar fields: the quarter, the methodology in force, has_data, the data's moment and batches,
    the week starts, the late-announcement warning (scoring.tables keeps them with the frames)."""
    m = rating.methodology
    late = announced_late(m, rating.quarter.code)
    return {"quarter": rating.quarter.code, "quarter_label": rating.quarter.label, "has_data": rating.has_data,
            "methodology": m.id, "methodology_title": m.title,
            "data_timestamp": rating.data_timestamp.isoformat() if rating.data_timestamp else None,
            "batch_ids": list(rating.batch_ids),
            "weeks": [w.isoformat() for w in rating.quarter.weeks()],
            "methodology_info": {
                "id": m.id, "title": m.title, "approved_on": m.approved_on.isoformat(),
                "effective_from": m.effective_from, "required_platforms": list(m.required_platforms),
                "posts_per_week": dict(m.norms.posts_per_week),
                "live_streams_per_quarter": dict(m.norms.live_streams_per_quarter),
                "indicators": {c: {"block": s.block, "title": s.title, "weight": s.weight}
                               for c, s in m.indicators.items()},
                "blocks": dict(m.blocks), "composite": m.composite.as_dict(), "zones": [z.as_dict() for z in m.zones],
                "gates": m.gates.as_dict()},
            "methodology_warning": (
                f"методика «{m.id}» утверждена {m.approved_on:%d.%m.%Y} — менее чем за "
                f"{m.deadlines.announce_days_before} дней до начала квартала (Порядок §4 п.15)") if late else None}


def rating_payload(rating: QuarterRating) -> dict:
    """The reference shape, row by row from the computation (scoring.tables.to_payload gives the same from the
    frames)."""
    blocks = list(rating.methodology.blocks)
    meta = rating_payload_meta(rating)
    payload = {k: v for k, v in meta.items() if k != "methodology_warning"}
    for name in (*TABLES, "reference"):
        payload[name] = [owner_row(r, blocks) for r in rating.tables[name].iter_rows(named=True)]
    payload["streams"] = [{"owner": r["owner_name"], "owner_kind": r["kind"], "parent": r["parent_name"],
                           "platform": r["platform"], "started_at": r["started_at"].isoformat(),
                           "duration_s": r["duration_s"], "url": r["url"], "title": r["title"]}
                          for r in rating.streams.iter_rows(named=True)]
    payload["pages"] = page_rows(rating)
    payload["methodology_warning"] = meta["methodology_warning"]
    if rating.today is not None:
        payload["early_warning"] = warning_payload(rating, rating.today)
    return payload


def warning_payload(rating: QuarterRating, today) -> dict | None:
    """The early warning of a running quarter, or None for a finished one."""
    if not warning.is_running(rating, today):
        return None
    norm = warning.weekly_norm_risks(rating)
    streams = warning.live_stream_risks(rating, today)
    return {"weekly_norm": [{"url": r["url"], "owner": r["owner_name"], "platform": r["platform"],
                             "platform_label": PLATFORM_LABELS.get(r["platform"], r["platform"]),
                             "weeks_met": r["weeks_met"], "weeks_counted": r["weeks_counted"],
                             "weeks_left": r["weeks_left"], "posts_this_week": r["posts_this_week"],
                             "posts_needed": r["posts_needed"], "best_B1": _clean(r["best_B1"])}
                            for r in norm.iter_rows(named=True)],
            "live_stream": [{"owner": r["owner_name"], "streams": r["streams"], "needed": r["needed"],
                             "days_left": r["days_left"]} for r in streams.iter_rows(named=True)]}
