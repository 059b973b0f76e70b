"""The one week/quarter calendar: ISO weeks in the region's zone, the Thursday rule, Russian labels.

methodology.md §1: a week (Monday 00:00 – Sunday 24:00 local time) belongs to the quarter that holds
its Thursday, so every quarter has 13 or 14 weeks and no week is counted twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
MONTHS_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря"]


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, code: str) -> "Quarter":
        text = code.strip().upper().replace("-", "")
        if len(text) == 6 and text[4] == "Q" and text[:4].isdigit() and text[5] in "1234":
            if not 2000 <= int(text[:4]) <= 2098:  # the moments the product keeps (core.limits), with a next quarter
                raise ValueError(f"квартал «{code}» вне допустимого диапазона: ожидается квартал с 2000 по 2098 год")
            return cls(int(text[:4]), int(text[5]))
        raise ValueError(f"неверное обозначение квартала «{code}», ожидается, например, 2026Q1")

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"{ROMAN[self.number]} кв. {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def weeks(self) -> list[date]:
        """Mondays of the ISO weeks whose Thursday falls in this quarter (13 or 14)."""
        return list(_weeks(self.year, self.number))

    def week_bounds(self) -> tuple[date, date]:
        """First Monday and the day after the last Sunday of the quarter's weeks."""
        weeks = self.weeks()
        return weeks[0], weeks[-1] + timedelta(days=7)


@lru_cache(maxsize=256)
def _weeks(year: int, number: int) -> tuple[date, ...]:
    """Quarter.weeks, computed once per quarter (explanations ask for it once per page)."""
    quarter = Quarter(year, number)
    monday = quarter.first_day - timedelta(days=quarter.first_day.weekday())
    if monday + timedelta(days=3) < quarter.first_day:
        monday += timedelta(days=7)
    result = []
    while monday + timedelta(days=3) <= quarter.last_day:
        result.append(monday)
        monday += timedelta(days=7)
    return tuple(result)


def local_today(tz: ZoneInfo) -> date:
    return datetime.now(tz).date()


def week_label(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso.week:02d} нед. ({monday:%d.%m}–{monday + timedelta(days=6):%d.%m})"


def date_ru(day: date) -> str:
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."
