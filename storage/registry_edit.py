"""Editing the registry on «Реестр» (issue 17): one save = one transaction = one registry batch (format
`registry_edit`) that keeps the before-image of every owner and page it changes in `registry_changes`, exactly as an
uploaded registry does — so «Загрузка данных» reverts it the same way (storage.registry_store.revert_registry).

A page keeps its identity (its id, and so its posts, streams, comments and ratings) when its address changes; the old
address and the old platform id are remembered in `page_links` with the batch, so exports that still name the page
the old way are matched to it (storage.activity_store.match_pages) until the batch is reverted. Checklist facts become
a snapshot dated by the day they were checked. Each changed row gets one line in the audit log with what changed.

The values are validated before they get here (loaders.registry.read_edited_rows, through services.registry); this
module re-checks, inside the transaction, what only the database knows: the name and the address are still free,
the parent is an executive body, nobody changed the same values since the form was opened."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from core.config import region_tz
from core.domain import KIND_LABELS, PLATFORM_LABELS
from loaders.errors import LoadError, LoadIssue
from loaders.registry import EDIT_HEADERS, TEMPLATE_COLUMNS
from storage import schema
from storage.audit import create_batch, write_audit
from storage.db import insert_or_nothing, retrying, utcnow, writing
from storage.registry_store import SNAPSHOT_FIELDS, _remember

EDIT_FORMAT = "registry_edit"
OWNER_COLUMNS = ("name", "name_key", "kind", "parent_id", "ogrn", "exemption")
PAGE_COLUMNS = ("owner_id", "platform", "page_key", "url", "platform_id", "registered_on", "responsible", "closed_on")
# the cell a message about a column names (the template's headers, formats.md §10)
HEADERS = {"name": TEMPLATE_COLUMNS["owner"][0], "name_key": TEMPLATE_COLUMNS["owner"][0],
           "kind": TEMPLATE_COLUMNS["kind"][0], "parent_id": TEMPLATE_COLUMNS["parent"][0],
           "ogrn": TEMPLATE_COLUMNS["ogrn"][0], "exemption": EDIT_HEADERS["exemption"],
           "owner_id": TEMPLATE_COLUMNS["owner"][0], "platform": TEMPLATE_COLUMNS["platform"][0],
           "page_key": TEMPLATE_COLUMNS["url"][0], "url": TEMPLATE_COLUMNS["url"][0],
           "platform_id": TEMPLATE_COLUMNS["platform_id"][0], "registered_on": TEMPLATE_COLUMNS["registered_on"][0],
           "responsible": TEMPLATE_COLUMNS["responsible"][0], "closed_on": EDIT_HEADERS["closed_on"]}
ACTIVITY_TABLES = (schema.posts, schema.live_streams, schema.comments, schema.batch_coverage)


@dataclass(frozen=True)
class RowEdit:
    """One owner or page row of a save. `values`: the changed columns of an existing row, every column of a new
    one; `base`: the values the editor showed for those columns (a column someone else changed meanwhile is not
    overwritten: the save is refused)."""
    table: str  # owners | pages
    row: int  # the edited row's number: messages name its cells
    row_id: int | None  # None: a new row
    values: dict
    base: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChecklistEdit:
    """Checklist facts (SNAPSHOT_FIELDS) of one page, as checked on `as_of`: only the items set."""
    row: int
    page_id: int | None  # None: the new page of the same save
    as_of: date
    values: dict
    before: dict = field(default_factory=dict)  # the values in force when the form was opened (for the history)


def identities(engine: Engine, exclude: set[int] = frozenset()) -> tuple[dict, dict]:
    """(platform, normalised key) and (platform, platform id) of the registry's pages other than `exclude` → how
    a message names each («владелец, ссылка»), for loaders.registry.read_edited_rows."""
    p, o = schema.pages, schema.owners
    keys, ids = {}, {}
    with engine.connect() as conn:
        for r in conn.execute(select(p.c.id, p.c.platform, p.c.page_key, p.c.platform_id, p.c.url, o.c.name).join(
                o, o.c.id == p.c.owner_id)):
            if r.id in exclude:
                continue
            named = f"«{r.name}», {r.url}"
            keys[(r.platform, r.page_key)] = named
            if r.platform_id:
                ids[(r.platform, r.platform_id)] = named
    return keys, ids


def owner_ids_by_key(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {k: i for k, i in conn.execute(select(schema.owners.c.name_key, schema.owners.c.id))}


def owner_names(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {i: n for i, n in conn.execute(select(schema.owners.c.id, schema.owners.c.name))}


def read_owner(engine: Engine, owner_id: int) -> dict | None:
    o, parent = schema.owners, schema.owners.alias("parent")
    with engine.connect() as conn:
        row = conn.execute(select(o, parent.c.name.label("parent_name")).outerjoin(
            parent, parent.c.id == o.c.parent_id).where(o.c.id == owner_id)).first()
    return None if row is None else dict(row._mapping)


def read_page(engine: Engine, page_id: int, day: date) -> dict | None:
    return read_pages(engine, [page_id], day).get(page_id)


def read_pages(engine: Engine, page_ids: list[int], day: date) -> dict[int, dict]:
    """Registry pages with their owner (name, kind, parent, ОГРН) and, per checklist item, the value in force on
    `day` and the day it was checked (`items`, `items_as_of`: the latest known value of each item, as scoring
    reads it)."""
    p, o, parent = schema.pages, schema.owners, schema.owners.alias("parent")
    s, b = schema.page_snapshots, schema.batches
    found: dict[int, dict] = {}
    with engine.connect() as conn:
        for start in range(0, len(page_ids), 500):
            chunk = list(page_ids[start:start + 500])
            for row in conn.execute(select(p, o.c.name.label("owner_name"), o.c.kind.label("owner_kind"),
                                           o.c.ogrn.label("owner_ogrn"), parent.c.name.label("parent_name"))
                                    .join(o, o.c.id == p.c.owner_id).outerjoin(parent, parent.c.id == o.c.parent_id)
                                    .where(p.c.id.in_(chunk))):
                found[row.id] = dict(row._mapping) | {"items": {f: None for f in SNAPSHOT_FIELDS},
                                                      "items_as_of": {f: None for f in SNAPSHOT_FIELDS},
                                                      "snapshot_batch": None}
            for snapshot in conn.execute(select(s).join(b, b.c.id == s.c.batch_id).where(
                    s.c.page_id.in_(chunk), b.c.status == "active", s.c.as_of <= day).order_by(
                    s.c.page_id, s.c.as_of, s.c.batch_id)):
                record = found.get(snapshot.page_id)
                if record is None:
                    continue
                for name in SNAPSHOT_FIELDS:
                    if getattr(snapshot, name) is not None:
                        record["items"][name], record["items_as_of"][name] = getattr(snapshot, name), snapshot.as_of
                record["snapshot_batch"] = max(record["snapshot_batch"] or 0, snapshot.batch_id)
    return found


def apply_edit(engine: Engine, rows: list[RowEdit], checklist: list[ChecklistEdit], *, user: str, today: date,
               title: str) -> dict:
    """Write one save as one registry batch in one transaction; LoadError (Russian, naming the row and the cell)
    when the database refuses it, and then nothing is written. Registry writes run one at a time."""
    return retrying(lambda: _apply_edit(engine, rows, checklist, user=user, today=today, title=title))


def _apply_edit(engine: Engine, rows: list[RowEdit], checklist: list[ChecklistEdit], *, user: str, today: date,
                title: str) -> dict:
    now = utcnow()
    report = {"batch_id": None, "format": EDIT_FORMAT, "filename": title, "owners_added": 0, "owners_updated": 0,
              "pages_added": 0, "pages_updated": 0, "pages_unchanged": 0, "snapshots_added": 0, "warnings": [],
              "errors": []}
    with writing(engine, "registry") as conn:
        current = _current_rows(conn, rows)
        issues = [issue for edit in rows for issue in _check(conn, edit, current.get((edit.table, edit.row_id)))]
        if issues:
            raise LoadError(issues)
        batch_id = create_batch(conn, kind="registry", fmt=EDIT_FORMAT, filename=title, user=user, as_of=today,
                                content=json.dumps([_jsonable(vars(r)) for r in [*rows, *checklist]],
                                                   ensure_ascii=False, sort_keys=True).encode())
        report["batch_id"] = batch_id
        changes: dict[tuple[str, int], dict | None] = {}
        written: dict[tuple[str, int], dict] = {}
        new_page = None
        for edit in sorted(rows, key=lambda e: e.table != "owners"):  # owners first: a new page may name one
            row_id = _write_row(conn, edit, current.get((edit.table, edit.row_id)), batch_id, user, now, changes,
                                report)
            written[(edit.table, row_id)] = edit.values
            if edit.table == "pages" and edit.row_id is None:
                new_page = row_id
        snapshots = []
        for item in checklist:
            page_id = item.page_id if item.page_id is not None else new_page
            snapshots.append({**{f: None for f in SNAPSHOT_FIELDS}, **item.values, "page_id": page_id,
                              "batch_id": batch_id, "as_of": item.as_of})
            written.setdefault(("pages", page_id), {})
        if snapshots:
            conn.execute(insert(schema.page_snapshots), snapshots)
        report["snapshots_added"] = len(snapshots)
        if changes:
            conn.execute(insert(schema.registry_changes), [
                {"batch_id": batch_id, "table_name": table, "row_id": row_id, "before": before}
                for (table, row_id), before in sorted(changes.items())])
        observed = min(now, (datetime.combine(today + timedelta(days=1), time.min, region_tz())
                             - timedelta(seconds=1)).astimezone(timezone.utc))
        conn.execute(update(schema.batches).where(schema.batches.c.id == batch_id).values(
            report=report, observed_at=observed))
        by_page = {s["page_id"]: s for s in snapshots}
        before_items = {(item.page_id if item.page_id is not None else new_page): item.before for item in checklist}
        for (table, row_id), values in sorted(written.items()):
            before = changes.get((table, row_id))
            details = {"batch_id": batch_id, "changes": {c: [_jsonable((before or {}).get(c)), _jsonable(v)]
                                                         for c, v in values.items() if c != "name_key"}}
            if row_id in by_page and table == "pages":
                snapshot = by_page[row_id]
                details["checklist"] = {f: snapshot[f] for f in SNAPSHOT_FIELDS if snapshot[f] is not None}
                details["checked_on"] = snapshot["as_of"].isoformat()
                details["checklist_before"] = {f: v for f, v in before_items.get(row_id, {}).items()
                                               if f in details["checklist"]}
            write_audit(conn, user, "edit", f"{table[:-1]}:{row_id}", details)
    return report


def _current_rows(conn: Connection, rows: list[RowEdit]) -> dict[tuple[str, int], object]:
    found = {}
    for edit in rows:
        if edit.row_id is not None:
            table = schema.owners if edit.table == "owners" else schema.pages
            found[(edit.table, edit.row_id)] = conn.execute(select(table).where(table.c.id == edit.row_id)).first()
    return found


def _check(conn: Connection, edit: RowEdit, row) -> list[LoadIssue]:
    """What the database refuses of one row, each at its cell."""
    def issue(column: str, message: str) -> LoadIssue:
        return LoadIssue(message, row=edit.row, column=HEADERS.get(column, column))

    what = "владелец" if edit.table == "owners" else "страница"
    if edit.row_id is not None and (row is None or (edit.table == "pages" and row.owner_id is None)):
        return [issue("name" if edit.table == "owners" else "url",
                      f"{what} не найден{'' if edit.table == 'owners' else 'а'} в реестре — обновите страницу")]
    issues = []
    for column, shown in edit.base.items():
        if column in edit.values and row is not None and getattr(row, column) != shown:
            issues.append(issue(column, f"это значение уже изменил другой пользователь (сейчас: "
                                        f"«{_shown(column, getattr(row, column))}»); обновите страницу и повторите"))
    values = edit.values
    o, p = schema.owners, schema.pages
    if edit.table == "owners":
        if "name_key" in values:
            other = conn.execute(select(o.c.name).where(o.c.name_key == values["name_key"],
                                                        o.c.id != (edit.row_id or -1))).first()
            if other:
                issues.append(issue("name", f"владелец «{other.name}» уже есть в реестре"))
        kind = values.get("kind", row.kind if row is not None else None)
        parent_id = values.get("parent_id", row.parent_id if row is not None else None)
        if parent_id is not None and ("parent_id" in values or "kind" in values):
            parent = conn.execute(select(o.c.id, o.c.name, o.c.kind).where(o.c.id == parent_id)).first()
            if parent is None or parent.id == edit.row_id or parent.kind != "executive_body":
                issues.append(issue("parent_id", "вышестоящим органом может быть только другой исполнительный орган "
                                                 "реестра"))
        if edit.row_id is not None and "kind" in values and kind != "executive_body":
            children = conn.execute(select(func.count()).select_from(o).where(o.c.parent_id == edit.row_id)
                                    ).scalar_one()
            if children:
                issues.append(issue("kind", f"у этого органа есть подчинённые владельцы ({children}): сначала укажите "
                                            "им другой вышестоящий орган"))
        return issues
    platform = values.get("platform", row.platform if row is not None else None)
    if "owner_id" in values and conn.execute(select(o.c.id).where(o.c.id == values["owner_id"])).first() is None:
        issues.append(issue("owner_id", "владелец не найден в реестре — обновите страницу"))
    if "page_key" in values or "platform" in values:
        key = values.get("page_key", row.page_key if row is not None else None)
        other = conn.execute(select(p.c.id, p.c.owner_id, p.c.url).where(
            p.c.platform == platform, p.c.page_key == key, p.c.id != (edit.row_id or -1))).first()
        if other is not None and other.owner_id is not None:
            issues.append(issue("url", f"страница {other.url} уже есть в реестре"))
        elif other is not None and edit.row_id is not None:
            issues.append(issue("url", f"страница {other.url or key} уже сохранена по загруженным выгрузкам вне "
                                       "реестра — свяжите её с этой страницей на экране «Загрузка данных» "
                                       "(вкладка «Страницы вне реестра»)"))
    if values.get("platform_id"):
        other = conn.execute(select(p.c.url).where(p.c.platform == platform, p.c.platform_id == values["platform_id"],
                                                   p.c.owner_id.is_not(None), p.c.id != (edit.row_id or -1))).first()
        if other is not None:
            issues.append(issue("platform_id", f"ID {values['platform_id']} уже указан у страницы {other.url}"))
    if row is not None and "platform" in values and values["platform"] != row.platform and any(
            conn.execute(select(t.c.page_id).where(t.c.page_id == row.id).limit(1)).first() for t in ACTIVITY_TABLES):
        issues.append(issue("platform", f"по странице уже загружены данные {PLATFORM_LABELS[row.platform]}: "
                                        "платформу не сменить — закройте страницу и добавьте новую"))
    return issues


def _write_row(conn: Connection, edit: RowEdit, row, batch_id: int, user: str, now: datetime, changes: dict,
               report: dict) -> int:
    table = schema.owners if edit.table == "owners" else schema.pages
    if edit.table == "pages" and edit.row_id is None:
        # a page the exports already brought (outside the registry) is adopted with its data: found by its address
        # or, as a registry file finds it (storage.registry_store), by its platform id — a VK wall.get names a page
        # only by its numeric id, so an analyst adding «vk.com/name» with that id takes over «vk.com/club<id>»
        row = conn.execute(select(table).where(table.c.platform == edit.values["platform"],
                                               table.c.page_key == edit.values["page_key"])).first()
        if row is None and edit.values.get("platform_id"):
            row = conn.execute(select(table).where(table.c.platform == edit.values["platform"],
                                                   table.c.platform_id == edit.values["platform_id"],
                                                   table.c.owner_id.is_(None))).first()
    if row is None:
        row_id = int(conn.execute(insert(table).values(**edit.values, created_at=now, updated_at=now))
                     .inserted_primary_key[0])
        changes[(edit.table, row_id)] = None
        report[f"{edit.table}_added"] += 1
        return row_id
    _remember(changes, edit.table, row)
    if edit.values:
        conn.execute(update(table).where(table.c.id == row.id).values(**edit.values, updated_at=now))
    report[f"{edit.table}_{'added' if edit.row_id is None else 'updated'}"] += 1
    if edit.table == "pages":  # an edited or an adopted page: its old address still names it in later exports
        for old, new in ((row.page_key, edit.values.get("page_key", row.page_key)),
                         (row.platform_id, edit.values.get("platform_id", row.platform_id))):
            if old and new != old:
                _keep_old_name(conn, row.platform, old, row.id, batch_id, user, now)
    return row.id


def _keep_old_name(conn: Connection, platform: str, external_id: str, page_id: int, batch_id: int, user: str,
                   now: datetime) -> None:
    """The page's old address (or id) still names it in later exports; a link left by a reverted batch is
    replaced, an active one for another page is left alone."""
    link, b = schema.page_links, schema.batches
    stale = select(b.c.id).where(b.c.status != "active")
    conn.execute(link.delete().where(link.c.platform == platform, link.c.external_id == external_id, or_(
        link.c.page_id == page_id, and_(link.c.batch_id.is_not(None), link.c.batch_id.in_(stale)))))
    insert_or_nothing(conn, link, dict(platform=platform, external_id=external_id, page_id=page_id,
                                       batch_id=batch_id, created_by=user, created_at=now), ("platform", "external_id"))


def _shown(column: str, value) -> str:
    if value is None:
        return "пусто"
    if column == "kind":
        return KIND_LABELS.get(value, value)
    if column == "platform":
        return PLATFORM_LABELS.get(value, value)
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
