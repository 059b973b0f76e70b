"""Writing an activity file: match its pages to the registry, compare with what is stored, write one batch.

Rows are versions keyed by (page, id, batch); the current row is the version of the active batch observed
latest (`batches.observed_at`, the file's «сведения на» moment; ties: the higher batch id), whatever the order
of upload: an overlapping export keeps the latest counters, an older export uploaded later changes nothing
current, and reverting a batch restores exactly what it replaced. A batch stores every row of its file (not
only the changed ones) so that reverting an older batch never takes away what a newer one also brought.
Re-uploading content that adds nothing writes nothing.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import BigInteger, Connection, Engine, Integer, and_, cast, func, insert, or_, select, update

from loaders import activity as act
from loaders.activity import ActivityData
from loaders.errors import fail
from loaders.telegram import GROUP_TYPES
from loaders.urls import UrlError, key_from_platform_id, normalize_page_url
from storage import post_weeks, schema
from storage.audit import create_batch, sha256_of, write_audit
from storage.db import insert_or_nothing, lock, read_frame, retrying, utcnow, write_frame, writing

TABLES = {  # canonical frame → (table, key column, compared values)
    "posts": (schema.posts, "post_id", act.POST_VALUES),
    "streams": (schema.live_streams, "stream_id", act.STREAM_VALUES),
    "comments": (schema.comments, "comment_id", act.COMMENT_VALUES),
}
MOMENTS = {"posts": "published_at", "streams": "started_at", "comments": "created_at"}
WINDOW_MARGIN = timedelta(days=2)  # a re-export may shift a row's moment a little (time zone of a template)
# a comment id seen again with its moment moved by more than this (or another author) is another comment
COMMENT_SAME_MOMENT = timedelta(days=1)
CONFLICT_EXAMPLES = 5
SNAPSHOT_FIELDS = tuple(c for c in act.SNAPSHOT_SCHEMA if c != "ref")
FORMAT_PLATFORMS = {"vk_wall": "vk", "vk_comments": "vk", "vk_groups": "vk", "telegram": "telegram",
                    "ok_mediatopics": "ok"}  # templates: any platform
PLATFORM_LABELS = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram", "max": "MAX"}
ASSIGNED = "\x00assigned"  # the ref of the page the analyst assigns to a file that names none
UTC = timezone.utc


def active_links(conn: Connection) -> dict[tuple[str, str], int]:
    link, b = schema.page_links, schema.batches
    query = select(link.c.platform, link.c.external_id, link.c.page_id).outerjoin(b, b.c.id == link.c.batch_id).where(
        or_(link.c.batch_id.is_(None), b.c.status == "active"))
    return {(r.platform, r.external_id): r.page_id for r in conn.execute(query)}


def match_pages(conn: Connection, pages: pl.DataFrame, batch_id: int | None, now: datetime,
                assign: int | None = None) -> dict[str, int]:
    """ref → page id. By platform id, normalised key, or a remembered link (formats.md §10). A page that is
    not in the registry becomes an unregistered page (owner NULL) when `batch_id` is given (writing).

    `assign`: the registry page the analyst says the file is about (`ingest --page`); the file's page, if it
    names one, must be that page or one the database does not know yet (then the link is learned with the
    batch); a file that names no page gets the ref `ASSIGNED`."""
    p = schema.pages
    # only the pages the file could name (by id, key, or the key an id gives), not the whole registry
    ids = {v for v in pages["platform_id"].to_list() if v}
    keys = {v for v in pages["page_key"].to_list() if v} | {
        key_from_platform_id(platform, platform_id) for platform, platform_id in
        zip(pages["platform"].to_list(), pages["platform_id"].to_list())} - {None}
    rows = list(conn.execute(select(p.c.id, p.c.platform, p.c.page_key, p.c.platform_id).where(
        or_(p.c.platform_id.in_(ids), p.c.page_key.in_(keys))))) if ids or keys else []
    by_id = {(r.platform, r.platform_id): r.id for r in rows if r.platform_id}
    by_key = {(r.platform, r.page_key): r.id for r in rows}
    links = active_links(conn)
    found: dict[str, int] = {}
    for page in pages.iter_rows(named=True):
        platform, platform_id, key = page["platform"], page["platform_id"], page["page_key"]
        numeric = key_from_platform_id(platform, platform_id)
        page_id = (by_id.get((platform, platform_id)) or (key and by_key.get((platform, key)))
                   or (numeric and by_key.get((platform, numeric))) or links.get((platform, platform_id or key)))
        if assign is not None and page_id != assign:
            if page_id is not None:
                other = conn.execute(select(p.c.owner_id, p.c.url).where(p.c.id == page_id)).one()
                where = (f"страница реестра {other.url}" if other.owner_id is not None else
                         "страница вне реестра, уже сохранённая по прежним загрузкам (свяжите её со страницей "
                         "реестра на вкладке «Страницы вне реестра»)")
                raise fail(f"в файле — страница {page['url'] or platform_id or key}; это {where}, а не указанная "
                           "страница")
            page_id = assign
            if batch_id is not None:  # remembered with the batch: later exports of this page match by themselves
                insert_or_nothing(conn, schema.page_links, dict(
                    platform=platform, external_id=platform_id or key, page_id=assign, batch_id=batch_id,
                    created_by="указано при загрузке", created_at=now), ("platform", "external_id"))
        elif page_id is None and batch_id is not None:
            # ON CONFLICT: an upload running at the same moment may create the same new page; both then use it
            page_id = insert_or_nothing(conn, p, dict(
                owner_id=None, platform=platform, page_key=key or numeric, platform_id=platform_id,
                url=page["url"] or "", title=page["title"], created_at=now, updated_at=now), ("platform", "page_key"))
            if page_id is None:
                page_id = conn.execute(select(p.c.id).where(p.c.platform == platform,
                                                            p.c.page_key == (key or numeric))).scalar_one()
            by_key[(platform, key or numeric)] = page_id
        elif page_id is not None and batch_id is not None and platform_id and (platform, platform_id) not in by_id \
                and (platform, platform_id) not in links:
            # learned: this id names that page (e.g. an extended wall.get carries id and screen name)
            insert_or_nothing(conn, schema.page_links, dict(platform=platform, external_id=platform_id,
                                                            page_id=page_id, batch_id=batch_id, created_by="загрузка",
                                                            created_at=now), ("platform", "external_id"))
            links[(platform, platform_id)] = page_id
        if page_id is not None:
            found[page["ref"]] = page_id
    if assign is not None and pages.height == 0:
        found[ASSIGNED] = assign
    return found


def find_registry_page(conn: Connection, page: int | str) -> dict:
    """The registry page the analyst names (its id, or its URL as in the registry); a LoadError in Russian."""
    p, o = schema.pages, schema.owners
    query = select(p.c.id, p.c.platform, p.c.page_key, p.c.platform_id, p.c.url, o.c.name).join(
        o, o.c.id == p.c.owner_id)
    if isinstance(page, int):
        row = conn.execute(query.where(p.c.id == page)).first()
        if row is None:
            raise fail(f"страница № {page} не найдена в реестре")
        return row._asdict()
    try:
        ref = normalize_page_url(page)
    except UrlError as error:
        raise fail(f"страница указана неверно: {error}") from None
    keys = {ref.key, key_from_platform_id(ref.platform, ref.platform_id)} - {None}
    condition = p.c.page_key.in_(keys)
    if ref.platform_id:
        condition = or_(condition, p.c.platform_id == ref.platform_id)
    row = conn.execute(query.where(p.c.platform == ref.platform, condition).order_by(p.c.id)).first()
    if row is None:
        raise fail(f"страницы {ref.canonical_url} нет в реестре: загрузите реестр с этой страницей или укажите "
                   "ссылку так, как она записана в реестре")
    return row._asdict()


def _check_assignment(data: ActivityData, target: dict) -> None:
    """`--page` fits a file that names no page or one page, of the target's platform."""
    if data.pages.height > 1:
        raise fail(f"страницу можно указать только для файла об одной странице, а в файле их {data.pages.height}")
    platforms = set(data.pages["platform"].to_list()) or {FORMAT_PLATFORMS.get(data.format)} - {None}
    if platforms and target["platform"] not in platforms:
        found = PLATFORM_LABELS.get(next(iter(platforms)), next(iter(platforms)))
        raise fail(f"файл — выгрузка платформы {found}, а указана страница платформы "
                   f"{PLATFORM_LABELS.get(target['platform'], target['platform'])} ({target['url']})")


def _file_kinds(data: ActivityData) -> tuple[bool, bool]:
    """Which kinds of data (posts, comments) a file speaks for, for a page the analyst assigns to it."""
    if data.coverage.height:
        return bool(data.coverage["posts"].any()), bool(data.coverage["comments"].any())
    if data.format == "vk_groups":
        return False, False
    if data.format == "vk_comments" or (data.format == "telegram" and data.chat_type in GROUP_TYPES):
        return False, True
    return True, False


def batch_order(source: Connection | Engine, batch_ids: list[int] | None = None) -> pl.DataFrame:
    """The batches' «сведения на» moments and their places in time (`batch_rank`): by `observed_at`, then batch
    id — of every batch, or of `batch_ids` only. A batch of a database written before `observed_at` existed
    stands at the end of its `as_of` day (UTC)."""
    if isinstance(source, Engine):
        with source.connect() as conn:
            return batch_order(conn, batch_ids)
    b = schema.batches
    query = select(b.c.id, b.c.observed_at, b.c.as_of)
    if batch_ids is not None:
        query = query.where(b.c.id.in_(batch_ids))
    rows = source.execute(query).all()
    moments = [_aware(r.observed_at) if r.observed_at is not None else
               datetime.combine(r.as_of, time(23, 59, 59), UTC) for r in rows]
    frame = pl.DataFrame({"batch_id": [r.id for r in rows], "observed_at": moments},
                         schema={"batch_id": pl.Int64, "observed_at": act.UTC})
    return frame.sort("observed_at", "batch_id").with_row_index("batch_rank").with_columns(
        pl.col("batch_rank").cast(pl.Int64))


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC moments; PostgreSQL zoned ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def current_versions(source: Connection | Engine, name: str, page_ids: list[int] | None = None,
                     window: tuple[datetime, datetime] | None = None, with_observed: bool = False,
                     columns: tuple[str, ...] | None = None, active: tuple[int, ...] | None = None) -> pl.DataFrame:
    """The current row of each (page, id): the version of the active batch observed latest (then the higher
    batch id), optionally only rows whose moment falls in `window`, which is all an incoming file can overlap.
    `with_observed` adds the «сведения на» moment of each current row's batch (`observed_at`); `columns` keeps
    only those of the compared values (a rating needs no post texts: reading them is most of the cost).
    `active`: the ids of the active batches as the caller's snapshot sees them (rating_store.read_quarter) — on
    PostgreSQL the rows are then taken by that list (a hashed `= ANY`) instead of a join with `batches`, cheaper
    per row for the server; the same rows."""
    table, key, values = TABLES[name]
    if columns is not None:
        values = tuple(v for v in values if v in columns)
    canonical = act.POST_SCHEMA | act.STREAM_SCHEMA | act.COMMENT_SCHEMA
    dtypes = {"page_id": pl.Int64, key: pl.String, "batch_id": pl.Int64} | {c: canonical[c] for c in values}
    packed = source.dialect.name == "postgresql"
    flag = KEY_FLAGS.get(name) if packed and KEY_FLAGS.get(name) in values else None
    if packed:  # page, batch (and the flag) as one number: the driver's cost is per value (1.5 M comments)
        ids = cast(table.c.page_id, BigInteger) * (1 << 32) + cast(table.c.batch_id, BigInteger) * 2
        if flag:
            ids = ids + cast(table.c[flag], Integer)
        query = select(ids.label(IDS), table.c[key], *[table.c[v] for v in values if v != flag])
        read = {IDS: pl.Int64} | {c: t for c, t in dtypes.items() if c not in ("page_id", "batch_id", flag)}
    else:
        query = select(table.c.page_id, table.c[key], table.c.batch_id, *[table.c[v] for v in values])
        read = dtypes
    query = of_active(query, table, active, source.dialect.name)
    if page_ids is not None:
        query = query.where(table.c.page_id.in_(page_ids))
    if window is not None:
        query = query.where(table.c[MOMENTS[name]].between(*window))
    frame = read_frame(source, query, read)
    if packed:
        frame = _unpacked_ids(frame, flag).select(list(dtypes))
    if frame.height == 0:  # nothing stored yet where the file falls (most uploads of new data): no batches to order
        return frame.with_columns(pl.lit(None, act.UTC).alias("observed_at")) if with_observed else frame
    several = frame["batch_id"].n_unique() > 1
    if not (several or with_observed):
        return frame
    # the few batches the rows name: their order is read apart (after the rows) and joined
    order = batch_order(source, frame["batch_id"].unique().to_list()).select(
        "batch_id", "batch_rank", *(["observed_at"] if with_observed else []))
    frame = frame.join(order, on="batch_id", how="left")
    if several:  # a row in several active batches: the version observed latest
        frame = frame.sort("batch_rank", descending=True, nulls_last=False).unique(["page_id", key], keep="first")
    return frame.drop("batch_rank")


# a value of a table that is never empty, carried in the lowest bit of the packed ids (current_versions)
KEY_FLAGS = {"comments": "author_is_page"}
IDS = "__ids"


def _unpacked_ids(frame: pl.DataFrame, flag: str | None) -> pl.DataFrame:
    """page_id, batch_id (and `flag`) back from `IDS` = page_id · 2³² + batch_id · 2 + flag: the batch's serial id
    is below 2³¹, so the low 32 bits hold it and the flag exactly, for any page id of int4."""
    low = pl.col(IDS) & 0xFFFFFFFF
    return frame.with_columns(((pl.col(IDS) - low) // (1 << 32)).alias("page_id"), (low // 2).alias("batch_id"),
                              *([(low % 2 == 1).alias(flag)] if flag else [])).drop(IDS)


def of_active(query, table, active: tuple[int, ...] | None, dialect: str):
    """`query` over `table` narrowed to the rows of active batches: by the caller's list of their ids on PostgreSQL
    when given (literals in read_frame; a list of any length is hashed by the server), else by a join with
    `batches` (SQLite's bound parameters are limited in number)."""
    if active is not None and dialect == "postgresql":
        return query.where(table.c.batch_id.in_(list(active)))
    b = schema.batches
    return query.join(b, b.c.id == table.c.batch_id).where(b.c.status == "active")


def _compare(incoming: pl.DataFrame, current: pl.DataFrame, key: str, values: tuple[str, ...],
             observed: datetime) -> dict:
    """What the file's rows do against the current ones (`current_versions(…, with_observed=True)`): new rows
    (`added`), rows it makes current with other values (`updated`) or the same (`unchanged`), and rows whose
    stored observation is newer than the file's (`older`: the file does not replace them; `older_differs` of them
    hold other values, `newer_at` is the latest such stored observation)."""
    joined = incoming.join(current, on=["page_id", key], how="left", suffix="__old")
    exists = pl.col("batch_id").is_not_null()
    newer = exists & (pl.col("observed_at") > observed)
    differs = pl.any_horizontal([pl.col(v).ne_missing(pl.col(f"{v}__old")) for v in values])
    row = joined.select(
        added=(~exists).sum(), updated=(exists & ~newer & differs).sum(), unchanged=(exists & ~newer & ~differs).sum(),
        older=newer.sum(), older_differs=(newer & differs).sum(),
        newer_at=pl.col("observed_at").filter(newer).max()).row(0, named=True)
    return {k: (int(v or 0) if k != "newer_at" else v) for k, v in row.items()}


def _comment_conflicts(incoming: pl.DataFrame, current: pl.DataFrame, tz: ZoneInfo) -> tuple[pl.DataFrame, dict]:
    """A comment id of a page stored with another moment or another author is another comment (Telegram ids never
    restart within a chat, so a collision means a broken or mislabelled export): the stored one stays current and
    the incoming one is not stored. Returns the comments to keep and the report entry."""
    old = current.select("page_id", "comment_id", pl.col("created_at").alias("created_at__old"),
                         pl.col("author_id").alias("author_id__old"),
                         pl.col("author_is_page").alias("author_is_page__old"))
    joined = incoming.join(old, on=["page_id", "comment_id"], how="inner")
    moved = (pl.col("created_at") - pl.col("created_at__old")).abs() > COMMENT_SAME_MOMENT
    other_author = (pl.col("author_id").is_not_null() & pl.col("author_id__old").is_not_null()
                    & (pl.col("author_id") != pl.col("author_id__old"))) | (
        pl.col("author_is_page") != pl.col("author_is_page__old"))
    clashes = joined.filter(moved | other_author).sort("created_at")
    if clashes.height == 0:
        return incoming, {"count": 0, "examples": []}

    def who(author_id, is_page) -> str:
        return "от имени страницы" if is_page else (f"автор {author_id}" if author_id else "автор не указан")

    examples = [f"комментарий id {r['comment_id']}: в базе — от {r['created_at__old'].astimezone(tz):%d.%m.%Y %H:%M}, "
                f"{who(r['author_id__old'], r['author_is_page__old'])}; в файле — от "
                f"{r['created_at'].astimezone(tz):%d.%m.%Y %H:%M}, {who(r['author_id'], r['author_is_page'])}"
                for r in clashes.head(CONFLICT_EXAMPLES).iter_rows(named=True)]
    kept = incoming.join(clashes.select("page_id", "comment_id"), on=["page_id", "comment_id"], how="anti")
    return kept, {"count": clashes.height, "examples": examples}


def _coverage_rows(data: ActivityData, ref_to_page: dict[str, int], tz: ZoneInfo,
                   period: tuple[date, date] | None) -> list[dict]:
    coverage = data.coverage
    if ASSIGNED in ref_to_page and coverage.height == 0:  # a file naming no page, assigned by the analyst
        posts, comments = _file_kinds(data)
        coverage = act.coverage([ASSIGNED], None, None, posts=posts, comments=comments)
    rows: dict[tuple[int, str], list[date]] = {}
    for entry in coverage.iter_rows(named=True):
        page_id = ref_to_page.get(entry["ref"])
        if page_id is None:
            continue
        for kind in ("posts", "comments"):
            if not entry[kind]:
                continue
            if period is not None:
                span = list(period)
            elif entry["first_at"] is None:
                continue
            else:
                span = [entry["first_at"].astimezone(tz).date(), entry["last_at"].astimezone(tz).date()]
            old = rows.get((page_id, kind))
            rows[(page_id, kind)] = span if old is None else [min(old[0], span[0]), max(old[1], span[1])]
    return [{"page_id": p, "data_kind": k, "date_from": f, "date_to": t} for (p, k), (f, t) in rows.items()]


def _coverage_note(data: ActivityData, ref_to_page: dict[str, int], coverage: list[dict],
                   period: tuple[date, date] | None) -> str | None:
    """Why a file of posts or comments covers no day, in Russian (None when it covers some)."""
    if coverage or data.format == "vk_groups":
        return None
    if not ref_to_page:
        return ("файл не называет ни одной страницы (пустая выгрузка): ни один день не покрыт; укажите страницу "
                "и период выгрузки — тогда файл подтвердит, что публикаций за период не было")
    if period is None:
        return ("в файле нет датированных публикаций или комментариев, а период выгрузки не указан: ни один день "
                "не покрыт; укажите период — тогда файл подтвердит, что публикаций за период не было")
    return None


def _coverage_is_new(conn: Connection, rows: list[dict]) -> bool:
    if not rows:
        return False
    c, b = schema.batch_coverage, schema.batches
    existing: dict[tuple[int, str], list[tuple[date, date]]] = {}
    query = select(c.c.page_id, c.c.data_kind, c.c.date_from, c.c.date_to).join(b, b.c.id == c.c.batch_id).where(
        b.c.status == "active", c.c.page_id.in_({r["page_id"] for r in rows}))
    for r in conn.execute(query):
        existing.setdefault((r.page_id, r.data_kind), []).append((r.date_from, r.date_to))
    return any(not any(f <= row["date_from"] and t >= row["date_to"]
                       for f, t in existing.get((row["page_id"], row["data_kind"]), []))
               for row in rows)


def _new_snapshots(conn: Connection, snapshots: pl.DataFrame, as_of: date) -> tuple[list[dict], int]:
    """Checklist values of a groups.getById file, as a snapshot dated `as_of`, where they add something: values
    that differ from the page's latest snapshot on or before that date, or a subscriber count not yet marked on
    that date — a count equal to the previous one is still a mark ("observed unchanged", which the rating tells
    from "not observed"). Also returns how many of the file's pages have a later snapshot already (the file does
    not change their current values)."""
    if snapshots.height == 0:
        return [], 0
    s, b = schema.page_snapshots, schema.batches
    latest: dict[int, dict] = {}
    marks: set[tuple[int, int]] = set()
    later: set[int] = set()
    query = (select(s).join(b, b.c.id == s.c.batch_id).where(b.c.status == "active",
                                                               s.c.page_id.in_(snapshots["page_id"].to_list()))
             .order_by(s.c.as_of, s.c.batch_id))
    for row in conn.execute(query):
        if row.as_of > as_of:
            later.add(row.page_id)
            continue
        known = latest.setdefault(row.page_id, {})
        known.update({f: getattr(row, f) for f in SNAPSHOT_FIELDS if getattr(row, f) is not None})
        if row.as_of == as_of and row.subscribers is not None:
            marks.add((row.page_id, row.subscribers))
    out = []
    for row in snapshots.iter_rows(named=True):
        values = {f: row[f] for f in SNAPSHOT_FIELDS if row[f] is not None}
        known = latest.get(row["page_id"], {})
        new_mark = row["subscribers"] is not None and (row["page_id"], row["subscribers"]) not in marks
        if values and (new_mark or any(known.get(f) != v for f, v in values.items())):
            out.append({"page_id": row["page_id"], "as_of": as_of, **{f: row[f] for f in SNAPSHOT_FIELDS}})
    return out, len(set(snapshots["page_id"].to_list()) & later)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold().replace("ё", "е")) if len(w) > 2}


def _closest(title: str, names: dict[int, str], limit: int = 3, cutoff: float = 0.4) -> list[tuple[float, int]]:
    """The registry names most like an export's page title: shared words first, then difflib's ratio."""
    words = _words(title)
    overlap = sorted(((len(words & _words(name)), page_id) for page_id, name in names.items()), reverse=True)
    scored = []
    for shared, page_id in overlap[:10]:
        if shared == 0:
            break
        ratio = difflib.SequenceMatcher(None, title.casefold(), names[page_id].casefold()).ratio()
        if ratio >= cutoff:
            scored.append((round(ratio, 2), page_id))
    return sorted(scored, reverse=True)[:limit]


def unregistered(conn: Connection, page_ids: set[int]) -> list[dict]:
    """Pages of the file that are not in the registry, with the closest registry pages as suggestions."""
    p, o = schema.pages, schema.owners
    if not page_ids:
        return []
    pending = list(conn.execute(select(p.c.id, p.c.platform, p.c.platform_id, p.c.page_key, p.c.title, p.c.url)
                                .where(p.c.id.in_(page_ids), p.c.owner_id.is_(None))))
    if not pending:
        return []
    registry = list(conn.execute(select(p.c.id, p.c.platform, p.c.url, p.c.title, o.c.name).join(
        o, o.c.id == p.c.owner_id)))
    result = []
    for page in pending:
        same = [r for r in registry if r.platform == page.platform]
        labels = {r.id: f"{r.name} — {r.url}" for r in same}
        suggestions = []
        if page.title:
            suggestions = [{"page_id": pid, "label": labels[pid], "similarity": score}
                           for score, pid in _closest(page.title, {r.id: r.title or r.name for r in same})]
        result.append({"page_id": page.id, "platform": page.platform, "platform_id": page.platform_id,
                       "page_key": page.page_key, "title": page.title, "url": page.url or None,
                       "suggestions": suggestions})
    return result


class _NothingNew(Exception):
    """Raised inside the transaction to roll it back when a file adds nothing."""


def _observation(conn: Connection, data: ActivityData, stated: date | None, tz: ZoneInfo, now: datetime,
                 digest: str) -> tuple[datetime, str, str]:
    """The batch's «сведения на» moment (UTC), where it comes from (`stated` | `file` | `upload`) and the Russian
    phrase the report shows. A stated day stands for its end (or now, if it is today); a file with no dated item
    is observed when it was first uploaded."""
    latest = act.observed_at(data)
    if stated is not None:
        end = (datetime.combine(stated + timedelta(days=1), time.min, tz) - timedelta(seconds=1)).astimezone(UTC)
        if stated > now.astimezone(tz).date():
            raise fail(f"дата сведений {stated:%d.%m.%Y} ещё не наступила")
        if latest is not None and latest > end:
            raise fail(f"дата сведений {stated:%d.%m.%Y} раньше самой поздней записи файла "
                       f"({latest.astimezone(tz):%d.%m.%Y %H:%M}): укажите дату не раньше "
                       f"{latest.astimezone(tz):%d.%m.%Y} или оставьте её пустой — тогда сведения будут на момент "
                       "самой поздней записи")
        return min(end, max(now, latest or now)), "stated", f"сведения на {stated:%d.%m.%Y} (указано при загрузке)"
    if latest is not None:
        return latest, "file", f"сведения на {latest.astimezone(tz):%d.%m.%Y %H:%M} (по самой поздней записи файла)"
    b = schema.batches
    first = conn.execute(select(b.c.observed_at).where(b.c.sha256 == digest, b.c.status == "active",
                                                      b.c.observed_at.is_not(None)).order_by(b.c.id)).first()
    if first is not None:
        moment = _aware(first.observed_at)
        return moment, "upload", (f"сведения на {moment.astimezone(tz):%d.%m.%Y %H:%M} (в файле нет датированных "
                                  "записей; по первой загрузке этого файла)")
    return now, "upload", (f"сведения на {now.astimezone(tz):%d.%m.%Y %H:%M} (в файле нет датированных записей; "
                           "по времени загрузки)")


def apply_activity(engine: Engine, data: ActivityData, *, filename: str, content: bytes | None, user: str,
                   as_of: date | None, tz: ZoneInfo, period: tuple[date, date] | None = None,
                   page: int | str | None = None, digest: str | None = None, size: int | None = None,
                   progress: Callable[[str], None] | None = None, conn: Connection | None = None) -> dict:
    """Write one activity file as one batch in one transaction; returns its report. `as_of`: the «сведения на»
    day the analyst states (None: the file's newest dated item); `page`: the registry page (id or URL) the
    analyst says the file is about; `digest` and `size`: the content's SHA-256 and length when the caller has
    them instead of the content (a 200 MB file takes a second to hash, and need not stay in memory);
    `progress` is told «writing» when the rows start to be written. `conn`: a write transaction of the caller's
    (`storage.db.writing`) that several files share — this one is written in a savepoint of it, so a refused
    file leaves nothing while the files before it stay; the caller commits (the demo: many files, one commit)."""
    digest = digest or sha256_of(content)
    size = len(content) if size is None else size
    report = inspect_report(data) | {"batch_id": None, "filename": filename, "period": None}
    options = dict(filename=filename, size=size, user=user, as_of=as_of, tz=tz, period=period, page=page,
                   digest=digest, progress=progress)
    try:
        if conn is None:  # a collision with a concurrent upload (the same new page, a deadlock) runs it again
            retrying(lambda: _write(engine, data, report, **options))
        else:
            with conn.begin_nested():
                _write_on(conn, data, report, **options)
    except _NothingNew:  # not even the batch record or a new unregistered page is kept
        report.update(batch_id=None, status="unchanged", duplicate_of=_same_content(conn or engine, digest))
    return report


def _write(engine: Engine, data: ActivityData, report: dict, **options) -> None:
    # the same content uploaded several times at once: one after the other, the later ones find it stored
    with writing(engine) as conn:
        _write_on(conn, data, report, **options)


def _write_on(conn: Connection, data: ActivityData, report: dict, *, filename: str, size: int, user: str,
              as_of: date | None, tz: ZoneInfo, period: tuple[date, date] | None, page: int | str | None,
              digest: str, progress: Callable[[str], None] | None) -> None:
    now = utcnow()
    lock(conn, f"upload:{digest}")
    target = None
    if page is not None:
        target = find_registry_page(conn, page)
        _check_assignment(data, target)
        report["assigned_page"] = {"page_id": target["id"], "url": target["url"], "owner": target["name"]}
    observed, source, label = _observation(conn, data, as_of, tz, now, digest)
    observed_day = observed.astimezone(tz).date() if source != "stated" else as_of
    report.update(observed_at=act.iso_utc(observed), observed_source=source, observed_label=label)
    batch_id = create_batch(conn, kind="activity", fmt=data.format, filename=filename, content=None,
                            user=user, as_of=observed_day, digest=digest, size=size)
    ref_to_page = match_pages(conn, data.pages, batch_id, now, None if target is None else target["id"])
    page_ids = sorted(set(ref_to_page.values()))
    frames = {}
    changed = False
    newer_at: list[datetime] = []
    report["comments_conflicts"] = {"count": 0, "examples": []}
    for name, (table, key, values) in TABLES.items():
        incoming = getattr(data, name)
        if incoming.height == 0:
            frames[name] = None
            continue
        incoming = incoming.with_columns(pl.col("ref").replace_strict(ref_to_page, return_dtype=pl.Int64)
                                         .alias("page_id")).unique(subset=["page_id", key], keep="last")
        if name == "comments":  # ids are checked against all the page's comments, not only nearby ones
            current = current_versions(conn, name, page_ids, with_observed=True)
            incoming, report["comments_conflicts"] = _comment_conflicts(incoming, current, tz)
        else:
            moments = incoming[MOMENTS[name]]
            window = (moments.min() - WINDOW_MARGIN, moments.max() + WINDOW_MARGIN)
            current = current_versions(conn, name, page_ids, window, with_observed=True)
        counts = _compare(incoming, current, key, values, observed)
        report.update({f"{name}_added": counts["added"], f"{name}_updated": counts["updated"],
                       f"{name}_unchanged": counts["unchanged"], f"{name}_older": counts["older"]})
        if counts["newer_at"] is not None:
            newer_at.append(counts["newer_at"])
        changed |= counts["added"] > 0 or counts["updated"] > 0 or counts["older_differs"] > 0
        frames[name] = incoming
    coverage = _coverage_rows(data, ref_to_page, tz, period)
    snapshots, snapshots_older = _new_snapshots(conn, data.snapshots.with_columns(
        pl.col("ref").replace_strict(ref_to_page, return_dtype=pl.Int64).alias("page_id")), observed_day)
    report["older_than_current"] = report.get("posts_older", 0)
    report["newer_observed_at"] = act.iso_utc(max(newer_at)) if newer_at else None
    report["snapshots_older_than_current"] = snapshots_older
    report["older_note"] = _older_note(report, max(newer_at) if newer_at else None, tz)
    report["unchanged"] = sum(report.get(f"{n}_unchanged", 0) for n in TABLES)
    report["unmatched_pages"] = unregistered(conn, set(page_ids))
    report["snapshots_added"] = len(snapshots)
    report["coverage"] = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
                          for row in coverage]
    report["coverage_note"] = _coverage_note(data, ref_to_page, coverage, period)
    if coverage:
        report["period"] = [min(r["date_from"] for r in coverage).isoformat(),
                            max(r["date_to"] for r in coverage).isoformat()]
    if not (changed or snapshots or _coverage_is_new(conn, coverage)):
        raise _NothingNew
    if progress is not None:
        progress("writing")
    for name, incoming in frames.items():
        if incoming is None or incoming.height == 0:
            continue
        table, key, _ = TABLES[name]
        columns = [c.name for c in table.columns if c.name != "batch_id"]
        # in the primary key's order (page, id — as text, as the index compares them): each row lands next to
        # the one before in the key's index instead of at a random page of it (a fifth less time into SQLite)
        write_frame(conn, table.name, incoming.select(columns).sort("page_id", key)
                    .with_columns(pl.lit(batch_id).alias("batch_id")))
        if name == "posts":  # the page × week sums a quarter is read from (storage.post_weeks), in this transaction
            post_weeks.write_week_sums(conn, incoming, tz.key, batch_id)
    if coverage:
        conn.execute(insert(schema.batch_coverage), [{**r, "batch_id": batch_id} for r in coverage])
    if snapshots:
        conn.execute(insert(schema.page_snapshots), [{**r, "batch_id": batch_id} for r in snapshots])
    period_from, period_to = _period_bounds(coverage, tz)
    report.update(batch_id=batch_id, status="active")
    conn.execute(update(schema.batches).where(schema.batches.c.id == batch_id).values(
        report=report, period_from=period_from, period_to=period_to, observed_at=observed))
    write_audit(conn, user, "upload", f"batch:{batch_id}", {"filename": filename, "format": data.format,
                                                            "kind": "activity"})


def _older_note(report: dict, newer_at: datetime | None, tz: ZoneInfo) -> str | None:
    """What the file did not make current because newer observations are stored, and why (Russian)."""
    parts = [f"{label} {report[f'{name}_older']}" for name, label in
             (("posts", "публикаций"), ("streams", "эфиров"), ("comments", "комментариев"))
             if report.get(f"{name}_older")]
    notes = []
    if parts:
        notes.append(f"не заменено: {', '.join(parts)} — в базе более поздние сведения (на "
                     f"{newer_at.astimezone(tz):%d.%m.%Y %H:%M}), файл старше; текущие значения не изменены")
    if report.get("snapshots_older_than_current"):
        notes.append(f"сведения о страницах ({report['snapshots_older_than_current']}) старше уже загруженных: "
                     "текущие значения не изменены, записаны только как отметка своей даты")
    return "; ".join(notes) or None


def _period_bounds(coverage: list[dict], tz: ZoneInfo):
    if not coverage:
        return None, None
    start = min(r["date_from"] for r in coverage)
    end = max(r["date_to"] for r in coverage)
    return (datetime.combine(start, time.min, tz).astimezone(timezone.utc),
            datetime.combine(end, time.max, tz).astimezone(timezone.utc))


def _same_content(source: Connection | Engine, digest: str) -> int | None:
    b = schema.batches
    with source.connect() if isinstance(source, Engine) else nullcontext(source) as conn:
        return conn.execute(select(func.max(b.c.id)).where(b.c.sha256 == digest,
                                                           b.c.status == "active")).scalar_one()


def inspect_report(data: ActivityData) -> dict:
    """What a file holds, before any matching (`cli.py inspect`): also the latest moment it proves
    (`observed_at`, the default «сведения на») and the pages it names (`page_refs`)."""
    posts = data.posts["published_at"]
    first, last = (posts.min(), posts.max()) if posts.len() else (None, None)
    return {"format": data.format, "chat_type": data.chat_type, "pages": data.pages.height,
            "page_refs": act.page_refs(data), "posts": data.posts.height,
            "first_post_at": first.strftime("%Y-%m-%dT%H:%M:%SZ") if first else None,
            "last_post_at": last.strftime("%Y-%m-%dT%H:%M:%SZ") if last else None,
            "observed_at": act.iso_utc(act.observed_at(data)),
            "live_streams": data.streams.height, "comments": int((~data.comments["author_is_page"]).sum()),
            "page_replies": data.page_replies, "rejected": sum(data.rejected.values()),
            "rejected_reasons": data.rejected, "warnings": [str(w) for w in data.warnings], "errors": []}


def revert_batch(engine: Engine, batch_id: int, user: str) -> dict:
    """Revert a batch. An activity batch is marked reverted: its rows stop being current and what it replaced is
    current again. A registry batch also puts owners and pages back as they were before it
    (`storage.registry_store.revert_registry`). The result carries a Russian `message`."""
    from storage.registry_store import revert_registry
    b = schema.batches
    with engine.begin() as conn:
        row = conn.execute(select(b.c.id, b.c.status, b.c.filename, b.c.kind).where(b.c.id == batch_id)).first()
        if row is None:
            raise fail(f"пакет загрузки {batch_id} не найден")
        if row.status == "reverted":
            raise fail(f"пакет загрузки {batch_id} («{row.filename}») уже отменён")
        if row.kind == "registry":
            counts = revert_registry(conn, batch_id)
            message = (f"Пакет реестра № {batch_id} («{row.filename}») отменён: владельцы и страницы возвращены к "
                       f"состоянию до загрузки — владельцев удалено {counts['owners_deleted']}, восстановлено "
                       f"{counts['owners_restored']}; страниц удалено {counts['pages_deleted']}, восстановлено "
                       f"{counts['pages_restored']}; сведений о страницах (чек-лист, подписчики) отменено "
                       f"{counts['snapshots']}")
            if counts["pages_kept"]:
                message += (f"; страниц оставлено вне реестра: {counts['pages_kept']} (по ним загружены выгрузки "
                            "активности — их данные сохранены)")
        else:
            counts = {name: conn.execute(select(func.count()).select_from(table).where(
                table.c.batch_id == batch_id)).scalar_one() for name, (table, _, _) in TABLES.items()}
            message = (f"Пакет № {batch_id} («{row.filename}») отменён: публикаций {counts['posts']}, эфиров "
                       f"{counts['streams']}, комментариев {counts['comments']} больше не учитываются; снова "
                       "действуют данные, которые он заменил")
        conn.execute(update(b).where(b.c.id == batch_id).values(status="reverted", reverted_at=utcnow(),
                                                                reverted_by=user))
        write_audit(conn, user, "revert", f"batch:{batch_id}", {"filename": row.filename, "kind": row.kind,
                                                                **counts})
    return {"batch_id": batch_id, "filename": row.filename, "kind": row.kind, "status": "reverted",
            "message": message, **counts}


def link_page(engine: Engine, source_page_id: int, target_page_id: int, user: str) -> dict:
    """The analyst says an unregistered page of an export is this registry page: its data moves there and the
    ids it was known by are remembered for later uploads."""
    p = schema.pages
    with engine.begin() as conn:
        source = conn.execute(select(p).where(p.c.id == source_page_id)).first()
        target = conn.execute(select(p).where(p.c.id == target_page_id)).first()
        if source is None or target is None:
            raise fail("страница не найдена")
        if source.owner_id is not None:
            raise fail("страница уже есть в реестре; связывать нужно страницу, которой нет в реестре")
        if target.owner_id is None or target.platform != source.platform:
            raise fail("связать можно только со страницей реестра на той же платформе")
        for table in (schema.posts, schema.live_streams, schema.comments, schema.batch_coverage,
                      schema.page_snapshots, schema.page_links):
            conn.execute(update(table).where(table.c.page_id == source.id).values(page_id=target.id))
        post_weeks.move_page_sums(conn, source.id, target.id)  # the posts' week sums go with them
        for external in {source.platform_id, source.page_key} - {None, target.platform_id, target.page_key}:
            conn.execute(schema.page_links.delete().where(and_(schema.page_links.c.platform == source.platform,
                                                               schema.page_links.c.external_id == external)))
            conn.execute(insert(schema.page_links).values(platform=source.platform, external_id=external,
                                                          page_id=target.id, batch_id=None, created_by=user,
                                                          created_at=utcnow()))
        conn.execute(p.delete().where(p.c.id == source.id))
        if target.title is None and source.title:
            conn.execute(update(p).where(p.c.id == target.id).values(title=source.title))
        write_audit(conn, user, "edit", f"page:{target.id}", {"linked_page": source.id, "platform": source.platform,
                                                              "platform_id": source.platform_id})
    return {"page_id": target.id, "linked": source.id}
