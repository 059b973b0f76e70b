"""Parsers of single spreadsheet cells. Each returns a value or raises ValueError with a Russian reason."""
from __future__ import annotations

import re
from datetime import date, datetime

from core import limits

TRUE_WORDS = {"да", "yes", "true", "1", "есть", "+", "д", "y", "истина"}
FALSE_WORDS = {"нет", "no", "false", "0", "-", "н", "n", "ложь", "отсутствует"}


def name_key(name: str) -> str:
    """Identity of an owner name: case, ё/е, quotes and spaces do not matter."""
    text = str(name).replace("ё", "е").replace("Ё", "Е")
    text = re.sub(r"[«»“”„\"']", "", text)
    return " ".join(text.split()).casefold()


def parse_flag(text: str | None) -> bool | None:
    """да/нет (also Да, ДА, yes, 1/0); empty = unknown, not «нет» (formats.md §9-10)."""
    if text is None:
        return None
    word = str(text).strip().casefold()
    if word.endswith(".0"):
        word = word[:-2]
    if word == "":
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"ожидается «да» или «нет», указано «{_quoted(text)}»")


def _quoted(text: object, limit: int = 40) -> str:
    """A cell's text as a message quotes it: one line, short, control characters shown as «·»."""
    shown = limits.CONTROL_IN_NAME.sub("·", str(text))
    return shown if len(shown) <= limit else shown[:limit - 1] + "…"


def parse_whole(text: str | None, minimum: int = 0, maximum: int | None = limits.INT64_MAX) -> int | None:
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if len(raw) <= 40 and re.fullmatch(r"-?\d+(\.0+)?", raw):
        value = int(raw.split(".")[0])
    else:
        raise ValueError(f"ожидается целое число, указано «{_quoted(text)}»")
    if value < minimum:
        raise ValueError(f"значение не может быть меньше {minimum}, указано {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"значение не может быть больше {maximum}, указано {value}")
    if not limits.whole_in_range(value):
        raise ValueError(f"число {value} не помещается в 64 бита")
    return value


def parse_percent(text: str | None) -> float | None:
    """`87`, `87%`, `87,5 %` or a fraction `0.87` → 87.0 (formats.md §9)."""
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    had_sign = raw.endswith("%")
    raw = raw.rstrip("%")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"ожидается процент (например, 87 или 87%), указано «{_quoted(text)}»") from None
    if not had_sign and "." in raw and 0 <= value <= 1:
        value *= 100
    if not 0 <= value <= 100:  # also refuses «nan» and «inf»
        raise ValueError(f"процент должен быть от 0 до 100, указано «{_quoted(text)}»")
    return round(value, 2)


_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),
)


def parse_date(text: str | None, today: date | None = None) -> date | None:
    """ДД.ММ.ГГГГ or an Excel date cell (read as ГГГГ-ММ-ДД 00:00:00); never in the future."""
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip()
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(raw)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups())))
            try:
                value = date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise ValueError(f"несуществующая дата «{_quoted(raw)}»") from None
            break
    else:
        raise ValueError(f"ожидается дата в виде ДД.ММ.ГГГГ, указано «{_quoted(raw)}»")
    if today is not None and value > today:
        raise ValueError(f"дата {value:%d.%m.%Y} ещё не наступила")
    if value.year < limits.MOMENTS_FROM.year or value.year >= limits.MOMENTS_TO.year:
        raise ValueError(f"дата {value:%d.%m.%Y} вне допустимого диапазона: ожидается дата {limits.window_text()}")
    return value


def parse_datetime_local(text: str | None) -> datetime | None:
    """ДД.ММ.ГГГГ ЧЧ:ММ (or an Excel date-time cell); naive, in the region's zone unless an offset is given."""
    if text is None or str(text).strip() == "":
        return None
    raw = " ".join(str(text).strip().split())
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return _in_window(datetime.strptime(raw, fmt), raw)
        except ValueError as exc:
            if "диапазона" in str(exc):
                raise
            continue
    try:
        return _in_window(datetime.fromisoformat(raw[:60]), raw)
    except ValueError as exc:
        if "диапазона" in str(exc):
            raise
        raise ValueError(f"ожидается дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ, указано «{_quoted(raw)}»") from None


def _in_window(moment: datetime, raw: str) -> datetime:
    """A moment before 2000 or from 2100 on is no date of a publication (core.limits)."""
    if not limits.MOMENTS_FROM.year <= moment.year < limits.MOMENTS_TO.year:
        raise ValueError(f"дата «{_quoted(raw)}» вне допустимого диапазона: ожидается момент {limits.window_text()}")
    return moment
