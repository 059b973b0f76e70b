"""The one quarter service (style.md: above storage and scoring, joining them): a quarter's rating view — read,
score, movement against the previous quarter, the approved payload and its differences from a fresh
computation — for the app, the CLI and the workbook alike; approval and its withdrawal (methodology.md §6).
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import msgspec
import polars as pl
from sqlalchemy import Engine

from core import calendar
from core.calendar import Quarter
from core.config import region_tz
from core.schemas import COUNTERS, FILE, POST
from scoring.activity import fixed_offset, local_week
from scoring.inputs import COMMENT_COLUMNS, POST_COLUMNS, STREAM_COLUMNS, QuarterWindow, ScoringInput
from scoring.methodology import Methodology, methodology_for
from scoring import tables as rating_tables
from scoring.tables import RatingTables
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
    # one offset all through the quarter (Asia/Tomsk): PostgreSQL takes the week by arithmetic on the moment
    origin = window.utc(window.first_week) if fixed_offset(window) is not None else None
    stored = rating_store.read_quarter(engine, (window.load_from, window.load_to), columns={
        "posts": tuple(POST_COLUMNS), "streams": tuple(STREAM_COLUMNS), "comments": tuple(COMMENT_COLUMNS)},
        weeks=(tz.key, window.first_week, len(window.weeks), origin) if summed else None, registry_day=quarter.last_day)
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
    rating = rate(engine, quarter, m, tz, today)
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
    """What every screen, the CLI and the workbook show for a quarter: `tables`, the approved rating if the quarter
    is approved (else the fresh one), as frames (scoring.tables); the fresh computation (grid, frames) and its
    tables; the differences between the two. JSON only at the edges (`rate --json`, approval: scoring.tables
    .to_payload)."""
    quarter: Quarter
    tables: RatingTables
    fresh: QuarterRating
    fresh_tables: RatingTables
    approved: bool
    differences: list[dict]
    ended: bool
    place_ranges: dict | None = None  # of the shown tables when stored with them (the fresh one, the default step)

    @property
    def has_data(self) -> bool:
        return self.tables.has_data


def comparison_tables(engine: Engine, quarter: Quarter, today: date,
                      fallback: Methodology | None = None) -> dict[str, pl.DataFrame]:
    """The ranked tables the next quarter's Δ is taken against: the approved rows if `quarter` is approved, else
    its own computation without movement (by `fallback` when no methodology version covers it)."""
    approved = rating_store.approved_payload(engine, quarter.code)
    if approved is not None:
        shown = rating_tables.from_payload(approved)
        return {name: shown.table(name) for name in TABLES}
    m = methodology_for_or_none(quarter) or fallback
    if m is None:
        return {}
    rating = computed(engine, quarter, m, today, with_tables=False).rating  # stored once; never a chain back
    return {name: rating.tables[name] for name in TABLES}


def quarter_view(engine: Engine, quarter: Quarter, today: date | None = None,
                 previous_tables: dict[str, pl.DataFrame] | None = None) -> QuarterView:
    """The quarter's view: its stored computation for the current data (computed and stored when there is none,
    see `computed`), with Δ against the previous quarter — `previous_tables` (comparison_tables of the previous
    quarter, e.g. from a cache), else that quarter's approved rows or its own stored computation."""
    today = today or calendar.local_today(region_tz())
    m = methodology_for(quarter.code)
    base = computed(engine, quarter, m, today)
    if previous_tables is None:
        previous_tables = comparison_tables(engine, quarter.previous(), today, fallback=m)
    fresh = apply_movement(base.rating, previous_tables)
    fresh_tables = rating_tables.with_movement(base.tables, fresh.tables)  # = from_rating(fresh), not rebuilt
    approved = rating_store.approved_payload(engine, quarter.code)
    ended = is_ended(quarter, today)
    if approved is None:
        return QuarterView(quarter, fresh_tables, fresh, fresh_tables, False, [], ended, base.place_ranges)
    shown = rating_tables.from_payload(approved)
    return QuarterView(quarter, shown, fresh, fresh_tables, True, rating_tables.differences(shown, fresh_tables),
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
    view = quarter_view(engine, quarter, today)  # what the screens show, stored: approval only writes it
    rating = view.fresh
    if rating.pages.is_empty():
        raise ApprovalError(f"за {quarter.label} нечего утверждать: в реестре нет страниц")
    if not rating.has_data:
        raise ApprovalError(f"за {quarter.label} нет загруженных выгрузок активности — рейтинга нет, утверждать нечего")
    gaps = approval_gaps(rating)
    has_gaps = gaps["pages_not_rated"] or gaps["page_weeks_no_data"] or gaps["page_weeks_partial"]
    if has_gaps and not accept_gaps:
        raise ApprovalError(f"в данных за {quarter.label} есть пробелы: {gaps_text(gaps)}. Утверждение возможно "
                            "только с их подтверждением (в приложении — отметка, в командной строке — --accept-gaps)")
    payload = rating_tables.to_payload(view.fresh_tables) | {"gaps": gaps}  # the JSON edge: approval storage
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
    # what was frozen, as approved_payload reads it back (a table without rows has none), without reading it again
    frozen = {k: v for k, v in payload.items() if v or k not in FROZEN_TABLES}
    return frozen | {"approved": rating_store.approval_info(engine, quarter.code)}


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
POSTS_SCHEMA = {"published_local": pl.Datetime("us"), "week": pl.String} | {  # the rest as core.schemas declares
    c: POST.schema(FILE)[c] for c in ("content_type", "is_repost", "text", *COUNTERS)}


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
        "is_repost",  # a text cut for the drill-down ends in «…»
        pl.when(pl.col("text").str.len_chars() > 300).then(pl.col("text").str.slice(0, 299) + "…")
        .otherwise(pl.col("text")).alias("text"), "views", "likes", "comments", "reposts", "reactions"))


def with_place_ranges(tables: RatingTables, quarter: Quarter, step: float | None = None) -> RatingTables:
    """The tables with each ranked row's range of places when every block weight moves by ±step points
    (scoring.sensitivity; the step, the grid and what counts as unstable come from the methodology's
    [sensitivity] section) — for `rate --sensitivity`. The ranges are computed from the tables themselves, so an
    approved quarter gets the ranges of what was approved, by the methodology it was approved with."""
    from scoring import sensitivity
    from scoring.methodology import load_methodologies
    if not tables.has_data:
        return tables
    m = next((v for v in load_methodologies() if v.id == tables.get("methodology")), None)
    m = m or methodology_for_or_none(quarter)
    if m is None:
        return tables
    return rating_tables.with_place_ranges(tables, sensitivity.place_ranges(tables, m, step))


def place_ranges(view: QuarterView, step: float | None = None) -> dict | None:
    """The ranked rows' place ranges of what the view shows (scoring.sensitivity): those stored with the
    computation for the methodology's step, else computed from the shown rating (an approved quarter: what was
    approved, by the methodology it was approved with). None for a quarter without data."""
    from scoring import sensitivity
    from scoring.methodology import load_methodologies
    if not view.has_data:
        return None
    if view.place_ranges is not None and step is None:
        return view.place_ranges
    m = next((v for v in load_methodologies() if v.id == view.tables.get("methodology")), None)
    m = m or methodology_for_or_none(view.quarter)
    return None if m is None else sensitivity.place_ranges(view.tables, m, step)


def shown_tables(view: QuarterView, ranges: dict | None = None) -> RatingTables:
    """The shown tables with each ranked row's place range (`ranges`, e.g. of the unscoped view; else the view's)."""
    ranges = ranges if ranges is not None else place_ranges(view)
    return view.tables if ranges is None else rating_tables.with_place_ranges(view.tables, ranges)


# --- computed once, shared everywhere (issue 21) ---
#
# A quarter's computation (its rating without Δ, the payload and the frames the screens read) is stored in the
# database under what determines it (`rating_inputs`): the quarter's batches (storage.rating_store.quarter_batches —
# an upload changes only the quarters its rows fall in; a registry batch all of them), the last registry edit, the
# methodology version, the scoring code, the region's zone and, for a quarter not over yet, the day. A restart, a
# second app process and the CLI read it back instead of reading and scoring the posts again; Δ is put on at
# reading, against the previous quarter's approved rows or its own stored computation (never a chain back).

@functools.cache
def code_version() -> str:
    """A fingerprint of the code a stored computation depends on (scoring, core, this module, Polars): a stored
    result of other code is not reused."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(pl.__version__.encode())
    for path in sorted([*(root / "scoring").glob("*.py"), *(root / "core").glob("*.py"), Path(__file__)]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def rating_inputs(quarter: Quarter, m: Methodology, tz: ZoneInfo, today: date, batch_ids, edit: int | None) -> dict:
    """What a quarter's computation depends on (the key it is stored under is their digest)."""
    return {"quarter": quarter.code, "methodology": m.id, "methodology_sha256": m.sha256, "code": code_version(),
            "zone": tz.key, "day": None if is_ended(quarter, today) else today.isoformat(),
            "batches": [int(b) for b in batch_ids], "registry_edit": edit}


def inputs_key(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


FRAMES = ("pages", "per_week", "owners", "streams", "grid")


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="lz4")
    return buffer.getvalue()


def encode_frames(rating: QuarterRating, place_ranges: dict | None) -> bytes:
    """The computation's frames (Arrow IPC) and what else it carries, for `decode_rating`."""
    frames = {name: _ipc(getattr(rating, name)) for name in FRAMES}
    frames |= {f"table:{name}": _ipc(frame) for name, frame in rating.tables.items()}
    meta = {"batch_ids": list(rating.batch_ids), "has_data": rating.has_data,
            "data_timestamp": rating.data_timestamp.isoformat() if rating.data_timestamp else None,
            "place_ranges": place_ranges}
    return msgspec.msgpack.encode({"meta": meta, "frames": frames})


def decode_rating(blob: bytes, quarter: Quarter, m: Methodology, tz: ZoneInfo, today: date
                  ) -> tuple[QuarterRating, dict | None]:
    """The stored frames back as the computation (with its grid, built when it was computed), and the place
    ranges stored with it."""
    stored = msgspec.msgpack.decode(blob)
    meta = stored["meta"]
    frames = {name: pl.read_ipc(io.BytesIO(data)) for name, data in stored["frames"].items()}
    tables = {name.split(":", 1)[1]: frame for name, frame in frames.items() if name.startswith("table:")}
    stamp = meta["data_timestamp"]
    rating = QuarterRating(quarter, m, frames["pages"], frames["per_week"], frames["owners"], tables,
                           frames["streams"], tuple(meta["batch_ids"]),
                           datetime.fromisoformat(stamp) if stamp else None, today, QuarterWindow(quarter, tz),
                           extra={"has_data": meta["has_data"]})
    rating.__dict__["grid"] = frames["grid"]  # QuarterRating.grid is a cached property: the stored one
    return rating, meta.get("place_ranges")


@dataclass
class Computed:
    """A quarter's computation without Δ: read back from the database (`stored`) or computed now and stored; its
    rating as frames (scoring.tables, None when read without them) and the place ranges of those for the
    methodology's step (scoring.sensitivity), computed with it."""
    rating: QuarterRating
    stored: bool
    place_ranges: dict | None = None
    tables: RatingTables | None = None


COMPUTED_NOW = {"count": 0}  # computations made by this process (not read back): for the tests and the bench


def _spans(quarter: Quarter, tz: ZoneInfo) -> tuple[tuple[datetime, datetime], datetime]:
    """The moments a quarter reads (with the reply look-ahead) and the end of those of its posts and streams."""
    window = QuarterWindow(quarter, tz)
    return (window.load_from, window.load_to), window.utc(max(window.week_end, quarter.next().first_day))


def rate(engine: Engine, quarter: Quarter, m: Methodology, tz: ZoneInfo, today: date) -> QuarterRating:
    """Read and score the quarter now (no Δ). Its batches are those of the reading's snapshot that can change the
    quarter (storage.rating_store.quarter_batches), with the newest upload of them as the data's moment."""
    rating_store.ensure_batch_spans(engine)
    rating = score_quarter(scoring_input(engine, quarter, tz), m, quarter, tz, today)
    batch_ids, stamp = rating_store.quarter_batches(engine, *_spans(quarter, tz), among=rating.batch_ids)
    return replace(rating, batch_ids=batch_ids, data_timestamp=stamp)


def _key(engine: Engine, quarter: Quarter, m: Methodology, tz: ZoneInfo, today: date) -> tuple[dict, str]:
    rating_store.ensure_batch_spans(engine)
    batch_ids, _ = rating_store.quarter_batches(engine, *_spans(quarter, tz))
    inputs = rating_inputs(quarter, m, tz, today, batch_ids, rating_store.last_registry_edit(engine))
    return inputs, inputs_key(inputs)


def is_stored(engine: Engine, quarter: Quarter, m: Methodology, today: date) -> bool:
    """Whether the quarter's computation for the current data is stored."""
    tz = region_tz()
    return rating_store.stored_rating(engine, quarter.code, _key(engine, quarter, m, tz, today)[1],
                                      with_payload=False) is not None


def computed(engine: Engine, quarter: Quarter, m: Methodology, today: date, with_tables: bool = True) -> Computed:
    """The quarter's computation for the current data (without Δ): the stored one when its inputs are those of
    the current data, else computed now and stored (two processes computing it at once both succeed; one row is
    kept). The key is taken from the batches the quarter was actually read with, in one snapshot, so a result is
    never stored under inputs it was not computed from. The stored row keeps the rating's tables (scoring.tables,
    Arrow IPC) in its payload column and the computation's frames in its frames column: nothing is JSON there."""
    tz = region_tz()
    inputs, key = _key(engine, quarter, m, tz, today)
    stored = rating_store.stored_rating(engine, quarter.code, key, with_payload=with_tables)
    if stored is not None:
        tables_blob, frames_blob = stored
        rating, ranges = decode_rating(frames_blob, quarter, m, tz, today)
        return Computed(rating, True, ranges, rating_tables.from_bytes(tables_blob) if with_tables else None)
    rating = rate(engine, quarter, m, tz, today)
    tables = rating_tables.from_rating(rating)
    ranges = _place_ranges(tables, m)
    COMPUTED_NOW["count"] += 1
    read = rating_inputs(quarter, m, tz, today, rating.batch_ids, inputs["registry_edit"])
    rating_store.store_rating(engine, quarter.code, inputs_key(read), m.id, read, rating_tables.to_bytes(tables),
                              encode_frames(rating, ranges))
    return Computed(rating, False, ranges, tables)


def _place_ranges(tables: RatingTables, m: Methodology) -> dict | None:
    """The place ranges of a computed rating (the methodology's step), as they read back from storage (a place
    range is a list)."""
    from scoring import sensitivity
    if not tables.has_data:
        return None
    ranges = sensitivity.place_ranges(tables, m)
    return {name: ({owner: list(span) for owner, span in value.items()} if name in sensitivity.TABLES else value)
            for name, value in ranges.items()}


def screen_quarters(engine: Engine, today: date) -> list[Quarter]:
    """The quarters the screens open, in the order they are wanted: the last ended one (the default), the running
    one, then every quarter with data, newest first."""
    found = [last_ended_quarter(today), Quarter.of(today)]
    for quarter in data_quarters(engine):
        if quarter not in found:
            found.append(quarter)
    return found


def refresh(engine: Engine, today: date | None = None,
            progress: Callable[[Quarter, int, int], None] | None = None) -> list[Quarter]:
    """Compute and store the quarters whose stored computation no longer matches the data (after an upload: only
    those its rows fall in; after a registry change: all). Returns the quarters computed."""
    today = today or calendar.local_today(region_tz())
    stale = []
    for quarter in screen_quarters(engine, today):
        m = methodology_for_or_none(quarter)
        if m is not None and not is_stored(engine, quarter, m, today):
            stale.append((quarter, m))
    for index, (quarter, m) in enumerate(stale, start=1):
        if progress is not None:
            progress(quarter, index, len(stale))
        computed(engine, quarter, m, today)
    return [quarter for quarter, _ in stale]


@dataclass
class Refreshing:
    """The background recomputation of this process (one at a time; a request during a run runs it again)."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None
    again: bool = False
    quarter: Quarter | None = None
    index: int = 0
    total: int = 0
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def text(self) -> str | None:
        """«Пересчёт рейтинга: II кв. 2026 (1 из 3)…» while it runs."""
        if not self.running or self.quarter is None:
            return None
        return f"Пересчёт рейтинга: {self.quarter.label} ({self.index} из {self.total})…"


REFRESHING = Refreshing()


def refresh_in_background(engine: Engine) -> Refreshing:
    """Start recomputing the changed quarters in a thread after an upload or a registry edit has committed (the
    upload screen shows REFRESHING.text). If the process ends first, the next reader computes what it needs."""
    state = REFRESHING

    def progress(quarter: Quarter, index: int, total: int) -> None:
        state.quarter, state.index, state.total = quarter, index, total

    def run() -> None:
        while True:
            try:
                refresh(engine, progress=progress)
                state.error = None
            except Exception as error:  # noqa: BLE001 — a reader computes what it needs; the screen says it failed
                state.error = str(error)
            with state.lock:
                if not state.again:
                    state.thread = None
                    return
                state.again = False

    with state.lock:
        if state.running:
            state.again = True
        else:
            state.thread = threading.Thread(target=run, name="пересчёт рейтинга", daemon=True)
            state.thread.start()
    return state
