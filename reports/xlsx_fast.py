"""A faster serialiser of xlsxwriter's cell table, for the big sheets of the rating workbook (issue 21).

xlsxwriter keeps a sheet's cells in a table and, at `close()`, writes each one through a generic XML writer: a list
of attribute pairs, a regex escape of every attribute, the cell type looked up by class name. For the ≈ 225,000
cells of a Tomsk quarter that is ≈ 0.6 s of the workbook's ≈ 1.3 s CPU. `FastWorksheet` writes the four cell kinds
the product uses (number, date, shared string, blank) with one f-string each — the very bytes xlsxwriter writes
(tests/test_reports.py compares every part of the package with the stock writer's) — and hands any other kind
(formula, rich string, boolean, error) and the constant-memory mode back to xlsxwriter's own code.

`put_rows` stores a block of rows the same way (what Worksheet.write_string / write_number / write_blank store,
without their per-cell steps: the A1-notation check, the bounds and dimension checks once per block), and
`_calculate_spans` takes each row's first and last cell instead of scanning every column. Together: the workbook of
a Tomsk quarter in 0.51–0.60 CPU s instead of 1.1–1.25 (what is left: ≈ 0.2 s zlib inside xlsxwriter's packager).

A subclass is xlsxwriter's documented way to extend a sheet (Workbook.worksheet_class, «Inheritance and
subclassing»), but these methods use its internals (the cell tuples, `table`, `str_table`, `dim_*`): the version is
pinned in requirements.txt, and tests/test_reports.py fails on an xlsxwriter that stores or writes cells otherwise."""
from __future__ import annotations

from math import inf
from typing import Callable

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (CellBlankTuple, CellDatetimeTuple, CellNumberTuple, CellStringTuple,
                                  Worksheet)

from reports.excel import DANGEROUS_PREFIXES


class FastWorksheet(Worksheet):
    """xlsxwriter's Worksheet whose cell table is filled by `put_rows` and written by `_write_rows` below (same
    bytes, fewer steps)."""

    def put_rows(self, first_row: int, rows: list[list], formats: list | None, text, integer, decimal,
                 other: Callable) -> None:
        """Rows of values from `first_row`, column 0 on, as reports.excel.Workbook.write_cell writes them: a str
        neutralised against formula injection (reports.excel.safe_text) in `formats[c]` or `text`, an int in
        `formats[c]` or `integer`, a float in `formats[c]` or `decimal`, None a blank cell (only with a format, as
        write_blank); any other value (bool, date, a str or int subclass, NaN, a string over Excel's limit)
        through other(sheet, row, col, value, format)."""
        last_col = max((len(values) for values in rows), default=0) - 1
        if self.constant_memory or first_row < 0 or first_row + len(rows) > self.xls_rowmax \
                or last_col >= self.xls_colmax or (formats and len(formats) <= last_col):
            # xlsxwriter's own per-cell path and checks (and write_cell's IndexError for a missing format)
            for r, values in enumerate(rows, first_row):
                for c, value in enumerate(values):
                    other(self, r, c, value, formats[c] if formats else None)
            return
        table, shared = self.table, self.str_table._get_shared_string_index
        long_text = self.xls_strmax // 2  # a shorter string cannot exceed the limit (xlsxwriter's own shortcut)
        no_formats = [None] * (last_col + 1)
        rmin = rmax = cmin = cmax = None
        for r, values in enumerate(rows, first_row):
            line = {}
            for c, (value, fmt) in enumerate(zip(values, formats or no_formats)):
                kind = type(value)
                if kind is str:
                    if len(value) > long_text:
                        other(self, r, c, value, fmt)
                        continue
                    if value.startswith(DANGEROUS_PREFIXES):
                        value = "'" + value
                    line[c] = CellStringTuple(shared(value), fmt or text)
                elif kind is int:
                    line[c] = CellNumberTuple(value, fmt or integer)
                elif kind is float:
                    if value != value or value == inf or value == -inf:
                        other(self, r, c, value, fmt)
                        continue
                    line[c] = CellNumberTuple(value, fmt or decimal)
                elif value is None:
                    if fmt is not None:
                        line[c] = CellBlankTuple(fmt)
                else:
                    other(self, r, c, value, fmt)
            if line:
                stored = table.get(r)
                if stored is None:
                    table[r] = line
                else:
                    stored.update(line)
                low, high = min(line), max(line)
                if rmin is None:
                    rmin, cmin, cmax = r, low, high
                cmin, cmax, rmax = min(cmin, low), max(cmax, high), r
        if rmin is not None:  # what Worksheet._check_dimensions keeps, for the block at once
            self.dim_rowmin = rmin if self.dim_rowmin is None else min(self.dim_rowmin, rmin)
            self.dim_rowmax = rmax if self.dim_rowmax is None else max(self.dim_rowmax, rmax)
            self.dim_colmin = cmin if self.dim_colmin is None else min(self.dim_colmin, cmin)
            self.dim_colmax = cmax if self.dim_colmax is None else max(self.dim_colmax, cmax)

    def _calculate_spans(self) -> None:
        """The <row spans="first:last"> of each block of 16 rows (1-based columns), as xlsxwriter computes them."""
        if self.comments:
            return super()._calculate_spans()
        spans, table, last = {}, self.table, self.dim_rowmax
        low = high = None
        for row_num in range(self.dim_rowmin, last + 1):
            cells = table.get(row_num)
            if cells:
                first, final = min(cells), max(cells)
                if low is None:
                    low, high = first, final
                else:
                    low, high = min(low, first), max(high, final)
            if (row_num + 1) % 16 == 0 or row_num == last:
                if low is not None:
                    spans[row_num // 16] = f"{low + 1}:{high + 1}"
                    low = None
        self.row_spans = spans
        return None

    def release(self) -> None:
        """Drop the cell table once the package is written: the cells go at once, not at the cyclic collector's
        next pass over the workbook (xlsxwriter's objects refer to each other)."""
        self.table.clear()

    def _write_rows(self) -> None:
        if self.constant_memory:  # rows are written as they come there (xlsxwriter's own path)
            return super()._write_rows()
        self._calculate_spans()
        write = self.fh.write
        table, row_info, comments, col_info = self.table, self.row_info, self.comments, self.col_info
        names = {col: xl_col_to_name(col) for col in range(self.dim_colmin, self.dim_colmax + 1)}
        xf_of: dict[int, object] = {}  # id(format) -> its index, asked once per format
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table.get(row_num)
            if not (cells or row_num in row_info or row_num in comments):
                continue
            span = self.row_spans.get(row_num // 16)
            info = row_info.get(row_num)
            if not cells:
                self._write_empty_row(row_num, span, info)
                continue
            if info is None:
                self._write_row(row_num, span)
            else:
                self._write_row(row_num, span, info)
            row_format = info.row_format if info is not None else None
            number = str(row_num + 1)
            for col_num in sorted(cells):
                cell = cells[col_num]
                fmt = cell.format
                if not fmt:  # xlsxwriter's order: the cell's format, else the row's, else the column's
                    if row_format:
                        fmt = row_format
                    elif col_num in col_info:
                        fmt = col_info[col_num].column_format
                if fmt is not None:
                    xf = xf_of.get(id(fmt))
                    if xf is None:
                        xf = xf_of[id(fmt)] = fmt._get_xf_index()
                    attributes = f' r="{names[col_num]}{number}" s="{xf}"'
                else:
                    attributes = f' r="{names[col_num]}{number}"'
                kind = type(cell)
                if kind is CellStringTuple:
                    write(f'<c{attributes} t="s"><v>{cell.string}</v></c>')
                elif kind is CellNumberTuple or kind is CellDatetimeTuple:
                    write(f"<c{attributes}><v>{cell.number:.16G}</v></c>")
                elif kind is CellBlankTuple:
                    write(f"<c{attributes}/>")
                else:
                    self._write_cell(row_num, col_num, cell)
            write("</row>")
        return None
