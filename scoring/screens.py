"""Shaping results for «Рейтинг» and «Карточка органа» (app_pages/rating.py, _rating_tables.py, body_card.py): pure
functions from the rating's frames (scoring.tables) to what those pages render. The other screens have their view in
scoring/views/ (one module per screen); these move there when their pages do."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.labels import PLATFORM_LABELS, format_value, number_ru, shorten
from scoring.tables import RatingTables, rows_of
from scoring.rating import QuarterRating
from scoring.registry_view import filter_rows
from scoring.sensitivity import place_text

ARROW_UP, ARROW_DOWN = "▲", "▼"


def place_arrow(delta: int | None) -> str:
    if delta is None:
        return "—"
    if delta > 0:
        return f"{ARROW_UP} {delta}"
    if delta < 0:
        return f"{ARROW_DOWN} {-delta}"
    return "="


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
    missing = (pl.col("missing_platforms").cast(pl.List(pl.String)).list.eval(pl.element().replace_strict(PLATFORM_LABELS, default=pl.element()))
               .list.join(", ") if "missing_platforms" in frame.columns else pl.lit(""))
    # methodology.md §4: the ranked rows first, then the owners not rated (no place, the reason instead)
    status = pl.when(pl.col("score").is_null()).then(
        pl.lit("не оценивается: ") + pl.col("not_rated_reason").fill_null("нет данных")).otherwise(pl.col("completeness"))
    if "place_range" in frame.columns:  # «5 (4–7)» when the block weights move (scoring.sensitivity)
        frame = frame.with_columns(place_range_text().alias("place_text"))
    return frame.with_columns(
        pl.col("delta_place").map_elements(place_arrow, return_dtype=pl.String, skip_nulls=False).alias("movement"),
        missing.alias("missing_text"), status.alias("rated_text"),
        # «—» where there is no place (not rated; the reference rows are never ranked), never an empty «None» cell
        pl.col("rank").cast(pl.String).fill_null("—").alias("place")).sort(
        "rank", nulls_last=True, maintain_order=True)


UNSTABLE_MARK = "⚠"


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


# --- «Карточка органа» ---

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


def _owner_row(tables: RatingTables, name: str, owner: str) -> dict | None:
    """An owner's row as the payload has it (block scores under `blocks`), or None."""
    frame = tables.table(name)
    found = rows_of(frame.filter(pl.col("owner") == owner)) if not frame.is_empty() else []
    return found[0] if found else None


def body_card(tables: RatingTables, rating: QuarterRating, body: str, history: list[tuple[str, RatingTables]]
              ) -> BodyCard:
    """The card of one executive body from the shown rating's frames (scoring.tables) and the computation's grid."""
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
    family = sorted(family_names(tables, body) or set())
    kind_order = pl.col("owner_kind").replace_strict({"executive_body": 0, "head": 1, "institution": 2}, default=3,
                                                     return_dtype=pl.Int64)
    pages = (tables.pages.filter(pl.col("owner").is_in(family)).sort(kind_order, "owner", "platform")
             if not tables.pages.is_empty() else pl.DataFrame(schema={"page_id": pl.Int64, "owner": pl.String,
                                                                    "platform": pl.String,
                                                                    "recommendations": pl.List(pl.String)}))
    advice = [(body, text) for text in (row or {}).get("recommendations", [])]  # required platforms without a page
    titles = []
    for page_id, owner, platform, recommendations in pages.select("page_id", "owner", "platform",
                                                                  "recommendations").iter_rows():
        where = f"{shorten(owner, 50)} · {PLATFORM_LABELS.get(platform, platform)}"
        advice += [(where, text) for text in recommendations or []]
        titles.append((page_id, f"{shorten(owner, 60)} · {PLATFORM_LABELS.get(platform, platform)}"))
    titles = pl.DataFrame(titles, schema={"page_id": pl.Int64, "title": pl.String}, orient="row")
    specs = tables.methodology_info.get("indicators") or {}
    indicators = (titles.select("page_id").with_row_index("__order")
                  .join(tables.indicators, on="page_id", how="inner", maintain_order="left_right")
                  .sort("__order", maintain_order=True)
                  .select("page_id", pl.col("indicator").alias("code"),
                          pl.col("indicator").replace_strict({c: v["title"] for c, v in specs.items()}, default=None,
                                                             return_dtype=pl.String).alias("title"),
                          "value", "points", "weight", "na_reason", "inputs")
                  .cast({"page_id": pl.Int64, "value": pl.Float64, "points": pl.Float64, "weight": pl.Float64}))
    return BodyCard(row, ranked, heads, institution_count, points, weekly, norm, advice[:40], titles, indicators)


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


def dashes(frame: pl.DataFrame, digits: dict[str, int] | None = None, text: tuple[str, ...] = ()) -> pl.DataFrame:
    """For a table on screen: the numeric columns in `digits` as Russian numbers (decimal comma) and «—» where a
    value is unknown, the text columns in `text` with «—» — never an empty cell that Streamlit shows as «None»."""
    digits = {c: d for c, d in (digits or {}).items() if c in frame.columns}
    return frame.with_columns(
        [pl.col(c).map_elements(lambda v, d=d: number_ru(v, d), return_dtype=pl.String, skip_nulls=False)
         for c, d in digits.items()]
        + [pl.col(c).fill_null("—") for c in text if c in frame.columns])
