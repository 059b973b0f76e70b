"""The registry kept in the app (issue 17; Порядок §2.2: the registry of official pages is kept and published).

Above storage and the loaders, for «Реестр», the CLI and the tests alike:
- the values an edit form starts from (`owner_form`, `page_form`);
- saving an owner, a page, or one checklist item of several pages: refused unless the user's role may edit the
  registry (checked here, on the server, whatever the screen showed); validated by the registry loader itself
  (loaders.registry.read_edited_rows — one validation, the messages of a file at the same cells); written as one
  revertible registry batch (storage.registry_edit);
- the history of an owner or a page in words (storage.registry_history.row_history);
- the registry as of a day and its public edition (xlsx, csv, HTML: reports.registry_export).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import polars as pl
from sqlalchemy import Engine

from core.calendar import Quarter, local_today
from core.config import region_tz
from core.domain import KIND_LABELS, NOT_ON_PLATFORM, PLATFORM_LABELS
from core.labels import label
from loaders.errors import LoadError, LoadIssue
from loaders.registry import EDIT_HEADERS, TEMPLATE_COLUMNS, RegistryEdit, read_edited_rows
from scoring.methodology import load_methodologies, methodology_for
from scoring.registry_view import CHECKLIST_ITEMS, RegistryView, build_registry_view
from storage import registry_edit, registry_history
from storage.audit import write_audit
from storage.registry_edit import ChecklistEdit, RowEdit
from storage.registry_store import known_owner_kinds

EDITOR_ROLES = ("analyst", "admin")  # product.md, roles: analysts edit the registry (admins can do what they can)
ITEMS = (*CHECKLIST_ITEMS, "subscribers")  # a page's checklist facts an edit sets (Порядок §2 п.4–5.6; C1, C2)
HEADER = {f: headers[0] for f, headers in TEMPLATE_COLUMNS.items()} | EDIT_HEADERS  # field → the cell's header
PAGE_VALUES = ("platform", "page_key", "url", "platform_id", "registered_on", "responsible", "closed_on")


class EditRefused(ValueError):
    """A save that was not written: the Russian message, and the problems each at its row and cell (the header)."""

    def __init__(self, message: str, issues: list[LoadIssue] | tuple = ()):
        super().__init__(message)
        self.issues = list(issues)

    def at(self, field: str, row: int = 1) -> list[str]:
        """The messages for one cell (field name or header) of one row."""
        header = HEADER.get(field, field)
        return [i.message for i in self.issues if i.column == header and (i.row or 1) == row]


def may_edit(role: str | None) -> bool:
    return role in EDITOR_ROLES


def _require_editor(engine: Engine, user: str, role: str | None) -> None:
    """The server's own check: the screen shows no editing controls to a viewer, and a save that reaches the
    service anyway is refused here (and written to the audit log)."""
    if may_edit(role):
        return
    with engine.begin() as conn:
        write_audit(conn, user, "edit_refused", "registry", {"role": role})
    raise EditRefused("изменять реестр могут только аналитики ЦУР и администраторы — изменения не сохранены")


def _today(today: date | None) -> date:
    return today or local_today(region_tz())


# --- the values a form starts from ---

def owner_form(engine: Engine, owner_id: int) -> dict | None:
    record = registry_edit.read_owner(engine, owner_id)
    if record is None:
        return None
    return {"owner_id": owner_id, "name": record["name"], "name_key": record["name_key"], "kind": record["kind"],
            "parent_id": record["parent_id"], "parent": record["parent_name"], "ogrn": record["ogrn"],
            "exemption": record["exemption"], "version": str(record["updated_at"])}


def page_form(engine: Engine, page_id: int, today: date | None = None) -> dict | None:
    record = registry_edit.read_page(engine, page_id, _today(today))
    return None if record is None else _page_values(record)


def _page_values(record: dict) -> dict:
    return {"page_id": record["id"], "owner_id": record["owner_id"], "owner_name": record["owner_name"],
            **{c: record[c] for c in PAGE_VALUES}, "items": {i: record["items"][i] for i in ITEMS},
            "items_as_of": {i: record["items_as_of"][i] for i in ITEMS},
            "version": f"{record['updated_at']}/{record['snapshot_batch']}"}


# --- saving ---

def save_owner(engine: Engine, owner_id: int | None, form: dict, base: dict | None = None, *, user: str,
               role: str | None, today: date | None = None) -> dict:
    """A new owner (`owner_id` None) or the changed fields of one: name, kind, parent body, ОГРН, exemption."""
    _require_editor(engine, user, role)
    today = _today(today)
    row = {HEADER["owner"]: form.get("name"), HEADER["kind"]: KIND_LABELS.get(form.get("kind"), form.get("kind")),
           HEADER["parent"]: form.get("parent"), HEADER["ogrn"]: form.get("ogrn"),
           HEADER["exemption"]: form.get("exemption")}
    owner = _read(engine, [row], today).data.owners.row(0, named=True)
    ids = registry_edit.owner_ids_by_key(engine)
    values = {"name": owner["name"], "name_key": owner["name_key"], "kind": owner["kind"],
              "parent_id": ids.get(owner["parent_key"]) if owner["parent_key"] else None, "ogrn": owner["ogrn"],
              "exemption": owner["exemption"]}
    shown = {}
    if owner_id is not None:
        base = base or owner_form(engine, owner_id) or {}
        values = {c: v for c, v in values.items() if v != base.get(c)}
        shown = {c: base.get(c) for c in values if c != "name_key"}
        if not values:
            return _unchanged()
    title = f"Правка реестра: {'владелец' if owner_id else 'новый владелец'} «{owner['name']}»"
    return _apply(engine, [RowEdit("owners", 1, owner_id, values, shown)], [], user, today, title)


def save_page(engine: Engine, page_id: int | None, form: dict, base: dict | None = None, *, user: str,
              role: str | None, today: date | None = None) -> dict:
    """A new page of an owner (`page_id` None; `form["owner_id"]`) or the changed fields of one — platform,
    address, platform id, registration day, responsible person, closing day — and the checklist facts that changed
    (`form["items"]`), dated by `form["checked_on"]` (the day they were checked; today by default). A new address
    keeps the page (its posts and ratings); its old address still matches exports."""
    _require_editor(engine, user, role)
    today = _today(today)
    if page_id is not None:
        base = base or page_form(engine, page_id, today)
        if base is None:
            raise EditRefused("страница не найдена в реестре — обновите страницу")
    owner = registry_edit.read_owner(engine, base["owner_id"] if page_id is not None else form.get("owner_id") or -1)
    if owner is None:
        raise EditRefused("не выбран владелец страницы", [LoadIssue("выберите владельца страницы", row=1,
                                                                    column=HEADER["owner"])])
    items = form.get("items") or {}
    keys, ids = registry_edit.identities(engine, exclude={page_id} if page_id is not None else set())
    edit = _read(engine, [_page_row(owner, form, items, form.get("checked_on") or today)], today, keys, ids)
    if edit.data.pages.is_empty():
        raise EditRefused("не указаны платформа и ссылка", [
            LoadIssue("не указана ссылка на страницу", row=1, column=HEADER["url"])])
    page = edit.data.pages.row(0, named=True)
    values = {c: page[c] for c in PAGE_VALUES if c != "closed_on"} | {"closed_on": edit.closed_on[1]}
    facts, issues = {}, []
    for item in ITEMS:
        new, old = page[item], (base or {}).get("items", {}).get(item)
        if new is None and old is not None and item not in NOT_ON_PLATFORM.get(page["platform"], ()):
            issues.append(LoadIssue("сведения нельзя стереть: укажите значение (прежние сведения остаются в истории)",
                                    row=1, column=HEADER[item]))
        elif new is not None and new != old:
            facts[item] = new
    if issues:
        raise EditRefused(_summary(issues), issues)
    shown = {}
    if page_id is None:
        values["owner_id"] = owner["id"]
    else:
        if (values["platform"], values["page_key"]) == (base["platform"], base["page_key"]):
            values.pop("url")  # the same page address, perhaps written differently: the stored one stays
        values = {c: v for c, v in values.items() if v != base.get(c)}
        shown = {c: base.get(c) for c in values}
    in_force = (base or {}).get("items", {})
    checklist = [ChecklistEdit(1, page_id, edit.checked_on[1] or today, facts,
                               {i: in_force.get(i) for i in facts})] if facts else []
    if page_id is not None and not values and not checklist:
        return _unchanged()
    rows = [RowEdit("pages", 1, page_id, values, shown)] if values or page_id is None else []
    where = page["url"]
    title = f"Правка реестра: {'страница' if page_id else 'новая страница'} {where}"
    return _apply(engine, rows, checklist, user, today, title)


def set_checklist_item(engine: Engine, page_ids: list[int], item: str, value, checked_on: date | None = None, *,
                       user: str, role: str | None, today: date | None = None) -> dict:
    """One checklist item set for several pages at once (e.g. «Подключена к Госпабликам» after a campaign), as
    checked on `checked_on`; an item that does not apply to a page's platform (cover, ПОС widgets on Telegram)
    is left out for that page. One batch."""
    _require_editor(engine, user, role)
    today = _today(today)
    if item not in ITEMS:
        raise EditRefused(f"неизвестный признак чек-листа «{item}»")
    if value is None or value == "":
        raise EditRefused("не указано значение признака", [LoadIssue("укажите значение", row=1, column=HEADER[item])])
    records = registry_edit.read_pages(engine, list(dict.fromkeys(page_ids)), today)
    if not records:
        raise EditRefused("не выбрано ни одной страницы реестра")
    ordered = list(records.values())
    rows = [_page_row(_owner_of(r), r, {item: value}, checked_on or today) for r in ordered]
    keys, ids = registry_edit.identities(engine, exclude=set(records))
    try:
        edit = read_edited_rows(rows, known_owner_kinds(engine), today, keys, ids)
    except LoadError as error:
        issues = [LoadIssue(f"страница {ordered[(i.row or 1) - 1]['url']}: {i.message}", row=i.row, column=i.column)
                  for i in error.issues]
        raise EditRefused(_summary(issues), issues) from None
    checklist = [ChecklistEdit(number, r["id"], edit.checked_on[number] or today, {item: page[item]},
                               {item: r["items"][item]})
                 for number, (r, page) in enumerate(zip(ordered, edit.data.pages.iter_rows(named=True)), start=1)
                 if page[item] is not None]
    if not checklist:
        raise EditRefused(f"признак «{label(item)}» не применяется к выбранным страницам")
    report = _apply(engine, [], checklist, user, today, f"Правка реестра: «{label(item)}» — страниц {len(checklist)}")
    skipped = len(ordered) - len(checklist)
    if skipped:
        report["message"] += f"; к {skipped} стр. признак не применяется (Telegram) — они не изменены"
    return report


def _owner_of(record: dict) -> dict:
    return {"id": record["owner_id"], "name": record["owner_name"], "kind": record["owner_kind"],
            "parent_name": record["parent_name"], "ogrn": record["owner_ogrn"]}


def _page_row(owner: dict, form: dict, items: dict, checked_on) -> dict:
    """The page as a row of the registry template (formats.md §10), for the loader to read."""
    row = {HEADER["owner"]: owner["name"], HEADER["kind"]: KIND_LABELS.get(owner["kind"], owner["kind"]),
           HEADER["parent"]: owner.get("parent_name"), HEADER["ogrn"]: owner.get("ogrn"),
           HEADER["platform"]: PLATFORM_LABELS.get(form.get("platform"), form.get("platform")),
           HEADER["url"]: form.get("url"), HEADER["platform_id"]: form.get("platform_id"),
           HEADER["registered_on"]: form.get("registered_on"), HEADER["responsible"]: form.get("responsible"),
           HEADER["closed_on"]: form.get("closed_on"), HEADER["checked_on"]: checked_on}
    return row | {HEADER[item]: items.get(item) for item in ITEMS}


def _read(engine: Engine, rows: list[dict], today: date, keys: dict | None = None,
          ids: dict | None = None) -> RegistryEdit:
    try:
        return read_edited_rows(rows, known_owner_kinds(engine), today, keys, ids)
    except LoadError as error:
        raise EditRefused(_summary(error.issues), error.issues) from None


def _apply(engine: Engine, rows: list[RowEdit], checklist: list[ChecklistEdit], user: str, today: date,
           title: str) -> dict:
    try:
        report = registry_edit.apply_edit(engine, rows, checklist, user=user, today=today, title=title)
    except LoadError as error:
        raise EditRefused(_summary(error.issues), error.issues) from None
    report["message"] = (f"Сохранено: пакет реестра № {report['batch_id']} (отменить его можно на экране "
                         "«Загрузка данных», вкладка пакетов)")
    return report


def _unchanged() -> dict:
    return {"batch_id": None, "message": "Изменений нет — сохранять нечего"}


def _summary(issues: list[LoadIssue]) -> str:
    shown = "; ".join(f"«{i.column}»: {i.message}" if i.column else i.message for i in issues[:3])
    more = f" (и ещё {len(issues) - 3})" if len(issues) > 3 else ""
    return f"Изменения не сохранены: {shown}{more}"


# --- history ---

FIELD_LABELS = {"name": "Наименование", "owner_id": "Владелец", "parent_id": "Вышестоящий орган", "level": "Уровень",
                "spheres": "Сферы деятельности"}
HISTORY_SCHEMA = {"at": pl.Datetime("us"), "user": pl.String, "batch": pl.String, "status": pl.String,
                  "field": pl.String, "before": pl.String, "after": pl.String}


def history(engine: Engine, table: str, row_id: int) -> pl.DataFrame:
    """Who changed what in an owner («owners») or a page («pages») and when, one line per changed field, newest
    first, in words: local time, user, batch, its state, field, before, after."""
    tz = region_tz()
    names = registry_edit.owner_names(engine)
    lines = []
    for entry in registry_history.row_history(engine, table, row_id):
        at = _local(entry["at"], tz)
        batch = _batch_text(entry)
        status = ("действует" if entry["status"] == "active" else
                  f"отменён {_local(entry['reverted_at'], tz):%d.%m.%Y}" if entry["reverted_at"] else "отменён")
        fields = [(FIELD_LABELS.get(c, label(c)), _value(c, old, names), _value(c, new, names))
                  for c, old, new in entry["changes"]]
        if entry.get("added"):
            fields.insert(0, ("—", "", "добавлен в реестр" if table == "owners" else "добавлена в реестр"))
        checked = f" (сведения на {date.fromisoformat(entry['checked_on']):%d.%m.%Y})" if entry["checked_on"] else ""
        was = entry.get("checklist_before") or {}
        fields += [(label(i), _value(i, was[i], names) if i in was else "", _value(i, v, names) + checked)
                   for i, v in entry["checklist"].items()]
        if entry.get("linked_page"):
            fields.append(("Страница из выгрузки", "", f"связана с этой страницей (№ {entry['linked_page']})"))
        for field, before, after in fields or [("—", "", "")]:
            lines.append((at, entry["user"], batch, status, field, before, after))
    return pl.DataFrame(lines, schema=HISTORY_SCHEMA, orient="row")


def _local(moment: datetime, tz) -> datetime:
    """A stored moment (naive UTC on SQLite) as the region's local time, for a screen."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(tz).replace(tzinfo=None)


def _batch_text(entry: dict) -> str:
    if entry["batch_id"] is None:
        return "—"
    if entry["format"] == registry_edit.EDIT_FORMAT:
        return f"№ {entry['batch_id']}, правка на экране «Реестр»"
    return f"№ {entry['batch_id']}, загрузка «{entry['filename']}»"


def _value(column: str, value, names: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if column in ("owner_id", "parent_id"):
        return names.get(value, f"владелец № {value}")
    if column == "kind":
        return KIND_LABELS.get(value, value)
    if column == "platform":
        return PLATFORM_LABELS.get(value, value)
    if isinstance(value, bool):
        return "да" if value else "нет"
    if column in ("registered_on", "closed_on") and isinstance(value, str):
        return f"{date.fromisoformat(value[:10]):%d.%m.%Y}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)


def checklist_history(engine: Engine, page_id: int) -> pl.DataFrame:
    """The page's dated checklist facts, newest first: day, source, user and the items stated, in words."""
    rows = []
    for snapshot in registry_history.checklist_history(engine, page_id):
        facts = ", ".join(f"{label(i)}: {_value(i, v, {})}" for i, v in snapshot["items"].items())
        rows.append((snapshot["as_of"], _batch_text(snapshot), snapshot["user"], facts))
    return pl.DataFrame(rows, schema={"as_of": pl.Date, "batch": pl.String, "user": pl.String, "facts": pl.String},
                        orient="row")


# --- the registry as of a day, and its public edition ---

def required_platforms(day: date) -> tuple[str, ...]:
    """The platforms the methodology in force on `day` requires (the earliest version before any)."""
    try:
        return methodology_for(Quarter.of(day).code).required_platforms
    except ValueError:
        return load_methodologies()[0].required_platforms


def registry_on(engine: Engine, day: date) -> RegistryView:
    """The registry as it stood on `day` (storage.registry_history.registry_as_of), with its checklist compliance;
    pages closed on or before `day` are listed but no longer count."""
    state = registry_history.registry_as_of(engine, day)
    return build_registry_view(state.owners, state.pages, state.snapshots, required_platforms(day), today=day)


def public_pages(engine: Engine, day: date) -> pl.DataFrame:
    """The public registry of `day` (Порядок §2.2): the pages in force then, with their owners."""
    return registry_on(engine, day).pages.filter(pl.col("is_open"))
