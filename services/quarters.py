"""The one quarter service (style.md: above storage and scoring, joining them): a quarter's rating view — read,
score, movement against the previous quarter, the approved payload and its differences from a fresh
computation — for the app, the CLI and the workbook alike; approval and its withdrawal (methodology.md §6).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine

from core import calendar
from core.calendar import Quarter
from core.config import region_tz
from scoring.activity import local_week
from scoring.inputs import COMMENT_COLUMNS, POST_COLUMNS, STREAM_COLUMNS, QuarterWindow, ScoringInput
from scoring.methodology import Methodology, methodology_for
from scoring.payload import payload_differences, payload_tables, rating_payload
from scoring.rating import TABLES, QuarterRating, add_movement, score_quarter
from storage import rating_store
from storage.db import Contention

FROZEN_TABLES = (*TABLES, "reference", "pages", "streams")  # the payload's row lists an approval stores


class ApprovalError(ValueError):
    """The quarter cannot be approved or its approval withdrawn; the message is in Russian."""


def scoring_input(engine: Engine, quarter: Quarter, tz: ZoneInfo, summed: bool = True) -> ScoringInput:
    """The current data of the quarter (and the reply look-ahead) as the frames scoring reads. On PostgreSQL
    (`summed`) the posts come already summed per page and week by the database (scoring's first step,
    activity.week_sums), not as rows. The owners and pages are the registry as it stood on the quarter's last day
    (issue 17: storage.registry_history.registry_for_rating) — a body's institution moved to another body in a
    later quarter stays with the first in this one."""
    window = QuarterWindow(quarter, tz)
    stored = rating_store.read_quarter(engine, (window.load_from, window.load_to), columns={
        "posts": tuple(POST_COLUMNS), "streams": tuple(STREAM_COLUMNS), "comments": tuple(COMMENT_COLUMNS)},
        weeks=(tz.key, window.first_week, len(window.weeks)) if summed else None, registry_day=quarter.last_day)
    return ScoringInput(
        owners=stored.owners, pages=stored.pages, snapshots=stored.snapshots,
        posts=stored.posts.select(list(POST_COLUMNS)).cast(POST_COLUMNS),
        streams=stored.streams.select(list(STREAM_COLUMNS)).cast(STREAM_COLUMNS),
        comments=stored.comments.select(list(COMMENT_COLUMNS)).cast(COMMENT_COLUMNS),
        coverage=stored.coverage, batch_ids=stored.batch_ids, data_timestamp=stored.data_timestamp,
        post_weeks=stored.post_weeks)


def methodology_for_or_none(quarter: Quarter) -> Methodology | None:
    try:
        return methodology_for(quarter.code)
    except ValueError:
        return None


def fresh_rating(engine: Engine, quarter: Quarter, methodology: Methodology | None = None,
                 today: date | None = None, with_movement: bool = True) -> QuarterRating:
    """Score the quarter from the current data; Δ against the previous quarter (its approved rows if approved,
    else its own fresh computation, without going further back)."""
    tz = region_tz()
    today = today or calendar.local_today(tz)
    m = methodology or methodology_for(quarter.code)
    rating = score_quarter(scoring_input(engine, quarter, tz), m, quarter, tz, today)
    if not with_movement:
        return rating
    return apply_movement(rating, comparison_tables(engine, quarter.previous(), today, fallback=m))


def apply_movement(rating: QuarterRating, previous: dict[str, pl.DataFrame] | None) -> QuarterRating:
    """Δ place and Δ points against the previous quarter's tables, only between rated rows (methodology.md §4)."""
    tables = dict(rating.tables)
    for name in TABLES:
        frame = (previous or {}).get(name)
        tables[name] = add_movement(tables[name], frame if frame is not None and "rank" in frame.columns else None)
    return replace(rating, tables=tables)


@dataclass(frozen=True)
class QuarterView:
    """What every screen, the CLI and the workbook show for a quarter: the approved payload if the quarter is
    approved (else the fresh one), the fresh computation (grid, frames) and the differences between the two."""
    quarter: Quarter
    payload: dict
    fresh: QuarterRating
    fresh_payload: dict
    approved: bool
    differences: list[dict]
    ended: bool

    @property
    def has_data(self) -> bool:
        return bool(self.payload.get("has_data", True))


def comparison_tables(engine: Engine, quarter: Quarter, today: date,
                      fallback: Methodology | None = None) -> dict[str, pl.DataFrame]:
    """The ranked tables the next quarter's Δ is taken against: the approved rows if `quarter` is approved, else
    its own computation without movement (by `fallback` when no methodology version covers it)."""
    approved = rating_store.approved_payload(engine, quarter.code)
    if approved is not None:
        return payload_tables(approved)
    m = methodology_for_or_none(quarter) or fallback
    if m is None:
        return {}
    rating = fresh_rating(engine, quarter, m, today, with_movement=False)
    return {name: rating.tables[name] for name in TABLES}


def quarter_view(engine: Engine, quarter: Quarter, today: date | None = None,
                 previous_tables: dict[str, pl.DataFrame] | None = None) -> QuarterView:
    """The quarter's view. `previous_tables` (comparison_tables of the previous quarter, e.g. from a cache) give
    Δ without recomputing that quarter; without them the previous quarter is read as in fresh_rating."""
    today = today or calendar.local_today(region_tz())
    if previous_tables is not None:
        fresh = apply_movement(fresh_rating(engine, quarter, today=today, with_movement=False), previous_tables)
    else:
        fresh = fresh_rating(engine, quarter, today=today)
    fresh_payload = rating_payload(fresh)
    approved = rating_store.approved_payload(engine, quarter.code)
    ended = is_ended(quarter, today)
    if approved is None:
        return QuarterView(quarter, fresh_payload, fresh, fresh_payload, False, [], ended)
    return QuarterView(quarter, approved, fresh, fresh_payload, True, payload_differences(approved, fresh_payload),
                       ended)


def ends_on(quarter: Quarter) -> date:
    """The first day on which the quarter is over: its last day and its last ISO week have both passed."""
    return max(quarter.next().first_day, quarter.weeks()[-1] + timedelta(days=7))


def is_ended(quarter: Quarter, today: date) -> bool:
    return today >= ends_on(quarter)


def last_ended_quarter(today: date) -> Quarter:
    """The quarter the rating and overview screens open on (methodology.md §6: only an ended quarter is final)."""
    quarter = Quarter.of(today)
    while not is_ended(quarter, today):
        quarter = quarter.previous()
    return quarter


def approval_gaps(rating: QuarterRating) -> dict:
    """The gaps an approver must acknowledge: pages not rated (with the reason) and page-weeks without full data."""
    pages = rating.pages
    not_rated = pages.filter(pl.col("score").is_null()).select("url", "owner_name", "platform", "not_rated_reason")
    return {"pages_not_rated": not_rated.height,
            "pages_not_rated_examples": not_rated.head(10).to_dicts(),
            "page_weeks_no_data": int(pages["weeks_no_data"].fill_null(0).sum()),
            "page_weeks_partial": int(pages["weeks_partial"].fill_null(0).sum()),
            "owners_not_rated": sum(rating.tables[t]["score"].null_count() for t in TABLES)}


def gaps_text(gaps: dict) -> str:
    return (f"страниц без оценки — {gaps['pages_not_rated']}, недель страниц без данных — "
            f"{gaps['page_weeks_no_data']}, с неполными данными — {gaps['page_weeks_partial']}, "
            f"владельцев без оценки — {gaps['owners_not_rated']}")


def approve(engine: Engine, quarter: Quarter, user: str, *, accept_gaps: bool = False,
            today: date | None = None) -> dict:
    """Freeze the quarter (methodology.md §6): only an ended quarter with activity data; its gaps must be
    acknowledged. Stores what the view computed: the result rows, the methodology version, the batches used."""
    today = today or calendar.local_today(region_tz())
    if rating_store.approved_payload(engine, quarter.code) is not None:
        raise ApprovalError(f"рейтинг за {quarter.label} уже утверждён; утверждённый рейтинг не меняется "
                            "(администратор может отозвать утверждение с указанием причины)")
    if not is_ended(quarter, today):
        raise ApprovalError(f"{quarter.label} ещё не закончился: утвердить рейтинг можно с "
                            f"{ends_on(quarter):%d.%m.%Y}")
    rating = fresh_rating(engine, quarter, today=today)
    if rating.pages.is_empty():
        raise ApprovalError(f"за {quarter.label} нечего утверждать: в реестре нет страниц")
    if not rating.has_data:
        raise ApprovalError(f"за {quarter.label} нет загруженных выгрузок активности — рейтинга нет, утверждать нечего")
    gaps = approval_gaps(rating)
    has_gaps = gaps["pages_not_rated"] or gaps["page_weeks_no_data"] or gaps["page_weeks_partial"]
    if has_gaps and not accept_gaps:
        raise ApprovalError(f"в данных за {quarter.label} есть пробелы: {gaps_text(gaps)}. Утверждение возможно "
                            "только с их подтверждением (в приложении — отметка, в командной строке — --accept-gaps)")
    payload = rating_payload(rating) | {"gaps": gaps}
    m = rating.methodology
    try:
        rating_store.store_approval(
            engine, quarter.code,
            {"id": m.id, "title": m.title, "approved_on": m.approved_on, "effective_from": m.effective_from,
             "content": m.source, "sha256": m.sha256},
            payload, FROZEN_TABLES, list(rating.batch_ids), rating.data_timestamp, user,
            {"gaps_acknowledged": bool(has_gaps), **{k: v for k, v in gaps.items() if k != "pages_not_rated_examples"}})
    except rating_store.AlreadyApproved:
        raise ApprovalError(f"рейтинг за {quarter.label} уже утверждён другим пользователем") from None
    except Contention as error:  # still colliding with concurrent writes after the retries
        raise ApprovalError(str(error)) from None
    return rating_store.approved_payload(engine, quarter.code)


def unapprove(engine: Engine, quarter: Quarter, user: str, reason: str) -> dict:
    """Withdraw an approval (an admin's decision, with a reason; audited; the frozen rows are kept aside)."""
    if not reason or not reason.strip():
        raise ApprovalError("укажите причину отзыва утверждения")
    withdrawn = rating_store.withdraw_approval(engine, quarter.code, user, reason.strip())
    if withdrawn is None:
        raise ApprovalError(f"рейтинг за {quarter.label} не утверждён — отзывать нечего")
    return withdrawn


def data_quarters(engine: Engine, tz: ZoneInfo | None = None) -> list[Quarter]:
    """Quarters with any uploaded activity (posts or covered days), newest first."""
    tz = tz or region_tz()
    low, high = rating_store.post_time_span(engine)
    if low is None:
        return []
    quarter, last = Quarter.of(low.astimezone(tz).date()), Quarter.of(high.astimezone(tz).date())
    found = []
    while quarter <= last:
        found.append(quarter)
        quarter = quarter.next()
    return found[::-1]


CONTENT_LABELS = {"text": "текст", "photo": "фото", "video": "видео", "live": "прямой эфир", "poll": "опрос",
                  "repost": "репост", "link": "ссылка"}
POSTS_SCHEMA = {"published_local": pl.Datetime("us"), "week": pl.String, "content_type": pl.String,
                "is_repost": pl.Boolean, "text": pl.String, "views": pl.Int64, "likes": pl.Int64,
                "comments": pl.Int64, "reposts": pl.Int64, "reactions": pl.Int64}


def page_posts(engine: Engine, page_id: int, quarter: Quarter, tz: ZoneInfo) -> pl.DataFrame:
    """One page's current posts in the quarter's weeks, newest first, with local time and week (drill-down)."""
    window = QuarterWindow(quarter, tz)
    posts = rating_store.page_posts_in(engine, page_id, (window.utc(window.first_week), window.utc(window.week_end)))
    if posts.is_empty():
        return pl.DataFrame(schema=POSTS_SCHEMA)
    local = pl.col("published_at").dt.convert_time_zone(tz.key)
    return (posts.sort("published_at", descending=True).select(
        local.dt.replace_time_zone(None).alias("published_local"),
        local_week("published_at", tz.key).map_elements(calendar.week_label, return_dtype=pl.String).alias("week"),
        pl.col("content_type").replace_strict(CONTENT_LABELS, default=pl.col("content_type")),
        "is_repost", pl.col("text").str.slice(0, 300), "views", "likes", "comments", "reposts", "reactions"))


def with_place_ranges(payload: dict, quarter: Quarter, step: float | None = None) -> dict:
    """The payload with each ranked row's range of places when every block weight moves by ±step points
    (scoring.sensitivity; the step, the grid and what counts as unstable come from the methodology's
    [sensitivity] section) — for «Рейтинг» and `rate --sensitivity`. The ranges are computed from the payload
    itself, so an approved quarter gets the ranges of what was approved."""
    from scoring import sensitivity
    from scoring.methodology import load_methodologies
    if not payload.get("has_data", True):
        return payload
    m = next((v for v in load_methodologies() if v.id == payload.get("methodology")), None)
    m = m or methodology_for_or_none(quarter)
    if m is None:
        return payload
    return sensitivity.with_place_ranges(payload, sensitivity.place_ranges(payload, m, step))
