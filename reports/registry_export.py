"""The public registry (Порядок §2.2: the registry of official pages is published): owners and their official
pages, as xlsx and as csv. Text that a spreadsheet would run as a formula is neutralised in both."""
from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl

from core.labels import label
from reports.excel import Workbook, safe_text

COLUMNS = ("owner_name", "kind_label", "parent_name", "ogrn", "platform_label", "url", "registered_on", "status_mark",
           "gospubliki", "subscribers")


def public_rows(pages: pl.DataFrame) -> tuple[list[str], list[list]]:
    """Header and rows from the registry view's pages (scoring.registry_view), ordered by kind, owner, platform."""
    headers = [label(c) for c in COLUMNS]
    rows = [[row.get(c) for c in COLUMNS] for row in pages.iter_rows(named=True)]
    return headers, rows


def registry_xlsx(pages: pl.DataFrame) -> bytes:
    headers, rows = public_rows(pages)
    book = Workbook()
    book.table_sheet("Реестр", headers, rows, [55, 20, 45, 16, 15, 40, 14, 14, 14, 12],
                     [None, None, None, None, None, None, book.date, None, None, book.integer])
    return book.close()


def registry_csv(pages: pl.DataFrame) -> bytes:
    """UTF-8 with BOM, `;`-separated: what Excel opens correctly in a Russian locale."""
    headers, rows = public_rows(pages)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return safe_text(str(value))


def file_name(day: date, extension: str) -> str:
    return f"Реестр официальных страниц ({day:%d.%m.%Y}).{extension}"
