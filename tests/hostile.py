"""A corpus of hostile files, built in memory from the real formats (formats.md): what an attacker or a broken
tool would upload — values beyond the columns and the 64-bit range, control characters, impossible moments,
duplicated columns, header-only tables, forged and honest "zip bombs", deep and concatenated JSON, huge and
malformed spreadsheets.

Each `Case` says how the product must refuse the file: a fragment of the Russian message and where it points
(sheet, row, column, record). tests/test_hostile.py runs every case through `ingest_bytes` on SQLite and on
PostgreSQL; `python -m benchmark.hostile_measure [NAME…]` runs each case through `cli.py ingest` in a fresh process
and prints its time and peak memory (the numbers for the README and the issue; no test asserts a duration).
"""
from __future__ import annotations

import csv
import functools
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tests.factories import HEADERS, registry_rows, registry_xlsx, tg_chat, tg_message, unix, vk_post, vk_wall

T = unix(2026, 10, 5)  # a moment in the past for every export of the corpus
OK_GROUP = "70000000000001"  # the registry's OK page (tests.factories.registry_rows)
TEMPLATE = ["Ссылка на страницу", "Ссылка на публикацию", "Дата и время", "Тип", "Просмотры", "Реакции",
            "Комментарии", "Репосты"]
GOSPUBLIKI = ["Уровень", "Учредитель", "Наименование подведомственной организации", "ОГРН", "Сфера 1", "Сфера 2",
              "Сфера 3", "Статус", "Официальная страница не ведется на основании", "ID госпаблика / ID канала",
              "Ссылка на госпаблик ВК", "Госметка (да/нет)", "Количество подписчиков"]


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    build: object  # () -> bytes (built on demand: a few cases are large)
    fragment: str  # in the Russian message
    place: dict = field(default_factory=dict)  # attributes of the first issue: sheet, row, column, record
    heavy: bool = False  # large to build or to refuse: measured apart (tests/test_hostile.py, --measure)

    @functools.cached_property
    def content(self) -> bytes:
        return self.build()


CASES: list[Case] = []


def case(name: str, filename: str, fragment: str, heavy: bool = False, **place):
    def register(build):
        CASES.append(Case(name, filename, build, fragment, place, heavy))
        return build
    return register


# --- builders -------------------------------------------------------------------------------------------------

def csv_bytes(header: list, rows: list[list], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def registry_with(row: int, column: int, value) -> list[list]:
    rows = registry_rows()
    rows[row][column] = value
    return rows


def registry_csv_with(row: int, column: int, value) -> bytes:
    return csv_bytes(HEADERS, registry_with(row, column, value))


def template_csv(rows: list[list], header: list | None = None) -> bytes:
    return csv_bytes(header or TEMPLATE, rows)


def template_row(**changes) -> list:
    row = dict(zip(TEMPLATE, ["https://vk.com/depfin_tomsk", "https://vk.com/wall-2002_7", "05.10.2026 10:00",
                              "текст", "120", "5", "1", "0"]))
    row.update(changes)
    return [row[h] for h in TEMPLATE]


def vk_file(**changes) -> bytes:
    return vk_wall([vk_post(5, T, **changes)])


def ok_topic(**changes) -> dict:
    topic = {"id": "900001", "created_ms": T * 1000, "owner_ref": f"group:{OK_GROUP}",
             "author_ref": f"group:{OK_GROUP}", "media": [{"type": "text", "text": "Новость"}],
             "like_summary": {"count": 5}, "reshare_summary": {"count": 1},
             "discussion_summary": {"comments_count": 2}, "views_count": 100}
    topic.update(changes)
    return topic


def ok_file(**changes) -> bytes:
    return json.dumps({"media_topics": [ok_topic(**changes)],
                       "entities": {"groups": [{"uid": OK_GROUP, "name": "ЦБО"}]}}, ensure_ascii=False).encode()


def tg_file(messages: list[dict] | None = None, **chat) -> bytes:
    payload = tg_chat(messages if messages is not None else [tg_message(1, T)])
    payload.update(chat)
    return json.dumps(payload, ensure_ascii=False).encode()


def iso(moment: int) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


# a minimal workbook written part by part, so that sizes, methods and flags can lie
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                 '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/'
                 'xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                 'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Реестр" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def sheet_xml(cells: list[tuple[str, str]]) -> bytes:
    rows: dict[int, list] = {}
    for ref, value in cells:
        rows.setdefault(int("".join(c for c in ref if c.isdigit())), []).append((ref, value))
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
                                               for ref, v in sorted(cs)) + "</row>" for r, cs in sorted(rows.items()))
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>').encode()


def header_cells(row: int = 1) -> list[tuple[str, str]]:
    return [(f"{chr(65 + i)}{row}", h) for i, h in enumerate(HEADERS)]


def zip_parts(parts: list[tuple], flags: int = 0) -> bytes:
    """A zip archive from (name, compressed bytes, method, declared size, crc) parts, written as given."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, method, size, crc in parts:
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0, crc, len(data),
                                  size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), start, 0))
    return out.getvalue()


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def deflated_zeros(prefix: bytes, size: int) -> bytes:
    """`prefix` then zeros up to about `size` bytes, deflated: one fully flushed block of zeros compresses to the
    same bytes every time, so the stream is that block repeated (built at once, never inflated here)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = 4 << 20
    zeros = compressor.compress(b"\x00" * block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return head + zeros * max(1, (size - len(prefix)) // block) + compressor.flush()


def workbook(sheet: bytes, *, declared: int | None = None, compressed: bytes | None = None, method: int = 8,
             flags: int = 0) -> bytes:
    parts = [("[Content_Types].xml", CONTENT_TYPES.encode()), ("_rels/.rels", RELS.encode()),
             ("xl/workbook.xml", WORKBOOK.encode()), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.encode())]
    built = [(name, deflated(data), 8, len(data), zlib.crc32(data)) for name, data in parts]
    built.append(("xl/worksheets/sheet1.xml", compressed if compressed is not None else deflated(sheet), method,
                  len(sheet) if declared is None else declared, zlib.crc32(sheet)))
    return zip_parts(built, flags)


def many_sheets(count: int) -> bytes:
    workbook_xml = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
                    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships"><sheets>' + "".join(f'<sheet name="Лист{i}" sheetId="{i}" r:id="rId{i}"/>'
                                                       for i in range(1, count + 1)) + "</sheets></workbook>")
    relations = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships">' + "".join(
                     f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, count + 1))
                 + "</Relationships>")
    sheet = sheet_xml(header_cells())
    parts = [("[Content_Types].xml", CONTENT_TYPES.encode()), ("_rels/.rels", RELS.encode()),
             ("xl/workbook.xml", workbook_xml.encode()), ("xl/_rels/workbook.xml.rels", relations.encode())]
    parts += [(f"xl/worksheets/sheet{i}.xml", sheet) for i in range(1, count + 1)]
    return zip_parts([(name, deflated(data), 8, len(data), zlib.crc32(data)) for name, data in parts])


def template_xlsx(header: list, rows: list[list], sheet: str = "Публикации") -> bytes:
    import openpyxl
    book = openpyxl.Workbook()
    book.active.title = sheet
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- registry (formats.md §10) ------------------------------------------------------------------------------------

case("registry_owner_name_over_500", "реестр.xlsx", "длиннее допустимых 500", sheet="Реестр", row=2,
     column="Владелец")(lambda: registry_xlsx(registry_with(0, 0, "Г" * 501)))
case("registry_responsible_over_500", "реестр.xlsx", "длиннее допустимых 500", sheet="Реестр", row=3,
     column="Ответственный")(lambda: registry_xlsx(registry_with(1, 19, "Иванова " * 70)))
case("registry_nul_in_owner", "реестр.csv", "нулевой байт", row=2, column="Владелец")(
    lambda: registry_csv_with(0, 0, "Губернатор\x00 Томской области"))
case("registry_bell_in_parent", "реестр.csv", "управляющий символ с кодом 7", row=5, column="Вышестоящий орган")(
    lambda: registry_csv_with(3, 2, "Департамент\x07 финансов Томской области"))
case("registry_control_in_url", "реестр.csv", "управляющий символ с кодом 1", row=2, column="Ссылка")(
    lambda: registry_csv_with(0, 5, "https://vk.com/gubernator\x01tomsk"))
case("registry_telegram_invite_over_200", "реестр.csv", "ссылку-приглашение", row=4, column="Ссылка")(
    lambda: registry_csv_with(2, 5, "https://t.me/+" + "A" * 300))
case("registry_platform_id_50_digits", "реестр.csv", "длиннее допустимых 40", row=2, column="ID на платформе")(
    lambda: registry_csv_with(0, 6, "9" * 50))
case("registry_subscribers_beyond_64_bits", "реестр.csv", "больше 9223372036854775807", row=2,
     column="Подписчики")(lambda: registry_csv_with(0, 18, "99999999999999999999"))
case("registry_negative_subscribers", "реестр.csv", "меньше 0", row=3, column="Подписчики")(
    lambda: registry_csv_with(1, 18, "-5"))
case("registry_future_registration", "реестр.csv", "ещё не наступила", row=2, column="Дата регистрации")(
    lambda: registry_csv_with(0, 7, "01.01.2099"))
case("registry_registration_in_1899", "реестр.csv", "вне допустимого диапазона", row=2,
     column="Дата регистрации")(lambda: registry_csv_with(0, 7, "01.01.1899"))
case("registry_bad_flag", "реестр.xlsx", "ожидается «да» или «нет»", sheet="Реестр", row=2, column="Аватар")(
    lambda: registry_xlsx(registry_with(0, 11, "может быть")))
case("registry_ogrn_letters", "реестр.xlsx", "ОГРН должен состоять", sheet="Реестр", row=3, column="ОГРН")(
    lambda: registry_xlsx(registry_with(1, 3, "10270000000O1")))
case("registry_link_column_twice_csv", "реестр.csv", "столбцы F и U", row=1, column="Ссылка")(
    lambda: csv_bytes(HEADERS + ["Ссылка"], [r + ["https://vk.com/other"] for r in registry_rows()]))
case("registry_link_column_twice_xlsx", "реестр.xlsx", "столбцы F и U", sheet="Реестр", row=1, column="Ссылка")(
    lambda: template_xlsx(HEADERS + ["ссылка "], [r + ["https://vk.com/other"] for r in registry_rows()], "Реестр"))
case("registry_header_only_xlsx", "реестр.xlsx", "нет ни одной строки с данными", sheet="Реестр", row=2)(
    lambda: registry_xlsx([]))
case("registry_header_only_csv", "реестр.csv", "нет ни одной строки с данными", row=2)(
    lambda: csv_bytes(HEADERS, []))
case("gospubliki_spheres_over_500", "госпаблики.csv", "длиннее допустимых 500", row=2, column="Сфера 1")(
    lambda: csv_bytes(GOSPUBLIKI, [["Министерство", "", "Департамент финансов Томской области", "", "С" * 501, "",
                                    "", "", "", "2002", "https://vk.com/depfin_tomsk", "да", "5200"]]))
case("gospubliki_level_over_100", "госпаблики.csv", "длиннее допустимых 100", row=2, column="Уровень")(
    lambda: csv_bytes(GOSPUBLIKI, [["М" * 101, "", "Департамент финансов Томской области", "", "", "", "", "", "",
                                    "2002", "https://vk.com/depfin_tomsk", "да", "5200"]]))

# --- activity template (formats.md §11) ---------------------------------------------------------------------------

case("template_future_date_csv", "публикации.csv", "ещё не наступила", row=2, column="Дата и время")(
    lambda: template_csv([template_row(**{"Дата и время": "05.10.2099 10:00"})]))
case("template_negative_views_csv", "публикации.csv", "отрицательный", row=2, column="Просмотры")(
    lambda: template_csv([template_row(**{"Просмотры": "-5"})]))
case("template_views_beyond_64_bits", "публикации.csv", "больше 9223372036854775807", row=2, column="Просмотры")(
    lambda: template_csv([template_row(**{"Просмотры": "99999999999999999999"})]))
case("template_year_9999", "публикации.csv", "вне допустимого диапазона", row=2, column="Дата и время")(
    lambda: template_csv([template_row(**{"Дата и время": "31.12.9999 23:59"})]))
case("template_year_1", "публикации.csv", "вне допустимого диапазона", row=2, column="Дата и время")(
    lambda: template_csv([template_row(**{"Дата и время": "01.01.0001 00:00"})]))
case("template_views_column_twice", "публикации.csv", "столбцы E и I", row=1, column="Просмотры")(
    lambda: template_csv([template_row() + ["7"]], TEMPLATE + ["Просмотры"]))
case("template_header_only_csv", "публикации.csv", "нет ни одной строки с данными", row=2)(
    lambda: template_csv([]))
case("template_header_only_xlsx", "публикации.xlsx", "нет ни одной строки с данными", sheet="Публикации", row=2)(
    lambda: template_xlsx(TEMPLATE, []))
case("template_bad_type", "публикации.xlsx", "неизвестный тип", sheet="Публикации", row=2, column="Тип")(
    lambda: template_xlsx(TEMPLATE, [template_row(**{"Тип": "сторис"})]))
case("template_post_link_with_huge_id", "публикации.csv", "не похоже на ссылку на публикацию", row=2,
     column="Ссылка на публикацию")(
    lambda: template_csv([template_row(**{"Ссылка на публикацию": "https://vk.com/wall-2002_" + "9" * 30})]))
COMMENTS = ["Ссылка на публикацию", "Дата комментария", "Автор — страница (да/нет)", "Ответ на (id комментария)",
            "ID комментария"]
case("template_comment_id_over_64", "комментарии.csv", "длиннее 64 символов", row=2, column="ID комментария")(
    lambda: csv_bytes(COMMENTS, [["https://vk.com/wall-2002_7", "05.10.2026 11:00", "нет", "", "c" * 65]]))
case("template_comment_id_with_nul", "комментарии.csv", "нулевой байт", row=2, column="ID комментария")(
    lambda: csv_bytes(COMMENTS, [["https://vk.com/wall-2002_7", "05.10.2026 11:00", "нет", "", "c1\x00"]]))
case("template_reply_to_over_64", "комментарии.csv", "длиннее 64 символов", row=2,
     column="Ответ на (id комментария)")(
    lambda: csv_bytes(COMMENTS, [["https://vk.com/wall-2002_7", "05.10.2026 11:00", "да", "r" * 70, "c1"]]))
STREAMS = ["Ссылка на страницу", "Дата и время", "Длительность, мин", "Ссылка на запись"]
case("template_stream_link_over_500", "эфиры.csv", "длиннее 500 символов", row=2, column="Ссылка на запись")(
    lambda: csv_bytes(STREAMS, [["https://vk.com/depfin_tomsk", "05.10.2026 10:00", "30",
                                 "https://example.org/" + "v" * 600]]))
case("template_stream_duration_overflow", "эфиры.csv", "больше допустимого", row=2, column="Длительность, мин")(
    lambda: csv_bytes(STREAMS, [["https://vk.com/depfin_tomsk", "05.10.2026 10:00", "99999999999", ""]]))
case("template_unclosed_quote", "публикации.csv", "CSV не разобран")(
    lambda: template_csv([template_row()]) + b'https://vk.com/depfin_tomsk;"' + b"x" * 200_000 + b"\n")
case("template_twenty_thousand_columns", "публикации.csv", "таблица шириной 20000 столбцов", row=1)(
    lambda: ";".join(TEMPLATE + [f"c{i}" for i in range(20_000 - len(TEMPLATE))]).encode() + b"\n"
    + ";".join(template_row()).encode() + b"\n")
case("template_six_million_cells", "публикации.csv", "ячеек", heavy=True)(
    lambda: ";".join(TEMPLATE).encode() + b"\n" + b";;;;;;;\n" * 800_000)

# --- VK (formats.md §1) -------------------------------------------------------------------------------------------

case("vk_negative_views", "wall.json", "отрицательный", record="запись 1 (id 5)", column="views")(
    lambda: vk_file(views={"count": -7}))
case("vk_views_beyond_64_bits", "wall.json", "не помещается в 64 бита", record="запись 1 (id 5)", column="views")(
    lambda: vk_file(views={"count": 2**64}))
case("vk_likes_beyond_uint64", "wall.json", "не помещается в 64 бита", record="запись 1 (id 5)", column="likes")(
    lambda: vk_file(likes={"count": 10**30}))
case("vk_date_far_future", "wall.json", "вне допустимого диапазона", record="запись 1 (id 5)", column="date")(
    lambda: vk_wall([vk_post(5, 10**15)]))
case("vk_date_negative", "wall.json", "вне допустимого диапазона", record="запись 1 (id 5)", column="date")(
    lambda: vk_wall([vk_post(5, -(10**10))]))
case("vk_date_in_2099", "wall.json", "ещё не наступила", record="запись 1 (id 5)", column="date")(
    lambda: vk_wall([vk_post(5, unix(2099, 1, 1))]))
case("vk_date_1970", "wall.json", "вне допустимого диапазона", record="запись 1 (id 5)", column="date")(
    lambda: vk_wall([vk_post(5, 0)]))
case("vk_id_beyond_64_bits", "wall.json", "не помещается в 64 бита", column="id")(
    lambda: vk_wall([vk_post(2**70, T)]))
case("vk_owner_id_beyond_64_bits", "wall.json", "не помещается в 64 бита", column="owner_id")(
    lambda: vk_wall([vk_post(5, T, owner_id=-(2**65))]))
case("vk_text_over_100000", "wall.json", "длиннее 100000 символов", record="запись 1 (id 5)", column="text")(
    lambda: vk_file(text="а" * 100_001))
case("vk_group_name_over_500", "wall.json", "длиннее 500 символов", record="groups[0]", column="name")(
    lambda: vk_wall([vk_post(5, T)], groups=[{"id": 2002, "name": "Д" * 501, "screen_name": "depfin_tomsk"}]))
case("vk_screen_name_with_nul", "wall.json", "нулевой байт", record="groups[0]", column="screen_name")(
    lambda: vk_wall([vk_post(5, T)], groups=[{"id": 2002, "name": "ДФ", "screen_name": "depfin\x00tomsk"}]))
case("vk_live_start_in_year_33658", "wall.json", "вне допустимого диапазона", record="запись 1 (id 5)",
     column="live_start_time")(
    lambda: vk_file(attachments=[{"type": "video", "video": {"type": "live", "live_start_time": 10**12}}]))
case("vk_stream_duration_beyond_32_bits", "wall.json", "больше допустимого", record="запись 1 (id 5)",
     column="duration")(
    lambda: vk_file(attachments=[{"type": "video", "video": {"type": "live", "duration": 2**40}}]))
case("vk_comment_date_huge", "comments.json", "вне допустимого диапазона", column="date")(
    lambda: json.dumps({"count": 1, "items": [{"id": 1, "from_id": 7, "date": 10**14, "text": "?", "post_id": 5,
                                               "owner_id": -2002, "parents_stack": []}]}).encode())
case("vk_groups_members_beyond_64_bits", "groups.json", "не помещается в 64 бита", column="members_count")(
    lambda: json.dumps({"response": {"groups": [{"id": 2002, "name": "ДФ", "screen_name": "depfin_tomsk",
                                                 "members_count": 2**64 - 1}]}}).encode())
case("vk_groups_members_beyond_uint64", "groups.json", "целым неотрицательным", column="members_count")(
    lambda: json.dumps({"response": {"groups": [{"id": 2002, "name": "ДФ", "screen_name": "depfin_tomsk",
                                                 "members_count": 2**64}]}}).encode())
case("vk_deep_nesting", "wall.json", "вложенность")(
    lambda: b'{"count": 1, "items": [' + b'[' * 100_000 + b']' * 100_000 + b']}')
case("vk_nesting_just_under_the_parser", "wall.json", "формат JSON не распознан")(
    lambda: b'{"count": 1, "items": [' + b'[' * 950 + b']' * 950 + b']}')
case("vk_two_documents", "wall.json", "ещё один документ JSON")(lambda: vk_file() + b"\n" + vk_file())
case("vk_trailing_garbage", "wall.json", "посторонние данные")(lambda: vk_file() + b" hello")
case("vk_cut_short", "wall.json", "JSON обрезан")(lambda: vk_file()[:-30])
case("vk_nan", "wall.json", "JSON повреждён")(lambda: vk_file().replace(b'"count": 300', b'"count": NaN'))
case("vk_number_infinity", "wall.json", "число слишком велико")(
    lambda: vk_file().replace(b'"count": 300', b'"count": 1e400'))
case("vk_api_error", "wall.json", "ошибкой 15 (доступ запрещён)")(
    lambda: json.dumps({"error": {"error_code": 15, "error_msg": "Access denied: group is blocked"}}).encode())
case("vk_lone_surrogate", "wall.json", "JSON повреждён")(
    lambda: vk_file().replace("Публикация".encode(), b"\\ud800"))
case("vk_utf16_broken", "wall.json", "UTF-16")(lambda: b"\xff\xfe" + '{"items": ['.encode("utf-16-le") + b"\x00\xd8")
case("vk_concatenated_large", "wall.json", "ещё один документ JSON", heavy=True)(
    lambda: (lambda one: one + b"\n" + one)(vk_wall([vk_post(i, T - i, text="т" * 300) for i in range(1, 60_001)])))

# --- Telegram Desktop (formats.md §2) -----------------------------------------------------------------------------

case("telegram_bad_iso_date", "result.json", "не разобрана", column="date")(
    lambda: tg_file([{"id": 1, "type": "message", "date": "2026-13-45T99:00:00", "from_id": "channel3003",
                      "text": "Новость", "text_entities": []}]))
case("telegram_iso_year_9999", "result.json", "вне допустимого диапазона", column="date")(
    lambda: tg_file([{"id": 1, "type": "message", "date": "9999-12-31T23:59:59", "from_id": "channel3003",
                      "text": "Новость", "text_entities": []}]))
case("telegram_iso_negative_year", "result.json", "не разобрана", column="date")(
    lambda: tg_file([{"id": 1, "type": "message", "date": "-1199-01-01T00:00:00", "from_id": "channel3003",
                      "text": "Новость", "text_entities": []}]))
case("telegram_unixtime_huge", "result.json", "вне допустимого диапазона", column="date_unixtime")(
    lambda: tg_file([tg_message(1, T) | {"date_unixtime": "99999999999999"}]))
case("telegram_unixtime_not_a_number", "result.json", "не разобрана", column="date_unixtime")(
    lambda: tg_file([tg_message(1, T) | {"date_unixtime": {"seconds": 5}}]))
case("telegram_chat_id_object", "result.json", "нет числового id", column="id")(
    lambda: tg_file(id={"a": 1}))
case("telegram_chat_name_over_500", "result.json", "длиннее 500 символов", column="name")(
    lambda: tg_file(name="К" * 501))
case("telegram_message_id_beyond_64_bits", "result.json", "без числового id", column="id")(
    lambda: tg_file([tg_message(2**70, T)]))
case("telegram_reactions_beyond_64_bits", "result.json", "не помещается в 64 бита", column="reactions")(
    lambda: tg_file([tg_message(1, T, reactions=[{"type": "emoji", "count": 2**62, "emoji": "👍"}] * 3)]))
case("telegram_future_post", "result.json", "ещё не наступила", column="date_unixtime")(
    lambda: tg_file([tg_message(1, unix(2099, 1, 1))]))
case("telegram_deep_text", "result.json", "вложенность")(
    lambda: tg_file([tg_message(1, T)]).replace(b'"text_entities": []', b'"text_entities": ' + b"[" * 5000
                                                 + b"]" * 5000, 1))
case("telegram_reactions_fraction", "result.json", "число реакций должно быть целым", column="reactions")(
    lambda: tg_file([tg_message(1, T, reactions=[{"type": "emoji", "count": 2.5, "emoji": "👍"}])]))

# --- Odnoklassniki (formats.md §3) --------------------------------------------------------------------------------

case("ok_negative_likes", "ok.json", "отрицательный", record="запись 1 (id 900001)", column="like_summary")(
    lambda: ok_file(like_summary={"count": -3}))
case("ok_views_beyond_64_bits", "ok.json", "не помещается в 64 бита", record="запись 1 (id 900001)",
     column="views_count")(lambda: ok_file(views_count=2**64 - 1))
case("ok_views_beyond_uint64", "ok.json", "должен быть целым числом", record="запись 1 (id 900001)",
     column="views_count")(lambda: ok_file(views_count=2**64))
case("ok_likes_as_text", "ok.json", "должен быть целым числом", record="запись 1 (id 900001)",
     column="like_summary")(lambda: ok_file(like_summary={"count": "много"}))
case("ok_created_in_year_50000", "ok.json", "вне допустимого диапазона", record="запись 1 (id 900001)",
     column="created_ms")(lambda: ok_file(created_ms=10**18))
case("ok_created_in_the_future", "ok.json", "ещё не наступила", record="запись 1 (id 900001)",
     column="created_ms")(lambda: ok_file(created_ms=unix(2099, 1, 1) * 1000))
case("ok_group_id_of_40_digits", "ok.json", "не указана группа", record="запись 1 (id 900001)", column="owner_ref")(
    lambda: ok_file(owner_ref="group:" + "7" * 40, author_ref="group:" + "7" * 40))
case("ok_topic_id_object", "ok.json", "нет числового id темы", column="id")(lambda: ok_file(id={"id": 1}))

# --- containers and sizes -----------------------------------------------------------------------------------------

case("xlsx_forged_zip_bomb", "бомба.xlsx", "zip-бомб", heavy=True)(
    lambda: workbook(b"", declared=1024, compressed=deflated_zeros(sheet_xml(header_cells())[:-30], 1_200 << 20)))
case("xlsx_honest_zip_bomb", "бомба.xlsx", "распаковывается в", heavy=True)(
    lambda: workbook(b"", declared=600 << 20, compressed=deflated_zeros(b"<worksheet>", 600 << 20)))
case("xlsx_cell_at_xfd1048576", "реестр.xlsx", "больше допустимых 1000", sheet="Реестр")(
    lambda: workbook(sheet_xml(header_cells() + [("XFD1048576", "x")])))
case("xlsx_block_of_a_million_rows", "реестр.xlsx", "ячеек", sheet="Реестр")(
    lambda: workbook(sheet_xml(header_cells() + [("T1048576", "x")])))
case("xlsx_encrypted_part", "реестр.xlsx", "зашифрована")(lambda: workbook(sheet_xml(header_cells()), flags=1))
case("xlsx_bzip2_part", "реестр.xlsx", "сжата способом")(
    lambda: workbook(sheet_xml(header_cells()), method=12, compressed=b"BZh91AY&SY"))
case("xlsx_corrupt_deflate", "реестр.xlsx", "не распаковывается")(
    lambda: workbook(sheet_xml(header_cells()), compressed=b"\xff" * 64))
case("xlsx_part_cut_short", "реестр.xlsx", "обрывается")(
    lambda: workbook(sheet_xml(header_cells()), compressed=deflated(sheet_xml(header_cells()))[:40]))
case("xlsx_without_workbook", "реестр.xlsx", "не является книгой Excel")(
    lambda: zip_parts([("hello.txt", deflated(b"hi"), 8, 2, zlib.crc32(b"hi"))]))
case("xlsx_broken_xml", "реестр.xlsx", "книгу Excel не удалось прочитать")(
    lambda: workbook(b"<worksheet><sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>x</is></row>"))
case("xlsx_billion_laughs", "реестр.xlsx", "книгу Excel не удалось прочитать")(
    lambda: workbook(('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)) + ']><worksheet xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        '&lol9;</t></is></c></row></sheetData></worksheet>').encode()))
case("xlsx_1500_sheets", "реестр.xlsx", "1500 листов")(lambda: many_sheets(1500))
case("xls_password_protected", "реестр.xlsx", "защищён паролем")(
    lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)
case("zip_truncated", "реестр.xlsx", "повреждён")(lambda: registry_xlsx()[:2000])
case("gzip_bomb", "wall.json.gz", "распаковывается больше чем в", heavy=True)(
    lambda: b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + deflated_zeros(b'{"items": [', 400 << 20)
    + struct.pack("<II", 0, (400 << 20) & 0xFFFFFFFF))
case("gzip_garbage", "wall.json.gz", "архив gzip повреждён")(lambda: b"\x1f\x8b\x08\x00" + b"\xff" * 100)
case("json_ten_million_values", "wall.json", "значений", heavy=True)(
    lambda: b'{"name": "channel", "type": "public_channel", "id": 3003, "messages": [' + b"1," * 10_500_000 + b'1]}')
case("empty_file", "wall.json", "файл пустой")(lambda: b"")
case("gzip_inside_gzip", "wall.json.gz", "формат файла не распознан")(
    lambda: __import__("gzip").compress(__import__("gzip").compress(vk_file())))
case("pdf_named_json", "wall.json", "формат файла не распознан")(lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8)
case("json_top_level_string", "wall.json", "формат файла не распознан")(lambda: b'"wall.get"')
case("csv_in_utf16", "реестр.csv", "формат файла не распознан")(
    lambda: csv_bytes(HEADERS, registry_rows()).decode().encode("utf-16"))
case("binary_noise", "wall.json", "формат файла не распознан")(lambda: bytes(range(256)) * 40)
case("json_not_an_export", "wall.json", "формат JSON не распознан")(lambda: b'{"hello": "world"}')


def by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)
