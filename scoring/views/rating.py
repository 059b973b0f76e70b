"""«Рейтинг»: the three ranked tables and the reference one with Δ place, block bars, zones and the range of places
when the block weights move; the methodology in force, the approval and its differences from a recomputation; two
quarters compared. «Карточка органа» shows the same ranked rows for one body's family (ranked_rows)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import polars as pl

from core.labels import (PLATFORM_LABELS, TABLE_TITLES, dashes, date_short_ru, digits_of, format_value, moment_ru,
                         number_ru, percent_ru, place_arrow)
from core.text import plain
from scoring.comparison import chart_rows, comparison_frame, comparison_rows
from scoring.registry_view import filter_rows
from scoring.sensitivity import place_text
from scoring.tables import RatingTables

UNSTABLE_MARK = "⚠"
EMPTY_TEXT = "Нет строк для выбранных фильтров."
CHART_LIMIT = 60  # institutions on the comparison chart (the table beside it has them all)


def family_names(tables: RatingTables, body: str | None) -> set[str] | None:
    """The body, its head(s) and institutions (owner names), or None when no body is selected."""
    if not body:
        return None
    names = {body}
    for name in ("heads", "institutions"):
        frame = tables.table(name)
        if not frame.is_empty():
            names |= set(frame.filter(pl.col("parent_name") == body)["owner"].to_list())
    return names


def rating_table(tables: RatingTables, name: str, body: str | None = None, search: str = "") -> pl.DataFrame:
    """A ranked table for the screen (the frame of scoring.tables): arrows for Δ place, platforms without a page as
    text."""
    frame = tables.table(name)
    if frame.is_empty():
        return frame
    family = family_names(tables, body)
    if family is not None:
        frame = frame.filter(pl.col("owner").is_in(list(family)))
    frame = filter_rows(frame, search=search, search_in=("owner",))
    for column in ("delta_place", "delta_points", "parent_name", "zone", "rank", "completeness", "not_rated_reason"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None).alias(column))
    missing = (pl.col("missing_platforms").cast(pl.List(pl.String))
               .list.eval(pl.element().replace_strict(PLATFORM_LABELS, default=pl.element())).list.join(", ")
               if "missing_platforms" in frame.columns else pl.lit(""))
    # methodology.md §4: the ranked rows first, then the owners not rated (no place, the reason instead)
    status = pl.when(pl.col("score").is_null()).then(
        pl.lit("не оценивается: ") + pl.col("not_rated_reason").fill_null("нет данных")
    ).otherwise(pl.col("completeness"))
    if "place_range" in frame.columns:  # «5 (4–7)» when the block weights move (scoring.sensitivity)
        frame = frame.with_columns(place_range_text().alias("place_text"))
    return frame.with_columns(
        pl.col("delta_place").map_elements(place_arrow, return_dtype=pl.String, skip_nulls=False).alias("movement"),
        missing.alias("missing_text"), status.alias("rated_text"),
        # «—» where there is no place (not rated; the reference rows are never ranked), never an empty «None» cell
        pl.col("rank").cast(pl.String).fill_null("—").alias("place")).sort(
        "rank", nulls_last=True, maintain_order=True)


def place_range_text() -> pl.Expr:
    """«5 (4–7)», with ⚠ on an unstable row (its range is as wide as the methodology's unstable_places)."""
    def text(row: dict) -> str:
        shown = place_text(row["rank"], row["place_range"])
        return f"{shown} {UNSTABLE_MARK}" if row.get("place_unstable") else shown
    return pl.struct("rank", "place_range", "place_unstable").map_elements(text, return_dtype=pl.String)


def zone_counts(tables: RatingTables, name: str) -> dict[str, int]:
    """Rows per zone, in the order the zones first appear in the table."""
    frame = tables.table(name)
    if frame.is_empty() or "zone" not in frame.columns:
        return {}
    counts = frame.filter(pl.col("zone").is_not_null()).group_by("zone", maintain_order=True).len()
    return dict(counts.iter_rows())


def with_blocks_chart(frame: pl.DataFrame, blocks: list[str]) -> pl.DataFrame:
    """The block scores as one list column (a small bar chart on screen); an unscored block shows as 0 height."""
    chart = pl.concat_list([pl.col(f"block_{b}").fill_null(0).round(1) for b in blocks])
    # a row without a score draws no bars (zeros would read as measured zeros)
    return frame.with_columns(pl.when(pl.col("score").is_not_null()).then(chart).alias("blocks_chart"))


def display_table(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Scores rounded (the score bar), the part scores and Δ points as Russian text with «—» for missing."""
    out = frame.select(columns).with_columns(pl.col("score").round(1))
    # the formats of core.labels by column key: «+1,2», «−1,2», a change that rounds to zero «0,0», «—» unknown
    return out.with_columns(pl.col(c).map_elements(lambda v, c=c: format_value(c, v), return_dtype=pl.String,
                                                   skip_nulls=False)
                            for c in ("body_score", "head_score", "institutions_score", "delta_points")
                            if c in out.columns)


def ranked_rows(tables: RatingTables, name: str, body: str | None = None, search: str = "") -> pl.DataFrame:
    """A ranked table as the screen shows it: its columns in order (the part scores for bodies, the superior body
    for heads and institutions), the block bars, the zone as a one-item list (a coloured pill); no rows when the
    filters leave none."""
    frame = rating_table(tables, name, body, search)
    if frame.is_empty():
        return pl.DataFrame()
    columns = ["place", *(["place_text"] if "place_text" in frame.columns else []), "movement", "owner",
               *(["parent_name"] if name in ("institutions", "heads") else []), "score", "zone", "delta_points",
               *(["body_score", "head_score", "institutions_score"] if name == "bodies" else []),
               "blocks_chart", "missing_text", "rated_text"]
    shown = display_table(with_blocks_chart(frame, tables.blocks),
                          [c for c in columns if c in frame.columns or c == "blocks_chart"])
    return shown.with_columns(pl.concat_list("zone").list.drop_nulls().alias("zone"))


@dataclass(frozen=True)
class RankedHeaders:
    """The headers' texts of a ranked table, quoting the methodology the rating was computed with (an approved
    quarter: its own) and the weights' sensitivity step."""
    place_text: str
    place_text_help: str
    part_help: dict[str, str]  # body_score, head_score, institutions_score → «Балл … (доля 50 %)»
    rated_help: str
    blocks: str
    blocks_help: str
    zones: tuple[tuple[str, str], ...]  # (name, colour) in the methodology's order


def ranked_headers(tables: RatingTables) -> RankedHeaders:
    info = tables.methodology_info
    sens = tables.get("sensitivity") or {}
    shares = {part: percent_ru(share) for part, share in (info.get("composite") or {}).items()}
    blocks = info.get("blocks") or {}
    step = number_ru(sens.get("step"))
    return RankedHeaders(
        place_text=f"Место при весах ±{step}",
        place_text_help=(f"Самое высокое и самое низкое место, если вес каждого блока сдвинуть на ±{step} баллов "
                         f"(все {number_ru(sens.get('combinations'))} сочетаний, веса приводятся к 100). "
                         f"{UNSTABLE_MARK} — место неустойчиво: самое высокое и самое низкое расходятся на "
                         f"{number_ru(sens.get('unstable_places'))} и больше"),
        part_help={"body_score": f"Балл страниц органа (доля {shares.get('body', '—')})",
                   "head_score": f"Балл руководителя (доля {shares.get('head', '—')})",
                   "institutions_score": f"Средний балл учреждений (доля {shares.get('institutions', '—')})"},
        rated_help=("Сколько страниц владельца оценено; страница, у которой учтено меньше "
                    f"{number_ru((info.get('gates') or {}).get('min_counted_weeks'))} недель с данными, не "
                    "оценивается, а владелец без оценённых страниц не получает места"),
        blocks="Блоки " + "–".join([next(iter(blocks)), list(blocks)[-1]]) if blocks else "Блоки",
        blocks_help="Баллы по блокам: " + "; ".join(f"{code} — {title}" for code, title in blocks.items()),
        zones=tuple((z["name"], z["color"]) for z in info.get("zones") or []))


@dataclass(frozen=True)
class RankedTable:
    name: str  # bodies, institutions, heads, reference
    title: str
    rows: pl.DataFrame  # ranked_rows
    zone_counts: dict[str, int] | None  # the whole table's rows per zone (not the search's); None: no zone figure


@dataclass(frozen=True)
class RatingView:
    has_data: bool
    scope_caption: str | None  # a «body» user: whose rows are shown and among how many the places are
    methodology: str  # Markdown: «**название методики** (версия id, утверждена ДД.ММ.ГГГГ)»
    approved_at: str | None  # ДД.ММ.ГГГГ ЧЧ:ММ in the region's time; None: not approved
    warning: str | None
    differences: pl.DataFrame  # an approved quarter against a recomputation: table, owner, places and scores as text
    tables: tuple[RankedTable, ...]
    headers: RankedHeaders
    zones: list[dict]  # the methodology's zones (name, min, color) for the zone figure


def _differences(differences: list[dict]) -> pl.DataFrame:
    if not differences:
        return pl.DataFrame()
    numbers = {c: digits_of(c) for c in ("approved_rank", "fresh_rank", "approved_score", "fresh_score")}
    frame = pl.DataFrame(differences).with_columns(pl.col("table").replace_strict(TABLE_TITLES,
                                                                                  default=pl.col("table")))
    return dashes(frame, numbers)


def _scope_caption(scope: dict | None) -> str | None:
    if not scope:
        return None
    field = scope["ranked"]
    return plain(f"Показаны только {scope['body']}, его руководитель и учреждения. Места — среди всех оценённых: "
                 f"органов {field['bodies']}, руководителей {field['heads']}, учреждений {field['institutions']}.")


def rating_view(shown: RatingTables, approved: bool, differences: list[dict], tz: ZoneInfo, body: str | None = None,
                search: str = "") -> RatingView:
    """`shown`: the shown rating's frames (the approved one when approved) with the places' ranges; `body`, `search`:
    the shared filter and the screen's search field."""
    info = shown.methodology_info
    day = date.fromisoformat(info["approved_on"]) if info.get("approved_on") else None
    moment = (shown.get("approved") or {}).get("approved_at") if approved else None
    tables = tuple(RankedTable(name, title, ranked_rows(shown, name, body, search),
                               None if name == "reference" or shown.table(name).is_empty()
                               else zone_counts(shown, name))
                   for name, title in TABLE_TITLES.items())
    return RatingView(
        has_data=shown.has_data, scope_caption=_scope_caption(shown.get("scope")),
        methodology=(f"**{plain(str(shown.get('methodology_title') or 'Методика'))}** "
                     f"(версия {plain(str(info.get('id') or '—'))}, утверждена {date_short_ru(day)})"),
        approved_at=moment_ru(moment, tz) if approved else None, warning=shown.get("methodology_warning"),
        differences=_differences(differences if approved else []), tables=tables, headers=ranked_headers(shown),
        zones=list(info.get("zones") or []))


# --- «Сравнение кварталов» ---

@dataclass(frozen=True)
class ComparisonView:
    note: str | None  # what the chart leaves out
    chart: list[dict]  # scoring.comparison.chart_rows
    table: pl.DataFrame  # the numbers beside the chart (the superior body only for heads and institutions)


def comparison_view(tables_a: RatingTables, tables_b: RatingTables, name: str) -> ComparisonView:
    rows = comparison_rows(tables_a, tables_b, name)
    note = (f"На графике — {CHART_LIMIT} учреждений с наибольшим изменением балла; в таблице — все."
            if name == "institutions" and len(rows) > CHART_LIMIT else None)
    table = comparison_frame(rows).drop(["parent"] if name == "bodies" else []).drop("zone_a", "zone_b")
    return ComparisonView(note, chart_rows(rows, CHART_LIMIT), table)
