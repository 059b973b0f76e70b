"""«Публикации по неделям»: pages (or executive bodies) × ISO weeks against the weekly norm, with explicit «нет
данных» cells, and the drill-down to one page's posts and the style of its publications."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.labels import PLATFORM_LABELS, dashes, number_ru, percent_ru, shorten, shorten_middle
from core.text import plain
from scoring.activity import COUNTED_STATUSES
from scoring.methodology import Methodology
from scoring.rating import QuarterRating
from scoring.registry_view import body_of, filter_rows
from scoring.views.body_card import style_view

PAGE_COLUMNS = ("page_id", "label", "owner_name", "kind", "body_name", "platform_label", "url", "norm", "weeks",
                "weeks_ok", "weeks_no_data", "posts", "share_ok")
POST_COUNTERS = ("views", "likes", "comments", "reposts", "reactions")


def weekly_caption(methodology: Methodology) -> str:
    """What a cell's colour means, with the weekly norm quoted from the methodology."""
    return ("Цвет ячейки — число публикаций за ISO-неделю (пн–вс, время томское) относительно нормы "
            f"(Порядок §2 п.9: {methodology.norms.posts_text()}). Серая ячейка — «нет данных»: "
            "выгрузка за эту неделю не загружена; это не ноль публикаций.")


@dataclass(frozen=True)
class WeeklyPages:
    pages: pl.DataFrame  # PAGE_COLUMNS, in the order shown (worst first unless asked otherwise)
    cells: pl.DataFrame  # label, page_id, week, status, posts, norm… for the heatmap, rows in the pages' order
    summary: str  # «Показано страниц: **40** · недель с нормой: **…**» over the pages shown


def _platform_label() -> pl.Expr:
    return pl.col("platform").replace_strict(PLATFORM_LABELS, default=pl.col("platform"))


def weekly_pages(rating: QuarterRating, kinds: list[str], body: str | None, platforms: list[str], search: str = "",
                 worst_first: bool = True, top: int | None = None) -> WeeklyPages:
    """The pages to show (with their B1 so far) and their week cells, filtered (by owner name or address)."""
    pages = filter_rows(rating.pages.with_columns(body_of().alias("body_name")), kinds, body, platforms, search,
                        search_in=("owner_name", "url"))
    share = pl.when(pl.col("weeks") > 0).then(pl.col("weeks_ok") / pl.col("weeks"))
    label = pl.col("owner_name").map_elements(lambda name: shorten(name, 55), return_dtype=pl.String)
    pages = pages.with_columns(share.alias("share_ok"), (label + " · " + _platform_label()).alias("label"),
                               _platform_label().alias("platform_label"))
    pages = pages.sort(["share_ok", "owner_name"], descending=[not worst_first, False], nulls_last=True)
    if top:
        pages = pages.head(top)
    pages = pages.with_columns(_distinct_labels(pages))
    cells = (pages.select("page_id", "label").join(rating.grid, on="page_id", how="left")
             .join(pages.select("page_id", pl.int_range(pl.len()).alias("__order")), on="page_id")
             .sort("__order", "week").drop("__order"))
    return WeeklyPages(pages.select(PAGE_COLUMNS), cells, _summary(pages))


def _distinct_labels(pages: pl.DataFrame) -> pl.Series:
    """The heatmap's row labels, each once (Plotly draws rows of one label as one row): names cut alike at the end
    («ОГАУ «Дом-интернат для престарелых и инвалидов…», four districts) are cut in the middle instead, keeping the
    district; two pages of one owner on one platform get their address. Never a database number on the screen."""
    labels = pages["label"].to_list()
    repeated = pages["label"].is_duplicated().to_list()
    for i, (name, platform) in enumerate(zip(pages["owner_name"], pages["platform_label"])):
        if repeated[i]:
            labels[i] = f"{shorten_middle(name, 55)} · {platform}"
    still = pl.Series(labels).is_duplicated().to_list()
    for i, url in enumerate(pages["url"]):
        if still[i]:
            address = (url or "").removeprefix("https://").removeprefix("http://").removeprefix("www.")
            labels[i] = f"{labels[i]} ({shorten_middle(address, 40) or 'без адреса'})"
    return pl.Series("label", labels, dtype=pl.String)


def _summary(pages: pl.DataFrame) -> str:
    weeks = int(pages["weeks"].fill_null(0).sum())
    met = int(pages["weeks_ok"].fill_null(0).sum())
    share = percent_ru(met / weeks) if weeks else "нет данных"
    return (f"Показано страниц: **{number_ru(pages.height)}** · недель с нормой: **{number_ru(met)} из "
            f"{number_ru(weeks)}** ({share}) · недель без данных: "
            f"**{number_ru(int(pages['weeks_no_data'].fill_null(0).sum()))}**")


def weekly_bodies(rating: QuarterRating, kinds: list[str], platforms: list[str]) -> pl.DataFrame:
    """Per executive body (its own pages, its head's and its institutions') and week: pages with data, pages
    that met the norm, the share (null when no page had data); the bodies with the lowest share first."""
    pages = filter_rows(rating.pages.with_columns(body_of().alias("body_name")), kinds, None, platforms)
    cells = (pages.filter(pl.col("body_name") != "").select("page_id", pl.col("body_name").alias("label"))
             .join(rating.grid, on="page_id"))
    shares = cells.group_by("label", "week").agg(
        pl.col("status").is_in(COUNTED_STATUSES).sum().cast(pl.Int64).alias("counted"),
        pl.col("norm_met").sum().cast(pl.Int64).alias("met"))
    shares = shares.with_columns(pl.when(pl.col("counted") > 0).then(pl.col("met") / pl.col("counted")).alias("share"))
    order = shares.group_by("label").agg((pl.col("met").sum() / pl.col("counted").sum()).alias("overall"))
    return shares.join(order, on="label").sort(["overall", "label", "week"], nulls_last=True)


@dataclass(frozen=True)
class PageDrill:
    """One page's posts of the quarter and the style of its publications (Порядок §2 п.8, справочно)."""
    heading: str
    posts: pl.DataFrame  # counters as Russian numbers, «—» for unknown
    style_heading: str | None  # None when no post of the page was rated for style
    recommendation: str
    examples: pl.DataFrame  # published_local, score, text


def page_drill(page: dict, posts: pl.DataFrame, styles: pl.DataFrame, tz_name: str) -> PageDrill:
    """`page`: a row of WeeklyPages.pages; `posts`: its posts (services.quarters.page_posts); `styles`: its style
    (services.style.quarter_styles)."""
    heading = f"Публикации: {plain(page['owner_name'])} ({plain(page['url'])}) — {number_ru(posts.height)}"
    table = dashes(posts, dict.fromkeys(POST_COUNTERS, 0), ("text",))
    summary, examples = style_view(pl.DataFrame({"page_id": [page["page_id"]], "title": [page["label"]]}),
                                   styles, tz_name)
    if summary.is_empty():
        return PageDrill(heading, table, None, "", examples.drop("title"))
    info = summary.row(0, named=True)
    style_heading = (f"Стиль: как пресс-релиз написаны {number_ru(info['press_releases'])} из "
                     f"{number_ru(info['posts_rated'])} публикаций ({percent_ru(info['share'])})")
    return PageDrill(heading, table, style_heading, plain(info["recommendation"]), examples.drop("title"))
