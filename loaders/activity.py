"""The canonical schema every activity loader produces (formats.md §6), and the checks they share.

A loader turns one file into `ActivityData`: the pages the file speaks of (`pages`, keyed by `ref`, an id
unique within the file), their publications, live streams and comments, what was left out and why
(`rejected`), and the days the file covers. Times are UTC. Nothing here touches the database.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import polars as pl

from core import limits, schemas
from loaders.errors import LoadError, LoadIssue

MAX_ISSUES = 200
UTC = pl.Datetime("us", "UTC")
EARLIEST, FUTURE_TOLERANCE = schemas.EARLIEST, schemas.FUTURE_TOLERANCE

# the canonical frames of a loaded file: the `file` stage of the declarations in core.schemas
PAGE_SCHEMA = schemas.PAGE.schema(schemas.FILE)
POST_SCHEMA = schemas.POST.schema(schemas.FILE)
STREAM_SCHEMA = schemas.STREAM.schema(schemas.FILE)
COMMENT_SCHEMA = schemas.COMMENT.schema(schemas.FILE)
SNAPSHOT_SCHEMA = schemas.SNAPSHOT.schema(schemas.FILE)
COVERAGE_SCHEMA = schemas.COVERAGE.schema(schemas.FILE)
# `paid_reactions` (Telegram Stars, bought rather than given) is kept apart from `reactions` and is not one of the
# counters engagement is computed from; storage keeps the columns of its tables and ignores it (nullable).
COUNTERS = schemas.COUNTERS
# what a version of a row is compared on when an overlapping export brings it again
POST_VALUES = ("published_at", "content_type", "is_repost", "is_pinned", "is_live", "text", *COUNTERS)
STREAM_VALUES = ("started_at", "duration_s", "url", "title")
COMMENT_VALUES = ("post_id", "parent_comment_id", "author_id", "author_is_page", "created_at")

# reasons an item of an export is not a publication of the page (shown in the upload report)
REJECT_MEMBER = "записи участников (не от имени страницы)"
REJECT_ADS = "рекламные записи"
REJECT_POSTPONED = "отложенные и предложенные записи"
REJECT_DELETED = "удалённые записи"
REJECT_SERVICE = "служебные сообщения Telegram"
REJECT_UNSUPPORTED = "сообщения, которые Telegram не выгрузил (unsupported)"
REJECT_ALBUM = "фото альбома, объединённые с публикацией"
REJECT_ALBUM_VIDEO = "видео альбома, объединённые с публикацией"
REJECT_ALBUM_MIXED = "части альбома, объединённые с публикацией"  # photos and videos, or files
REJECT_DUPLICATE = "повторы одной записи в файле"
REJECT_DELETED_COMMENT = "удалённые комментарии"


@dataclass
class ActivityData:
    format: str
    pages: pl.DataFrame
    posts: pl.DataFrame
    streams: pl.DataFrame
    comments: pl.DataFrame
    snapshots: pl.DataFrame
    coverage: pl.DataFrame = field(default_factory=lambda: empty(COVERAGE_SCHEMA))
    chat_type: str | None = None
    rejected: dict[str, int] = field(default_factory=dict)
    warnings: list[LoadIssue] = field(default_factory=list)

    @property
    def page_replies(self) -> int:
        return int(self.comments["author_is_page"].sum()) if self.comments.height else 0


def coverage(refs, first: datetime | None, last: datetime | None, *, posts: bool, comments: bool) -> pl.DataFrame:
    """Which pages of a file the file speaks for, over which moments, for which kinds of data.

    `first`/`last` are the first and last dated items of the file (UTC): the period it covers unless the
    analyst states the period of the export explicitly."""
    refs = sorted(refs)
    return pl.DataFrame({"ref": refs, "first_at": [first] * len(refs), "last_at": [last] * len(refs),
                         "posts": [posts] * len(refs), "comments": [comments] * len(refs)},
                        schema=COVERAGE_SCHEMA)


class Collector:
    """Errors and warnings of one file, each located by record (JSON) or sheet and row (spreadsheets)."""

    def __init__(self, filename: str, sheet: str | None = None):
        self.filename, self.sheet = filename, sheet
        self.errors: list[LoadIssue] = []
        self.warnings: list[LoadIssue] = []
        self.rejected: Counter[str] = Counter()
        self.error_count = 0

    def error(self, message: str, *, record: str | None = None, row: int | None = None,
              column: str | None = None, sheet: str | None = None) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ISSUES:
            self.errors.append(LoadIssue(message, self.filename, sheet or self.sheet, row, column, record))

    def warn(self, message: str, *, record: str | None = None, row: int | None = None,
             column: str | None = None, sheet: str | None = None) -> None:
        if len(self.warnings) < MAX_ISSUES:
            self.warnings.append(LoadIssue(message, self.filename, sheet or self.sheet, row, column, record))

    def reject(self, reason: str, count: int = 1) -> None:
        self.rejected[reason] += count

    def raise_if_errors(self) -> None:
        if self.errors:
            raise LoadError(self.errors)


# the most characters of each text column of the canonical frames (core.limits, the same as the schema's)
TEXT_LIMITS = {"platform_id": limits.PLATFORM_ID, "page_key": limits.PAGE_KEY,
               "url": limits.URL, "title": limits.TITLE, "text": limits.POST_TEXT, "post_id": limits.ITEM_ID,
               "stream_id": limits.ITEM_ID, "comment_id": limits.ITEM_ID, "parent_comment_id": limits.ITEM_ID,
               "author_id": limits.ITEM_ID}
# texts people wrote or platforms show: control characters are removed; in ids and links they refuse the file
CLEANED_TEXTS = ("text", "title")
WHOLE_MAXIMA = {"duration_s": limits.DURATION_MAX}  # whole columns stored narrower than 64 bits
Place = Callable[[int], dict]  # row index of a frame's columns → where it is in the file (record, or sheet and row)


def shown(value: object, limit: int = 60) -> str:
    """A value of the file as a message quotes it: short, one line, never the repr of a deep structure."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return f"список из {len(value)} элементов"
    if isinstance(value, dict):
        return "объект JSON"
    if isinstance(value, float) and not math.isfinite(value):
        return "не число"
    if isinstance(value, int) and value.bit_length() > 200:
        return "число из более чем 60 цифр"
    text = limits.CONTROL_IN_NAME.sub("·", str(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def frame(columns: dict[str, list], schema: dict, out: Collector | None = None, place: Place | None = None,
          fields: dict[str, str] | None = None) -> pl.DataFrame:
    """Column lists → a frame of the canonical schema (missing columns are null).

    With `out`, every value is checked where it stands in the file (`place` of its row index, the file's name of
    the column from `fields`) before the frame is used: whole numbers within 64 bits, moments within the window of
    core.limits, texts within their column's length, no control characters in ids and links (removed from
    texts). A value that would not fit is an error, never a silent null."""
    length = len(next(iter(columns.values()))) if columns else 0
    data = {}
    for name, dtype in schema.items():
        values = columns.get(name)
        if values is None:
            data[name] = pl.Series(name, [None] * length, dtype=dtype)
            continue
        series = pl.Series(name, values, dtype=pl.Int64 if dtype == UTC else dtype, strict=False)
        if out is not None and (dtype == pl.Int64 or dtype == UTC):
            _check_wholes(out, name, values, series, dtype == UTC, place, fields or {})
        if dtype == UTC:
            series = series.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        elif dtype == pl.String and out is not None and name != "ref":  # refs never leave the loader
            series = _check_texts(out, name, series, place, fields or {})
        data[name] = series
    return pl.DataFrame(data)


def _where(place: Place | None, index: int, column: str) -> dict:
    """The place of a frame's row for an error about `column` (the file's name of the field or column; an empty
    name leaves the column the place names itself)."""
    where = dict(place(index)) if place is not None else {}
    if column or "column" not in where:
        where["column"] = column or None
    return where


def _check_wholes(out: Collector, name: str, values: list, series: pl.Series, moment: bool, place: Place | None,
                  fields: dict[str, str]) -> None:
    """Whole numbers beyond 64 bits (kept as null by the conversion) and moments outside the window."""
    lost = series.null_count() - values.count(None)
    bad: list[int] = []
    if lost:
        bad = [i for i, (v, s) in enumerate(zip(values, series.to_list())) if v is not None and s is None]
    if name in WHOLE_MAXIMA and (series > WHOLE_MAXIMA[name]).any():
        bad = sorted(set(bad) | set((series > WHOLE_MAXIMA[name]).arg_true().to_list()))
    if moment:
        low, high = limits.SECONDS_FROM * 1_000_000, limits.SECONDS_TO * 1_000_000
        outside = series.is_not_null() & ((series < low) | (series >= high))
        if outside.any():
            bad = sorted(set(bad) | set(outside.arg_true().to_list()))
    for index in bad[:MAX_ISSUES]:
        column = fields.get(name, name)
        if moment:
            value = values[index]
            year = (f" (≈ {1970 + value / 31_556_952e6:.0f} год)" if isinstance(value, int)
                    and abs(value) < 10**24 else "")
            out.error(f"дата вне допустимого диапазона{year}: ожидается момент {limits.window_text()}",
                      **_where(place, index, column))
        elif name in WHOLE_MAXIMA:
            out.error(f"число {shown(values[index])} больше допустимого ({WHOLE_MAXIMA[name]})",
                      **_where(place, index, column))
        else:
            out.error(f"число {shown(values[index])} не помещается в 64 бита (допустимо от {limits.INT64_MIN} "
                      f"до {limits.INT64_MAX})", **_where(place, index, column))


def _check_texts(out: Collector, name: str, series: pl.Series, place: Place | None,
                 fields: dict[str, str]) -> pl.Series:
    column = fields.get(name, name)
    if name in CLEANED_TEXTS:
        if series.str.contains(limits.CONTROL_PATTERN).any():
            series = series.str.replace_all(limits.CONTROL_PATTERN, "")
    else:
        control = series.str.contains(limits.CONTROL_PATTERN)
        for index in control.arg_true().head(MAX_ISSUES).to_list():
            character = limits.CONTROL.search(series[index]).group()
            out.error(f"в значении «{shown(series[index])}» есть {limits.control_name(character)} — в "
                      "идентификаторах и ссылках управляющих символов не бывает", **_where(place, index, column))
    limit = TEXT_LIMITS.get(name)
    if limit is not None:
        long = series.str.len_chars() > limit
        for index in long.arg_true().head(MAX_ISSUES).to_list():
            out.error(f"значение длиннее {limit} символов ({len(series[index])}): «{shown(series[index], 40)}»",
                      **_where(place, index, column))
    return series


def empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def micros(seconds: int | float) -> int:
    """Unix seconds → the microseconds `frame` stores for a UTC column (a value no moment can have when the
    seconds are not a finite number, so that `frame` refuses it)."""
    if isinstance(seconds, float) and not math.isfinite(seconds):
        return limits.INT64_MAX + 1
    return int(seconds * 1_000_000)


TABLE_OF = {"published_at": schemas.POST, "started_at": schemas.STREAM, "created_at": schemas.COMMENT}


def check_moments(out: Collector, table: pl.DataFrame, column: str, label: str, place, now: datetime,
                  field_name: str | None = None) -> None:
    """Dates in the future or before 2006 mean a broken export or a wrong time zone: refuse the file (the rules
    `not_in_future` and `not_before_2006` of core.schemas). Moments outside the window of core.limits were refused
    by `frame` already. `place(row)` may name the column itself (a Telegram message dated by `date` rather than
    `date_unixtime`)."""
    declared = TABLE_OF[column]
    rows = table.select(column, *(c for c in ("source_row",) if c in table.columns))
    found = declared.violations(rows, schemas.Context(now=now), rules=("not_in_future", "not_before_2006"),
                                labels={column: label}, limit=MAX_ISSUES)
    for v in sorted(found, key=lambda v: v.row)[:MAX_ISSUES]:
        out.error(v.message, **{"column": field_name or column, **place(table.row(v.row, named=True))})


def check_counters(out: Collector, table: pl.DataFrame, place, names: dict[str, tuple[str, str]]) -> None:
    """Counters of likes, views, … cannot be negative (the rule `counters_non_negative` of core.schemas). `names`:
    canonical column → (label, the file's name of the field or column)."""
    present = [c for c in names if c in table.columns]
    found = schemas.POST.violations(table.select(present), rules=("counters_non_negative",),
                                    labels={c: names[c][0] for c in present}, limit=MAX_ISSUES)
    for v in found:
        out.error(v.message, **place(table.row(v.row, named=True)), column=names[v.column][1])


def span(seconds: list[float]) -> tuple[datetime | None, datetime | None]:
    """First and last of the unix moments a loader saw (its items, kept or not), as UTC datetimes."""
    seconds = [s for s in seconds if limits.seconds_in_window(s)]  # the others are refused or left out
    if not seconds:
        return None, None
    return datetime.fromtimestamp(min(seconds), timezone.utc), datetime.fromtimestamp(max(seconds), timezone.utc)


def bounds(*moments: pl.Series) -> tuple[datetime | None, datetime | None]:
    values = [s for s in moments if s is not None and s.len() and s.null_count() < s.len()]
    if not values:
        return None, None
    return min(s.min() for s in values), max(s.max() for s in values)


def drop_duplicates(out: Collector, table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """One record per key inside a file (a pinned post may repeat on every page of a paged dump)."""
    unique = table.unique(subset=keys, keep="last", maintain_order=True)
    if unique.height < table.height:
        out.reject(REJECT_DUPLICATE, table.height - unique.height)
    return unique


def page_refs(data: ActivityData) -> list[dict]:
    """The pages a file names, as `inspect --json` reports them: platform, id on the platform, address, name —
    also the pages the file holds no publication of (its evidence of silence)."""
    return [{"platform": row["platform"], "id": row["platform_id"] or row["page_key"], "url": row["url"],
             "name": row["title"]} for row in data.pages.iter_rows(named=True)]


def observed_at(data: ActivityData) -> datetime | None:
    """The newest dated item of the file (UTC): publications, streams, comments, and the items it left out
    (members' posts, service messages) through its coverage — the moment the file's counters were seen at
    the latest, when the analyst does not state it."""
    moments = [frame[column] for frame, column in ((data.posts, "published_at"), (data.streams, "started_at"),
                                                   (data.comments, "created_at"), (data.coverage, "last_at"))
               if column in frame.columns]
    return bounds(*moments)[1]


def iso_utc(moment: datetime | None) -> str | None:
    """`2026-10-05T12:00:00Z`, as the inspect report writes moments."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None
