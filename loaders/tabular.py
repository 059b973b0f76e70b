"""Reading uploaded spreadsheets (xlsx, csv) into all-text frames with spreadsheet row numbers.

Guards that apply to every tabular upload: size, empty file, password-protected or corrupt xlsx,
"zip bombs", cp1251 CSV, `;` or `,` separators, a header row that is not the first row.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import fastexcel
import polars as pl

from core.config import MAX_UPLOAD_BYTES, MAX_XLSX_UNPACKED_BYTES
from loaders.errors import LoadError, LoadIssue, fail

ROW_COLUMN = "__row"  # spreadsheet row number of each data row (1-based, as the user sees it)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Sheet:
    name: str | None  # None for CSV
    frame: pl.DataFrame  # text columns named by their header, plus ROW_COLUMN


def normalize_header(text: object) -> str:
    return " ".join(str(text or "").replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е").split()).casefold()


def check_size(data: bytes, filename: str) -> None:
    if len(data) == 0:
        raise fail("файл пустой", filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise fail(f"файл слишком большой ({len(data) / 2**20:.0f} МБ), допустимо не более "
                   f"{MAX_UPLOAD_BYTES / 2**20:.0f} МБ", filename)


def is_xlsx(data: bytes) -> bool:
    """An Excel container: a zip (xlsx) or an OLE file (.xls, or an xlsx encrypted with a password)."""
    return data[:4] == b"PK\x03\x04" or data[:8] == OLE_MAGIC


def _check_xlsx_container(data: bytes, filename: str) -> None:
    if data[:8] == OLE_MAGIC:
        raise fail("файл защищён паролем или сохранён в старом формате .xls; сохраните его как .xlsx без пароля",
                   filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise fail("файл повреждён: это не книга Excel (.xlsx)", filename) from None
    if "xl/workbook.xml" not in names:
        raise fail("архив не является книгой Excel (.xlsx)", filename)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise fail(f"книга Excel распаковывается в {unpacked / 2**20:.0f} МБ — это больше допустимых "
                   f"{MAX_XLSX_UNPACKED_BYTES / 2**20:.0f} МБ; файл не принят", filename)


def _find_header_row(rows: list[list[str | None]], known: set[str]) -> int:
    """Index of the row holding most of the expected headers among the first 15 rows."""
    best, best_hits = 0, -1
    for index, row in enumerate(rows[:15]):
        hits = sum(1 for cell in row if cell is not None and normalize_header(cell) in known)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _frame_from_rows(rows: list[list[str | None]], header_index: int, first_row_number: int) -> pl.DataFrame:
    header = rows[header_index]
    names: list[str] = []
    for position, cell in enumerate(header):
        name = str(cell).strip() if cell is not None and str(cell).strip() else f"__col{position + 1}"
        while name in names:
            name += " "
        names.append(name)
    body = rows[header_index + 1:]
    width = len(names)
    columns = {name: [] for name in names}
    row_numbers = []
    for offset, row in enumerate(body):
        cells = list(row[:width]) + [None] * (width - len(row))
        cleaned = [None if c is None or str(c).strip() == "" else str(c).strip() for c in cells]
        if all(c is None for c in cleaned):
            continue
        for name, value in zip(names, cleaned):
            columns[name].append(value)
        row_numbers.append(first_row_number + header_index + 1 + offset)
    frame = pl.DataFrame({name: pl.Series(name, values, dtype=pl.String) for name, values in columns.items()})
    return frame.with_columns(pl.Series(ROW_COLUMN, row_numbers, dtype=pl.Int64))


def read_xlsx_sheets(data: bytes, filename: str, known_headers: set[str]) -> list[Sheet]:
    """Every sheet of an xlsx as text; each sheet's header row is found by the known header names."""
    check_size(data, filename)
    _check_xlsx_container(data, filename)
    try:
        reader = fastexcel.read_excel(data)
        sheets = []
        for name in reader.sheet_names:
            raw = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
            rows = [list(r) for r in raw.iter_rows()]
            if not rows:
                sheets.append(Sheet(name, pl.DataFrame({ROW_COLUMN: pl.Series([], dtype=pl.Int64)})))
                continue
            header_index = _find_header_row(rows, known_headers)
            sheets.append(Sheet(name, _frame_from_rows(rows, header_index, 1)))
        return sheets
    except LoadError:
        raise
    except Exception as exc:  # fastexcel raises its own error types for corrupt content
        raise fail(f"книгу Excel не удалось прочитать ({type(exc).__name__}); файл повреждён", filename) from None


def decode_text(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM), else cp1251 — the two encodings Russian CSV files come in."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise fail("не удалось определить кодировку текста (ожидается UTF-8 или Windows-1251)", filename) from None
    if "\x00" in text:
        raise fail("файл не является текстовым CSV", filename)
    return text


def read_csv_sheet(data: bytes, filename: str, known_headers: set[str]) -> Sheet:
    check_size(data, filename)
    text = decode_text(data, filename)
    if not text.strip():
        raise fail("файл пустой", filename)
    first_line = text.lstrip().splitlines()[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise fail(f"CSV не разобран: {exc}", filename) from None
    rows = [[cell if cell != "" else None for cell in row] for row in rows]
    header_index = _find_header_row(rows, known_headers)
    return Sheet(None, _frame_from_rows(rows, header_index, 1))


def find_columns(sheet: Sheet, expected: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map field name → actual header of the sheet (case and spaces ignored), for the fields it has."""
    by_norm = {normalize_header(c): c for c in sheet.frame.columns if c != ROW_COLUMN}
    found = {}
    for field_name, synonyms in expected.items():
        for synonym in synonyms:
            if normalize_header(synonym) in by_norm:
                found[field_name] = by_norm[normalize_header(synonym)]
                break
    return found


def resolve_columns(sheet: Sheet, filename: str, expected: dict[str, tuple[str, ...]],
                    required: tuple[str, ...]) -> dict[str, str]:
    """`find_columns`, and a LoadError naming the required headers the sheet lacks."""
    found = find_columns(sheet, expected)
    missing = [expected[f][0] for f in required if f not in found]
    if missing:
        names = ", ".join(f"«{m}»" for m in missing)
        raise LoadError([LoadIssue(f"нет обязательных столбцов: {names}", filename, sheet.name, 1)])
    return found
