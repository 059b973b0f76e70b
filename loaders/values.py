"""Parsers of single spreadsheet cells. Each returns a value or raises ValueError with a Russian reason."""
from __future__ import annotations

import re
from datetime import date, datetime

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
    raise ValueError(f"ожидается «да» или «нет», указано «{text}»")


def parse_whole(text: str | None, minimum: int = 0, maximum: int | None = None) -> int | None:
    if text is None or str(text).strip() == "":
        return None
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d+(\.0+)?", raw):
        value = int(float(raw)) if "." in raw else int(raw)
    else:
        raise ValueError(f"ожидается целое число, указано «{text}»")
    if value < minimum:
        raise ValueError(f"значение не может быть меньше {minimum}, указано {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"значение не может быть больше {maximum}, указано {value}")
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
        raise ValueError(f"ожидается процент (например, 87 или 87%), указано «{text}»") from None
    if not had_sign and "." in raw and 0 <= value <= 1:
        value *= 100
    if not 0 <= value <= 100:
        raise ValueError(f"процент должен быть от 0 до 100, указано «{text}»")
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
                raise ValueError(f"несуществующая дата «{raw}»") from None
            break
    else:
        raise ValueError(f"ожидается дата в виде ДД.ММ.ГГГГ, указано «{raw}»")
    if today is not None and value > today:
        raise ValueError(f"дата {value:%d.%m.%Y} ещё не наступила")
    if value.year < 2000:
        raise ValueError(f"дата {value:%d.%m.%Y} слишком ранняя")
    return value


def parse_datetime_local(text: str | None) -> datetime | None:
    """ДД.ММ.ГГГГ ЧЧ:ММ (or an Excel date-time cell); naive, in the region's zone unless an offset is given."""
    if text is None or str(text).strip() == "":
        return None
    raw = " ".join(str(text).strip().split())
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"ожидается дата и время в виде ДД.ММ.ГГГГ ЧЧ:ММ, указано «{raw}»") from None
