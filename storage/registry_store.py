"""Writing a loaded registry: owners and pages are updated in place (never duplicated), checklist values
become a dated snapshot. One upload = one transaction = one batch.

Every owner and page row a batch inserts or updates is recorded in `registry_changes` with its before-image
(NULL for a row the batch inserted), so that reverting the batch returns owners, pages, names, URLs, parents and
kinds exactly to what they were; its snapshots are deleted with it."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Connection, Date, DateTime, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.config import region_tz
from core.schemas import SNAPSHOT_MEASURES
from loaders.errors import fail
from loaders.registry import RegistryData
from storage import schema
from storage.audit import create_batch, find_active_batch, sha256_of, write_audit
from storage.db import retrying, utcnow, writing

OWNER_FIELDS = ("name", "kind", "ogrn", "responsible", "level", "spheres", "exemption")
SNAPSHOT_FIELDS = SNAPSHOT_MEASURES  # core.schemas: what a registry snapshot measures
# what a registry upload writes in a row (and so what its revert puts back); the rest (a page's title from the
# exports, ids, creation time) it never changes
RESTORED = {"owners": ("name", "name_key", "kind", "parent_id", *OWNER_FIELDS[2:], "updated_at"),
            "pages": ("owner_id", "platform", "page_key", "url", "platform_id", "registered_on", "responsible",
                      "closed_on", "updated_at")}
TABLES = {"owners": schema.owners, "pages": schema.pages}
# rows that may name a page: a page the revert would delete is kept (outside the registry) if any names it
PAGE_USERS = (schema.posts, schema.live_streams, schema.comments, schema.batch_coverage, schema.page_snapshots,
              schema.page_links)


def known_owner_kinds(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {k: v for k, v in conn.execute(select(schema.owners.c.name_key, schema.owners.c.kind))}


def apply_registry(engine: Engine, data: RegistryData, *, filename: str, content: bytes, user: str,
                   as_of: date) -> dict:
    """Upsert owners, pages and snapshots in one transaction; returns the report of what changed. Registry uploads
    run one at a time (they update owners and pages in place); a collision with an activity upload creating the
    same page is retried."""
    return retrying(lambda: _apply_registry(engine, data, filename=filename, content=content, user=user,
                                            as_of=as_of))


def _apply_registry(engine: Engine, data: RegistryData, *, filename: str, content: bytes, user: str,
                    as_of: date) -> dict:
    report = {"batch_id": None, "format": data.format, "filename": filename, "owners_added": 0,
              "owners_updated": 0, "pages_added": 0, "pages_updated": 0, "pages_unchanged": 0,
              "snapshots_added": 0, "warnings": [str(w) for w in data.warnings], "errors": []}
    now = utcnow()
    with writing(engine, "registry") as conn:
        previous = find_active_batch(conn, sha256_of(content), "registry")
        if previous is not None and conn.execute(select(schema.batches.c.as_of).where(
                schema.batches.c.id == previous)).scalar_one() == as_of:
            report.update(batch_id=previous, duplicate_of=previous, pages_unchanged=data.pages.height)
            return report
        batch_id = create_batch(conn, kind="registry", fmt=data.format, filename=filename, content=content,
                                user=user, as_of=as_of)
        report["batch_id"] = batch_id
        changes: dict[tuple[str, int], dict | None] = {}
        owner_ids = _upsert_owners(conn, data, now, report, changes)
        _upsert_pages(conn, data, owner_ids, batch_id, as_of, now, report, changes)
        if changes:
            conn.execute(insert(schema.registry_changes), [
                {"batch_id": batch_id, "table_name": table, "row_id": row_id, "before": before}
                for (table, row_id), before in sorted(changes.items())])
        tz = region_tz()
        observed = min(now, (datetime.combine(as_of + timedelta(days=1), time.min, tz)
                             - timedelta(seconds=1)).astimezone(timezone.utc))
        conn.execute(update(schema.batches).where(schema.batches.c.id == batch_id).values(
            report=report, observed_at=observed))
        write_audit(conn, user, "upload", f"batch:{batch_id}", {"filename": filename, "format": data.format,
                                                                "kind": "registry"})
    return report


def _image(row) -> dict:
    """A row as JSON (dates and moments as ISO text), to be put back by `_restore`."""
    return {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in row._mapping.items()}


def _remember(changes: dict, table: str, row) -> None:
    """The first before-image of a row within a batch is the one a revert puts back."""
    changes.setdefault((table, row.id), _image(row))


def _upsert_owners(conn, data: RegistryData, now, report: dict, changes: dict) -> dict[str, int]:
    table = schema.owners
    existing = {r.name_key: r for r in conn.execute(select(table))}
    ids: dict[str, int] = {}
    for owner in data.owners.iter_rows(named=True):
        key = owner["name_key"]
        values = {f: owner[f] for f in OWNER_FIELDS}
        if key in existing:
            row = existing[key]
            changed = {f: v for f, v in values.items() if v is not None and getattr(row, f) != v}
            if changed:
                _remember(changes, "owners", row)
                conn.execute(update(table).where(table.c.id == row.id).values(**changed, updated_at=now))
                report["owners_updated"] += 1
            ids[key] = row.id
        else:
            result = conn.execute(insert(table).values(**values, name_key=key, created_at=now, updated_at=now))
            ids[key] = int(result.inserted_primary_key[0])
            changes[("owners", ids[key])] = None
            report["owners_added"] += 1
    all_ids = {r.name_key: r.id for r in conn.execute(select(table.c.name_key, table.c.id))}
    for owner in data.owners.iter_rows(named=True):
        parent_id = all_ids.get(owner["parent_key"]) if owner["parent_key"] else None
        current = existing.get(owner["name_key"])
        if current is None or current.parent_id != parent_id:
            if current is not None:
                _remember(changes, "owners", current)
            conn.execute(update(table).where(table.c.id == ids[owner["name_key"]]).values(parent_id=parent_id))
            if current is not None:
                report["owners_updated"] += 1
    return ids


def _upsert_pages(conn, data: RegistryData, owner_ids: dict[str, int], batch_id: int, as_of: date, now,
                  report: dict, changes: dict) -> None:
    table = schema.pages
    rows = list(conn.execute(select(table)))
    by_key = {(r.platform, r.page_key): r for r in rows}
    by_platform_id = {(r.platform, r.platform_id): r for r in rows if r.platform_id}
    by_id = {r.id: r for r in rows}
    # a page whose address was changed on «Реестр» is still found by its old address (storage.registry_edit)
    link, b = schema.page_links, schema.batches
    by_old_key = {(r.platform, r.external_id): by_id[r.page_id] for r in conn.execute(
        select(link.c.platform, link.c.external_id, link.c.page_id).join(b, b.c.id == link.c.batch_id).where(
            b.c.status == "active", b.c.format == "registry_edit")) if r.page_id in by_id}
    latest, marks = _latest_snapshots(conn, as_of)
    snapshots = []
    for page in data.pages.iter_rows(named=True):
        values = {"owner_id": owner_ids[page["owner_key"]], "platform": page["platform"],
                  "page_key": page["page_key"], "url": page["url"], "platform_id": page["platform_id"],
                  "registered_on": page["registered_on"], "responsible": page["responsible"]}
        row = by_key.get((page["platform"], page["page_key"])) or (
            by_platform_id.get((page["platform"], page["platform_id"])) if page["platform_id"] else None) or (
            by_old_key.get((page["platform"], page["page_key"])))
        if row is None:
            result = conn.execute(insert(table).values(**values, created_at=now, updated_at=now))
            page_id = int(result.inserted_primary_key[0])
            changes[("pages", page_id)] = None
            report["pages_added"] += 1
        else:
            page_id = row.id
            changed = {f: v for f, v in values.items()
                       if getattr(row, f) != v and (v is not None or f in ("owner_id", "url"))}
            if changed:
                _remember(changes, "pages", row)
                conn.execute(update(table).where(table.c.id == row.id).values(**changed, updated_at=now))
                report["pages_updated"] += 1
            else:
                report["pages_unchanged"] += 1
        snapshot = {f: page.get(f) for f in SNAPSHOT_FIELDS}
        # a subscriber count is a mark of its date even when unchanged ("observed unchanged" ≠ "not observed")
        new_mark = snapshot["subscribers"] is not None and (page_id, snapshot["subscribers"]) not in marks
        if any(v is not None for v in snapshot.values()) and (latest.get(page_id) != snapshot or new_mark):
            snapshots.append({**snapshot, "page_id": page_id, "batch_id": batch_id, "as_of": as_of})
            latest[page_id] = snapshot
            if snapshot["subscribers"] is not None:
                marks.add((page_id, snapshot["subscribers"]))
    if snapshots:
        conn.execute(insert(schema.page_snapshots), snapshots)
    report["snapshots_added"] = len(snapshots)


def _latest_snapshots(conn, as_of: date) -> tuple[dict[int, dict], set[tuple[int, int]]]:
    """Latest active snapshot of each page on or before `as_of`, to skip writing an identical one, and the
    subscriber counts already marked on `as_of` itself (page, count)."""
    s, b = schema.page_snapshots, schema.batches
    query = (select(s).join(b, b.c.id == s.c.batch_id).where(b.c.status == "active", s.c.as_of <= as_of)
             .order_by(s.c.page_id, s.c.as_of, s.c.batch_id))
    latest, marks = {}, set()
    for row in conn.execute(query):
        latest[row.page_id] = {f: getattr(row, f) for f in SNAPSHOT_FIELDS}
        if row.as_of == as_of and row.subscribers is not None:
            marks.add((row.page_id, row.subscribers))
    return latest, marks


def _restore(conn: Connection, name: str, row_id: int, before: dict) -> None:
    table = TABLES[name]
    values = {}
    for column in RESTORED[name]:
        value = before.get(column)
        if value is not None and isinstance(table.c[column].type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(table.c[column].type, Date):
            value = date.fromisoformat(value)
        values[column] = value
    conn.execute(update(table).where(table.c.id == row_id).values(**values))


def revert_registry(conn: Connection, batch_id: int) -> dict:
    """Put owners and pages back as they were before registry batch `batch_id` and delete its snapshots (inside
    the caller's transaction). Refused, in Russian, when a later active registry batch changed the same rows or
    relies on rows this one added, or when the batch predates the record of before-images. A page the batch added
    that exports' data already names is kept, outside the registry, so that no data is lost."""
    rc, b = schema.registry_changes, schema.batches
    mine = {(r.table_name, r.row_id): r.before for r in conn.execute(
        select(rc.c.table_name, rc.c.row_id, rc.c.before).where(rc.c.batch_id == batch_id))}
    report = conn.execute(select(b.c.report).where(b.c.id == batch_id)).scalar_one() or {}
    if not mine and any(report.get(k) for k in ("owners_added", "owners_updated", "pages_added", "pages_updated")):
        raise fail(f"пакет реестра № {batch_id} загружен до того, как стали сохраняться прежние значения владельцев "
                   "и страниц: отменить его полностью нельзя; загрузите исправленный реестр")
    later = sorted({r.batch_id for r in conn.execute(
        select(rc.c.batch_id, rc.c.table_name, rc.c.row_id).join(b, b.c.id == rc.c.batch_id).where(
            rc.c.batch_id > batch_id, b.c.status == "active"))
        if (r.table_name, r.row_id) in mine})
    if later:
        raise fail(f"пакет реестра № {batch_id} нельзя отменить: более поздние пакеты реестра "
                   f"({', '.join(f'№ {n}' for n in later)}) изменили тех же владельцев или те же страницы; "
                   "сначала отмените их")
    s = schema.page_snapshots
    snapshots = conn.execute(delete(s).where(s.c.batch_id == batch_id)).rowcount
    # the old addresses an edit of the batch kept for its pages (storage.registry_edit) go with it
    conn.execute(delete(schema.page_links).where(schema.page_links.c.batch_id == batch_id))
    counts = {"owners_deleted": 0, "owners_restored": 0, "pages_deleted": 0, "pages_restored": 0,
              "pages_kept": 0, "snapshots": snapshots}
    p, o = schema.pages, schema.owners
    try:
        for (name, row_id), before in sorted(mine.items()):
            if name == "pages" and before is not None:
                _restore(conn, "pages", row_id, before)
                counts["pages_restored"] += 1
        added_pages = [row_id for (name, row_id), before in mine.items() if name == "pages" and before is None]
        for page_id in added_pages:
            if any(conn.execute(select(t.c.page_id).where(t.c.page_id == page_id).limit(1)).first()
                   for t in PAGE_USERS):
                conn.execute(update(p).where(p.c.id == page_id).values(owner_id=None, registered_on=None,
                                                                       responsible=None))
                counts["pages_kept"] += 1
            else:
                conn.execute(delete(p).where(p.c.id == page_id))
                counts["pages_deleted"] += 1
        for (name, row_id), before in sorted(mine.items()):
            if name == "owners" and before is not None:
                _restore(conn, "owners", row_id, before)
                counts["owners_restored"] += 1
        added_owners = [row_id for (name, row_id), before in mine.items() if name == "owners" and before is None]
        if added_owners:
            users = conn.execute(select(func.count()).select_from(p).where(p.c.owner_id.in_(added_owners))).scalar_one()
            users += conn.execute(select(func.count()).select_from(o).where(
                o.c.parent_id.in_(added_owners), o.c.id.not_in(added_owners))).scalar_one()
            if users:
                raise fail(f"пакет реестра № {batch_id} нельзя отменить: на добавленных им владельцев ссылаются "
                           "страницы или владельцы, внесённые позже; сначала отмените более поздние пакеты реестра")
            conn.execute(update(o).where(o.c.id.in_(added_owners)).values(parent_id=None))
            conn.execute(delete(o).where(o.c.id.in_(added_owners)))
            counts["owners_deleted"] = len(added_owners)
    except IntegrityError:
        raise fail(f"пакет реестра № {batch_id} нельзя отменить: прежние адреса его страниц уже заняты другими "
                   "страницами (загруженными позже); сначала отмените более поздние пакеты") from None
    return counts
