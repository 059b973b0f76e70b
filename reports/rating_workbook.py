"""The quarterly rating workbook (product.md §5): one sheet per table, the same labels, number formats and zone
colours as the screen. Built from the rating's frames (scoring.tables.RatingTables; an approved quarter's are read
back from what was approved, so it exports exactly that). Pure: frames in, bytes out."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import polars as pl

from core.labels import KIND_LABELS, PLATFORM_LABELS, TABLE_SHEETS, excel_format, label, week_short
from core.memory import paused_gc
from reports.excel import Workbook
from reports.figures import WEEK_STATUS_COLORS, ink_for
from reports.xlsx_fast import FastWorksheet
from scoring.activity import COUNTED_STATUSES
from scoring.tables import RatingTables, restricted

WEEK_COLORS = dict(WEEK_STATUS_COLORS)  # the heatmap's colour language, shared with the screen


def file_name(quarter_code: str, day: date, body: str | None = None, extension: str = "xlsx") -> str:
    """The download's name; a body's name whole up to 90 characters (the longest in Tomsk oblast has 89), longer
    ones cut at a word with «…» (a file name has at most 255 bytes)."""
    if body and len(body) > 90:
        body = body[:90].rsplit(" ", 1)[0] + "…"
    suffix = f" — {body}" if body else ""
    return f"Рейтинг госпабликов {quarter_code}{suffix} ({day:%d.%m.%Y}).{extension}"


SHEET_TITLES = {TABLE_SHEETS["bodies"]: "Рейтинг исполнительных органов",
                TABLE_SHEETS["institutions"]: "Рейтинг подведомственных учреждений",
                TABLE_SHEETS["heads"]: "Рейтинг руководителей исполнительных органов",
                TABLE_SHEETS["reference"]: "Губернатор и Администрация (справочно)"}


def caption(tables: RatingTables, tz: ZoneInfo) -> str:
    """The quarter and the approval status, for the title row of every sheet (printed on every page)."""
    approved = tables.get("approved")
    status = ("рейтинг утверждён " + datetime.fromisoformat(approved["approved_at"]).astimezone(tz).strftime(
        "%d.%m.%Y") if approved else "рейтинг не утверждён (расчёт по текущим данным)")
    stamp = tables.get("data_timestamp")
    data = f"; данные на {datetime.fromisoformat(stamp).astimezone(tz):%d.%m.%Y %H:%M}" if stamp else ""
    return (f"{tables.get('quarter_label')} — {status}; методика {tables.methodology_info['id']}{data}. "
            "Госпаблики Томской области")


class _Book(Workbook):
    TOP = 1  # the title row is row 0, the header row 1 (reports.excel.Workbook.table_sheet)

    def __init__(self, zones: list[dict], caption_text: str = ""):
        super().__init__()
        self.book.worksheet_class = FastWorksheet  # the same cells, written faster at close (reports.xlsx_fast)
        self.caption = caption_text
        self._numbers: dict = {}  # num_format -> its cell format
        self._by_column: dict = {}  # column key -> its cell format
        self.zone_formats = {z["name"]: self.book.add_format({"bg_color": z["color"], "font_color": ink_for(z["color"]),
                                                              "bold": True, "valign": "top"}) for z in zones}
        self.score = self.book.add_format({"num_format": "0.0", "valign": "top"})
        self.share = self.book.add_format({"num_format": "0.00", "valign": "top"})
        self.percent = self.book.add_format({"num_format": "0%", "valign": "top"})
        self.delta_up = self.book.add_format({"num_format": excel_format("delta_place"), "font_color": "#2E7D32",
                                              "valign": "top"})
        self.delta_down = self.book.add_format({"num_format": excel_format("delta_place"), "font_color": "#C62828",
                                                "valign": "top"})
        self.delta_points = self.number("delta_points")
        self.week_formats = {k: self.book.add_format({"bg_color": v, "align": "center", "border": 1,
                                                      "border_color": "#FFFFFF", "num_format": "0",
                                                      "font_color": ink_for(v)})
                             for k, v in WEEK_COLORS.items()}
        self.label_bold = self.book.add_format({"bold": True, "valign": "top"})
        self.wrap_bold = self.book.add_format({"bold": True, "valign": "top", "text_wrap": True})

    def number(self, column: str):
        """The cell format of a numeric column, chosen by its key (core.labels.excel_format), one per format."""
        found = self._by_column.get(column)
        if found is None:
            num_format = excel_format(column)
            if num_format not in self._numbers:
                self._numbers[num_format] = self.book.add_format({"num_format": num_format, "valign": "top"})
            found = self._by_column[column] = self._numbers[num_format]
        return found

    def close(self) -> bytes:
        content = super().close()
        for sheet in self.book.worksheets():
            sheet.release()
        return content

    def put_rows(self, sheet, first_row: int, rows: list[list], formats: list | None = None) -> None:
        """Rows of cells as write_cell writes them, a block at a time (reports.xlsx_fast.FastWorksheet.put_rows)."""
        sheet.put_rows(first_row, rows, formats, self.text, self.integer, self.decimal, self.write_cell)

    def table_sheet(self, name, headers, rows, widths=None, formats=None, title=None, footer=None):
        """Every table sheet of the rating workbook prints with its title row: what, which quarter, approved or not.
        The sheet is laid out by reports.excel.Workbook.table_sheet, its rows stored a block at a time."""
        sheet = super().table_sheet(name, headers, [], widths, formats,
                                    title=title or f"{SHEET_TITLES.get(name, name)} — {self.caption}",
                                    footer=footer or name)
        self.put_rows(sheet, self.TOP + 1, rows, formats)
        sheet.autofilter(self.TOP, 0, self.TOP + max(len(rows), 1), len(headers) - 1)
        return sheet


def _columns(frame: pl.DataFrame, columns: list[str]) -> list[tuple]:
    """The frame's rows as tuples of `columns` (a column the frame lacks — e.g. Δ of a rating computed without the
    previous quarter, or an older approval — reads as empty)."""
    if frame.is_empty():
        return []
    return frame.select((pl.col(c) if c in frame.columns else pl.lit(None)).alias(c) for c in columns).rows()


def _owner_sheet(book: _Book, name: str, frame: pl.DataFrame, blocks: dict, body_columns: bool, parent: bool
                 ) -> None:
    columns = ["rank", "owner", *(["parent_name"] if parent else []), "score", "zone", "delta_place", "delta_points"]
    if body_columns:
        columns += ["body_score", "head_score", "institutions_score", "institutions_count"]
    columns += [f"block_{code}" for code in blocks] + ["missing_platforms", "rated_text"]
    headers = [label(c) for c in columns[:-len(blocks) - 2]] + [f"{code}. {title}" for code, title in blocks.items()] + [
        "Нет страниц на платформах", "Оценено страниц / почему не оценивается"]
    table = []
    shown = columns[:-2]
    for *values, missing, completeness, reason in _columns(
            frame, [*shown, "missing_platforms", "completeness", "not_rated_reason"]):
        score = values[shown.index("score")]
        values.append(", ".join(PLATFORM_LABELS.get(p, p) for p in missing or []) or None)
        # methodology.md §4: completeness of a rated row, the reason of a row without a place
        values.append(completeness if score is not None else f"не оценивается: {reason or 'нет данных'}")
        table.append(values)
    # narrow enough to print on A4 landscape at a readable scale; long names wrap (never cut off)
    widths = [6, 42] + ([32] if parent else []) + [7, 11, 7, 8] + ([8, 9, 9, 9] if body_columns else []) + [
        9] * len(blocks) + [13, 30]
    sheet = book.table_sheet(name, headers, [], widths)
    top = book.TOP
    sheet.set_row(top, 62)
    text_cols = {"owner", "parent_name", "missing_platforms", "rated_text"}
    for i, values in enumerate(table, start=top + 1):
        formats = []
        for column, value in zip(columns, values):  # the format by column key (core.labels), as on the screen
            if column in text_cols:
                fmt = book.wrap
            elif column == "zone":
                fmt = book.zone_formats.get(value) if value else None
            elif column == "delta_place" and value is not None:
                fmt = book.delta_up if value > 0 else book.delta_down if value < 0 else book.integer
            else:
                fmt = book.number(column)
            formats.append(fmt)
        book.put_rows(sheet, i, [values], formats)
        book.fit_row(sheet, i, [(values[c], widths[c]) for c in range(len(columns)) if columns[c] in text_cols])
    sheet.autofilter(top, 0, top + max(len(table), 1), len(headers) - 1)


def _indicator_sheet(book: _Book, tables: RatingTables, info: dict) -> None:
    headers = [label(c) for c in ("owner", "kind", "platform", "url")] + ["Балл страницы"] + [
        label(c) for c in ("indicator", "title", "value", "points", "weight", "na_reason", "inputs")]
    titles = {code: spec["title"] for code, spec in info["indicators"].items()}
    rows = []
    if not tables.pages.is_empty() and not tables.indicators.is_empty():
        # the pages in their order, each page's indicators in theirs
        pages = tables.pages.select("page_id", "owner", "owner_kind", "platform", "url", "score").with_row_index("_p")
        joined = pages.join(tables.indicators.with_row_index("_i"), on="page_id").sort("_p", "_i")
        rows = [[owner, KIND_LABELS.get(kind), PLATFORM_LABELS.get(platform), url, score, code, titles[code], value,
                 points, weight, reason, inputs]
                for owner, kind, platform, url, score, code, value, points, weight, reason, inputs in joined.select(
                    "owner", "owner_kind", "platform", "url", "score", "indicator", "value", "points", "weight",
                    "na_reason", "inputs").rows()]
    formats = [None, None, None, None, book.score, None, book.wrap, book.share, book.score, book.integer, book.wrap,
               book.wrap]
    book.table_sheet("Показатели по страницам", headers, rows, [45, 18, 14, 32, 9, 9, 40, 9, 8, 6, 36, 60], formats)


def _week_cell(status: str, posts: int | None) -> tuple[object, str]:
    """The value and the colour of a week cell: the status comes from scoring (one week classification)."""
    if status in COUNTED_STATUSES:
        return posts or 0, status
    if status == "partial":  # the posts seen so far, in the «неполные данные» colour
        return (posts if posts else "н/п"), status
    text = {"no_data": "н/д", "before_registration": "—", "closed": "закр.", "not_ended": ""}.get(status, "")
    return (posts if status == "not_ended" and posts else text), status


def _weekly_sheet(book: _Book, tables: RatingTables) -> None:
    weeks = tables.week_starts
    headers = ["Владелец", "Платформа", "Норма"] + [week_short(w, "\n") for w in weeks] + [
        "Недель с нормой", "Учтено недель"]
    sheet = book.table_sheet("Публикации по неделям", headers, [], [45, 14, 7] + [7] * len(weeks) + [10, 10])
    top = book.TOP
    weekly: dict[int, tuple[list, list]] = {}
    if not tables.weeks.is_empty():  # the page's weeks in their order (scoring.tables: page_id × week)
        weekly = {page_id: (statuses, posts) for page_id, statuses, posts in tables.weeks.group_by(
            "page_id", maintain_order=True).agg("status", "posts").rows()}
    pages = _columns(tables.pages, ["page_id", "owner", "platform", "norm", "weeks_ok", "weeks"])
    for i, (page_id, owner, platform, norm, weeks_ok, counted) in enumerate(pages, start=top + 1):
        values, formats = [owner, PLATFORM_LABELS.get(platform), norm], [None, None, None]
        for status, posts in zip(*weekly.get(page_id, ([], []))):
            value, color = _week_cell(status, posts)
            values.append(value)
            formats.append(book.week_formats[color])
        gap = 3 + len(weeks) - len(values)  # weeks without a status: no cell
        values += [None] * gap + [weeks_ok, counted]
        formats += [None] * gap + [None, None]
        book.put_rows(sheet, i, [values], formats)
    sheet.autofilter(top, 0, top + max(len(pages), 1), len(headers) - 1)
    sheet.freeze_panes(top + 1, 3)
    legend = top + len(pages) + 3
    for k, (key, text) in enumerate((("met", "норма выполнена"), ("below", "ниже нормы"), ("zero", "0 публикаций"),
                                     ("partial", "неполные данные: выгрузка покрывает не все дни недели "
                                                 "(н/п — публикаций нет), норма не достигнута; в оценку не входит"),
                                     ("no_data", "н/д — нет данных (выгрузка не загружена)"),
                                     ("before_registration", "до регистрации страницы"),
                                     ("not_ended", "неделя ещё не завершена; в оценку не входит"),
                                     ("closed", "закр. — страница закрыта по реестру; в оценку не входит"))):
        sheet.write_string(legend + k, 1, "", book.week_formats[key])
        sheet.write_string(legend + k, 2, text)


def _streams_sheet(book: _Book, tables: RatingTables, tz: ZoneInfo) -> None:
    headers = ["Владелец", "Тип владельца", "Платформа", "Дата и время", "Длительность, мин", "Ссылка", "Название"]
    rows = []
    streams = _columns(tables.streams, ["owner", "owner_kind", "platform", "started_at", "duration_s", "url", "title"])
    for owner, kind, platform, started_at, duration, url, title in streams:
        started = _aware(started_at).astimezone(tz).replace(tzinfo=None)
        rows.append([owner, KIND_LABELS.get(kind), PLATFORM_LABELS.get(platform), started,
                     round(duration / 60) if duration else None, url, title])
    held = {s[0] for s in streams}
    for (body,) in _columns(tables.bodies, ["owner"]):
        if body not in held:
            rows.append([body, KIND_LABELS["executive_body"], None, "эфира не было", None, None, None])
    book.table_sheet("Прямые эфиры", headers, rows, [55, 18, 14, 17, 12, 40, 50],
                     [None, None, None, None, book.integer, None, book.wrap])


def _aware(moment: datetime) -> datetime:
    """A stored moment (UTC; a frame read back from JSON may hold it without its zone) as an aware datetime."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _methodology_sheet(book: _Book, tables: RatingTables, tz: ZoneInfo) -> None:
    info = tables.methodology_info
    sheet = book.book.add_worksheet("Методика")
    sheet.set_column(0, 0, 38)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 3, 12)
    approved = tables.get("approved")
    stamp = tables.get("data_timestamp")
    facts = [("Квартал", tables.get("quarter_label")), ("Методика", f"{info['title']} ({info['id']})"),
             ("Методика утверждена", date.fromisoformat(info["approved_on"])),
             ("Действует с квартала", info["effective_from"]),
             ("Рейтинг", "утверждён " + datetime.fromisoformat(approved["approved_at"]).astimezone(tz).strftime(
                 "%d.%m.%Y %H:%M") + f" ({approved['approved_by']})" if approved else "не утверждён (расчёт по "
                                                                                       "текущим данным)"),
             ("Данные за квартал", "есть" if tables.has_data
              else "нет загруженных выгрузок активности — рейтинга нет"),
             ("Данные на", datetime.fromisoformat(stamp).astimezone(tz).replace(tzinfo=None) if stamp else None),
             ("Пакеты загрузки", ", ".join(str(b) for b in tables.get("batch_ids") or []) or "—"),
             ("Обязательные платформы", ", ".join(PLATFORM_LABELS.get(p, p) for p in info["required_platforms"]))]
    sheet.write_string(0, 0, "Методика и данные рейтинга", book.title)
    for i, (name, value) in enumerate(facts, start=2):
        sheet.write_string(i, 0, name, book.label_bold)
        book.write_cell(sheet, i, 1, value, book.wrap)
    row = len(facts) + 3
    sheet.write_string(row, 0, "Нормы публикаций в неделю", book.label_bold)
    for k, (kind, norm) in enumerate(info["posts_per_week"].items(), start=1):
        sheet.write_string(row + k, 0, KIND_LABELS.get(kind, kind))
        sheet.write_number(row + k, 1, norm, book.integer)
    row += len(info["posts_per_week"]) + 2
    for col, header in enumerate(["Показатель", "Название", "Блок", "Вес"]):
        sheet.write_string(row, col, header, book.header)
    for k, (code, spec) in enumerate(info["indicators"].items(), start=1):
        sheet.write_string(row + k, 0, code)
        sheet.write_string(row + k, 1, spec["title"], book.wrap)
        sheet.write_string(row + k, 2, f"{spec['block']}. {info['blocks'][spec['block']]}")
        sheet.write_number(row + k, 3, spec["weight"], book.integer)
    row += len(info["indicators"]) + 2
    sheet.write_string(row, 0, "Сводный рейтинг органа", book.label_bold)
    sheet.write_string(row, 1, f"{info['composite']['body']:.2f} × орган + {info['composite']['head']:.2f} × "
                                f"руководитель + {info['composite']['institutions']:.2f} × учреждения")
    row += 2
    sheet.write_string(row, 0, "Зоны", book.label_bold)
    for k, zone in enumerate(info["zones"], start=1):
        sheet.write_string(row + k, 0, zone["name"], book.zone_formats[zone["name"]])
        sheet.write_string(row + k, 1, f"от {zone['min']} баллов")
    book.print_setup(sheet, 0, f"Методика — {book.caption}")


def rating_workbook(tables: RatingTables, tz: ZoneInfo, body_owner_id: int | None = None,
                    style: dict[int, dict] | None = None) -> bytes:
    """The workbook of a quarter; with `body_owner_id`, only that executive body, its head and institutions;
    with `style` (page id → services.style row), a sheet «Стиль публикаций» (Порядок §2 п.8, справочно)."""
    if body_owner_id is not None:
        tables = body_slice(tables, body_owner_id)
    with paused_gc():
        return _build(tables, tz, style)


def _style_sheet(book: _Book, pages: pl.DataFrame, style: dict[int, dict]) -> None:
    """Per page: posts with text, those written as a press release, the share, the advice and the most typical
    examples (the phrases that made them so in [brackets])."""
    headers = ["Владелец", "Платформа", "Ссылка", "Публикаций с текстом", "Как пресс-релиз", "Доля",
               "Рекомендация", "Пример 1", "Пример 2", "Пример 3"]
    rows = []
    for page_id, owner, platform, url in _columns(pages, ["page_id", "owner", "platform", "url"]):
        found = style.get(page_id)
        if not found:
            continue
        examples = [e["text"] for e in found.get("examples") or []][:3]
        rows.append([owner, PLATFORM_LABELS.get(platform), url, found["posts_rated"],
                     found["press_releases"], found["share"], found.get("recommendation"),
                     *(examples + [None] * (3 - len(examples)))])
    book.table_sheet("Стиль публикаций", headers, rows, [45, 14, 32, 11, 11, 8, 50, 60, 60, 60],
                     [None, None, None, book.integer, book.integer, book.percent, book.wrap, book.wrap, book.wrap,
                      book.wrap])


def _build(tables: RatingTables, tz: ZoneInfo, style: dict[int, dict] | None = None) -> bytes:
    info = tables.methodology_info
    book = _Book(info["zones"], caption(tables, tz))
    blocks = info["blocks"]
    _owner_sheet(book, TABLE_SHEETS["bodies"], tables.bodies, blocks, body_columns=True, parent=False)
    _owner_sheet(book, TABLE_SHEETS["institutions"], tables.institutions, blocks, body_columns=False, parent=True)
    _owner_sheet(book, TABLE_SHEETS["heads"], tables.heads, blocks, body_columns=False, parent=True)
    if not tables.reference.is_empty():
        _owner_sheet(book, TABLE_SHEETS["reference"], tables.reference, blocks, body_columns=False, parent=False)
    _indicator_sheet(book, tables, info)
    _weekly_sheet(book, tables)
    _streams_sheet(book, tables, tz)
    if style is not None:
        _style_sheet(book, tables.pages, style)
    _methodology_sheet(book, tables, tz)
    return book.close()


def body_slice(tables: RatingTables, owner_id: int) -> RatingTables:
    """The part of a quarter's tables about one executive body: the body, its head(s) and its institutions."""
    found = tables.bodies.filter(pl.col("owner_id") == owner_id)["owner"] if not tables.bodies.is_empty() else []
    name = found[0] if len(found) else None
    family = {name} | {owner for table in (tables.institutions, tables.heads) if not table.is_empty()
                       for owner in table.filter(pl.col("parent_name") == name)["owner"]}
    of_family = pl.col("owner").is_in(sorted(family - {None}))
    return restricted(tables, {"bodies": pl.col("owner_id") == owner_id, "institutions": pl.col("parent_name") == name,
                               "heads": pl.col("parent_name") == name, "reference": pl.lit(False),
                               "pages": of_family, "streams": of_family})
