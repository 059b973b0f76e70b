"""The quarter comparison as Excel (issue 19): a sheet per table with place, score and zone in quarter A and
quarter B and the changes — what «Рейтинг» → «Сравнение кварталов» shows. Pure: rows in, bytes out."""
from __future__ import annotations

from datetime import date

from core.labels import TABLE_SHEETS as SHEETS, TABLE_TITLES, excel_format
from reports.excel import Workbook


def comparison_workbook(tables: dict[str, list[dict]], label_a: str, label_b: str, status_b: str = "") -> bytes:
    """`tables`: name → scoring.comparison.comparison_rows; `status_b` — quarter B's approval status."""
    book = Workbook()
    score = book.book.add_format({"num_format": excel_format("score"), "valign": "top"})
    points = book.book.add_format({"num_format": excel_format("delta_points"), "valign": "top"})
    up = book.book.add_format({"num_format": excel_format("delta_place"), "font_color": "#2E7D32", "valign": "top"})
    down = book.book.add_format({"num_format": excel_format("delta_place"), "font_color": "#C62828", "valign": "top"})
    for name, rows in tables.items():
        parent = name != "bodies"
        headers = ["Владелец", *(["Исполнительный орган"] if parent else []), f"Место, {label_a}",
                   f"Место, {label_b}", "Δ места", f"Балл, {label_a}", f"Балл, {label_b}", "Δ баллов",
                   f"Зона, {label_a}", f"Зона, {label_b}", "Изменение зоны"]
        data = [[r["owner"], *([r["parent"]] if parent else []), r["rank_a"], r["rank_b"], r["delta_place"],
                 r["score_a"], r["score_b"], r["delta_points"], r["zone_a"], r["zone_b"], r["zone_change"]]
                for r in rows]
        formats = [book.wrap, *([book.wrap] if parent else []), book.integer, book.integer, None, score, score,
                   points, None, None, None]
        title = (f"Сравнение кварталов: {TABLE_TITLES[name].lower()}, {label_a} и {label_b}"
                 + (f" ({label_b}: {status_b})" if status_b else "")
                 + ". Δ места > 0 — поднялся; Δ баллов = Б − А. Госпаблики Томской области")
        widths = [48, *([36] if parent else []), 11, 11, 8, 11, 11, 9, 12, 12, 26]
        sheet = book.table_sheet(SHEETS[name], headers, data, widths, formats, title=title, footer=SHEETS[name])
        place = headers.index("Δ места")
        for i, r in enumerate(rows, start=2):
            if r["delta_place"] is not None:
                sheet.write_number(i, place, r["delta_place"],
                                   up if r["delta_place"] > 0 else down if r["delta_place"] < 0 else book.integer)
            book.fit_row(sheet, i, [(r["owner"], widths[0])] + ([(r["parent"], widths[1])] if parent else []))
    return book.close()


def file_name(label_a: str, label_b: str, day: date) -> str:
    return f"Сравнение кварталов {label_a} и {label_b} ({day:%d.%m.%Y}).xlsx"
