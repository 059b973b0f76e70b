"""Registry of official pages: the product template (formats.md §10) and the «Госпаблики» export (§9).

Output: owners and pages frames in the canonical schema, plus warnings. Any error raises LoadError
listing every problem with its sheet, row and column; nothing partial is returned.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from core import limits, schemas
from core.domain import KIND_LABELS, KINDS_WITH_PARENT, NOT_ON_PLATFORM, kind_from_label, platform_from_label
from loaders.errors import LoadError, LoadIssue, fail
from loaders.tabular import (ROW_COLUMN, Sheet, is_xlsx, normalize_header, read_csv_sheet, read_xlsx_sheets,
                             refuse_if_no_rows, resolve_columns)
from loaders.unpack import unpack
from loaders.urls import PageRef, normalize_page_url, platform_id_from_registry
from loaders.values import name_key, parse_date, parse_flag, parse_percent, parse_whole

MAX_ISSUES = 200

# field → accepted headers (first = the template's header, used in messages)
TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "owner": ("Владелец",),
    "kind": ("Тип владельца",),
    "parent": ("Вышестоящий орган",),
    "ogrn": ("ОГРН",),
    "platform": ("Платформа",),
    "url": ("Ссылка",),
    "platform_id": ("ID на платформе",),
    "registered_on": ("Дата регистрации",),
    "status_mark": ("Госорганизация / верификация", "Госорганизация/верификация", "Госорганизация"),
    "gospubliki": ("Подключена к Госпабликам",),
    "comments_enabled": ("Комментарии открыты",),
    "avatar": ("Аватар",),
    "cover": ("Обложка",),
    "description": ("Описание",),
    "contacts": ("Контакты и ссылки",),
    "moderation_rules": ("Правила модерации",),
    "unified_style": ("Единый стиль",),
    "pos_widgets": ("Виджеты ПОС",),
    "subscribers": ("Подписчики",),
    "responsible": ("Ответственный",),
}
TEMPLATE_REQUIRED = ("owner", "kind", "parent", "platform", "url")

GOSPUBLIKI_COLUMNS: dict[str, tuple[str, ...]] = {
    "level": ("Уровень",),
    "founder": ("Учредитель",),
    "owner": ("Наименование подведомственной организации", "Наименование организации", "Наименование"),
    "ogrn": ("ОГРН",),
    "sphere1": ("Сфера 1",),
    "sphere2": ("Сфера 2",),
    "sphere3": ("Сфера 3",),
    "status": ("Статус",),
    "exemption": ("Официальная страница не ведется на основании",),
    "platform_id": ("ID госпаблика / ID канала", "ID госпаблика/ID канала", "ID госпаблика"),
    "url": ("Ссылка на госпаблик ВК", "Ссылка на госпаблик"),
    "address": ("Адрес, указанный в настройках страницы",),
    "gospubliki": ("Подключение к компоненту «Госпаблики» (да/нет)", "Подключение к компоненту Госпаблики (да/нет)",
                   "Подключение к компоненту «Госпаблики»"),
    "status_mark": ("Госметка (да/нет)", "Госметка"),
    "design_pct": ("Оформление (%)", "Оформление"),
    "pos_widgets": ("Виджеты (0/1/2)", "Виджеты"),
    "activity_pct": ("Активность (%)", "Активность"),
    "subscribers": ("Количество подписчиков",),
    "weekly_reach": ("Общий охват аудитории за неделю",),
    "avg_post_reach": ("Средний охват одной публикации",),
}
GOSPUBLIKI_REQUIRED = ("level", "founder", "owner", "url")
# «Уровень» of the export → owner kind; МО (municipalities) are outside order 132-р.
LEVEL_KINDS = {"министерство": "executive_body", "ведомство": "executive_body", "департамент": "executive_body",
               "комитет": "executive_body", "инспекция": "executive_body", "регион": "administration",
               "губернатор": "governor", "администрация": "administration", "учреждение": "institution"}
MUNICIPAL_LEVELS = {"мо", "муниципальное образование", "омсу", "муниципалитет"}

# the registry loader's frames: the `registry` stage of the declarations in core.schemas (a page's row carries its
# checklist snapshot)
OWNER_COLUMNS = schemas.OWNER.schema(schemas.REGISTRY)
PAGE_COLUMNS = schemas.PAGE.schema(schemas.REGISTRY) | schemas.SNAPSHOT.schema(schemas.REGISTRY)
TEMPLATE_FLAGS = schemas.CHECKLIST_FLAGS


@dataclass
class RegistryData:
    format: str  # "registry_template" | "gospubliki_export"
    owners: pl.DataFrame
    pages: pl.DataFrame
    warnings: list[LoadIssue] = field(default_factory=list)


class _Collector:
    def __init__(self, filename: str, sheet: str | None):
        self.filename, self.sheet = filename, sheet
        self.errors: list[LoadIssue] = []
        self.warnings: list[LoadIssue] = []

    def error(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.errors) < MAX_ISSUES:
            self.errors.append(LoadIssue(message, self.filename, self.sheet, row, column))

    def warn(self, row: int | None, column: str | None, message: str) -> None:
        self.warnings.append(LoadIssue(message, self.filename, self.sheet, row, column))

    def parse(self, parser, cell, row: int, column: str, *args):
        try:
            return parser(cell, *args)
        except ValueError as exc:
            self.error(row, column, str(exc))
            return None

    def texts(self, cell: dict[str, str | None], header: dict[str, str], row: int) -> bool:
        """The row's text cells within the limits the database keeps (core.limits) and without control
        characters (a line break inside a cell is a space); False after located errors."""
        fine = True
        for field_name, limit in TEXT_LIMITS.items():
            value = cell.get(field_name)
            if value is None:
                continue
            text = " ".join(str(value).split())
            bad = limits.CONTROL.search(text)
            if bad:
                self.error(row, header[field_name], f"в тексте есть {limits.control_name(bad.group())} — такой "
                                                    "символ не может быть в реестре; исправьте ячейку")
                fine = False
            elif len(text) > limit:
                self.error(row, header[field_name], f"текст длиннее допустимых {limit} символов ({len(text)})")
                fine = False
            else:
                cell[field_name] = text if field_name not in ("exemption",) else str(value).strip()
        return fine


# the most characters of each text cell (core.limits, the sizes of the schema's columns)
TEXT_LIMITS = {"owner": limits.OWNER_NAME, "parent": limits.OWNER_NAME, "founder": limits.OWNER_NAME,
               "url": limits.URL, "platform_id": limits.PLATFORM_ID, "responsible": limits.RESPONSIBLE,
               "level": limits.LEVEL, "sphere1": limits.SPHERES, "sphere2": limits.SPHERES, "sphere3": limits.SPHERES,
               "exemption": limits.EXEMPTION, "ogrn": limits.OGRN + 10, "kind": 100, "platform": 100,
               "status": 500, "address": 2_000}
ALL_HEADERS = {normalize_header(h) for cols in (TEMPLATE_COLUMNS, GOSPUBLIKI_COLUMNS) for hs in cols.values()
               for h in hs}


def pick_sheet(sheets: list[Sheet], filename: str) -> tuple[Sheet, str]:
    def layout(sheet: Sheet) -> str | None:
        headers = {normalize_header(c) for c in sheet.frame.columns}
        if normalize_header("Тип владельца") in headers and normalize_header("Платформа") in headers:
            return "registry_template"
        if any(normalize_header(h) in headers for h in GOSPUBLIKI_COLUMNS["owner"][:1]) or (
                normalize_header("Учредитель") in headers and normalize_header("Уровень") in headers):
            return "gospubliki_export"
        return None

    preferred = sorted(sheets, key=lambda s: normalize_header(s.name or "") != normalize_header("Реестр"))
    for sheet in preferred:
        found = layout(sheet)
        if found:
            return sheet, found
    where = f"лист «{preferred[0].name}»" if preferred and preferred[0].name else "файл"
    raise fail(f"{where} не похож на реестр страниц: ожидается шаблон реестра (лист «Реестр» со столбцами "
               "«Владелец», «Тип владельца», «Платформа», «Ссылка», …) или выгрузка «Госпаблики» "
               "(столбцы «Уровень», «Учредитель», «Наименование подведомственной организации», …)", filename)


def load_registry(data: bytes, filename: str, known_owners: dict[str, str] | None = None,
                  today: date | None = None) -> RegistryData:
    """Read a registry file. `known_owners` maps name_key → kind of owners already in the database."""
    data = unpack(data, filename)  # a gzip-compressed csv/xlsx is read as what it holds
    sheets = read_xlsx_sheets(data, filename, ALL_HEADERS) if is_xlsx(data) else [
        read_csv_sheet(data, filename, ALL_HEADERS)]
    sheet, layout = pick_sheet(sheets, filename)
    refuse_if_no_rows([sheet], filename, "реестре")
    today = today or date.today()
    known_owners = known_owners or {}
    if layout == "registry_template":
        columns = resolve_columns(sheet, filename, TEMPLATE_COLUMNS, TEMPLATE_REQUIRED)
        return _read_template(sheet, columns, filename, known_owners, today)
    columns = resolve_columns(sheet, filename, GOSPUBLIKI_COLUMNS, GOSPUBLIKI_REQUIRED)
    return _read_gospubliki(sheet, columns, filename, known_owners)


class _Builder:
    """Accumulates owners and pages while checking consistency across rows."""

    def __init__(self, out: _Collector, known_owners: dict[str, str]):
        self.out, self.known = out, known_owners
        self.owners: dict[str, dict] = {}
        self.pages: list[dict] = []
        self.page_rows: dict[tuple[str, str], int] = {}

    def owner(self, row: int, column: str, name: str, kind: str, parent: str | None, **extra) -> str:
        key = name_key(name)
        existing = self.owners.get(key)
        if existing:
            if existing["kind"] != kind:
                self.out.error(row, column, f"владелец «{name}» уже указан в строке {existing['source_row']} "
                                            f"с типом «{KIND_LABELS[existing['kind']]}»")
            elif (existing["parent_key"] or None) != (name_key(parent) if parent else None):
                self.out.error(row, column, f"у владельца «{name}» в строке {existing['source_row']} указан другой "
                                            "вышестоящий орган")
            for field_name, value in extra.items():
                if value and not existing.get(field_name):
                    existing[field_name] = value
            return key
        self.owners[key] = {"name": " ".join(name.split()), "name_key": key, "kind": kind,
                            "parent_name": parent, "parent_key": name_key(parent) if parent else None,
                            "source_row": row, **{k: extra.get(k) for k in
                                                  ("ogrn", "responsible", "level", "spheres", "exemption")}}
        return key

    def page(self, row: int, column: str, record: dict) -> None:
        identity = (record["platform"], record["page_key"])
        if identity in self.page_rows:
            self.out.error(row, column, f"эта страница уже указана в строке {self.page_rows[identity]}")
            return
        self.page_rows[identity] = row
        self.pages.append(record | {"source_row": row})

    def check_parents(self, parent_column: str) -> None:
        for owner in self.owners.values():
            if owner["kind"] in KINDS_WITH_PARENT:
                parent_key = owner["parent_key"]
                parent_kind = self.owners[parent_key]["kind"] if parent_key in self.owners else self.known.get(
                    parent_key)
                if parent_key is None:
                    self.out.error(owner["source_row"], parent_column,
                                   f"для типа «{KIND_LABELS[owner['kind']]}» нужно указать вышестоящий орган")
                elif parent_kind is None:
                    self.out.error(owner["source_row"], parent_column,
                                   f"вышестоящий орган «{owner['parent_name']}» не найден ни в файле, ни в реестре")
                elif parent_kind != "executive_body":
                    self.out.error(owner["source_row"], parent_column,
                                   f"вышестоящим органом может быть только исполнительный орган, а «"
                                   f"{owner['parent_name']}» — {KIND_LABELS[parent_kind].lower()}")
            elif owner["parent_key"] is not None:
                owner["parent_key"] = owner["parent_name"] = None  # only heads and institutions have parents

    def result(self, layout: str) -> RegistryData:
        if self.out.errors:
            raise LoadError(self.out.errors)
        owners = pl.DataFrame(list(self.owners.values()), schema=OWNER_COLUMNS)
        pages = pl.DataFrame(self.pages, schema=PAGE_COLUMNS)
        return RegistryData(layout, owners, pages, self.out.warnings)


def _read_template(sheet: Sheet, columns: dict[str, str], filename: str, known: dict[str, str],
                   today: date, owner_rows: bool = False) -> RegistryData:
    out = _Collector(filename, sheet.name)
    build = _Builder(out, known)
    header = {f: columns.get(f, TEMPLATE_COLUMNS[f][0]) for f in TEMPLATE_COLUMNS}
    for record in sheet.frame.iter_rows(named=True):
        row = record[ROW_COLUMN]
        cell = {f: record.get(c) for f, c in columns.items()}
        if not out.texts(cell, header, row):
            continue
        name = cell.get("owner")
        if not name:
            out.error(row, header["owner"], "не указан владелец страницы")
            continue
        kind = kind_from_label(cell.get("kind") or "")
        if kind is None:
            allowed = " / ".join(KIND_LABELS.values())
            out.error(row, header["kind"], f"неизвестный тип владельца «{cell.get('kind') or ''}»; допустимо: {allowed}")
            continue
        owner_key = build.owner(row, header["owner"], name, kind, cell.get("parent"),
                                ogrn=_ogrn(out, cell.get("ogrn"), row, header["ogrn"]))
        if owner_rows and not cell.get("platform") and not cell.get("url"):
            continue  # an owner edited on «Реестр» by itself: the row names no page
        platform = platform_from_label(cell.get("platform") or "")
        if platform is None:
            out.error(row, header["platform"], f"неизвестная платформа «{cell.get('platform') or ''}»; допустимо: "
                                               "ВКонтакте / Одноклассники / Telegram")
            continue
        if not cell.get("url"):
            out.error(row, header["url"], "не указана ссылка на страницу")
            continue
        ref, platform_id = _page_ref(out, cell, header, row, platform)
        if ref is None:
            continue
        page = {"owner_key": owner_key, "platform": platform, "page_key": ref.key, "platform_id": platform_id,
                "url": ref.canonical_url, "responsible": cell.get("responsible"),
                "registered_on": out.parse(parse_date, cell.get("registered_on"), row, header["registered_on"], today)}
        for flag in TEMPLATE_FLAGS:
            page[flag] = out.parse(parse_flag, cell.get(flag), row, header[flag])
        page["pos_widgets"] = out.parse(parse_whole, cell.get("pos_widgets"), row, header["pos_widgets"], 0, 2)
        page["subscribers"] = out.parse(parse_whole, cell.get("subscribers"), row, header["subscribers"])
        for item in NOT_ON_PLATFORM.get(platform, ()):
            if page.get(item) is not None:
                page[item] = None  # no cover / ПОС widget on Telegram: the item does not apply
        build.page(row, header["url"], page)
    build.check_parents(header["parent"])
    return build.result("registry_template")


def _page_ref(out: _Collector, cell: dict, header: dict[str, str], row: int,
              platform: str | None = None) -> tuple[PageRef | None, str | None]:
    """The row's page (its link, of `platform` when the row names one) and platform id: the «ID на платформе» cell
    when filled, else what the link says. (None, None) after a located error in the link; a bad id cell is a
    located error too, the link's id standing in."""
    ref = out.parse(normalize_page_url, cell["url"], row, header["url"], platform)
    if ref is None:
        return None, None
    given = cell.get("platform_id")
    platform_id = out.parse(lambda value: platform_id_from_registry(ref.platform, value), given, row,
                            header["platform_id"]) if given else None
    return ref, platform_id or ref.platform_id


def _ogrn(out: _Collector, value: str | None, row: int, column: str) -> str | None:
    if not value:
        return None
    text = str(value).strip().replace(" ", "")
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isdigit() and len(text) in (13, 15)):
        out.error(row, column, f"ОГРН должен состоять из 13 цифр, указано «{value}»")
        return None
    return text


def _read_gospubliki(sheet: Sheet, columns: dict[str, str], filename: str, known: dict[str, str]) -> RegistryData:
    out = _Collector(filename, sheet.name)
    build = _Builder(out, known)
    header = {f: columns.get(f, GOSPUBLIKI_COLUMNS[f][0]) for f in GOSPUBLIKI_COLUMNS}
    rows = []
    for record in sheet.frame.iter_rows(named=True):
        cell = {f: record.get(c) for f, c in columns.items()}
        if out.texts(cell, header, record[ROW_COLUMN]):
            rows.append({**record, **{columns[f]: v for f, v in cell.items()}})
    # Founders named only in «Учредитель» are executive bodies by definition: add them first.
    listed = {name_key(r.get(columns["owner"]) or "") for r in rows}
    for record in rows:
        founder = record.get(columns["founder"])
        if founder and name_key(founder) not in listed and name_key(founder) not in known:
            build.owner(record[ROW_COLUMN], header["founder"], founder, "executive_body", None)
            out.warn(record[ROW_COLUMN], header["founder"],
                     f"учредитель «{founder}» добавлен в реестр как исполнительный орган")
            listed.add(name_key(founder))
    for record in rows:
        row = record[ROW_COLUMN]
        cell = {f: record.get(c) for f, c in columns.items()}
        name = cell.get("owner")
        if not name:
            out.error(row, header["owner"], "не указано наименование организации")
            continue
        level = " ".join((cell.get("level") or "").split()).casefold()
        founder = cell.get("founder")
        if level in MUNICIPAL_LEVELS:
            out.warn(row, header["level"], f"«{name}»: муниципальные организации не входят в перечень "
                                           "распоряжения № 132-р, строка пропущена")
            continue
        if founder:
            kind = "institution"
        elif "губернатор" in name.casefold() and level in ("регион", "губернатор"):
            kind = "governor"
        elif level in LEVEL_KINDS:
            kind = LEVEL_KINDS[level]
        else:
            out.error(row, header["level"], f"неизвестный уровень «{cell.get('level') or ''}»; ожидается "
                                            "Министерство, Ведомство, Регион или МО")
            continue
        spheres = "; ".join(s for s in (cell.get("sphere1"), cell.get("sphere2"), cell.get("sphere3")) if s) or None
        owner_key = build.owner(row, header["owner"], name, kind, founder,
                                ogrn=_ogrn(out, cell.get("ogrn"), row, header["ogrn"]), level=cell.get("level"),
                                spheres=spheres, exemption=cell.get("exemption"))
        if not cell.get("url"):
            if not cell.get("exemption"):
                out.warn(row, header["url"], f"у «{name}» не указана ссылка на страницу")
            continue
        ref, platform_id = _page_ref(out, cell, header, row)
        if ref is None:
            continue
        page = {"owner_key": owner_key, "platform": ref.platform, "page_key": ref.key, "platform_id": platform_id,
                "url": ref.canonical_url, "registered_on": None, "responsible": None,
                "status_mark": out.parse(parse_flag, cell.get("status_mark"), row, header["status_mark"]),
                "gospubliki": out.parse(parse_flag, cell.get("gospubliki"), row, header["gospubliki"]),
                "design_pct": out.parse(parse_percent, cell.get("design_pct"), row, header["design_pct"]),
                "activity_pct": out.parse(parse_percent, cell.get("activity_pct"), row, header["activity_pct"]),
                "pos_widgets": out.parse(parse_whole, cell.get("pos_widgets"), row, header["pos_widgets"], 0, 2),
                "subscribers": out.parse(parse_whole, cell.get("subscribers"), row, header["subscribers"]),
                "weekly_reach": out.parse(parse_whole, cell.get("weekly_reach"), row, header["weekly_reach"]),
                "avg_post_reach": out.parse(parse_whole, cell.get("avg_post_reach"), row, header["avg_post_reach"])}
        if ref.platform == "telegram":
            page["pos_widgets"] = None
        build.page(row, header["url"], page)
    build.check_parents(header["founder"])
    return build.result("gospubliki_export")


# what the «Реестр» screen edits beyond the template's columns (formats.md §10)
EDIT_HEADERS = {"exemption": "Не ведётся на основании", "checked_on": "Сведения на", "closed_on": "Закрыта с"}


@dataclass
class RegistryEdit:
    """Rows edited on «Реестр», read: the registry they describe (as a template file would give it), and per row
    (1-based) the day its checklist facts were checked and the day its page was closed."""
    data: RegistryData
    checked_on: dict[int, date | None]
    closed_on: dict[int, date | None]


def read_edited_rows(rows: list[dict[str, object]], known_owners: dict[str, str], today: date,
                     taken_pages: dict[tuple[str, str], str] | None = None,
                     taken_ids: dict[tuple[str, str], str] | None = None) -> RegistryEdit:
    """Rows edited on «Реестр» (one validation: the code that reads a template file, `_read_template`, reads them
    too, with the same messages at the same columns). Each row maps the template's headers to cell values, plus
    optionally EDIT_HEADERS; a row without «Платформа» and «Ссылка» edits its owner alone. Rows are numbered from
    1 in the order given. `taken_pages` / `taken_ids`: (platform, normalised key) and (platform, platform id) of the
    registry's other pages → how to name them — a row naming one is refused at «Ссылка» / «ID на платформе».
    Raises LoadError listing every problem (no file or sheet in the place, only the row and the column)."""
    headers = [h for h, *_ in TEMPLATE_COLUMNS.values()]
    records = [{ROW_COLUMN: number, **{h: _cell_text(row.get(h)) for h in headers}}
               for number, row in enumerate(rows, start=1)]
    frame = pl.DataFrame(records, schema={ROW_COLUMN: pl.Int64, **{h: pl.String for h in headers}})
    sheet = Sheet(None, frame)
    out = _Collector("", None)
    try:
        data = _read_template(sheet, resolve_columns(sheet, "", TEMPLATE_COLUMNS, TEMPLATE_REQUIRED), "",
                              known_owners, today, owner_rows=True)
    except LoadError as error:
        out.errors.extend(error.issues)
        data = None
    checked, closed, exemptions = {}, {}, {}
    for number, row in enumerate(rows, start=1):
        cell = {"exemption": _cell_text(row.get(EDIT_HEADERS["exemption"]))}
        if out.texts(cell, {"exemption": EDIT_HEADERS["exemption"]}, number) and cell["exemption"]:
            exemptions[name_key(str(row.get(TEMPLATE_COLUMNS["owner"][0]) or ""))] = cell["exemption"]
        checked[number] = out.parse(parse_date, _cell_text(row.get(EDIT_HEADERS["checked_on"])), number,
                                    EDIT_HEADERS["checked_on"], today)
        closed[number] = out.parse(parse_date, _cell_text(row.get(EDIT_HEADERS["closed_on"])), number,
                                   EDIT_HEADERS["closed_on"], today)
        registered = _cell_text(row.get(TEMPLATE_COLUMNS["registered_on"][0]))
        try:
            registered_on = parse_date(registered, today)
        except ValueError:
            registered_on = None  # already refused at its own column
        if closed[number] and registered_on and closed[number] < registered_on:
            out.error(number, EDIT_HEADERS["closed_on"], f"страница не может быть закрыта "
                                                         f"{closed[number]:%d.%m.%Y} — раньше даты регистрации "
                                                         f"{registered_on:%d.%m.%Y}")
    for page in data.pages.iter_rows(named=True) if data is not None else ():
        other = (taken_pages or {}).get((page["platform"], page["page_key"]))
        if other:
            out.error(page["source_row"], TEMPLATE_COLUMNS["url"][0], f"страница {page['url']} уже есть в "
                                                                      f"реестре: {other}")
        other = (taken_ids or {}).get((page["platform"], page["platform_id"])) if page["platform_id"] else None
        if other:
            out.error(page["source_row"], TEMPLATE_COLUMNS["platform_id"][0],
                      f"ID {page['platform_id']} уже указан у другой страницы реестра: {other}")
    if out.errors:
        raise LoadError(sorted(out.errors, key=lambda i: (i.row or 0)))
    owners = data.owners.with_columns(pl.col("name_key").replace_strict(exemptions, default=pl.col("exemption"),
                                                                        return_dtype=pl.String).alias("exemption"))
    return RegistryEdit(RegistryData(data.format, owners, data.pages, data.warnings), checked, closed)


def _cell_text(value: object) -> str | None:
    """A value of the screen as the text a spreadsheet cell would hold: a day as ДД.ММ.ГГГГ, «да»/«нет» for a flag,
    nothing for an empty value."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)
