"""Problems found in an uploaded file, located by file, sheet, row and column, worded in Russian."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoadIssue:
    message: str
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    record: str | None = None  # a JSON record, e.g. «запись 5 (id 520290)»; then `column` is its field

    def __str__(self) -> str:
        place = []
        if self.file:
            place.append(f"файл «{self.file}»")
        if self.sheet:
            place.append(f"лист «{self.sheet}»")
        if self.row is not None:
            place.append(f"строка {self.row}")
        if self.record:
            place.append(self.record)
        if self.column:
            place.append(f"поле «{self.column}»" if self.record else f"столбец «{self.column}»")
        return (", ".join(place) + ": " if place else "") + self.message

    def as_dict(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "record": self.record, "message": self.message, "text": str(self)}


@dataclass
class LoadError(Exception):
    """Raised when a file cannot be accepted; nothing of it is written."""
    issues: list[LoadIssue] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self, limit: int = 1) -> str:
        if not self.issues:
            return "файл не принят"
        head = "; ".join(str(i) for i in self.issues[:limit])
        rest = len(self.issues) - limit
        return head + (f" (и ещё ошибок: {rest})" if rest > 0 else "")

    def __str__(self) -> str:
        return self.summary()


def fail(message: str, file: str = "", sheet: str | None = None, row: int | None = None,
         column: str | None = None) -> LoadError:
    return LoadError([LoadIssue(message, file, sheet, row, column)])
