"""What the PDF reports show (reports/pdf_report.py): the quarterly report for leadership and one executive body's
own report (product.md §5; Порядок §4 п.16 — results go to every executive body), shaped from rating payloads
only, so an approved quarter is reported exactly as it was approved. Pure: payloads in, frozen dataclasses out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from core.domain import PLATFORM_LABELS

REGION = "Томская область"
KIND_ORDER = {"executive_body": 0, "head": 1, "institution": 2}


@dataclass(frozen=True)
class TitleBlock:
    region: str
    quarter: str  # «III кв. 2026»
    quarter_code: str
    methodology_id: str
    methodology_title: str
    methodology_approved_on: date
    approved: bool
    approved_at: datetime | None  # local time of the region
    approved_by: str | None
    data_timestamp: datetime | None  # local time of the region
    generated_at: datetime
    has_data: bool
    running: bool  # the quarter is not over: the rating is preliminary

    @property
    def status(self) -> str:
        if self.approved and self.approved_at is not None:
            return f"утверждён {self.approved_at:%d.%m.%Y %H:%M}" + (f" ({self.approved_by})" if self.approved_by
                                                                     else "")
        if self.running:
            return "не утверждён: квартал ещё идёт, рейтинг предварительный"
        return "не утверждён — расчёт по текущим данным"


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: float | int | None
    previous: float | int | None
    kind: str  # "count", "share", "score"
    total: int | None = None  # «12 из 37»
    higher_is_better: bool = True
    note: str = ""

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class TableRows:
    rated: list[dict]
    unrated: list[dict]  # methodology.md §4: listed after the ranking, with the reason


@dataclass(frozen=True)
class BodySection:
    row: dict
    ranked_of: int
    heads: list[dict]
    institutions: list[dict]
    weekly: pl.DataFrame  # the body's own pages: week, platform, status, posts (reports.figures.weekly_posts_chart)
    norm: int | None
    recommendations: list[tuple[str, list[str]]]  # (where, what): the body's own pages and its head(s)
    institution_recommendations: list[tuple[str, list[str]]]
    pages: list[dict]  # every page of the body, its head(s) and institutions
    indicators: list[tuple[str, list[dict]]]  # the body's and its head's pages: (page, one row per indicator)
    streams: list[dict]
    history: list[dict]  # {"quarter", "rank", "score"}, oldest first (reports.figures.rank_history)

    @property
    def name(self) -> str:
        return self.row["owner"]


@dataclass(frozen=True)
class QuarterReport:
    title: TitleBlock
    key_figures: list[KeyFigure]
    zones: list[dict]  # methodology zones, best first
    zone_counts: dict[str, int]
    blocks: dict[str, str]
    tables: dict[str, TableRows]  # bodies, heads, institutions, reference
    streams: list[dict]
    gaps: dict
    bodies: list[BodySection]


ROW_DEFAULTS = dict.fromkeys(("rank", "score", "zone", "delta_place", "delta_points", "parent_name",
                               "not_rated_reason", "completeness", "body_score", "head_score", "institutions_score"))
OWNER_TABLES = ("bodies", "heads", "institutions", "reference")


def normalized(payload: dict) -> dict:
    """The payload with every field the reports read present in every owner row (a rating computed without the
    previous quarter has no Δ; an older approved payload may lack a newer field): absent reads as «—»."""
    blocks = dict.fromkeys(payload.get("methodology_info", {}).get("blocks", {}))
    tables = {name: [ROW_DEFAULTS | row | {"blocks": blocks | (row.get("blocks") or {}),
                                           "recommendations": row.get("recommendations") or []}
                     for row in payload.get(name, [])] for name in OWNER_TABLES}
    return payload | tables


def _local(moment: str | None, tz: ZoneInfo) -> datetime | None:
    return datetime.fromisoformat(moment).astimezone(tz) if moment else None


def title_block(payload: dict, tz: ZoneInfo, generated_at: datetime) -> TitleBlock:
    info = payload["methodology_info"]
    approved = payload.get("approved") or None
    return TitleBlock(
        region=REGION, quarter=payload["quarter_label"], quarter_code=payload["quarter"],
        methodology_id=info["id"], methodology_title=info["title"],
        methodology_approved_on=date.fromisoformat(info["approved_on"]), approved=approved is not None,
        approved_at=_local(approved["approved_at"], tz) if approved else None,
        approved_by=approved.get("approved_by") if approved else None,
        data_timestamp=_local(payload.get("data_timestamp"), tz), generated_at=generated_at.astimezone(tz),
        has_data=bool(payload.get("has_data", True)), running=payload.get("early_warning") is not None)


def quarter_numbers(payload: dict | None) -> dict | None:
    """The overview's key figures, from a payload alone (an approved quarter as approved)."""
    if payload is None:
        return None
    has_data = bool(payload.get("has_data", True))
    pages = payload.get("pages", [])
    counted = sum(p.get("weeks") or 0 for p in pages)
    rated_bodies = [r["score"] for r in payload.get("bodies", []) if r.get("score") is not None]
    with_stream = {s["owner"] for s in payload.get("streams", []) if s.get("owner_kind") == "executive_body"}
    return {
        "pages": len(pages), "pages_rated": sum(1 for p in pages if p.get("score") is not None) if has_data else None,
        # Порядок §2 п.9: the share of counted page-weeks at the weekly norm
        "norm_share": sum(p.get("weeks_ok") or 0 for p in pages) / counted if counted and has_data else None,
        "bodies": len(payload.get("bodies", [])),
        "bodies_with_stream": len(with_stream) if has_data else None,
        "mean_score": sum(rated_bodies) / len(rated_bodies) if rated_bodies and has_data else None,
        "pages_without_data": sum(1 for p in pages if not p.get("weeks")) if has_data else None,
        "page_weeks_no_data": sum(p.get("weeks_no_data") or 0 for p in pages),
        "page_weeks_partial": sum(p.get("weeks_partial") or 0 for p in pages),
    }


def key_figures(payload: dict, previous: dict | None) -> list[KeyFigure]:
    now, before = quarter_numbers(payload), quarter_numbers(previous) or {}
    return [
        KeyFigure("Страниц оценено", now["pages_rated"], before.get("pages_rated"), "count", total=now["pages"],
                  note="страницы с данными не менее чем за нужное методикой число недель"),
        KeyFigure("Недель с нормой публикаций", now["norm_share"], before.get("norm_share"), "share",
                  note="доля учтённых недель страниц, в которые выполнена норма (Порядок §2 п.9)"),
        KeyFigure("Органов с прямым эфиром", now["bodies_with_stream"], before.get("bodies_with_stream"), "count",
                  total=now["bodies"], note="не реже раза в квартал (Порядок §2 п.7)"),
        KeyFigure("Средний балл органов", now["mean_score"], before.get("mean_score"), "score",
                  note="по оценённым исполнительным органам"),
        KeyFigure("Страниц без данных", now["pages_without_data"], before.get("pages_without_data"), "count",
                  higher_is_better=False, note="за квартал нет ни одной учтённой недели — «нет данных», не ноль"),
    ]


def split_rows(rows: list[dict]) -> TableRows:
    ranked = sorted((r for r in rows if r.get("rank") is not None), key=lambda r: r["rank"])
    return TableRows(ranked, [r for r in rows if r.get("rank") is None])


def zone_counts(rows: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        if row.get("zone"):
            counts[row["zone"]] = counts.get(row["zone"], 0) + 1
    return counts


def stream_rows(payload: dict, tz: ZoneInfo, bodies: list[dict] | None = None) -> list[dict]:
    """Executive bodies and their live streams of the quarter (Порядок §2 п.7): those without one first."""
    by_body: dict[str, list[dict]] = {}
    for s in payload.get("streams", []):
        if s.get("owner_kind") == "executive_body":
            by_body.setdefault(s["owner"], []).append(s)
    rows = []
    for body in bodies if bodies is not None else payload.get("bodies", []):
        held = sorted(by_body.get(body["owner"], []), key=lambda s: s["started_at"])
        rows.append({"owner": body["owner"], "count": len(held),
                     "held": [{"started": _local(s["started_at"], tz), "platform": PLATFORM_LABELS.get(s["platform"],
                                                                                                         s["platform"]),
                                "minutes": round(s["duration_s"] / 60) if s.get("duration_s") else None,
                                "title": s.get("title"), "url": s.get("url")} for s in held]})
    return sorted(rows, key=lambda r: (r["count"] > 0, r["owner"]))


def _family(payload: dict, body: str) -> set[str]:
    names = {body}
    for name in ("heads", "institutions"):
        names |= {r["owner"] for r in payload.get(name, []) if r.get("parent_name") == body}
    return names


def gaps(payload: dict) -> dict:
    """Data gaps (never shown as 0): pages not rated with the reason, page-weeks without full data per body."""
    pages = payload.get("pages", [])
    body_of = {}
    for body in payload.get("bodies", []):
        for name in _family(payload, body["owner"]):
            body_of[name] = body["owner"]
    per_body: dict[str, dict] = {}
    for p in pages:
        body = body_of.get(p["owner"])
        if body is None:
            continue
        entry = per_body.setdefault(body, {"body": body, "pages": 0, "not_rated": 0, "weeks_no_data": 0,
                                           "weeks_partial": 0})
        entry["pages"] += 1
        entry["not_rated"] += p.get("score") is None
        entry["weeks_no_data"] += p.get("weeks_no_data") or 0
        entry["weeks_partial"] += p.get("weeks_partial") or 0
    by_body = sorted((e for e in per_body.values() if e["not_rated"] or e["weeks_no_data"] or e["weeks_partial"]),
                     key=lambda e: (-e["weeks_no_data"] - e["weeks_partial"], e["body"]))
    not_rated = sorted(({"owner": p["owner"], "platform": PLATFORM_LABELS.get(p["platform"], p["platform"]),
                         "url": p["url"], "reason": p.get("not_rated_reason") or "нет данных",
                         "body": body_of.get(p["owner"], "")}
                        for p in pages if p.get("score") is None),
                       key=lambda r: (r["body"], r["owner"], r["platform"]))
    return {"pages": len(pages), "not_rated": not_rated, "by_body": by_body,
            "weeks_no_data": sum(p.get("weeks_no_data") or 0 for p in pages),
            "weeks_partial": sum(p.get("weeks_partial") or 0 for p in pages),
            "acknowledged": bool((payload.get("approved") or {}) and payload.get("gaps"))}


def weekly_frame(payload: dict, pages: list[dict]) -> pl.DataFrame:
    """Week × platform cells of the given pages from the payload's week statuses (the grid of scoring.activity)."""
    weeks = [date.fromisoformat(w) for w in payload.get("weeks", [])]
    rows = [{"week": week, "platform": p["platform"], "status": status, "posts": posts}
            for p in pages for week, status, posts in zip(weeks, p.get("weekly_status") or [],
                                                          p.get("weekly_posts") or [])]
    return pl.DataFrame(rows, schema={"week": pl.Date, "platform": pl.String, "status": pl.String,
                                      "posts": pl.Int64})


def _where(page: dict) -> str:
    return f"{page['owner']} · {PLATFORM_LABELS.get(page['platform'], page['platform'])}"


def body_section(payload: dict, body_row: dict, tz: ZoneInfo, history: list[tuple[str, dict]] | None = None
                 ) -> BodySection:
    body = body_row["owner"]
    heads = [r for r in payload.get("heads", []) if r.get("parent_name") == body]
    institutions = split_rows([r for r in payload.get("institutions", []) if r.get("parent_name") == body])
    head_names = {r["owner"] for r in heads}
    family = _family(payload, body)
    pages = sorted((p for p in payload.get("pages", []) if p["owner"] in family),
                   key=lambda p: (KIND_ORDER.get(p["owner_kind"], 3), p["owner"], p["platform"]))
    own = [p for p in pages if p["owner"] == body and p["owner_kind"] == "executive_body"]
    advice: dict[str, list[str]] = {}  # where → what, the body's own pages named by their platform only
    institution_advice: dict[str, list[str]] = {}
    for row in [body_row, *heads]:
        if row.get("recommendations"):
            where = "Орган" if row is body_row else "Руководитель" if len(heads) == 1 else row["owner"]
            advice.setdefault(where, []).extend(row["recommendations"])
    for r in institutions.rated + institutions.unrated:
        if r.get("recommendations"):
            institution_advice.setdefault(r["owner"], []).extend(r["recommendations"])
    for p in pages:
        if not p.get("recommendations"):
            continue
        platform = PLATFORM_LABELS.get(p["platform"], p["platform"])
        if p["owner"] == body:
            advice.setdefault(f"Орган · {platform}", []).extend(p["recommendations"])
        elif p["owner"] in head_names:  # the head is named once, in the section's heading
            prefix = "Руководитель" if len(head_names) == 1 else p["owner"]
            advice.setdefault(f"{prefix} · {platform}", []).extend(p["recommendations"])
        else:
            institution_advice.setdefault(f"{p['owner']} · {platform}", []).extend(p["recommendations"])
    titles = payload["methodology_info"]["indicators"]
    indicators = [(_where(p), [{"code": code, "title": titles[code]["title"], **ind}
                               for code, ind in (p.get("indicators") or {}).items()])
                  for p in pages if p["owner"] == body or p["owner"] in head_names]
    points = []
    for label, past in history or []:
        past_row = next((r for r in past.get("bodies", []) if r["owner"] == body), None)
        points.append({"quarter": label, "rank": past_row.get("rank") if past_row else None,
                       "score": past_row.get("score") if past_row else None})  # not rated: no point, never 0
    return BodySection(
        # a payload restricted to one body (services.scope) keeps the size of the whole field: «место 5 из 34»
        row=body_row, ranked_of=(payload.get("scope") or {}).get("ranked", {}).get("bodies") or sum(
            1 for r in payload.get("bodies", []) if r.get("rank")), heads=heads,
        institutions=institutions.rated + institutions.unrated, weekly=weekly_frame(payload, own),
        norm=max((p["norm"] for p in own if p.get("norm")), default=None),
        recommendations=list(advice.items()), institution_recommendations=list(institution_advice.items()), pages=pages, indicators=indicators,
        streams=stream_rows(payload, tz, [body_row])[0]["held"], history=points)


def quarter_report(payload: dict, previous: dict | None, tz: ZoneInfo, generated_at: datetime,
                   history: list[tuple[str, dict]] | None = None) -> QuarterReport:
    """The quarterly report: `previous` is the previous quarter's payload (changes of the key figures)."""
    payload = normalized(payload)
    info = payload["methodology_info"]
    has_data = bool(payload.get("has_data", True))
    tables = {name: split_rows(payload.get(name, [])) for name in ("bodies", "heads", "institutions", "reference")}
    bodies = tables["bodies"].rated + tables["bodies"].unrated
    return QuarterReport(
        title=title_block(payload, tz, generated_at),
        key_figures=key_figures(payload, previous if previous and previous.get("has_data", True) else None),
        zones=sorted(info["zones"], key=lambda z: -z["min"]), zone_counts=zone_counts(payload.get("bodies", [])),
        blocks=dict(info["blocks"]), tables=tables,
        streams=stream_rows(payload, tz) if has_data else [], gaps=gaps(payload),
        # methodology.md §4: a quarter without data has no rating — no body pages either
        bodies=[body_section(payload, row, tz, history) for row in bodies] if has_data else [])


def body_report(payload: dict, owner_id: int, tz: ZoneInfo, generated_at: datetime,
                history: list[tuple[str, dict]] | None = None) -> tuple[TitleBlock, BodySection]:
    payload = normalized(payload)
    row = next((r for r in payload.get("bodies", []) if r["owner_id"] == owner_id), None)
    if row is None:
        raise ValueError("исполнительный орган не найден в рейтинге квартала")
    return title_block(payload, tz, generated_at), body_section(payload, row, tz, history)


def find_body(payload: dict, name: str) -> dict:
    """An executive body of the payload by its name (case and spacing ignored), or by a part of the name that
    only one body has; a Russian error otherwise."""
    wanted = " ".join(name.split()).casefold()
    bodies = payload.get("bodies", [])
    exact = [r for r in bodies if " ".join(r["owner"].split()).casefold() == wanted]
    partial = [r for r in bodies if wanted and wanted in " ".join(r["owner"].split()).casefold()]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    hint = f"; подходят: {'; '.join(r['owner'] for r in partial[:5])}" if partial else ""
    raise ValueError(f"исполнительный орган «{name}» не найден в рейтинге за {payload.get('quarter_label')}{hint}")
