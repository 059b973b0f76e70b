"""Writing an activity file: match its pages to the registry, compare with what is stored, write one batch.

Rows are versions keyed by (page, id, batch); the current row is the version of the latest active batch
(by «сведения на дату», then upload order), so an overlapping export keeps the latest counters and
reverting a batch restores exactly what it replaced. A batch stores every row of its file (not only the
changed ones) so that reverting an older batch never takes away what a newer one also brought.
Re-uploading content that adds nothing writes nothing.
"""
from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from loaders import activity as act
from loaders.activity import ActivityData
from loaders.errors import fail
from loaders.urls import key_from_platform_id
from storage import schema
from storage.audit import create_batch, sha256_of, write_audit
from storage.db import read_frame, utcnow, write_frame

TABLES = {  # canonical frame → (table, key column, compared values)
    "posts": (schema.posts, "post_id", act.POST_VALUES),
    "streams": (schema.live_streams, "stream_id", act.STREAM_VALUES),
    "comments": (schema.comments, "comment_id", act.COMMENT_VALUES),
}
MOMENTS = {"posts": "published_at", "streams": "started_at", "comments": "created_at"}
WINDOW_MARGIN = timedelta(days=2)  # a re-export may shift a row's moment a little (time zone of a template)
SNAPSHOT_FIELDS = tuple(c for c in act.SNAPSHOT_SCHEMA if c != "ref")


def active_links(conn: Connection) -> dict[tuple[str, str], int]:
    link, b = schema.page_links, schema.batches
    query = select(link.c.platform, link.c.external_id, link.c.page_id).outerjoin(b, b.c.id == link.c.batch_id).where(
        or_(link.c.batch_id.is_(None), b.c.status == "active"))
    return {(r.platform, r.external_id): r.page_id for r in conn.execute(query)}


def match_pages(conn: Connection, pages: pl.DataFrame, batch_id: int | None, now: datetime) -> dict[str, int]:
    """ref → page id. By platform id, normalised key, or a remembered link (formats.md §10). A page that is
    not in the registry becomes an unregistered page (owner NULL) when `batch_id` is given (writing)."""
    p = schema.pages
    rows = list(conn.execute(select(p.c.id, p.c.platform, p.c.page_key, p.c.platform_id)))
    by_id = {(r.platform, r.platform_id): r.id for r in rows if r.platform_id}
    by_key = {(r.platform, r.page_key): r.id for r in rows}
    links = active_links(conn)
    found: dict[str, int] = {}
    for page in pages.iter_rows(named=True):
        platform, platform_id, key = page["platform"], page["platform_id"], page["page_key"]
        numeric = key_from_platform_id(platform, platform_id)
        page_id = (by_id.get((platform, platform_id)) or (key and by_key.get((platform, key)))
                   or (numeric and by_key.get((platform, numeric))) or links.get((platform, platform_id or key)))
        if page_id is None and batch_id is not None:
            page_id = int(conn.execute(insert(p).values(
                owner_id=None, platform=platform, page_key=key or numeric, platform_id=platform_id,
                url=page["url"] or "", title=page["title"], created_at=now, updated_at=now)).inserted_primary_key[0])
            by_key[(platform, key or numeric)] = page_id
        elif page_id is not None and batch_id is not None and platform_id and (platform, platform_id) not in by_id \
                and (platform, platform_id) not in links:
            # learned: this id names that page (e.g. an extended wall.get carries id and screen name)
            conn.execute(insert(schema.page_links).values(platform=platform, external_id=platform_id,
                                                          page_id=page_id, batch_id=batch_id, created_by="загрузка",
                                                          created_at=now))
            links[(platform, platform_id)] = page_id
        if page_id is not None:
            found[page["ref"]] = page_id
    return found


def current_versions(source: Connection | Engine, name: str, page_ids: list[int] | None = None,
                     window: tuple[datetime, datetime] | None = None) -> pl.DataFrame:
    """The current row of each (page, id): the version of the latest active batch (optionally only rows whose
    moment falls in `window`, which is all an incoming file can overlap)."""
    table, key, values = TABLES[name]
    b = schema.batches
    query = (select(table.c.page_id, table.c[key], table.c.batch_id, b.c.as_of.label("batch_as_of"),
                    *[table.c[v] for v in values])
             .join(b, b.c.id == table.c.batch_id).where(b.c.status == "active"))
    if page_ids is not None:
        query = query.where(table.c.page_id.in_(page_ids))
    if window is not None:
        query = query.where(table.c[MOMENTS[name]].between(*window))
    canonical = act.POST_SCHEMA | act.STREAM_SCHEMA | act.COMMENT_SCHEMA
    dtypes = {"page_id": pl.Int64, key: pl.String, "batch_id": pl.Int64, "batch_as_of": pl.Date} | {
        c: canonical[c] for c in values}
    frame = read_frame(source, query, dtypes)
    if frame["batch_id"].n_unique() > 1:  # a row in several active batches: the latest batch's version
        frame = frame.sort("batch_as_of", "batch_id", descending=True).unique(["page_id", key], keep="first")
    return frame.drop("batch_as_of")


def _compare(incoming: pl.DataFrame, current: pl.DataFrame, key: str, values: tuple[str, ...]) -> dict[str, int]:
    joined = incoming.join(current, on=["page_id", key], how="left", suffix="__old")
    added = joined.filter(pl.col("batch_id").is_null()).height
    differs = pl.any_horizontal([pl.col(v).ne_missing(pl.col(f"{v}__old")) for v in values])
    existing = joined.filter(pl.col("batch_id").is_not_null())
    updated = existing.filter(differs).height if existing.height else 0
    return {"added": added, "updated": updated, "unchanged": existing.height - updated}


def _coverage_rows(data: ActivityData, ref_to_page: dict[str, int], tz: ZoneInfo,
                   period: tuple[date, date] | None) -> list[dict]:
    rows: dict[tuple[int, str], list[date]] = {}
    for entry in data.coverage.iter_rows(named=True):
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


def _new_snapshots(conn: Connection, snapshots: pl.DataFrame, as_of: date) -> list[dict]:
    """Checklist values of a groups.getById file that differ from the page's latest snapshot."""
    if snapshots.height == 0:
        return []
    s, b = schema.page_snapshots, schema.batches
    latest: dict[int, dict] = {}
    query = (select(s).join(b, b.c.id == s.c.batch_id).where(b.c.status == "active", s.c.as_of <= as_of,
                                                               s.c.page_id.in_(snapshots["page_id"].to_list()))
             .order_by(s.c.as_of, s.c.batch_id))
    for row in conn.execute(query):
        known = latest.setdefault(row.page_id, {})
        known.update({f: getattr(row, f) for f in SNAPSHOT_FIELDS if getattr(row, f) is not None})
    out = []
    for row in snapshots.iter_rows(named=True):
        values = {f: row[f] for f in SNAPSHOT_FIELDS if row[f] is not None}
        known = latest.get(row["page_id"], {})
        if values and any(known.get(f) != v for f, v in values.items()):
            out.append({"page_id": row["page_id"], "as_of": as_of, **{f: row[f] for f in SNAPSHOT_FIELDS}})
    return out


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


def apply_activity(engine: Engine, data: ActivityData, *, filename: str, content: bytes, user: str, as_of: date,
                   tz: ZoneInfo, period: tuple[date, date] | None = None) -> dict:
    """Write one activity file as one batch in one transaction; returns its report."""
    report = inspect_report(data) | {"batch_id": None, "filename": filename, "period": None}
    try:
        _write(engine, data, report, filename=filename, content=content, user=user, as_of=as_of, tz=tz,
               period=period)
    except _NothingNew:  # not even the batch record or a new unregistered page is kept
        report.update(batch_id=None, status="unchanged", duplicate_of=_same_content(engine, content))
    return report


def _write(engine: Engine, data: ActivityData, report: dict, *, filename: str, content: bytes, user: str,
           as_of: date, tz: ZoneInfo, period: tuple[date, date] | None) -> None:
    now = utcnow()
    with engine.begin() as conn:
        batch_id = create_batch(conn, kind="activity", fmt=data.format, filename=filename, content=content,
                                user=user, as_of=as_of)
        ref_to_page = match_pages(conn, data.pages, batch_id, now)
        page_ids = sorted(set(ref_to_page.values()))
        frames = {}
        changed = False
        for name, (table, key, values) in TABLES.items():
            incoming = getattr(data, name)
            if incoming.height == 0:
                frames[name] = None
                continue
            incoming = incoming.with_columns(pl.col("ref").replace_strict(ref_to_page, return_dtype=pl.Int64)
                                             .alias("page_id")).unique(subset=["page_id", key], keep="last")
            moments = incoming[MOMENTS[name]]
            window = (moments.min() - WINDOW_MARGIN, moments.max() + WINDOW_MARGIN)
            counts = _compare(incoming, current_versions(conn, name, page_ids, window), key, values)
            report.update({f"{name}_added": counts["added"], f"{name}_updated": counts["updated"],
                           f"{name}_unchanged": counts["unchanged"]})
            changed |= counts["added"] > 0 or counts["updated"] > 0
            frames[name] = incoming
        coverage = _coverage_rows(data, ref_to_page, tz, period)
        snapshots = _new_snapshots(conn, data.snapshots.with_columns(
            pl.col("ref").replace_strict(ref_to_page, return_dtype=pl.Int64).alias("page_id")), as_of)
        report["unchanged"] = sum(report.get(f"{n}_unchanged", 0) for n in TABLES)
        report["unmatched_pages"] = unregistered(conn, set(page_ids))
        report["snapshots_added"] = len(snapshots)
        report["coverage"] = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items()}
                              for row in coverage]
        if coverage:
            report["period"] = [min(r["date_from"] for r in coverage).isoformat(),
                                max(r["date_to"] for r in coverage).isoformat()]
        if not (changed or snapshots or _coverage_is_new(conn, coverage)):
            raise _NothingNew
        for name, incoming in frames.items():
            if incoming is None:
                continue
            table, key, _ = TABLES[name]
            columns = [c.name for c in table.columns if c.name != "batch_id"]
            write_frame(conn, table.name, incoming.select(columns).with_columns(pl.lit(batch_id).alias("batch_id")))
        if coverage:
            conn.execute(insert(schema.batch_coverage), [{**r, "batch_id": batch_id} for r in coverage])
        if snapshots:
            conn.execute(insert(schema.page_snapshots), [{**r, "batch_id": batch_id} for r in snapshots])
        period_from, period_to = _period_bounds(coverage, tz)
        report.update(batch_id=batch_id, status="active")
        conn.execute(update(schema.batches).where(schema.batches.c.id == batch_id).values(
            report=report, period_from=period_from, period_to=period_to))
        write_audit(conn, user, "upload", f"batch:{batch_id}", {"filename": filename, "format": data.format,
                                                                "kind": "activity"})


def _period_bounds(coverage: list[dict], tz: ZoneInfo):
    if not coverage:
        return None, None
    start = min(r["date_from"] for r in coverage)
    end = max(r["date_to"] for r in coverage)
    return (datetime.combine(start, time.min, tz).astimezone(timezone.utc),
            datetime.combine(end, time.max, tz).astimezone(timezone.utc))


def _same_content(engine: Engine, content: bytes) -> int | None:
    b = schema.batches
    with engine.connect() as conn:
        return conn.execute(select(func.max(b.c.id)).where(b.c.sha256 == sha256_of(content),
                                                           b.c.status == "active")).scalar_one()


def inspect_report(data: ActivityData) -> dict:
    """What a file holds, before any matching (`cli.py inspect`)."""
    posts = data.posts["published_at"]
    first, last = (posts.min(), posts.max()) if posts.len() else (None, None)
    return {"format": data.format, "chat_type": data.chat_type, "pages": data.pages.height,
            "posts": data.posts.height,
            "first_post_at": first.strftime("%Y-%m-%dT%H:%M:%SZ") if first else None,
            "last_post_at": last.strftime("%Y-%m-%dT%H:%M:%SZ") if last else None,
            "live_streams": data.streams.height, "comments": int((~data.comments["author_is_page"]).sum()),
            "page_replies": data.page_replies, "rejected": sum(data.rejected.values()),
            "rejected_reasons": data.rejected, "warnings": [str(w) for w in data.warnings], "errors": []}


def revert_batch(engine: Engine, batch_id: int, user: str) -> dict:
    """Mark a batch reverted: its rows stop being current and what it replaced is current again."""
    b = schema.batches
    with engine.begin() as conn:
        row = conn.execute(select(b.c.id, b.c.status, b.c.filename, b.c.kind).where(b.c.id == batch_id)).first()
        if row is None:
            raise fail(f"пакет загрузки {batch_id} не найден")
        if row.status == "reverted":
            raise fail(f"пакет загрузки {batch_id} («{row.filename}») уже отменён")
        conn.execute(update(b).where(b.c.id == batch_id).values(status="reverted", reverted_at=utcnow(),
                                                                reverted_by=user))
        counts = {name: conn.execute(select(func.count()).select_from(table).where(
            table.c.batch_id == batch_id)).scalar_one() for name, (table, _, _) in TABLES.items()}
        write_audit(conn, user, "revert", f"batch:{batch_id}", {"filename": row.filename, **counts})
    return {"batch_id": batch_id, "filename": row.filename, "kind": row.kind, "status": "reverted", **counts}


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
