"""What the PDF reports show (reports/pdf_report.py): the quarterly report for leadership and one executive body's
own report (product.md §5; Порядок §4 п.16 — results go to every executive body), shaped from the rating's frames
(scoring.tables.RatingTables; an approved quarter's are what was approved), so an approved quarter is reported
exactly as it was approved. Pure: frames in, frozen dataclasses (with the rows the templates print) out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from core.domain import PLATFORM_LABELS
from scoring.tables import INDICATOR_FIELDS, RatingTables, rows_of

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
Rows = dict[str, list[dict]]  # an owner table's rows as the templates read them


def owner_rows(tables: RatingTables) -> Rows:
    """The owner tables' rows with every field the reports read present (a rating computed without the previous
    quarter has no Δ; an older approved rating may lack a newer field): absent reads as «—»."""
    blocks = dict.fromkeys(tables.blocks)
    return {name: [ROW_DEFAULTS | row | {"blocks": blocks | (row.get("blocks") or {}),
                                         "recommendations": row.get("recommendations") or []}
                   for row in rows_of(tables.table(name))] for name in OWNER_TABLES}


def _column(frame: pl.DataFrame, name: str) -> list:
    """A column's values (none when the frame has no such column — a table without rows)."""
    return frame[name].to_list() if name in frame.columns else []


def _local(moment: str | datetime | None, tz: ZoneInfo) -> datetime | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(tz)


def title_block(tables: RatingTables, tz: ZoneInfo, generated_at: datetime) -> TitleBlock:
    info = tables.methodology_info
    approved = tables.get("approved") or None
    return TitleBlock(
        region=REGION, quarter=tables.get("quarter_label"), quarter_code=tables.quarter,
        methodology_id=info["id"], methodology_title=info["title"],
        methodology_approved_on=date.fromisoformat(info["approved_on"]), approved=approved is not None,
        approved_at=_local(approved["approved_at"], tz) if approved else None,
        approved_by=approved.get("approved_by") if approved else None,
        data_timestamp=_local(tables.get("data_timestamp"), tz), generated_at=generated_at.astimezone(tz),
        has_data=tables.has_data, running=tables.early_warning is not None)


def quarter_numbers(tables: RatingTables | None) -> dict | None:
    """The overview's key figures, from a quarter's rating alone (an approved quarter as approved)."""
    if tables is None:
        return None
    has_data = tables.has_data
    pages = tables.pages
    weeks = [w or 0 for w in _column(pages, "weeks")]
    counted = sum(weeks)
    scores = _column(pages, "score")
    rated_bodies = [s for s in _column(tables.bodies, "score") if s is not None]
    streams = tables.streams
    with_stream = {owner for owner, kind in zip(_column(streams, "owner"), _column(streams, "owner_kind"))
                   if kind == "executive_body"}
    return {
        "pages": pages.height,
        "pages_rated": sum(1 for s in scores if s is not None) if has_data else None,
        # Порядок §2 п.9: the share of counted page-weeks at the weekly norm
        "norm_share": sum(w or 0 for w in _column(pages, "weeks_ok")) / counted if counted and has_data else None,
        "bodies": tables.bodies.height,
        "bodies_with_stream": len(with_stream) if has_data else None,
        "mean_score": sum(rated_bodies) / len(rated_bodies) if rated_bodies and has_data else None,
        "pages_without_data": sum(1 for w in weeks if not w) if has_data else None,
        "page_weeks_no_data": sum(w or 0 for w in _column(pages, "weeks_no_data")),
        "page_weeks_partial": sum(w or 0 for w in _column(pages, "weeks_partial")),
    }


def key_figures(tables: RatingTables, previous: RatingTables | None) -> list[KeyFigure]:
    now, before = quarter_numbers(tables), quarter_numbers(previous) or {}
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


def stream_rows(tables: RatingTables, bodies: list[dict], tz: ZoneInfo) -> list[dict]:
    """Executive bodies and their live streams of the quarter (Порядок §2 п.7): those without one first."""
    by_body: dict[str, list[dict]] = {}
    streams = tables.streams
    if not streams.is_empty():
        for s in streams.filter(pl.col("owner_kind") == "executive_body").to_dicts():
            by_body.setdefault(s["owner"], []).append(s)
    rows = []
    for body in bodies:
        held = sorted(by_body.get(body["owner"], []), key=lambda s: s["started_at"])
        rows.append({"owner": body["owner"], "count": len(held),
                     "held": [{"started": _local(s["started_at"], tz), "platform": PLATFORM_LABELS.get(s["platform"],
                                                                                                         s["platform"]),
                                "minutes": round(s["duration_s"] / 60) if s.get("duration_s") else None,
                                "title": s.get("title"), "url": s.get("url")} for s in held]})
    return sorted(rows, key=lambda r: (r["count"] > 0, r["owner"]))


def _family(rows: Rows, body: str) -> set[str]:
    names = {body}
    for name in ("heads", "institutions"):
        names |= {r["owner"] for r in rows[name] if r.get("parent_name") == body}
    return names


PAGE_GAP_FIELDS = ("owner", "platform", "url", "score", "not_rated_reason", "weeks_no_data", "weeks_partial")


def gaps(tables: RatingTables, rows: Rows) -> dict:
    """Data gaps (never shown as 0): pages not rated with the reason, page-weeks without full data per body."""
    pages = tables.pages.select(PAGE_GAP_FIELDS).to_dicts() if not tables.pages.is_empty() else []
    body_of = {}
    for body in rows["bodies"]:
        for name in _family(rows, body["owner"]):
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
            "acknowledged": bool((tables.get("approved") or {}) and tables.get("gaps"))}


def weekly_frame(tables: RatingTables, pages: list[dict]) -> pl.DataFrame:
    """Week × platform cells of the given pages from their week statuses (the grid of scoring.activity)."""
    weeks = tables.week_starts
    wanted = [p["page_id"] for p in pages]
    weekly: dict[int, tuple[list, list]] = {}
    if wanted and not tables.weeks.is_empty():
        weekly = {page_id: (statuses, posts) for page_id, statuses, posts in tables.weeks.filter(
            pl.col("page_id").is_in(wanted)).group_by("page_id", maintain_order=True).agg("status", "posts").rows()}
    rows = [{"week": week, "platform": p["platform"], "status": status, "posts": posts}
            for p in pages for week, status, posts in zip(weeks, *weekly.get(p["page_id"], ([], [])))]
    return pl.DataFrame(rows, schema={"week": pl.Date, "platform": pl.String, "status": pl.String,
                                      "posts": pl.Int64})


def _where(page: dict) -> str:
    return f"{page['owner']} · {PLATFORM_LABELS.get(page['platform'], page['platform'])}"


def _pages(tables: RatingTables, owners: set[str]) -> list[dict]:
    """The pages of the given owners as rows (block scores under `blocks`), each with its indicators by code."""
    if tables.pages.is_empty():
        return []
    pages = rows_of(tables.pages.filter(pl.col("owner").is_in(sorted(owners))))
    by_page: dict[int, dict] = {}
    if pages and not tables.indicators.is_empty():
        found = tables.indicators.filter(pl.col("page_id").is_in([p["page_id"] for p in pages]))
        for page_id, code, *values in found.select("page_id", "indicator", *INDICATOR_FIELDS).rows():
            by_page.setdefault(page_id, {})[code] = dict(zip(INDICATOR_FIELDS, values))
    return [p | {"indicators": by_page.get(p["page_id"], {})} for p in pages]


def body_section(tables: RatingTables, rows: Rows, body_row: dict, tz: ZoneInfo,
                 history: list[tuple[str, RatingTables]] | None = None) -> BodySection:
    body = body_row["owner"]
    heads = [r for r in rows["heads"] if r.get("parent_name") == body]
    institutions = split_rows([r for r in rows["institutions"] if r.get("parent_name") == body])
    head_names = {r["owner"] for r in heads}
    family = _family(rows, body)
    pages = sorted(_pages(tables, family),
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
    titles = tables.methodology_info["indicators"]
    indicators = [(_where(p), [{"code": code, "title": titles[code]["title"], **ind}
                               for code, ind in (p.get("indicators") or {}).items()])
                  for p in pages if p["owner"] == body or p["owner"] in head_names]
    points = []
    for label, past in history or []:
        past_row = next(iter(rows_of(past.bodies.filter(pl.col("owner") == body))), None) \
            if not past.bodies.is_empty() else None
        points.append({"quarter": label, "rank": past_row.get("rank") if past_row else None,
                       "score": past_row.get("score") if past_row else None})  # not rated: no point, never 0
    return BodySection(
        # a rating restricted to one body (services.scope) keeps the size of the whole field: «место 5 из 34»
        row=body_row, ranked_of=(tables.get("scope") or {}).get("ranked", {}).get("bodies") or sum(
            1 for r in rows["bodies"] if r.get("rank")), heads=heads,
        institutions=institutions.rated + institutions.unrated, weekly=weekly_frame(tables, own),
        norm=max((p["norm"] for p in own if p.get("norm")), default=None),
        recommendations=list(advice.items()), institution_recommendations=list(institution_advice.items()), pages=pages, indicators=indicators,
        streams=stream_rows(tables, [body_row], tz)[0]["held"], history=points)


def quarter_report(tables: RatingTables, previous: RatingTables | None, tz: ZoneInfo, generated_at: datetime,
                   history: list[tuple[str, RatingTables]] | None = None) -> QuarterReport:
    """The quarterly report: `previous` is the previous quarter's rating (changes of the key figures)."""
    rows = owner_rows(tables)
    info = tables.methodology_info
    split = {name: split_rows(rows[name]) for name in OWNER_TABLES}
    bodies = split["bodies"].rated + split["bodies"].unrated
    return QuarterReport(
        title=title_block(tables, tz, generated_at),
        key_figures=key_figures(tables, previous if previous is not None and previous.has_data else None),
        zones=sorted(info["zones"], key=lambda z: -z["min"]), zone_counts=zone_counts(rows["bodies"]),
        blocks=dict(info["blocks"]), tables=split,
        streams=stream_rows(tables, rows["bodies"], tz) if tables.has_data else [], gaps=gaps(tables, rows),
        # methodology.md §4: a quarter without data has no rating — no body pages either
        bodies=[body_section(tables, rows, row, tz, history) for row in bodies] if tables.has_data else [])


def body_report(tables: RatingTables, owner_id: int, tz: ZoneInfo, generated_at: datetime,
                history: list[tuple[str, RatingTables]] | None = None) -> tuple[TitleBlock, BodySection]:
    rows = owner_rows(tables)
    row = next((r for r in rows["bodies"] if r["owner_id"] == owner_id), None)
    if row is None:
        raise ValueError("исполнительный орган не найден в рейтинге квартала")
    return title_block(tables, tz, generated_at), body_section(tables, rows, row, tz, history)


def find_body(tables: RatingTables, name: str) -> dict:
    """An executive body of the quarter's rating by its name (case and spacing ignored), or by a part of the name
    that only one body has; a Russian error otherwise."""
    wanted = " ".join(name.split()).casefold()
    bodies = rows_of(tables.bodies)
    exact = [r for r in bodies if " ".join(r["owner"].split()).casefold() == wanted]
    partial = [r for r in bodies if wanted and wanted in " ".join(r["owner"].split()).casefold()]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    hint = f"; подходят: {'; '.join(r['owner'] for r in partial[:5])}" if partial else ""
    raise ValueError(f"исполнительный орган «{name}» не найден в рейтинге за {tables.get('quarter_label')}{hint}")
