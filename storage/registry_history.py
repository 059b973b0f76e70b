"""The registry's past, read from what registry batches keep (issue 17): the before-image of every owner and page
row a batch changed (`registry_changes`), the batches themselves (who, when, «сведения на»), the dated checklist
snapshots and the audit log.

The image of a row right after an active registry batch is the before-image the next active batch that changed the
row kept, or the row as it is now; a reverted batch is out of that chain (its revert put back what it found). So
the registry *as of a day* is, row by row, its image after the last active batch dated («сведения на») on or before
that day — before the first batch that changed it when there is none, and for a row no batch recorded, the row
itself from the day it was created."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone

import polars as pl
from sqlalchemy import Engine, select

from core.config import region_tz
from storage import queries, schema
from storage.registry_store import RESTORED, SNAPSHOT_FIELDS, _image

# the columns whose changes a row's history shows (what registry batches write, less the bookkeeping)
HISTORY_COLUMNS = {"owners": tuple(c for c in RESTORED["owners"] if c not in ("name_key", "updated_at")),
                   "pages": tuple(c for c in RESTORED["pages"] if c not in ("page_key", "updated_at"))}


@dataclass(frozen=True)
class RegistryState:
    """Owners, pages and checklist snapshots in the schemas of storage.queries (what scoring.registry_view and the
    public registry read). The rating's reading (registry_for_rating) carries no snapshots (None): the rating
    reads the dated checklist facts itself (storage.rating_store)."""
    day: date
    owners: pl.DataFrame
    pages: pl.DataFrame
    snapshots: pl.DataFrame | None


def _entries(conn, table: str | None = None, row_id: int | None = None, active_only: bool = True) -> list:
    rc, b = schema.registry_changes, schema.batches
    query = (select(rc.c.batch_id, rc.c.table_name, rc.c.row_id, rc.c.before, b.c.as_of, b.c.status, b.c.format,
                    b.c.filename, b.c.uploaded_by, b.c.uploaded_at, b.c.reverted_at, b.c.reverted_by)
             .join(b, b.c.id == rc.c.batch_id).order_by(rc.c.batch_id))
    if active_only:
        query = query.where(b.c.status == "active")
    if table is not None:
        query = query.where(rc.c.table_name == table, rc.c.row_id == row_id)
    return list(conn.execute(query))


def registry_as_of(engine: Engine, day: date) -> RegistryState:
    """The registry as it stood on `day` (see the module's note): owners and pages as the registry batches dated on
    or before it left them, and the checklist facts dated on or before it. An owner a page of that day names is
    kept even if no batch dated by then recorded it (with its first recorded image)."""
    owners, pages, _ = _rows_as_of(engine, day, first_load_backdated=False)
    snapshots = queries.snapshots_frame(engine).filter(pl.col("as_of") <= day)
    return RegistryState(day, _owners_frame(owners), _pages_frame(pages, owners), snapshots)


def _rows_as_of(engine: Engine, day: date, *, first_load_backdated: bool) -> tuple[dict, dict, dict]:
    """The owner and page rows (images by id) of the registry as it stood on `day`, and the page rows as they are
    now (by id).

    `first_load_backdated` (the rating's reading, registry_for_rating): nothing older than the registry's first
    upload is known, so the rows it created are taken as it created them on every earlier day too — a registry
    first uploaded after the quarters it rates («сведения на» the day of the upload) still rates them, and the
    pages' own registration and closing days decide which of them were pages of a quarter (scoring). What later
    uploads and saves on «Реестр» add or change takes effect on their «сведения на» day: a page added in October
    is no page of III кв., so a body without a Telegram channel in III кв. is not excused by one added later."""
    tz = region_tz()
    with engine.connect() as conn:
        current = {(name, r.id): _image(r) for name, table in (("owners", schema.owners), ("pages", schema.pages))
                   for r in conn.execute(select(table))}
        entries: dict[tuple[str, int], list] = defaultdict(list)
        for entry in _entries(conn):
            entries[(entry.table_name, entry.row_id)].append(entry)
    state, first_image = {}, {}
    first_load = min((chain[0].batch_id for chain in entries.values()), default=None)
    for key in set(current) | set(entries):
        chain = entries.get(key)
        if not chain:
            row = current[key]
            if _local_day(row["created_at"], tz) <= day:
                state[key] = row
            first_image[key] = row
            continue
        after = [e.before for e in chain[1:]] + [current.get(key)]
        dated = [i for i, e in enumerate(chain) if e.as_of <= day]
        image = after[dated[-1]] if dated else chain[0].before
        if image is None and not dated and first_load_backdated and chain[0].batch_id == first_load:
            image = after[0]  # created by the registry's first upload, dated after `day`: as it created it
        if image is not None:
            state[key] = image
        first_image[key] = next((a for a in after if a is not None), None)
    pages = {k[1]: v for k, v in state.items() if k[0] == "pages" and v.get("owner_id") is not None}
    owners = {k[1]: v for k, v in state.items() if k[0] == "owners"}
    wanted = [p["owner_id"] for p in pages.values()] + [o["parent_id"] for o in owners.values()]
    while wanted:
        owner_id = wanted.pop()
        if owner_id is not None and owner_id not in owners and first_image.get(("owners", owner_id)):
            owners[owner_id] = first_image[("owners", owner_id)]
            wanted.append(owners[owner_id]["parent_id"])
    return owners, pages, {k[1]: v for k, v in current.items() if k[0] == "pages"}


def owner_names(engine: Engine, name: str) -> list[str]:
    """Every name of the owner(s) that bear or once bore `name`: the current one and those the registry batches'
    before-images kept (a body renamed in a registry upload or on «Реестр»), sorted."""
    o, rc = schema.owners, schema.registry_changes
    with engine.connect() as conn:
        current = {r.id: r.name for r in conn.execute(select(o.c.id, o.c.name))}
        images = [(r.row_id, r.before) for r in conn.execute(
            select(rc.c.row_id, rc.c.before).where(rc.c.table_name == "owners"))]
    known: dict[int, set[str]] = defaultdict(set)
    for owner_id, owner_name in current.items():
        known[owner_id].add(owner_name)
    for owner_id, before in images:
        if isinstance(before, dict) and before.get("name"):
            known[owner_id].add(before["name"])
    return sorted({n for names in known.values() if name in names for n in names})


def registry_for_rating(engine: Engine, day: date) -> RegistryState | None:
    """The owners and pages a quarter ending on `day` is rated against (the registry as of `day` with the first
    upload backdated, each page's registration and closing days as known now; no snapshots), or None when that is
    the current registry: no active registry batch is dated after `day`."""
    b, rc = schema.batches, schema.registry_changes
    with engine.connect() as conn:
        later = conn.execute(select(b.c.id).where(b.c.status == "active", b.c.as_of > day,
                                                  b.c.id.in_(select(rc.c.batch_id).distinct())).limit(1)).first()
    if later is None:
        return None
    owners, pages, now = _rows_as_of(engine, day, first_load_backdated=True)
    # a page's registration and closing days are facts about the page, whenever the registry learnt them: a page
    # closed in May and marked closed in November is no page of III кв. (not a data gap there). A page no longer
    # in the registry now (deleted, or its owner cleared) has neither.
    for page_id, image in pages.items():
        known = now.get(page_id) or {}
        known = known if known.get("owner_id") is not None else {}
        pages[page_id] = {**image, "registered_on": known.get("registered_on"), "closed_on": known.get("closed_on")}
    return RegistryState(day, _owners_frame(owners), _pages_frame(pages, owners), None)


def _local_day(moment: str, tz) -> date:
    value = datetime.fromisoformat(moment)
    if value.tzinfo is None:  # SQLite keeps moments as naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(tz).date()


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value[:10])


def _owners_frame(owners: dict[int, dict]) -> pl.DataFrame:
    rows = [(i, o["name"], o["kind"], o["parent_id"], owners.get(o["parent_id"], {}).get("name"), o.get("ogrn"),
             o.get("responsible"), o.get("exemption")) for i, o in sorted(owners.items())]
    return pl.DataFrame(rows, schema=queries.OWNER_SCHEMA, orient="row")


def _pages_frame(pages: dict[int, dict], owners: dict[int, dict]) -> pl.DataFrame:
    rows = [(i, p["owner_id"], p["platform"], p["page_key"], p.get("platform_id"), p["url"], p.get("title"),
             _day(p.get("registered_on")), p.get("responsible"), _day(p.get("closed_on")))
            for i, p in sorted(pages.items()) if p["owner_id"] in owners]
    return pl.DataFrame(rows, schema=queries.PAGE_SCHEMA, orient="row")


def row_history(engine: Engine, table: str, row_id: int) -> list[dict]:
    """Who changed what in one owner or page and when, newest first: one entry per registry batch that changed the
    row (an upload or a save on «Реестр»; a reverted one says so) and per other edit of the audit log (checklist
    facts set on «Реестр», a page of an export linked to it). Each entry: at, user, batch_id, format, filename,
    status, reverted_at, reverted_by, changes [(column, before, after)], checklist {item: value} (and checklist_before,
    what was in force before a save on «Реестр»), checked_on. Values
    are raw (ids, codes, ISO days); services.registry words them."""
    a = schema.audit_log
    with engine.connect() as conn:
        chain = _entries(conn, table, row_id, active_only=False)
        source = schema.owners if table == "owners" else schema.pages
        row = conn.execute(select(source).where(source.c.id == row_id)).first()
        audit = list(conn.execute(select(a.c.at, a.c.user, a.c.details).where(
            a.c.action == "edit", a.c.object == f"{table[:-1]}:{row_id}").order_by(a.c.id)))
        batches = {r.id: r for r in conn.execute(select(schema.batches).where(schema.batches.c.id.in_(
            {d.get("batch_id") for _, _, d in audit if isinstance(d, dict) and d.get("batch_id")})))}
    audit_by_batch = {d.get("batch_id"): d for _, _, d in audit if isinstance(d, dict) and d.get("batch_id")}
    active = [e for e in chain if e.status == "active"]
    after = {e.batch_id: nxt.before for e, nxt in zip(active, active[1:])}
    if active:
        after[active[-1].batch_id] = None if row is None else _image(row)
    history = []
    for e in chain:
        entry = {"at": e.uploaded_at, "user": e.uploaded_by, "batch_id": e.batch_id, "format": e.format,
                 "filename": e.filename, "status": e.status, "reverted_at": e.reverted_at,
                 "reverted_by": e.reverted_by, "changes": [], "checklist": {}, "checked_on": None}
        details = audit_by_batch.get(e.batch_id) or {}
        if e.status == "active":
            before, now = e.before or {}, after.get(e.batch_id) or {}
            entry["changes"] = [(c, before.get(c), now.get(c)) for c in HISTORY_COLUMNS[table]
                                if before.get(c) != now.get(c)]
            entry["added"] = e.before is None
        else:
            entry["changes"] = [(c, old, new) for c, (old, new) in details.get("changes", {}).items()
                                if c in HISTORY_COLUMNS[table]]
            entry["added"] = False
        entry["checklist"], entry["checked_on"] = details.get("checklist", {}), details.get("checked_on")
        entry["checklist_before"] = details.get("checklist_before", {})
        history.append(entry)
    recorded = {e.batch_id for e in chain}
    for at, user, details in audit:
        details = details if isinstance(details, dict) else {}
        batch = batches.get(details.get("batch_id"))
        if details.get("batch_id") in recorded:
            continue
        history.append({"at": at, "user": user, "batch_id": details.get("batch_id"),
                        "format": batch.format if batch is not None else None,
                        "filename": batch.filename if batch is not None else None,
                        "status": batch.status if batch is not None else "active",
                        "reverted_at": batch.reverted_at if batch is not None else None,
                        "reverted_by": batch.reverted_by if batch is not None else None,
                        "changes": [(c, old, new) for c, (old, new) in details.get("changes", {}).items()
                                    if c in HISTORY_COLUMNS[table]],
                        "checklist": details.get("checklist", {}), "checked_on": details.get("checked_on"),
                        "checklist_before": details.get("checklist_before", {}),
                        "linked_page": details.get("linked_page"), "added": False})
    return sorted(history, key=lambda h: (_aware(h["at"]), h["batch_id"] or 0), reverse=True)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def checklist_history(engine: Engine, page_id: int) -> list[dict]:
    """The page's dated checklist facts of active batches, newest first: as_of, batch_id, format, filename, user,
    and the items the snapshot states."""
    s, b = schema.page_snapshots, schema.batches
    with engine.connect() as conn:
        rows = conn.execute(select(s, b.c.format, b.c.filename, b.c.uploaded_by).join(b, b.c.id == s.c.batch_id).where(
            s.c.page_id == page_id, b.c.status == "active").order_by(s.c.as_of.desc(), s.c.batch_id.desc())).all()
    return [{"as_of": r.as_of, "batch_id": r.batch_id, "format": r.format, "filename": r.filename,
             "user": r.uploaded_by, "items": {f: getattr(r, f) for f in SNAPSHOT_FIELDS if getattr(r, f) is not None}}
            for r in rows]
