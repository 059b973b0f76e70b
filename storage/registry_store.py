"""Writing a loaded registry: owners and pages are updated in place (never duplicated), checklist values
become a dated snapshot. One upload = one transaction = one batch."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, insert, select, update

from loaders.registry import RegistryData
from storage import schema
from storage.audit import create_batch, find_active_batch, sha256_of, write_audit
from storage.db import utcnow

OWNER_FIELDS = ("name", "kind", "ogrn", "responsible", "level", "spheres", "exemption")
SNAPSHOT_FIELDS = ("status_mark", "gospubliki", "comments_enabled", "avatar", "cover", "description", "contacts",
                   "moderation_rules", "unified_style", "pos_widgets", "subscribers", "design_pct", "activity_pct",
                   "weekly_reach", "avg_post_reach")


def known_owner_kinds(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {k: v for k, v in conn.execute(select(schema.owners.c.name_key, schema.owners.c.kind))}


def apply_registry(engine: Engine, data: RegistryData, *, filename: str, content: bytes, user: str,
                   as_of: date) -> dict:
    """Upsert owners, pages and snapshots in one transaction; returns the report of what changed."""
    report = {"batch_id": None, "format": data.format, "filename": filename, "owners_added": 0,
              "owners_updated": 0, "pages_added": 0, "pages_updated": 0, "pages_unchanged": 0,
              "snapshots_added": 0, "warnings": [str(w) for w in data.warnings], "errors": []}
    now = utcnow()
    with engine.begin() as conn:
        previous = find_active_batch(conn, sha256_of(content), "registry")
        if previous is not None and conn.execute(select(schema.batches.c.as_of).where(
                schema.batches.c.id == previous)).scalar_one() == as_of:
            report.update(batch_id=previous, duplicate_of=previous, pages_unchanged=data.pages.height)
            return report
        batch_id = create_batch(conn, kind="registry", fmt=data.format, filename=filename, content=content,
                                user=user, as_of=as_of)
        report["batch_id"] = batch_id
        owner_ids = _upsert_owners(conn, data, now, report)
        _upsert_pages(conn, data, owner_ids, batch_id, as_of, now, report)
        conn.execute(update(schema.batches).where(schema.batches.c.id == batch_id).values(report=report))
        write_audit(conn, user, "upload", f"batch:{batch_id}", {"filename": filename, "format": data.format,
                                                                "kind": "registry"})
    return report


def _upsert_owners(conn, data: RegistryData, now, report: dict) -> dict[str, int]:
    table = schema.owners
    existing = {r.name_key: r for r in conn.execute(select(table))}
    ids: dict[str, int] = {}
    for owner in data.owners.iter_rows(named=True):
        key = owner["name_key"]
        values = {f: owner[f] for f in OWNER_FIELDS}
        if key in existing:
            row = existing[key]
            changes = {f: v for f, v in values.items() if v is not None and getattr(row, f) != v}
            if changes:
                conn.execute(update(table).where(table.c.id == row.id).values(**changes, updated_at=now))
                report["owners_updated"] += 1
            ids[key] = row.id
        else:
            result = conn.execute(insert(table).values(**values, name_key=key, created_at=now, updated_at=now))
            ids[key] = int(result.inserted_primary_key[0])
            report["owners_added"] += 1
    all_ids = {r.name_key: r.id for r in conn.execute(select(table.c.name_key, table.c.id))}
    for owner in data.owners.iter_rows(named=True):
        parent_id = all_ids.get(owner["parent_key"]) if owner["parent_key"] else None
        current = existing.get(owner["name_key"])
        if current is None or current.parent_id != parent_id:
            conn.execute(update(table).where(table.c.id == ids[owner["name_key"]]).values(parent_id=parent_id))
            if current is not None:
                report["owners_updated"] += 1
    return ids


def _upsert_pages(conn, data: RegistryData, owner_ids: dict[str, int], batch_id: int, as_of: date, now,
                  report: dict) -> None:
    table = schema.pages
    rows = list(conn.execute(select(table)))
    by_key = {(r.platform, r.page_key): r for r in rows}
    by_platform_id = {(r.platform, r.platform_id): r for r in rows if r.platform_id}
    latest = _latest_snapshots(conn, as_of)
    snapshots = []
    for page in data.pages.iter_rows(named=True):
        values = {"owner_id": owner_ids[page["owner_key"]], "platform": page["platform"],
                  "page_key": page["page_key"], "url": page["url"], "platform_id": page["platform_id"],
                  "registered_on": page["registered_on"], "responsible": page["responsible"]}
        row = by_key.get((page["platform"], page["page_key"])) or (
            by_platform_id.get((page["platform"], page["platform_id"])) if page["platform_id"] else None)
        if row is None:
            result = conn.execute(insert(table).values(**values, created_at=now, updated_at=now))
            page_id = int(result.inserted_primary_key[0])
            report["pages_added"] += 1
        else:
            page_id = row.id
            changes = {f: v for f, v in values.items()
                       if getattr(row, f) != v and (v is not None or f in ("owner_id", "url"))}
            if changes:
                conn.execute(update(table).where(table.c.id == row.id).values(**changes, updated_at=now))
                report["pages_updated"] += 1
            else:
                report["pages_unchanged"] += 1
        snapshot = {f: page.get(f) for f in SNAPSHOT_FIELDS}
        if any(v is not None for v in snapshot.values()) and latest.get(page_id) != snapshot:
            snapshots.append({**snapshot, "page_id": page_id, "batch_id": batch_id, "as_of": as_of})
    if snapshots:
        conn.execute(insert(schema.page_snapshots), snapshots)
    report["snapshots_added"] = len(snapshots)


def _latest_snapshots(conn, as_of: date) -> dict[int, dict]:
    """Latest active snapshot of each page on or before `as_of`, to skip writing an identical one."""
    s, b = schema.page_snapshots, schema.batches
    query = (select(s).join(b, b.c.id == s.c.batch_id).where(b.c.status == "active", s.c.as_of <= as_of)
             .order_by(s.c.page_id, s.c.as_of, s.c.batch_id))
    latest = {}
    for row in conn.execute(query):
        latest[row.page_id] = {f: getattr(row, f) for f in SNAPSHOT_FIELDS}
    return latest
