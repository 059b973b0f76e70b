"""«Карточка органа»: one executive body with its head and institutions — its scores as KPIs, the rank history, the
weekly posts of its own pages, the recommendations, the indicators of every page of the family with the N/A
reasons, and the ranked rows of its head and institutions (scoring.views.rating). The style of publications
(Порядок §2 п.8) is built by style_view, here and on «Публикации по неделям»."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.labels import PLATFORM_LABELS, dashes, metric_delta, number_ru, shorten
from core.text import plain
from scoring.rating import QuarterRating
from scoring.tables import RatingTables, rows_of
from scoring.views import Kpi
from scoring.views.rating import RankedHeaders, family_names, ranked_headers, ranked_rows

INDICATOR_DIGITS = {"value": 2, "points": 1}


@dataclass(frozen=True)
class BodyCard:
    body_row: dict | None
    ranked: int
    head_names: list[str]
    institutions: int
    history: list[dict]
    weekly: pl.DataFrame  # the body's own pages: week, platform, status, posts
    norm: int | None
    recommendations: list[tuple[str, str]]
    pages: pl.DataFrame  # page_id, title (the body's and its family's pages)
    indicators: pl.DataFrame  # page_id, code, title, value, points, weight, na_reason, inputs
    kpis: tuple[Kpi, ...]  # score, place, zone, head, institutions
    status: tuple[str, str] | None  # («warning» | «caption», text) above the KPIs
    head_rows: pl.DataFrame  # the head's and the institutions' ranked rows (scoring.views.rating.ranked_rows)
    institution_rows: pl.DataFrame
    headers: RankedHeaders

    def page_titles(self) -> dict[int, str]:
        return dict(zip(self.pages["page_id"].to_list(), self.pages["title"].to_list()))

    def page_indicators(self, page_id: int) -> pl.DataFrame:
        """One page's indicators as shown: numbers in Russian, «—» for an unknown value, reason or input."""
        return dashes(self.indicators.filter(pl.col("page_id") == page_id).drop("page_id"), INDICATOR_DIGITS,
                      ("na_reason", "inputs"))


def _owner_row(tables: RatingTables, name: str, owner: str) -> dict | None:
    """An owner's row as the payload has it (block scores under `blocks`), or None."""
    frame = tables.table(name)
    found = rows_of(frame.filter(pl.col("owner") == owner)) if not frame.is_empty() else []
    return found[0] if found else None


def _kpis(row: dict, ranked: int, heads: list[str], institutions: int) -> tuple[Kpi, ...]:
    return (
        Kpi("Сводный балл", number_ru(row.get("score"), 1), metric_delta(row.get("delta_points"), 1)),
        Kpi("Место", "—" if row.get("rank") is None else f"{row['rank']} из {ranked}",
            metric_delta(row.get("delta_place"), 0)),
        Kpi("Зона", row.get("zone") or "—"),
        Kpi("Руководитель", number_ru(row.get("head_score"), 1), help=plain(", ".join(heads)) or "нет в реестре"),
        Kpi("Учреждения", number_ru(row.get("institutions_score"), 1), help=f"Учреждений в реестре: {institutions}"))


def _status(row: dict | None, quarter_label: str) -> tuple[str, str] | None:
    if row and row.get("score") is None:
        return ("warning", f"Орган за {quarter_label} не оценивается: {row.get('not_rated_reason') or 'нет данных'}. "
                           "Место и зона не присваиваются, пока нет данных о публикациях его страниц.")
    if row and row.get("completeness"):
        return "caption", row["completeness"]
    return None


def _pages(tables: RatingTables, body: str) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    """The family's pages (the body's first, then its head's and institutions') with their titles, and their
    recommendations with where each applies."""
    family = sorted(family_names(tables, body) or set())
    kind_order = pl.col("owner_kind").replace_strict({"executive_body": 0, "head": 1, "institution": 2}, default=3,
                                                     return_dtype=pl.Int64)
    pages = (tables.pages.filter(pl.col("owner").is_in(family)).sort(kind_order, "owner", "platform")
             if not tables.pages.is_empty() else pl.DataFrame(schema={"page_id": pl.Int64, "owner": pl.String,
                                                                    "platform": pl.String,
                                                                    "recommendations": pl.List(pl.String)}))
    advice, titles = [], []
    for page_id, owner, platform, recommendations in pages.select("page_id", "owner", "platform",
                                                                  "recommendations").iter_rows():
        where = f"{shorten(owner, 50)} · {PLATFORM_LABELS.get(platform, platform)}"
        advice += [(where, text) for text in recommendations or []]
        titles.append((page_id, f"{shorten(owner, 60)} · {PLATFORM_LABELS.get(platform, platform)}"))
    return pl.DataFrame(titles, schema={"page_id": pl.Int64, "title": pl.String}, orient="row"), advice


def _indicators(tables: RatingTables, titles: pl.DataFrame) -> pl.DataFrame:
    specs = tables.methodology_info.get("indicators") or {}
    return (titles.select("page_id").with_row_index("__order")
            .join(tables.indicators, on="page_id", how="inner", maintain_order="left_right")
            .sort("__order", maintain_order=True)
            .select("page_id", pl.col("indicator").alias("code"),
                    pl.col("indicator").replace_strict({c: v["title"] for c, v in specs.items()}, default=None,
                                                       return_dtype=pl.String).alias("title"),
                    "value", "points", "weight", "na_reason", "inputs")
            .cast({"page_id": pl.Int64, "value": pl.Float64, "points": pl.Float64, "weight": pl.Float64}))


def body_card(tables: RatingTables, rating: QuarterRating, body: str, history: list[tuple[str, RatingTables]]
              ) -> BodyCard:
    """The card of one executive body from the shown rating's frames (scoring.tables) and the computation's grid;
    `history`: (quarter label, tables) of the quarters with data, oldest first."""
    row = _owner_row(tables, "bodies", body)
    bodies, heads_frame, institutions = tables.bodies, tables.heads, tables.institutions
    # a rating restricted to one body (services.scope) keeps the size of the whole field: «место 5 из 34»
    ranked = (tables.get("scope") or {}).get("ranked", {}).get("bodies") or (
        bodies["rank"].is_not_null().sum() if "rank" in bodies.columns else 0)
    heads = heads_frame.filter(pl.col("parent_name") == body)["owner"].to_list() if not heads_frame.is_empty() else []
    institution_count = institutions.filter(pl.col("parent_name") == body).height if not institutions.is_empty() \
        else 0
    points = []
    for label, past in history:
        past_row = _owner_row(past, "bodies", body)
        points.append({"quarter": label, "rank": past_row.get("rank") if past_row else None,
                       "score": past_row.get("score") if past_row else None})  # not rated: no point, never 0
    own = rating.pages.filter(pl.col("owner_name") == body, pl.col("kind") == "executive_body")
    weekly = own.select("page_id", "platform").join(rating.grid, on="page_id").select("week", "platform", "status",
                                                                                       "posts")
    norm = own["norm"].max() if own.height else None
    titles, page_advice = _pages(tables, body)
    advice = [(body, text) for text in (row or {}).get("recommendations", [])]  # required platforms without a page
    return BodyCard(row, ranked, heads, institution_count, points, weekly, norm, (advice + page_advice)[:40], titles,
                    _indicators(tables, titles), _kpis(row or {}, ranked, heads, institution_count),
                    _status(row, tables.get("quarter_label") or tables.quarter), ranked_rows(tables, "heads", body),
                    ranked_rows(tables, "institutions", body), ranked_headers(tables))


# --- style of publications (Порядок §2 п.8), «Карточка органа» and «Публикации по неделям» ---

def style_view(pages: pl.DataFrame, styles: pl.DataFrame, tz_name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per page (`pages`: page_id, title) the share of press-release-style posts with the recommendation, and the
    most typical examples (local time, likelihood, the text with its phrases in [brackets])."""
    joined = pages.select("page_id", "title").join(styles, on="page_id", how="inner")
    summary = joined.select("title", "posts_rated", "press_releases", "share",
                            pl.col("recommendation").fill_null("стиль в порядке"))
    examples = (joined.select("title", "examples").explode("examples").drop_nulls("examples").unnest("examples")
                .select("title", pl.col("published_at").dt.convert_time_zone(tz_name).dt.replace_time_zone(None)
                        .alias("published_local"), "score", "text"))
    return summary, examples


def card_style(pages: pl.DataFrame, styles: pl.DataFrame, tz_name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """style_view for the card's bars: the share and the likelihood in per cent (0–100), shown «21 %» — a whole
    number and a space, as core.labels.percent_ru writes it, never «21.43%»."""
    summary, examples = style_view(pages, styles, tz_name)
    return summary.with_columns(pl.col("share") * 100), examples.with_columns(pl.col("score") * 100)
