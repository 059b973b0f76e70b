"""Which format a file is in, from its content (never from its name), and the loader that reads it."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import orjson

from loaders import activity_template, ok, registry, telegram, vk, vk_typed
from loaders.activity import ActivityData
from loaders.errors import LoadError, fail
from loaders.tabular import is_xlsx, normalize_header, read_csv_sheet, read_xlsx_sheets

ACCEPTED_FORMATS = (
    "принимаются: реестр страниц (шаблон xlsx/csv) и выгрузка «Госпаблики» (xlsx/csv); "
    "ВКонтакте — JSON ответов wall.get, wall.getComments, groups.getById; "
    "Telegram Desktop — result.json (экспорт канала или его группы обсуждения, машиночитаемый JSON); "
    "Одноклассники — JSON mediatopic (media_topics); шаблон активности (xlsx/csv: «Публикации», «Прямые эфиры», "
    "«Комментарии»)")

FORMAT_LABELS = {
    "registry_template": "Реестр (шаблон)", "gospubliki_export": "Выгрузка «Госпаблики»",
    "vk_wall": "ВКонтакте: wall.get", "vk_comments": "ВКонтакте: wall.getComments",
    "vk_groups": "ВКонтакте: groups.getById", "telegram": "Telegram Desktop: result.json",
    "ok_mediatopics": "Одноклассники: mediatopic", "activity_template": "Шаблон активности (xlsx)",
    "activity_template_csv": "Шаблон активности (csv)",
}


def is_json(content: bytes) -> bool:
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def parse_json(content: bytes, filename: str) -> object:
    try:
        return orjson.loads(content.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        where = f" (строка {exc.lineno}, символ {exc.colno})" if getattr(exc, "lineno", None) else ""
        if "end of data" in exc.msg or exc.pos >= len(content.rstrip()) - 1:
            raise fail(f"JSON обрезан или повреждён: файл обрывается на середине{where}; выгрузите его заново",
                       filename) from None
        raise fail(f"JSON повреждён{where}: {exc.msg}", filename) from None


def tabular_kind(content: bytes, filename: str) -> str:
    """`registry` or `activity` for a spreadsheet, by its headers."""
    known = registry.ALL_HEADERS | activity_template.ALL_HEADERS
    sheets = read_xlsx_sheets(content, filename, known) if is_xlsx(content) else [
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
    """Parse and load a JSON activity export: a `wall.get` file through the typed fast path, anything else (or a
    wall the fast path does not take) through the generic parse and the shape routing below."""
    if (wall := vk_typed.decode_wall(content)) is not None:
        return vk.load_wall(wall, filename, now)
    return load_activity_json(parse_json(content, filename), filename, tz, now)


def load_activity_json(payload: object, filename: str, tz: ZoneInfo, now: datetime) -> ActivityData:
    """Route a parsed JSON document to its loader by shape (formats.md §1–3)."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        error = payload["error"]
        raise fail(f"файл содержит ответ API с ошибкой {error.get('error_code')}: {error.get('error_msg')}; "
                   "выгрузите данные заново", filename)
    if (chats := telegram.chats_of(payload)) is not None:
        return telegram.load_telegram(chats, filename, tz, now)
    if (topics := ok.topics_of(payload)) is not None:
        return ok.load_topics(*topics, filename, now)
    if (groups := vk.group_list(payload)) is not None:
        return vk.load_groups(groups, filename)
    body = payload.get("response") if isinstance(payload, dict) and "response" in payload else payload
    if isinstance(body, dict) and "items" in body and isinstance(body.get("items"), list):
        if vk.looks_like_comments(body["items"]):
            return vk.load_comments([body], filename, now)
        if not body["items"] or any(isinstance(i, dict) and "date" in i and ("owner_id" in i or "to_id" in i)
                                    for i in body["items"][:20]):
            return vk.load_wall(body, filename, now)
    if (responses := vk.comment_responses(payload)) is not None and all(
            vk.looks_like_comments(r["items"]) or not r["items"] for r in responses):
        return vk.load_comments(responses, filename, now)
    raise fail(f"формат JSON не распознан; {ACCEPTED_FORMATS}", filename)


def detect_kind(content: bytes, filename: str) -> str:
    """`registry`, `activity_json` or `activity_table`, or LoadError naming the accepted formats."""
    if is_json(content):
        return "activity_json"
    if is_xlsx(content) or _looks_like_text_table(content):
        return "registry" if tabular_kind(content, filename) == "registry" else "activity_table"
    raise fail(f"формат файла не распознан; {ACCEPTED_FORMATS}", filename)


def _looks_like_text_table(content: bytes) -> bool:
    head = content[:4096]
    if b"\x00" in head:
        return False
    text = head.decode("utf-8", errors="ignore") or head.decode("cp1251", errors="ignore")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return any(sep in first for sep in (";", ",", "\t")) and bool(normalize_header(first))
