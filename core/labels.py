"""The one label map of the screens and the reports (issue 22 §5): column labels, number formats chosen by column
key, platform and owner-kind names, table names, week and week-status labels, and the Russian number, date and
name formatting. Screens, figures and workbooks read it; nothing else writes «12,3», «ВКонтакте» or «13 нед.»."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from core.domain import KIND_LABELS, KIND_PLURAL_LABELS, PLATFORM_LABELS  # noqa: F401 — re-exported: one place

# the platforms inside a sentence: «создать официальную страницу в Telegram», «… на странице в Одноклассниках»
PLATFORM_LOCATIVE = {"vk": "ВКонтакте", "ok": "в Одноклассниках", "telegram": "в Telegram"}
ON_PAGE = {"vk": "на странице ВКонтакте", "ok": "на странице в Одноклассниках", "telegram": "в канале Telegram"}

# the ranked tables of a quarter (payload keys): their names on screen and their sheets in the workbook
TABLE_TITLES = {"bodies": "Исполнительные органы", "institutions": "Учреждения", "heads": "Руководители",
                "reference": "Губернатор и Администрация"}
TABLE_SHEETS = {"bodies": "Органы", "institutions": "Учреждения", "heads": "Руководители", "reference": "Справочно"}

COLUMN_LABELS = {
    "owner": "Владелец",
    "owner_name": "Владелец",
    "kind": "Тип владельца",
    "kind_label": "Тип владельца",
    "parent": "Вышестоящий орган",
    "parent_name": "Вышестоящий орган",
    "ogrn": "ОГРН",
    "platform": "Платформа",
    "platform_label": "Платформа",
    "url": "Ссылка",
    "page_key": "Адрес страницы",
    "platform_id": "ID на платформе",
    "title": "Название",
    "registered_on": "Дата регистрации",
    "as_of": "Сведения на дату",
    "status_mark": "Госорганизация / верификация",
    "gospubliki": "Подключена к Госпабликам",
    "comments_enabled": "Комментарии открыты",
    "avatar": "Аватар",
    "cover": "Обложка",
    "description": "Описание",
    "contacts": "Контакты и ссылки",
    "moderation_rules": "Правила модерации",
    "unified_style": "Единый стиль",
    "pos_widgets": "Виджеты ПОС",
    "subscribers": "Подписчики",
    "responsible": "Ответственный",
    "design_pct": "Оформление, %",
    "activity_pct": "Активность, %",
    "weekly_reach": "Охват за неделю",
    "avg_post_reach": "Средний охват публикации",
    "checklist_share": "Выполнение чек-листа",
    "checklist_missing": "Не выполнено",
    "checklist_unknown": "Нет сведений",
    "missing_platforms": "Нет страниц на платформах",
    "exemption": "Страница не ведётся на основании",
    "closed_on": "Закрыта с",
    "checked_on": "Сведения на",
    "pages": "Страниц",
    "vk": "ВКонтакте",
    "ok": "Одноклассники",
    "telegram": "Telegram",
}


def label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)

COLUMN_LABELS |= {
    "rank": "Место",
    "score": "Балл",
    "zone": "Зона",
    "delta_points": "Δ баллов",
    "delta_place": "Δ места",
    "previous_rank": "Место в прошлом квартале",
    "previous_score": "Балл в прошлом квартале",
    "body_score": "Балл органа",
    "head_score": "Балл руководителя",
    "institutions_score": "Балл учреждений",
    "institutions_count": "Учреждений",
    "block_A": "A. Оформление и статус",
    "block_B": "B. Регулярность",
    "block_C": "C. Охват",
    "block_D": "D. Вовлечённость",
    "block_E": "E. Обратная связь",
    "weeks": "Учтено недель",
    "weeks_ok": "Недель с нормой",
    "weeks_no_data": "Недель без данных",
    "posts": "Публикаций",
    "norm": "Норма в неделю",
    "user_comments": "Комментариев пользователей",
    "answered": "С ответом страницы",
    "median_reply_hours": "Медиана ответа, ч",
    "owner_streams": "Прямых эфиров",
    "value": "Значение",
    "points": "Баллы",
    "weight": "Вес",
    "na_reason": "Почему не оценивается",
    "inputs": "Исходные данные",
    "indicator": "Показатель",
    "week": "Неделя",
    "status": "Состояние",
}
COLUMN_LABELS |= {
    "weeks_met": "Недель с нормой",
    "weeks_counted": "Учтено недель",
    "weeks_left": "Осталось недель",
    "posts_this_week": "Публикаций на этой неделе",
    "posts_needed": "Нужно ещё на этой неделе",
    "best_B1": "Лучший возможный B1",
    "streams": "Эфиров",
    "needed": "Нужно",
    "days_left": "Дней до конца квартала",
    "table": "Таблица",
    "approved_rank": "Место (утв.)",
    "fresh_rank": "Место (пересчёт)",
    "approved_score": "Балл (утв.)",
    "fresh_score": "Балл (пересчёт)",
}
COLUMN_LABELS |= {  # the screens' drill-downs and lists
    "body_name": "Исполнительный орган",
    "share_ok": "Доля недель с нормой",
    "published_local": "Дата и время",
    "started_local": "Дата и время",
    "content_type": "Тип",
    "is_repost": "Репост",
    "text": "Текст",
    "views": "Просмотры",
    "likes": "Лайки",
    "comments": "Комментарии",
    "reposts": "Репосты",
    "reactions": "Реакции",
    "minutes": "Длительность, мин",
}
# Number formats by column key, for the screen (number_ru / signed_ru) and Excel (excel_format) alike:
# digits after the comma; a signed column shows «+1,2» / «−1,2» and «0,0» (never «+0,0» or «−0,0»).
COLUMN_DIGITS = {"score": 1, "body_score": 1, "head_score": 1, "institutions_score": 1, "previous_score": 1,
                 "approved_score": 1, "fresh_score": 1, "score_a": 1, "score_b": 1, "delta_points": 1,
                 "delta_place": 0, "rank": 0, "previous_rank": 0, "rank_a": 0, "rank_b": 0, "points": 1, "value": 2,
                 "weight": 0, "subscribers": 0, "posts": 0, "weeks": 0, "weeks_ok": 0, "weeks_no_data": 0,
                 "minutes": 0, "views": 0, "likes": 0, "comments": 0, "reposts": 0, "reactions": 0,
                 "institutions_count": 0, "median_reply_hours": 1, **{f"block_{b}": 1 for b in "ABCDE"}}
SIGNED_COLUMNS = frozenset({"delta_points", "delta_place"})


def digits_of(column: str) -> int:
    return COLUMN_DIGITS.get(column, COLUMN_DIGITS.get(column.split("_")[0] if column.startswith("block_") else "", 0))


def format_value(column: str, value: float | int | None) -> str:
    """A value of a column as the screen shows it: its digits, its sign rule, «—» when unknown."""
    digits = digits_of(column)
    return signed_ru(value, digits) if column in SIGNED_COLUMNS else number_ru(value, digits)


def excel_format(column: str) -> str:
    """The same format as an Excel num_format (Excel shows the decimal comma by the reader's locale)."""
    digits = digits_of(column)
    body = "0" + ("." + "0" * digits if digits else "")
    return f"+{body};-{body};{body}" if column in SIGNED_COLUMNS else body


WEEK_STATUS_LABELS = {"met": "норма выполнена", "below": "ниже нормы", "zero": "0 публикаций",
                      "partial": "неполные данные", "no_data": "нет данных", "before_registration": "до регистрации",
                      "not_ended": "не завершена", "closed": "страница закрыта"}


def week_short(monday: date, separator: str = " ") -> str:
    """A week's column or axis label: «37 нед. 07.09» (its ISO number and Monday)."""
    return f"{monday.isocalendar().week:02d} нед.{separator}{monday:%d.%m}"


def number_ru(value: float | int | None, digits: int = 0) -> str:
    """12 345,6 — Russian grouping and decimal comma, «−» (minus sign); «—» for unknown; never «−0,0»."""
    if value is None or value != value:  # None or NaN
        return "—"
    value = round(value, digits) + 0  # -0.0 + 0 == 0.0: a value that rounds to zero has no sign
    text = f"{value:,.{digits}f}"
    return text.translate({ord(","): " ", ord("."): ","}).replace("-", "−")


def signed_ru(value: float | int | None, digits: int = 0) -> str:
    """A change: «+1,2», «−1,2», and «0,0» without a sign when it rounds to zero."""
    text = number_ru(value, digits)
    return text if value is None or text[0] in "−—" or set(text) <= set("0, ") else "+" + text


def metric_delta(value: float | int | None, digits: int = 1, suffix: str = "", inverse: bool = False) -> dict:
    """st.metric's delta arguments for a change: «+1,2» green ▲, «−1,2» red ▼ (`inverse`: fewer is better), and a
    change that rounds to zero «0,0» grey without an arrow (Streamlit would draw «−0,0» or a green ▲ for it)."""
    if value is None:
        return {"delta": None}
    text = signed_ru(value, digits)
    if text[0] not in "+−":
        return {"delta": text + suffix, "delta_color": "off", "delta_arrow": "off"}
    up = text[0] == "+"
    return {"delta": text + suffix, "delta_arrow": "up" if up else "down",
            "delta_color": "green" if up != inverse else "red"}


def shorten(text: str | None, limit: int) -> str:
    """A name cut for a narrow place, at a word when it can be, always with «…» when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if not text[limit - 1].isspace() and " " in cut[limit // 2:]:  # not in the middle of a word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def shorten_middle(text: str | None, limit: int) -> str:
    """A name cut in the middle for a narrow place, keeping its end (the district of «ОГАУ «Дом-интернат … Бакчарского
    района»», which tells such names apart), at words when it can be, always with «…» when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    words, tail = text.split(" "), ""
    while len(words) > 1 and len(words[-1]) + 1 + len(tail) <= (limit - 2) // 2:
        tail = (words.pop() + " " + tail).rstrip()
    if not tail:  # one long last word: cut by characters
        tail = text[-((limit - 2) // 2):]
    head = shorten(text[:len(text) - len(tail)].rstrip(), limit - len(tail) - 2).removesuffix("…").rstrip()
    return f"{head} … {tail}"


def moment_ru(value: datetime | str | None, tz: ZoneInfo) -> str:
    """ДД.ММ.ГГГГ ЧЧ:ММ in the region's time (an ISO string or an aware datetime)."""
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def date_short_ru(day: date | None) -> str:
    return "—" if day is None else f"{day:%d.%m.%Y}"


def percent_ru(share: float | None, digits: int = 0) -> str:
    return "—" if share is None else f"{number_ru(100 * share, digits)} %"


ARROW_UP, ARROW_DOWN = "▲", "▼"


def place_arrow(delta: int | None) -> str:
    """Δ места as the screen and the PDF show it: «▲ 2» (moved up), «▼ 1», «=» unchanged, «—» unknown."""
    if delta is None:
        return "—"
    if delta > 0:
        return f"{ARROW_UP} {delta}"
    if delta < 0:
        return f"{ARROW_DOWN} {-delta}"
    return "="


def dashes(frame: pl.DataFrame, digits: dict[str, int] | None = None, text: tuple[str, ...] = ()) -> pl.DataFrame:
    """For a table on screen: the numeric columns in `digits` as Russian numbers (decimal comma) and «—» where a
    value is unknown, the text columns in `text` with «—» — never an empty cell that Streamlit shows as «None»."""
    digits = {c: d for c, d in (digits or {}).items() if c in frame.columns}
    return frame.with_columns(
        [pl.col(c).map_elements(lambda v, d=d: number_ru(v, d), return_dtype=pl.String, skip_nulls=False)
         for c, d in digits.items()]
        + [pl.col(c).fill_null("—") for c in text if c in frame.columns])
