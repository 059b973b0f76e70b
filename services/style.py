"""The style of a quarter's publications (Порядок §2 п.8: conversational, not press releases), joining storage and
scoring like services.quarters: the post texts of the quarter's weeks → scoring.style → per page the share of
press-release-style posts, the most typical examples with their phrases, and the recommendation. Reported as
information; the rating does not use it (the methodology's [press_release] scored = false)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine

from core.calendar import Quarter
from core.config import region_tz
from scoring.explain import style_recommendation
from scoring.inputs import QuarterWindow
from scoring.methodology import methodology_for
from scoring.style import StyleSettings, page_styles
from storage import rating_store


def settings_for(quarter: Quarter) -> StyleSettings:
    return StyleSettings.from_methodology(methodology_for(quarter.code))


def quarter_styles(engine: Engine, quarter: Quarter, page_ids: list[int] | None = None,
                   tz: ZoneInfo | None = None) -> pl.DataFrame:
    """Per page (all, or `page_ids`) of the quarter's weeks: posts_rated, press_releases, share, examples and the
    recommendation (null when the share is below the methodology's page_share)."""
    tz = tz or region_tz()
    window = QuarterWindow(quarter, tz)
    posts = rating_store.post_texts_in(engine, (window.utc(window.first_week), window.utc(window.week_end)), page_ids)
    settings = settings_for(quarter)
    styles = page_styles(posts, settings)
    advice = [style_recommendation(row, settings) for row in styles.iter_rows(named=True)]
    return styles.with_columns(pl.Series("recommendation", advice, dtype=pl.String))


def style_by_page(styles: pl.DataFrame) -> dict[int, dict]:
    """The per-page rows as plain dicts (the workbook and the screens read them)."""
    return {row["page_id"]: row for row in styles.iter_rows(named=True)}
