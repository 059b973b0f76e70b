"""«Обзор»: a quarter at a glance — KPIs with their change against the previous quarter, zones, leaders and
outsiders, the quarter's deadlines, data freshness and, in a running quarter, the early warning."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

import polars as pl

from core.calendar import Quarter, date_ru
from core.labels import metric_delta, number_ru, percent_ru
from core.text import plain
from scoring.activity import COUNTED_STATUSES, NO_DATA, PARTIAL
from scoring.methodology import Methodology, quarter_deadlines
from scoring.rating import QuarterRating
from scoring.views.rating import zone_counts
from scoring.tables import RatingTables, table_rows
from scoring.views import Kpi


class ShownQuarter(Protocol):
    """What the overview needs of a quarter as shown (services.quarters.QuarterView has it)."""
    quarter: Quarter
    tables: RatingTables
    fresh: QuarterRating
    fresh_tables: RatingTables
    approved: bool

    @property
    def has_data(self) -> bool: ...


@dataclass(frozen=True)
class OverviewView:
    has_data: bool
    kpis: tuple[Kpi, ...]
    zone_counts: dict[str, int]  # zone name → executive bodies in it
    zones: list[dict]  # the methodology's zones (name, min, color) for the figure
    leaders: tuple[str, ...]  # Markdown lines «- 1 место: … — **87,5**»
    outsiders: tuple[str, ...]  # empty when not more bodies are ranked than leaders shown
    leaders_title: str  # «Лидеры»; «Места в рейтинге» when all ranked bodies are listed (a body user, a body filter)
    deadlines: tuple[str, ...]  # Markdown lines, with the days left and the approval state
    freshness: str  # the last upload, its date and the page-weeks without data
    weekly_norm: pl.DataFrame | None  # the early warning of a running quarter (None when it has ended)
    live_stream: pl.DataFrame | None


def overview_kpis(rating: QuarterRating, tables: RatingTables) -> dict:
    """KPIs of a quarter: pages, share of counted page-weeks at the norm, bodies with a live stream, mean score
    of bodies (of the shown rating: the approved one when approved), data gaps."""
    grid = rating.grid.filter(pl.col("status").is_in(COUNTED_STATUSES))
    bodies = [r for r in table_rows(tables, "bodies") if r.get("score") is not None and tables.get("has_data", True)]
    held = rating.streams.filter(pl.col("kind") == "executive_body")["owner_id"].n_unique()
    body_count = rating.owners.filter(pl.col("kind") == "executive_body").height
    return {
        "pages": rating.pages.height,
        "pages_rated": rating.pages["score"].drop_nulls().len(),
        "norm_share": (grid["norm_met"].sum() / grid.height) if grid.height else None,
        "bodies_with_stream": held, "bodies": body_count,
        "mean_score": sum(r["score"] for r in bodies) / len(bodies) if bodies else None,
        "page_weeks_no_data": rating.grid.filter(pl.col("status") == NO_DATA).height,
        "page_weeks_partial": rating.grid.filter(pl.col("status") == PARTIAL).height,
        "pages_without_data": rating.pages.filter(pl.col("weeks").fill_null(0) == 0).height,
    }


def leaders_outsiders(tables: RatingTables, name: str = "bodies", n: int = 5) -> tuple[list[dict], list[dict]]:
    """The first `n` ranked rows and, when there are more than `n`, the last `n` (the lowest first)."""
    ranked = [r for r in table_rows(tables, name) if r.get("rank")]
    return ranked[:n], ranked[-n:][::-1] if len(ranked) > n else []


def _kpis(now: dict, before: dict | None, methodology: Methodology) -> tuple[Kpi, ...]:
    def delta(key: str, scale: float = 1, digits: int = 1, suffix: str = "", inverse: bool = False) -> dict:
        """The change against the previous quarter: «+1,2», «−1,2», or «0,0» without a sign."""
        if before is None or now[key] is None or before[key] is None:
            return {}
        return metric_delta((now[key] - before[key]) * scale, digits, suffix, inverse)

    streams = methodology.norms.live_streams_per_quarter.get("executive_body")
    return (
        Kpi(f"Страниц оценено из {number_ru(now['pages'])}", number_ru(now["pages_rated"]),
            delta("pages_rated", digits=0), "Страницы, у которых учитываемых недель с данными не меньше "
            f"{methodology.gates.min_counted_weeks}; остальные не оцениваются"),
        Kpi("Недель с нормой", "нет данных" if now["norm_share"] is None else percent_ru(now["norm_share"]),
            delta("norm_share", 100, 1, " п.п."), "Доля учтённых недель страниц, в которые выполнена норма "
            f"(Порядок §2 п.9, публикаций в неделю: {methodology.norms.posts_text()})"),
        Kpi(f"Органов с эфиром из {number_ru(now['bodies'])}", number_ru(now["bodies_with_stream"]),
            delta("bodies_with_stream", digits=0),
            f"Порядок §2 п.7: не менее {number_ru(streams)} в квартал" if streams else "Порядок §2 п.7"),
        Kpi("Средний балл органов", "нет данных" if now["mean_score"] is None else number_ru(now["mean_score"], 1),
            delta("mean_score")),
        Kpi("Страниц без данных", number_ru(now["pages_without_data"]),
            delta("pages_without_data", digits=0, inverse=True),
            "За квартал не загружено ни одной выгрузки публикаций этих страниц — это «нет данных», не ноль"),
    )


def _place_lines(rows: list[dict]) -> tuple[str, ...]:
    return tuple(f"- {r['rank']} место: {plain(r['owner'])} — **{number_ru(r['score'], 1)}**" for r in rows)


def _deadline_lines(methodology: Methodology, quarter: Quarter, today: date, approved: bool) -> tuple[str, ...]:
    deadlines = quarter_deadlines(methodology, quarter.first_day, quarter.last_day)
    status = "утверждён" if approved else "не утверждён"
    lines = []
    for text, key in (("Рейтинг рассчитывается до", "rating_due"), ("Результаты доводятся до", "results_due")):
        left = (deadlines[key] - today).days
        note = f"осталось дней: {left}" if left >= 0 else "срок прошёл"
        lines.append(f"- {text} **{date_ru(deadlines[key])}** ({note}); рейтинг квартала {status}")
    return tuple(lines)


def _freshness(batches: pl.DataFrame, tz: ZoneInfo, page_weeks_no_data: int) -> str:
    if batches.is_empty():
        return "Загрузок ещё не было."
    last = batches.row(0, named=True)  # storage.queries.batches_frame: the newest first
    uploaded = last["uploaded_at"].astimezone(tz)
    return (f"Последняя загрузка: «{plain(last['filename'])}», {uploaded:%d.%m.%Y %H:%M}; сведения на "
            f"{last['as_of']:%d.%m.%Y}. Недель страниц без данных в квартале: {number_ru(page_weeks_no_data)}.")


def _warning_frames(early: dict[str, pl.DataFrame] | None) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The early warning as shown: the owner's name, the platform in Russian (never its code)."""
    if early is None:
        return None, None
    weekly = early["weekly_norm"]
    keep = [c for c in ("url", "owner", "platform_label", "weeks_met", "weeks_counted", "weeks_left",
                        "posts_this_week", "posts_needed", "best_B1") if c in weekly.columns]
    return weekly.select(keep), early["live_stream"]


def overview_view(shown: ShownQuarter, previous: ShownQuarter | None, methodology: Methodology, today: date,
                  batches: pl.DataFrame, tz: ZoneInfo) -> OverviewView:
    """`previous`: the previous quarter as shown, when it has data (the KPIs' deltas); `batches`: the upload
    history, newest first."""
    now = overview_kpis(shown.fresh, shown.tables)
    before = overview_kpis(previous.fresh, previous.tables) if previous is not None else None
    leaders, outsiders = leaders_outsiders(shown.tables) if shown.has_data else ([], [])
    weekly_norm, live_stream = _warning_frames(shown.fresh_tables.early_warning)
    return OverviewView(
        has_data=shown.has_data, kpis=_kpis(now, before, methodology),
        zone_counts=zone_counts(shown.tables, "bodies"), zones=list(shown.tables.methodology_info.get("zones") or []),
        leaders=_place_lines(leaders), outsiders=_place_lines(outsiders),
        leaders_title="Лидеры" if outsiders else "Места в рейтинге",
        deadlines=_deadline_lines(methodology, shown.quarter, today, shown.approved),
        freshness=_freshness(batches, tz, now["page_weeks_no_data"]), weekly_norm=weekly_norm,
        live_stream=live_stream)

