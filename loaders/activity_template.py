"""The product's own activity template, xlsx or csv (formats.md §11): sheets «Публикации», «Прямые эфиры»,
«Комментарии» — for sources with no native export (the «Госпаблики» analytics, Popsters, LiveDune, TGStat,
hand-kept tables). A CSV file holds one of the three tables, recognised by its headers.

Times are ДД.ММ.ГГГГ ЧЧ:ММ in the region's zone unless the cell carries an offset. An empty counter is
"unknown", not 0.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl

from loaders import activity as act
from loaders.activity import ActivityData, Collector
from loaders.errors import fail
from loaders.tabular import (ROW_COLUMN, Sheet, find_columns, is_xlsx, normalize_header, read_csv_sheet,
                             read_xlsx_sheets, refuse_if_no_rows)
from loaders.unpack import unpack
from loaders.urls import PageRef, UrlError, normalize_page_url, parse_post_url
from loaders.values import parse_datetime_local, parse_flag, parse_whole
from core.text import web_link

PUBLICATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "page_url": ("Ссылка на страницу", "Страница", "Ссылка на сообщество"),
    "post_url": ("Ссылка на публикацию", "Ссылка на пост", "Url", "Ссылка"),
    "published": ("Дата и время", "Дата публикации", "Дата"),
    "type": ("Тип", "Тип публикации"),
    "views": ("Просмотры", "Views"),
    "reactions": ("Реакции", "Лайки", "Лайков", "Классы", "Likes"),
    "comments": ("Комментарии", "Comments"),
    "reposts": ("Репосты", "Поделились", "Shares"),
}
STREAM_COLUMNS: dict[str, tuple[str, ...]] = {
    "page_url": ("Ссылка на страницу", "Страница"),
    "started": ("Дата и время", "Дата эфира", "Начало эфира"),
    "duration": ("Длительность, мин", "Длительность (мин)", "Длительность"),
    "record_url": ("Ссылка на запись", "Ссылка на эфир"),
}
COMMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "post_url": ("Ссылка на публикацию", "Ссылка на пост"),
    "created": ("Дата комментария", "Дата и время"),
    "by_page": ("Автор — страница (да/нет)", "Автор - страница (да/нет)", "Автор — страница", "Ответ страницы"),
    "reply_to": ("Ответ на (id комментария)", "Ответ на"),
    "comment_id": ("ID комментария", "Id комментария"),
}
SHEETS = {"publications": ("Публикации", PUBLICATION_COLUMNS), "streams": ("Прямые эфиры", STREAM_COLUMNS),
          "comments": ("Комментарии", COMMENT_COLUMNS)}
TYPES = {"текст": "text", "фото": "photo", "видео": "video", "прямой эфир": "live", "эфир": "live",
         "трансляция": "live", "опрос": "poll", "репост": "repost", "ссылка": "link", "клип": "video",
         "статья": "link"}
DATETIME_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d")
ALL_HEADERS = {normalize_header(h) for _, columns in SHEETS.values() for names in columns.values() for h in names}
ACCEPTED = ("шаблон активности: лист «Публикации» (столбцы «Ссылка на страницу» или «Ссылка на публикацию», "
            "«Дата и время», «Тип», «Просмотры», «Реакции», «Комментарии», «Репосты»), листы «Прямые эфиры» и "
            "«Комментарии»")


def layout_of(sheet: Sheet) -> str | None:
    """Which table of the template a sheet holds, by its headers."""
    found = find_columns(sheet, PUBLICATION_COLUMNS)
    if "published" in found and ("post_url" in found or "page_url" in found) and (
            "type" in found or "views" in found or "reactions" in found or "post_url" in found):
        if "post_url" in found or "type" in found or "views" in found:
            return "publications"
    comments = find_columns(sheet, COMMENT_COLUMNS)
    if "post_url" in comments and "created" in comments and ("by_page" in comments or "comment_id" in comments):
        return "comments"
    streams = find_columns(sheet, STREAM_COLUMNS)
    if "page_url" in streams and "started" in streams and ("duration" in streams or "record_url" in streams):
        return "streams"
    return None


def _sheets(data: bytes, filename: str) -> dict[str, Sheet]:
    sheets = read_xlsx_sheets(data, filename, ALL_HEADERS) if is_xlsx(data) else [
        read_csv_sheet(data, filename, ALL_HEADERS)]
    found: dict[str, Sheet] = {}
    for sheet in sheets:
        kind = layout_of(sheet)
        if kind and kind not in found:
            found[kind] = sheet
    if found:
        refuse_if_no_rows(list(found.values()), filename, "шаблоне активности")
    return found


class _Reader:
    def __init__(self, filename: str, tz: ZoneInfo):
        self.out = Collector(filename)
        self.tz = tz
        self.pages: dict[str, dict] = {}
        self.by_id: dict[tuple[str, str], str] = {}
        self.page_urls: dict[str, PageRef | None] = {}

    def cell(self, parser, value, row: int, column: str, sheet: str | None, *args):
        try:
            return parser(value, *args)
        except (ValueError, UrlError) as exc:
            self.out.error(str(exc), row=row, column=column, sheet=sheet)
            return None

    def moment(self, value, row: int, column: str, sheet: str | None) -> int | None:
        local = self.cell(parse_datetime_local, value, row, column, sheet)
        if local is None:
            if value is None:
                self.out.error("не указаны дата и время", row=row, column=column, sheet=sheet)
            return None
        aware = local if local.tzinfo is not None else local.replace(tzinfo=self.tz)
        return act.micros(aware.timestamp())

    def moments(self, sheet: Sheet, column: str) -> list[int | None]:
        """A column of date-times → UTC microseconds, parsed at once; failing cells get located errors."""
        raw = sheet.frame[column]
        parsed = pl.DataFrame({"t": raw}).select(pl.coalesce([
            pl.col("t").str.strip_chars().str.replace_all(r"\s+", " ").str.strptime(pl.Datetime("us"), f, strict=False)
            for f in DATETIME_FORMATS]).dt.replace_time_zone(self.tz.key, ambiguous="earliest", non_existent="null")
            .dt.epoch("us"))["t"].to_list()
        rows = sheet.frame[ROW_COLUMN].to_list()
        for index, value in enumerate(parsed):
            if value is None:  # an offset, an odd format, or a mistake: the cell parser decides and explains
                parsed[index] = self.moment(raw[index], rows[index], column, sheet.name)
        return parsed

    def counts(self, sheet: Sheet, column: str | None) -> list[int | None]:
        """A column of whole numbers (empty = unknown); negatives are caught later by `check_counters`."""
        if column is None:
            return [None] * sheet.frame.height
        raw = sheet.frame[column]
        values = raw.str.replace_all(r"[\s\u00a0]", "").str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
        rows = sheet.frame[ROW_COLUMN].to_list()
        for index in (raw.is_not_null() & values.is_null()).arg_true().to_list():
            self.cell(parse_whole, raw[index], rows[index], column, sheet.name)
        return values.to_list()

    def page(self, ref: PageRef, row: int, column: str, sheet: str | None) -> str | None:
        if ref.platform not in ("vk", "ok", "telegram"):
            self.out.error("платформа не поддерживается для активности", row=row, column=column, sheet=sheet)
            return None
        key = f"{ref.platform}:{ref.key}"
        if ref.platform_id is not None and key not in self.pages:  # the page named by its id elsewhere in the file
            key = self.by_id.get((ref.platform, ref.platform_id), key)
        known = self.pages.setdefault(key, {"platform": ref.platform, "page_key": ref.key,
                                            "platform_id": ref.platform_id, "url": ref.canonical_url,
                                            "place": {"row": row, "sheet": sheet}, "column": column})
        if known["platform_id"] is None and ref.platform_id is not None:
            known["platform_id"] = ref.platform_id
        if known["platform_id"] is not None:
            self.by_id.setdefault((ref.platform, known["platform_id"]), key)
        return key

    def page_of_row(self, page_url, post_url, row: int, columns: dict, sheet: str | None):
        """The page (from «Ссылка на страницу», else from the post link) and the post id, if a link is given."""
        post = self.cell(parse_post_url, post_url, row, columns.get("post_url"), sheet) if post_url else None
        if post_url and post is None:
            return None, None
        page = None
        if page_url:
            page = self.page_urls.get(page_url) or self.cell(normalize_page_url, page_url, row, columns.get("page_url"),
                                                             sheet)
            self.page_urls[page_url] = page
            if page is None:
                return None, None
            if post is not None and post.page.platform != page.platform:
                self.out.error("ссылка на публикацию ведёт на другую платформу, чем ссылка на страницу", row=row,
                               column=columns.get("post_url"), sheet=sheet)
                return None, None
            if post is not None and page.platform_id is None and post.page.platform_id is not None:
                page = PageRef(page.platform, page.key, post.page.platform_id)
        elif post is not None:
            page = post.page
        else:
            self.out.error("нужна ссылка на страницу или на публикацию", row=row,
                           column=columns.get("page_url") or columns.get("post_url"), sheet=sheet)
            return None, None
        ref = self.page(page, row, columns.get("page_url") or columns.get("post_url"), sheet)
        return ref, (post.post_id if post is not None else None)


def _value(frame_row: dict, columns: dict, name: str):
    column = columns.get(name)
    return frame_row.get(column) if column else None


def _publications(reader: _Reader, sheet: Sheet, posts: dict, streams: dict) -> None:
    columns = find_columns(sheet, PUBLICATION_COLUMNS)
    name = sheet.name
    published_at = reader.moments(sheet, columns["published"])
    counters = {c: reader.counts(sheet, columns.get(c)) for c in ("views", "reactions", "comments", "reposts")}
    types = sheet.frame[columns["type"]].to_list() if "type" in columns else [None] * sheet.frame.height
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(sheet.frame.select(
            [c for c in (columns.get("page_url"), columns.get("post_url")) if c] + [ROW_COLUMN]).iter_rows(named=True)):
        number = row[ROW_COLUMN]
        ref, post_id = reader.page_of_row(_value(row, columns, "page_url"), _value(row, columns, "post_url"),
                                          number, columns, name)
        published = published_at[index]
        type_text = types[index]
        content = "text"
        if type_text:
            content = TYPES.get(" ".join(type_text.casefold().replace("ё", "е").split()))
            if content is None:
                reader.out.error(f"неизвестный тип «{type_text}»; допустимо: текст, фото, видео, прямой эфир, "
                                 "опрос, репост", row=number, column=columns["type"], sheet=name)
        if ref is None or published is None or content is None:
            continue
        if post_id is None:  # no link: the moment identifies the post on its page
            post_id = f"t{published // 60_000_000}"
            seen[(ref, post_id)] = seen.get((ref, post_id), 0) + 1
            if seen[(ref, post_id)] > 1:
                post_id += f"-{seen[(ref, post_id)]}"
        posts["ref"].append(ref)
        posts["post_id"].append(post_id)
        posts["published_at"].append(published)
        posts["content_type"].append(content)
        posts["is_repost"].append(content == "repost")
        posts["is_pinned"].append(None)
        posts["is_live"].append(content == "live")
        posts["text"].append(None)
        for counter in ("views", "comments", "reposts", "reactions"):
            posts[counter].append(counters[counter][index])
        posts["likes"].append(None)
        posts["source_row"].append(number)
        if content == "live":  # the post's link (already parsed as a post link) is the stream's record, as http(s)
            _add_stream(streams, ref, post_id, published, None, web_link(_value(row, columns, "post_url")), number)


def _add_stream(streams: dict, ref: str, stream_id: str, started: int, duration_s: int | None, url: str | None,
                row: int) -> None:
    streams["ref"].append(ref)
    streams["stream_id"].append(stream_id)
    streams["started_at"].append(started)
    streams["duration_s"].append(duration_s)
    streams["url"].append(url)
    streams["title"].append(None)
    streams["source_row"].append(row)


def _streams(reader: _Reader, sheet: Sheet, streams: dict) -> None:
    columns = find_columns(sheet, STREAM_COLUMNS)
    for row in sheet.frame.iter_rows(named=True):
        number = row[ROW_COLUMN]
        page_url, record_url = _value(row, columns, "page_url"), _value(row, columns, "record_url")
        ref = None
        if page_url:
            page = reader.cell(normalize_page_url, page_url, number, columns["page_url"], sheet.name)
            ref = reader.page(page, number, columns["page_url"], sheet.name) if page else None
        else:
            reader.out.error("не указана ссылка на страницу", row=number, column=columns["page_url"], sheet=sheet.name)
        started = reader.moment(_value(row, columns, "started"), number, columns["started"], sheet.name)
        minutes = reader.cell(parse_whole, _value(row, columns, "duration"), number, columns.get("duration"),
                              sheet.name)
        if record_url and web_link(record_url) is None:  # only http(s) links are stored and shown as links
            reader.out.error(f"ссылка на запись эфира «{act.shown(record_url)}» должна быть адресом http:// или "
                             "https://", row=number, column=columns.get("record_url"), sheet=sheet.name)
            continue
        record_url = web_link(record_url)
        if ref is None or started is None:
            continue
        stream_id = f"t{started // 60_000_000}"
        if record_url:
            try:
                stream_id = parse_post_url(record_url).post_id
            except UrlError:
                pass  # a link to a video or another site: kept as the stream's link
        _add_stream(streams, ref, stream_id, started, None if minutes is None else minutes * 60, record_url, number)


def _comments(reader: _Reader, sheet: Sheet, comments: dict) -> None:
    columns = find_columns(sheet, COMMENT_COLUMNS)
    for row in sheet.frame.iter_rows(named=True):
        number = row[ROW_COLUMN]
        ref, post_id = reader.page_of_row(None, _value(row, columns, "post_url"), number, columns, sheet.name)
        created = reader.moment(_value(row, columns, "created"), number, columns["created"], sheet.name)
        by_page = reader.cell(parse_flag, _value(row, columns, "by_page"), number, columns.get("by_page"),
                              sheet.name)
        if ref is None or created is None:
            continue
        comment_id = _value(row, columns, "comment_id") or f"t{number}"
        comments["ref"].append(ref)
        comments["comment_id"].append(str(comment_id).removesuffix(".0"))
        comments["post_id"].append(post_id)
        reply_to = _value(row, columns, "reply_to")
        comments["parent_comment_id"].append(str(reply_to).removesuffix(".0") if reply_to else None)
        comments["author_id"].append("page" if by_page else None)
        comments["author_is_page"].append(bool(by_page))
        comments["created_at"].append(created)
        comments["source_row"].append(number)


def load_template(data: bytes, filename: str, tz: ZoneInfo, now: datetime) -> ActivityData:
    data = unpack(data, filename)  # a gzip-compressed csv/xlsx is read as what it holds
    sheets = _sheets(data, filename)
    if not sheets:
        raise fail(f"файл не похож на шаблон активности; ожидается {ACCEPTED}", filename)
    reader = _Reader(filename, tz)
    posts = {k: [] for k in act.POST_SCHEMA if k != "paid_reactions"}  # Telegram only
    streams = {k: [] for k in act.STREAM_SCHEMA}
    comments = {k: [] for k in act.COMMENT_SCHEMA}
    if "publications" in sheets:
        _publications(reader, sheets["publications"], posts, streams)
    if "streams" in sheets:
        _streams(reader, sheets["streams"], streams)
    if "comments" in sheets:
        _comments(reader, sheets["comments"], comments)
    out = reader.out
    out.raise_if_errors()

    def checked(kind: str, columns: dict, schema: dict, fields: dict) -> pl.DataFrame:
        sheet_name = sheets[kind].name if kind in sheets else None
        found = find_columns(sheets[kind], SHEETS[kind][1]) if kind in sheets else {}
        return act.frame(columns, schema, out, lambda i: {"row": columns["source_row"][i], "sheet": sheet_name},
                         {canonical: found[f] for canonical, f in fields.items() if f in found})

    post_frame = checked("publications", posts, act.POST_SCHEMA, {
        "post_id": "post_url", "published_at": "published", "views": "views", "reactions": "reactions",
        "comments": "comments", "reposts": "reposts"})
    stream_frame = checked("streams", streams, act.STREAM_SCHEMA, {
        "started_at": "started", "duration_s": "duration", "url": "record_url", "stream_id": "record_url"})
    comment_frame = checked("comments", comments, act.COMMENT_SCHEMA, {
        "comment_id": "comment_id", "post_id": "post_url", "parent_comment_id": "reply_to",
        "created_at": "created"})
    out.raise_if_errors()
    duplicates = post_frame.filter(pl.struct("ref", "post_id").is_duplicated())
    for row in duplicates.head(act.MAX_ISSUES).iter_rows(named=True):
        out.warn("публикация указана в файле несколько раз; учтена последняя строка", row=row["source_row"],
                 sheet=sheets["publications"].name)
    post_frame = act.drop_duplicates(out, post_frame, ["ref", "post_id"])
    stream_frame = stream_frame.unique(subset=["ref", "stream_id"], keep="last", maintain_order=True)
    comment_frame = act.drop_duplicates(out, comment_frame, ["ref", "comment_id"])
    for kind, table, column, field_name in (("publications", post_frame, "published_at", "published"),
                                            ("streams", stream_frame, "started_at", "started"),
                                            ("comments", comment_frame, "created_at", "created")):
        if kind in sheets:
            sheet = sheets[kind]
            act.check_moments(out, table, column, "дата", lambda r, s=sheet: {"row": r["source_row"],
                                                                               "sheet": s.name}, now,
                              find_columns(sheet, SHEETS[kind][1])[field_name])
    if "publications" in sheets:
        found = find_columns(sheets["publications"], PUBLICATION_COLUMNS)
        act.check_counters(out, post_frame, lambda r: {"row": r["source_row"], "sheet": sheets["publications"].name},
                           {c: (PUBLICATION_COLUMNS[c][0], found[c]) for c in ("views", "reactions", "comments",
                                                                                "reposts") if c in found})
    out.raise_if_errors()
    pages = {k: [] for k in act.PAGE_SCHEMA}
    places = []
    for ref, page in reader.pages.items():
        pages["ref"].append(ref)
        for k in ("platform", "platform_id", "page_key", "url"):
            pages[k].append(page[k])
        pages["title"].append(None)
        places.append(page)
    # a page's values come from the link it was first named by: the error names that cell
    page_frame = act.frame(pages, act.PAGE_SCHEMA, out, lambda i: {**places[i]["place"], "column": places[i]["column"]},
                           {"page_key": "", "url": "", "platform_id": ""})
    out.raise_if_errors()
    coverage = []
    if "publications" in sheets:
        coverage.append(act.coverage(post_frame["ref"].unique().to_list(), *act.bounds(post_frame["published_at"]),
                                     posts=True, comments=False))
    if "comments" in sheets:
        coverage.append(act.coverage(comment_frame["ref"].unique().to_list(), *act.bounds(comment_frame["created_at"]),
                                     posts=False, comments=True))
    kind = "activity_template" if is_xlsx(data) else "activity_template_csv"
    return ActivityData(kind, page_frame, post_frame, stream_frame, comment_frame,
                        act.empty(act.SNAPSHOT_SCHEMA),
                        coverage=pl.concat(coverage) if coverage else act.empty(act.COVERAGE_SCHEMA),
                        rejected=dict(out.rejected), warnings=out.warnings)
