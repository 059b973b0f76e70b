"""Which format a file is in, from its content (never from its name), and the loader that reads it."""
from __future__ import annotations

import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
import orjson

from loaders import activity as act
from loaders import activity_template, ok, registry, telegram, telegram_typed, vk, vk_typed
from loaders.activity import ActivityData
from loaders.errors import LoadError, fail
from loaders.tabular import is_xlsx, normalize_header, read_csv_sheet, read_xlsx_sheets
from loaders.unpack import head, is_gzip, is_json, shedder, unpack, utf8

ACCEPTED_FORMATS = (
    "принимаются: реестр страниц (шаблон xlsx/csv) и выгрузка «Госпаблики» (xlsx/csv); "
    "ВКонтакте — JSON ответов wall.get, wall.getComments, groups.getById; "
    "Telegram Desktop — result.json (экспорт канала или его группы обсуждения, машиночитаемый JSON); "
    "Одноклассники — JSON mediatopic (media_topics); шаблон активности (xlsx/csv: «Публикации», «Прямые эфиры», "
    "«Комментарии»); любой из них можно загрузить и сжатым в gzip (.gz)")

FORMAT_LABELS = {
    "registry_template": "Реестр (шаблон)", "gospubliki_export": "Выгрузка «Госпаблики»",
    "registry_edit": "Правка реестра на экране",
    "vk_wall": "ВКонтакте: wall.get", "vk_comments": "ВКонтакте: wall.getComments",
    "vk_groups": "ВКонтакте: groups.getById", "telegram": "Telegram Desktop: result.json",
    "ok_mediatopics": "Одноклассники: mediatopic", "activity_template": "Шаблон активности (xlsx)",
    "activity_template_csv": "Шаблон активности (csv)",
}


# what orjson's (English) message means, in Russian; the user never sees the parser's own words
JSON_PROBLEMS = (
    ("trailing comma", "лишняя запятая перед закрывающей скобкой"),
    ("expected ':'", "после имени поля нет двоеточия"),
    ("expected a string key", "имя поля должно быть строкой в двойных кавычках"),
    ("expected ','", "пропущена запятая между элементами"),
    ("invalid literal", "неизвестное слово: допустимы только true, false и null"),
    ("control character", "в строке есть управляющий символ без экранирования (перевод строки, табуляция)"),
    ("leading zero", "число записано неверно (ведущий ноль)"),
    ("infinity", "число слишком велико"),
    ("number", "число записано неверно"),
    ("escape", "неверная последовательность после «\\» в строке"),
    ("surrogate", "неверный код символа «\\u…» в строке"),
    ("expected a JSON value", "ожидается значение JSON"),
    ("empty", "документ пустой"),
    ("depth", "слишком глубокая вложенность скобок"),
)
# VK API error codes (dev.vk.com/ru/reference/errors) a failed export may hold instead of data
VK_ERRORS = {1: "неизвестная ошибка", 5: "авторизация не удалась", 6: "слишком много запросов в секунду",
             7: "нет прав на это действие", 10: "внутренняя ошибка сервера", 15: "доступ запрещён",
             18: "страница удалена или заблокирована", 29: "достигнут лимит запросов", 30: "профиль закрыт",
             100: "неверный параметр запроса", 113: "неверный идентификатор", 203: "доступ к сообществу запрещён"}
# the size budget of a JSON document read by the generic parser (a Python object per value): about a gigabyte
MAX_JSON_VALUES = int(os.environ.get("GOSPABLIKI_MAX_JSON_VALUES", "10000000"))
DEPTH_NOTE = ("в JSON слишком глубокая вложенность скобок (сотни уровней; в выгрузках платформ их не больше двух "
              "десятков) — файл испорчен или составлен вручную")


def _shown(character: str) -> str:
    if not character:
        return "конец файла"
    if character == "\x00":
        return "нулевой байт"
    return f"«{character}»" if character.isprintable() else f"символ с кодом {ord(character)}"


def parse_json(content: bytes, filename: str) -> object:
    """The document, or one Russian line naming the line and column where it breaks and what to do."""
    content = utf8(content, filename)
    check_json_shape(content, filename)
    values = content.count(b",") + content.count(b"{") + content.count(b"[")  # at most so many values
    if values > MAX_JSON_VALUES:
        raise fail(f"в JSON около {values:,} значений".replace(",", " ") + f" — больше допустимых "
                   f"{MAX_JSON_VALUES:,}".replace(",", " ") + "; разделите выгрузку на несколько файлов", filename)
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise _json_error(exc, content, filename) from None
    except RecursionError:
        raise fail(DEPTH_NOTE, filename) from None


def check_json_shape(content: bytes, filename: str) -> None:
    """One cheap pass over the text (no Python object per value): one document, not several written one after
    another, and no nesting deeper than a parser may follow — refused before anything is built from it. Other
    defects are explained by the full parse, with their line and column."""
    try:
        msgspec.json.decode(content, type=msgspec.Raw)
    except RecursionError:
        raise fail(DEPTH_NOTE, filename) from None
    except msgspec.DecodeError as exc:
        found = re.search(r"trailing characters \(byte (\d+)\)", str(exc))
        if found:
            raise _after_document(content, max(int(found.group(1)) - 1, 0), filename) from None


def _place(content: bytes, position: int) -> str:
    line = content.count(b"\n", 0, position) + 1
    column = len(content[content.rfind(b"\n", 0, position) + 1:position].decode("utf-8", "replace")) + 1
    return f" (строка {line}, символ {column})"


def _after_document(content: bytes, position: int, filename: str) -> LoadError:
    rest = content[position:position + 64].decode("utf-8", "replace").lstrip()
    if rest[:1] in ("{", "["):
        what = "ещё один документ JSON: в файл дописано несколько ответов подряд"
        todo = "сохраните каждый ответ в отдельный файл или объедините их в список [ … ]"
    elif content[position:].strip(b"\x00 \t\r\n") == b"":
        what = "нулевые байты: файл дописан не до конца или испорчен при копировании"
        todo = "скачайте или скопируйте выгрузку заново"
    else:
        what = f"посторонние данные, начиная с {_shown(rest[:1])}"
        todo = "удалите всё после последней закрывающей скобки или выгрузите файл заново"
    return fail(f"после конца документа JSON{_place(content, position)} есть {what}; в файле должен быть один "
                f"документ — {todo}", filename)


def _json_error(exc: orjson.JSONDecodeError, content: bytes, filename: str) -> LoadError:
    if "UTF-8" in exc.msg:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = content.count(b"\n", 0, bad.start) + 1
            column = len(content[content.rfind(b"\n", 0, bad.start) + 1:bad.start].decode("utf-8", "replace")) + 1
            return fail(f"текст не в кодировке UTF-8 (строка {line}, символ {column}); выгрузки API и Telegram "
                        "сохраняются в UTF-8 — сохраните файл заново в UTF-8 (не в Windows-1251)", filename)
        return fail("в тексте есть символы, недопустимые в UTF-8; сохраните файл заново в UTF-8", filename)
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    where = f" (строка {line}, символ {column})" if line else ""
    doc = exc.doc if isinstance(exc.doc, str) else ""
    if "end of data" in exc.msg:
        return fail(f"JSON обрезан или повреждён: файл обрывается на середине{where}; выгрузите его заново",
                    filename)
    if "after document" in exc.msg:
        rest = doc[exc.pos:].lstrip()
        if rest[:1] in ("{", "["):
            what = "ещё один документ JSON: в файл дописано несколько ответов подряд"
            todo = "сохраните каждый ответ в отдельный файл или объедините их в список [ … ]"
        elif rest.strip("\x00") == "":
            what = "нулевые байты: файл дописан не до конца или испорчен при копировании"
            todo = "скачайте или скопируйте выгрузку заново"
        else:
            what = f"посторонние данные, начиная с {_shown(rest[:1])}"
            todo = "удалите всё после последней закрывающей скобки или выгрузите файл заново"
        return fail(f"после конца документа JSON{where} есть {what}; в файле должен быть один документ — {todo}",
                    filename)
    meaning = next((text for key, text in JSON_PROBLEMS if key in exc.msg), None)
    character = doc[exc.pos:exc.pos + 1] if 0 <= exc.pos < len(doc) else ""
    detail = meaning or f"неожиданный {_shown(character)}"
    if meaning and character and meaning != JSON_PROBLEMS[-1][1]:
        detail += f" (встречен {_shown(character)})"
    return fail(f"JSON повреждён{where}: {detail}; исправьте файл или выгрузите его заново", filename)


def tabular_kind(content: bytes, filename: str) -> str:
    """`registry` or `activity` for a spreadsheet, by its headers."""
    content = unpack(content, filename)
    known = registry.ALL_HEADERS | activity_template.ALL_HEADERS
    sheets = read_xlsx_sheets(content, filename, known, head=100) if is_xlsx(content) else [
        read_csv_sheet(content, filename, known)]
    for sheet in sheets:
        try:
            registry.pick_sheet([sheet], filename)
            return "registry"
        except LoadError:
            pass
    if any(activity_template.layout_of(sheet) for sheet in sheets):
        return "activity"
    names = ", ".join(f"«{s.name}»" for s in sheets if s.name)
    headers = [h for h in sheets[0].frame.columns if not h.startswith("__")][:8] if sheets else []
    seen = f"листы {names}; " if names else ""
    seen += "заголовки: " + ", ".join(f"«{h}»" for h in headers) if headers else "заголовков нет"
    raise fail(f"формат таблицы не распознан ({seen}); {ACCEPTED_FORMATS}", filename)


def load_json_bytes(content: bytes, filename: str, tz: ZoneInfo, now: datetime) -> ActivityData:
    """Parse and load a JSON activity export (gzip opened, UTF-16 or a BOM converted): a Telegram channel export
    and a `wall.get` file through their typed fast paths, anything else (or a file a fast path does not take)
    through the generic parse and the shape routing below (which checks the document's shape first: one
    document, bounded nesting — the typed paths refuse both by themselves and leave the explanation to it).

    The bytes are let go as soon as the typed path no longer needs them (a caller that passes its last
    reference, as storage.ingest does, has a 200 MB file freed before its frames are built)."""
    held = [utf8(content, filename)]
    del content
    shed = shedder(held[0])  # a file read in place: its pages let go as the typed paths read on
    if (chats := telegram_typed.decode_chats(held[0], MAX_JSON_VALUES)) is not None:
        try:
            return telegram.load_telegram(chats, filename, tz, now, release=held.clear, shed=shed)
        except telegram.Untyped:
            del chats  # the typed messages are not needed by the generic reading
    elif (wall := vk_typed.decode_wall(held[0], shed)) is not None:
        held.clear()
        return vk.load_wall(wall, filename, now)
    del shed
    content = held.pop()
    if not isinstance(content, bytes):  # a mapped file: the generic parse and its error messages read bytes
        content = content[:]
    return load_activity_json(parse_json(content, filename), filename, tz, now)


def load_activity_json(payload: object, filename: str, tz: ZoneInfo, now: datetime) -> ActivityData:
    """Route a parsed JSON document to its loader by shape (formats.md §1–3)."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]
        code = error.get("error_code")
        meaning = VK_ERRORS.get(code) if type(code) is int else None
        raise fail(f"файл содержит ответ API с ошибкой {act.shown(code, 20)}" + (f" ({meaning})" if meaning else "")
                   + ", а не данные; выгрузите данные заново", filename)
    if (chats := telegram.chats_of(payload)) is not None:
        return telegram.load_telegram(chats, filename, tz, now)
    if (topics := ok.topics_of(payload)) is not None:
        return ok.load_topics(*topics, filename, now)
    if (groups := vk.group_list(payload)) is not None:
        return vk.load_groups(groups, filename)
    if (legacy := vk.legacy_list(payload)) is not None:
        return _legacy_vk(*legacy, filename, now)
    if (single := vk.single_object(payload)) is not None:
        raise fail(single, filename)
    body = payload.get("response") if isinstance(payload, dict) and "response" in payload else payload
    if isinstance(body, dict) and "items" in body and isinstance(body.get("items"), list):
        if (other := vk.not_a_wall(body["items"])) is not None:
            raise fail(other, filename)
        if vk.looks_like_comments(body["items"]):
            return vk.load_comments([body], filename, now)
        if not body["items"] or any(isinstance(i, dict) and "date" in i and ("owner_id" in i or "to_id" in i)
                                    for i in body["items"][:20]):
            return vk.load_wall(body, filename, now)
    if (responses := vk.comment_responses(payload)) is not None and all(
            vk.looks_like_comments(r["items"]) or not r["items"] for r in responses):
        return vk.load_comments(responses, filename, now)
    raise fail(f"формат JSON не распознан; {ACCEPTED_FORMATS}", filename)


def _legacy_vk(items: list, extras: dict, filename: str, now: datetime) -> ActivityData:
    """A pre-5.0 VK response (a count-first list): a wall is read (the shape is unambiguous: `to_id` names the
    wall), comments are refused (they name neither the wall nor the post), anything else is named."""
    kind = vk.legacy_kind(items)
    if kind == "wall":
        return vk.load_wall({"items": items, **extras}, filename, now, legacy=True)
    if kind == "comments":
        raise fail(vk.LEGACY_COMMENTS, filename)
    if kind in vk.NOT_A_WALL:
        raise fail(f"это {vk.NOT_A_WALL[kind]} старой версии API (до 5.0), а не стена сообщества; {vk.GET_WALL}",
                   filename)
    what = "в нём нет ни одной записи" if not items else "его записи не похожи ни на записи стены, ни на комментарии"
    raise fail("это ответ старой версии API ВКонтакте (до 5.0: список, первым элементом — число записей), "
               f"{what}; по нему нельзя понять, чья это стена; {vk.GET_WALL}", filename)


def detect_kind(content: bytes, filename: str) -> str:
    """`registry`, `activity_json` or `activity_table`, or LoadError naming the accepted formats. A gzip file is
    told by what it holds (only its head is unpacked here)."""
    if is_json(content):
        return "activity_json"
    sample = head(content)
    if is_xlsx(sample) or _looks_like_text_table(sample):
        return "registry" if tabular_kind(content, filename) == "registry" else "activity_table"
    if is_gzip(content):
        unpack(content, filename)  # a broken or cut gzip: its own Russian reason, not "format unknown"
    raise fail(f"формат файла не распознан; {ACCEPTED_FORMATS}", filename)


def _looks_like_text_table(content: bytes) -> bool:
    head = content[:4096]
    if b"\x00" in head.split(b"\n", 1)[0]:  # a NUL further on is a bad cell, refused where it stands
        return False
    text = head.decode("utf-8", errors="ignore") or head.decode("cp1251", errors="ignore")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return any(sep in first for sep in (";", ",", "\t")) and bool(normalize_header(first))
