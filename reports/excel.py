"""The one Excel writer: xlsxwriter with the product's formats and formula-injection protection."""
from __future__ import annotations

import io
import math
from datetime import date, datetime

import xlsxwriter

# A text cell starting with one of these is a formula (or DDE) to a spreadsheet program.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise formula injection: prefix a quote so the cell stays inert text (OWASP CSV injection)."""
    return "'" + value if value and value.startswith(DANGEROUS_PREFIXES) else value


class Workbook:
    """Thin wrapper: a workbook in memory, shared formats, typed cell writing."""

    def __init__(self, created: datetime | None = None) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                      "strings_to_urls": False, "strings_to_numbers": False})
        if created is not None:  # a fixed timestamp makes the bytes reproducible (demo, templates)
            self.book.set_properties({"created": created})
        self.header = self.book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF",
                                            "text_wrap": True, "valign": "vcenter", "border": 1})
        self.text = self.book.add_format({"valign": "top"})
        self.wrap = self.book.add_format({"valign": "top", "text_wrap": True})
        self.date = self.book.add_format({"num_format": "dd.mm.yyyy", "valign": "top"})
        self.datetime = self.book.add_format({"num_format": "dd.mm.yyyy hh:mm", "valign": "top"})
        self.integer = self.book.add_format({"num_format": "#,##0", "valign": "top"})
        self.decimal = self.book.add_format({"num_format": "0.0", "valign": "top"})
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.title_row = self.book.add_format({"bold": True, "font_size": 12, "text_wrap": True, "valign": "vcenter",
                                               "align": "left"})

    def write_cell(self, sheet, row: int, col: int, value, fmt=None) -> None:
        if value is None:
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "да" if value else "нет", fmt or self.text)
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value.replace(tzinfo=None), fmt or self.datetime)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt or self.date)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, fmt or (self.integer if isinstance(value, int) else self.decimal))
        else:
            sheet.write_string(row, col, safe_text(str(value)), fmt or self.text)

    def table_sheet(self, name: str, headers: list[str], rows: list[list], widths: list[int] | None = None,
                    formats: list | None = None, title: str | None = None, footer: str | None = None):
        """A sheet with a frozen, filtered header row and typed cells. With `title`, a title row above the header
        (row 0; the header is then row 1): both are repeated on every printed page."""
        top = 1 if title else 0
        sheet = self.book.add_worksheet(name)
        if title:
            sheet.merge_range(0, 0, 0, max(len(headers) - 1, 1), title, self.title_row)
            sheet.set_row(0, 36)
        sheet.set_row(top, 32)
        for col, header in enumerate(headers):
            sheet.write_string(top, col, header, self.header)
            sheet.set_column(col, col, (widths or [18] * len(headers))[col])
        for r, values in enumerate(rows, start=top + 1):
            for c, value in enumerate(values):
                self.write_cell(sheet, r, c, value, formats[c] if formats else None)
        sheet.freeze_panes(top + 1, 0)
        sheet.autofilter(top, 0, top + max(len(rows), 1), len(headers) - 1)
        self.print_setup(sheet, top, footer)
        return sheet

    @staticmethod
    def print_setup(sheet, header_row: int = 0, footer: str | None = None) -> None:
        """A4 landscape, fitted to the page width, the rows down to `header_row` repeated on every page, the
        footer «стр. N из M» (with `footer` on the left)."""
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        sheet.repeat_rows(0, header_row)
        left = f"&L&8{footer.replace('&', '&&')}" if footer else ""
        sheet.set_footer(f"{left}&R&8стр. &P из &N", {"margin": 0.25})

    @staticmethod
    def fit_row(sheet, row: int, texts: list[tuple[str | None, float]], line_height: float = 15.0) -> None:
        """Set a row's height for its wrapped texts ((text, column width) pairs): spreadsheet programs do not
        grow a row written with wrapped text, so a long name would be cut off on screen and on paper."""
        lines = 1
        for text, width in texts:
            if text:
                per_line = max(1.0, width * 0.95 - 1)
                lines = max(lines, sum(math.ceil(max(len(part), 1) / per_line) for part in str(text).split("\n")))
        if lines > 1:
            sheet.set_row(row, line_height * lines)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()
