"""Reading uploaded spreadsheets (xlsx, csv) into all-text frames with spreadsheet row numbers.

Guards that apply to every tabular upload: size, empty file, password-protected or corrupt xlsx, "zip bombs"
(measured by what the archive really inflates to, not by what it declares), sheets whose cells span more than a
table may hold, cp1251 CSV, `;` or `,` separators, a header row that is not the first row, a column named twice.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import re
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass

import fastexcel
import polars as pl

from core.config import MAX_UPLOAD_BYTES, MAX_XLSX_UNPACKED_BYTES
from loaders.errors import LoadError, LoadIssue, fail

ROW_COLUMN = "__row"  # spreadsheet row number of each data row (1-based, as the user sees it)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# the most cells a table may span (rows × columns of the block its cells occupy): Excel's reader builds the whole
# block in memory, the loaders a Python value per cell
MAX_TABLE_CELLS = int(os.environ.get("GOSPABLIKI_MAX_TABLE_CELLS", "5000000"))
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
MAX_COLUMNS = int(os.environ.get("GOSPABLIKI_MAX_TABLE_COLUMNS", "1000"))
MAX_XLSX_PARTS = 2_000  # a workbook Excel writes has a few parts per sheet
MAX_SHEETS = 100  # a registry has two sheets, an activity template three
_INFLATE_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class Sheet:
    name: str | None  # None for CSV
    frame: pl.DataFrame  # text columns named by their header, plus ROW_COLUMN
    header_row: int = 1  # spreadsheet row number of the header
    file: str = ""  # the file's name, for messages


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names its columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


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


_PASSED: dict[str, None] = {}  # SHA-256 of the last workbooks that passed the container check (oldest first)
_PASSED_KEPT = 8
_PASSED_LOCK = threading.Lock()  # the app reads uploads in several threads


def _check_xlsx_container(data: bytes, filename: str) -> None:
    """Refuse, before the Excel reader sees it, a workbook that is encrypted, corrupt, a "zip bomb" (parts that
    inflate beyond what they declare or beyond the budget — inflated here in chunks and measured, never trusted),
    or a sheet whose cells span more than a table may hold.

    The check depends on the bytes alone: a workbook read twice (its kind told from its headers, then loaded) is
    inflated and scanned once — the same content (by its SHA-256) found among the last passed is not again."""
    digest = hashlib.sha256(data).hexdigest()
    with _PASSED_LOCK:
        if digest in _PASSED:
            return
    _inspect_xlsx_container(data, filename)
    with _PASSED_LOCK:
        _PASSED[digest] = None
        while len(_PASSED) > _PASSED_KEPT:
            del _PASSED[next(iter(_PASSED))]


def _inspect_xlsx_container(data: bytes, filename: str) -> None:
    if data[:8] == OLE_MAGIC:
        raise fail("файл защищён паролем или сохранён в старом формате .xls; сохраните его как .xlsx без пароля",
                   filename)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error):
        raise fail("файл повреждён: это не книга Excel (.xlsx)", filename) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise fail("архив не является книгой Excel (.xlsx)", filename)
    if len(infos) > MAX_XLSX_PARTS:
        raise fail(f"в книге Excel {len(infos)} частей — больше допустимых {MAX_XLSX_PARTS}; файл не принят",
                   filename)
    sheets = sum(1 for name in names if re.fullmatch(r"xl/worksheets/[^/]+\.xml", name))
    if sheets > MAX_SHEETS:
        raise fail(f"в книге Excel {sheets} листов — больше допустимых {MAX_SHEETS}; оставьте в файле листы реестра "
                   "или шаблона активности", filename)
    declared = sum(info.file_size for info in infos)
    if declared > MAX_XLSX_UNPACKED_BYTES:
        raise fail(f"книга Excel распаковывается в {declared / 2**20:.0f} МБ — это больше допустимых "
                   f"{MAX_XLSX_UNPACKED_BYTES / 2**20:.0f} МБ; файл не принят", filename)
    budget = MAX_XLSX_UNPACKED_BYTES
    sheet_names = _sheet_names(data, infos, filename)
    for info in infos:
        budget -= _inflate_part(data, info, budget, filename, sheet_names.get(info.filename))


def _sheet_names(data: bytes, infos: list[zipfile.ZipInfo], filename: str) -> dict[str, str]:
    """Worksheet part → the sheet's name as Excel shows it (from the small workbook.xml and its relations), so
    that a refusal names «Реестр», not «xl/worksheets/sheet1.xml»."""
    parts = {}
    for info in infos:
        if info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") and info.file_size < 2**20:
            chunks: list[bytes] = []
            _inflate_part(data, info, 2**20, filename, keep=chunks)
            parts[info.filename] = b"".join(chunks).decode("utf-8", "replace")
    targets = {m.group(1): m.group(2) for m in re.finditer(
        r'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"', parts.get("xl/_rels/workbook.xml.rels", ""))}
    targets |= {m.group(2): m.group(1) for m in re.finditer(
        r'<Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"', parts.get("xl/_rels/workbook.xml.rels", ""))}
    names = {}
    for m in re.finditer(r'<sheet\b([^>]*)>', parts.get("xl/workbook.xml", "")):
        name = re.search(r'\bname="([^"]*)"', m.group(1))
        rid = re.search(r'\br:id="([^"]*)"', m.group(1))
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            names[target if target.startswith("xl/") else "xl/" + target] = html.unescape(name.group(1))[:100]
    return names

def _part_data(data: bytes, info: zipfile.ZipInfo, filename: str) -> memoryview:
    """The compressed bytes of one part, located by its local header (not by trusting the central directory)."""
    start = info.header_offset
    header = data[start:start + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise fail(f"книга Excel повреждена: часть «{info.filename[:80]}» не найдена в архиве", filename)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    begin = start + 30 + name_length + extra_length
    if begin + info.compress_size > len(data):
        raise fail(f"книга Excel обрезана: часть «{info.filename[:80]}» обрывается на середине", filename)
    return memoryview(data)[begin:begin + info.compress_size]


def _inflate_part(data: bytes, info: zipfile.ZipInfo, budget: int, filename: str, sheet: str | None = None,
                  keep: list[bytes] | None = None) -> int:
    """Inflate one part in chunks, counting what it really gives: more than it declares (a forged size, the mark of
    a "zip bomb") or more than the budget left stops at once. Sheets are scanned for the block their cells span.
    Returns the part's size."""
    part = info.filename[:80]
    if info.flag_bits & 0x1:
        raise fail("книга Excel зашифрована (защищена паролем); сохраните её без пароля", filename)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise fail(f"часть «{part}» книги Excel сжата способом, которого Excel не использует; сохраните книгу "
                   "заново в Excel", filename)
    raw = _part_data(data, info, filename)
    scan = (_SheetSpan(sheet or part, filename) if re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename)
            else None)
    declared = info.file_size
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != declared:
            raise fail(f"книга Excel повреждена: размер части «{part}» не совпадает с заявленным", filename)
        if scan is not None:
            scan.feed(bytes(raw), last=True)
        if keep is not None:
            keep.append(bytes(raw))
        return declared
    inflater = zlib.decompressobj(-15)
    size = 0
    try:
        for start in range(0, len(raw), _INFLATE_CHUNK):
            pending = bytes(raw[start:start + _INFLATE_CHUNK])
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, _INFLATE_CHUNK)
                pending = inflater.unconsumed_tail
                size += len(chunk)
                if size > declared or size > budget:
                    what = (f"распаковывается больше, чем заявляет архив ({declared / 2**10:.0f} КБ): так устроены "
                            "«zip-бомбы»" if size > declared else
                            "вместе с остальными частями распаковывается больше допустимых "
                            f"{MAX_XLSX_UNPACKED_BYTES / 2**20:.0f} МБ")
                    raise fail(f"часть «{part}» книги Excel {what}; файл не принят", filename)
                if scan is not None:
                    scan.feed(chunk, last=inflater.eof)
                if keep is not None:
                    keep.append(chunk)
            if inflater.eof:
                break
    except zlib.error:
        raise fail(f"книга Excel повреждена: часть «{part}» не распаковывается", filename) from None
    if not inflater.eof or size != declared:
        raise fail(f"книга Excel повреждена: часть «{part}» обрывается или не совпадает с заявленным размером",
                   filename)
    return size


class _SheetSpan:
    """The block a sheet's cells span, from its XML as it is inflated: the reader of Excel files builds the whole
    block (a cell at XFD1048576 is seventeen billion cells), so it is measured before the reader sees it. Cells
    without a value (`<c … />`) are not kept by the reader and not counted; a cell or a row without a reference takes
    the next column or row, as the reader places it."""

    TAG = re.compile(rb"<(row|c)\b([^>]*?)(/?)>")
    REFERENCE = re.compile(rb'\br="([A-Z]*)([0-9]*)"')

    def __init__(self, part: str, filename: str):
        self.part, self.filename = part, filename
        self.rows = self.columns = self.position = 0
        self.tail = b""

    def feed(self, chunk: bytes, last: bool) -> None:
        text = self.tail + chunk
        cut = len(text) if last else text.rfind(b">") + 1  # a tag is never split between two pieces
        text, self.tail = text[:cut], text[cut:]
        if len(self.tail) > 1_000_000:  # no tag is that long: not a worksheet the reader would take either
            raise fail("книга Excel повреждена: лист не похож на таблицу", self.filename, self.part)
        for kind, attributes, closed in self.TAG.findall(text):
            reference = self.REFERENCE.search(attributes)
            letters, digits = reference.groups() if reference is not None else (b"", b"")
            if kind == b"row":
                self.rows = max(self.rows + (not digits), int(digits[:9] or 0))
                self.position = 0
                continue
            if closed:  # a cell without a value: the reader does not keep it
                continue
            self.position = _column_number(letters[:4]) if letters else self.position + 1
            self.columns = max(self.columns, self.position)
            if digits:
                self.rows = max(self.rows, int(digits[:9]))
        self._check()

    def _check(self) -> None:
        rows, columns = self.rows, self.columns
        if columns > MAX_COLUMNS and rows <= EXCEL_ROWS and columns <= EXCEL_COLUMNS:
            raise _too_wide(columns, self.filename, self.part)
        if rows > EXCEL_ROWS or columns > EXCEL_COLUMNS:
            raise fail(f"на листе есть ячейки за пределами листа Excel ({EXCEL_ROWS} строк, {EXCEL_COLUMNS} "
                       "столбцов); файл не принят", self.filename, self.part)
        if rows * columns > MAX_TABLE_CELLS:
            raise fail(f"ячейки листа занимают блок {rows} строк × {columns} столбцов — больше допустимых "
                       f"{MAX_TABLE_CELLS:,} ячеек".replace(",", " ") + "; удалите лишние ячейки или разделите "
                       "таблицу на несколько файлов", self.filename, self.part)


HEADER_ROWS = 15  # the header row is searched among a sheet's first 15 rows that hold a value


def _find_header_row(rows: list[list[str | None]], known: set[str]) -> int:
    """Index of the row holding most of the expected headers among the first 15 rows."""
    best, best_hits = 0, -1
    for index, row in enumerate(rows[:HEADER_ROWS]):
        hits = sum(1 for cell in row if cell is not None and normalize_header(cell) in known)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _frame_from_rows(rows: list[list[str | None]], header_index: int, numbers: list[int] | None = None
                     ) -> pl.DataFrame:
    """The rows below the header as text columns named by it, with each row's spreadsheet number (`numbers`: the
    number of each of `rows`; by default their position)."""
    header = rows[header_index]
    names: list[str] = []
    taken: set[str] = set()
    for position, cell in enumerate(header):
        name = str(cell).strip() if cell is not None and str(cell).strip() else f"__col{position + 1}"
        while name in taken:  # a header given twice keeps both columns (find_columns refuses a known one)
            name += " "
        names.append(name)
        taken.add(name)
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
        position = header_index + 1 + offset
        row_numbers.append(numbers[position] if numbers is not None else position + 1)
    frame = pl.DataFrame({name: pl.Series(name, values, dtype=pl.String) for name, values in columns.items()})
    return frame.with_columns(pl.Series(ROW_COLUMN, row_numbers, dtype=pl.Int64))


def read_xlsx_sheets(data: bytes, filename: str, known_headers: set[str], head: int | None = None) -> list[Sheet]:
    """Every sheet of an xlsx as text; each sheet's header row is found by the known header names.

    `head`: only the sheet's first `head` rows, enough to tell a file's kind by its headers — unless they hold
    fewer than the 15 rows with a value the header search looks at, or a sheet too wide (then the whole sheet, so
    that the header found and the width refused are the same as in a whole reading)."""
    check_size(data, filename)
    _check_xlsx_container(data, filename)
    try:
        reader = fastexcel.read_excel(data)
        sheets = []
        for name in reader.sheet_names:
            for limit in (head, None) if head else (None,):
                raw = reader.load_sheet(name, header_row=None, dtypes="string",
                                        **({"n_rows": limit} if limit else {})).to_polars()
                height = raw.height
                if raw.width > MAX_COLUMNS:
                    if limit:
                        continue
                    raise _too_wide(raw.width, filename, name)
                # only rows with a value become Python rows (a sheet may span a million rows and hold a few)
                raw = raw.with_row_index(ROW_COLUMN, offset=1).filter(
                    pl.any_horizontal(pl.exclude(ROW_COLUMN).is_not_null()
                                      & (pl.exclude(ROW_COLUMN).str.strip_chars() != "")) if raw.width else pl.lit(False))
                if not limit or raw.height >= HEADER_ROWS or height < limit:
                    break
            numbers = raw[ROW_COLUMN].cast(pl.Int64).to_list()
            rows = [list(r) for r in raw.drop(ROW_COLUMN).iter_rows()]
            if not rows:
                sheets.append(Sheet(name, pl.DataFrame({ROW_COLUMN: pl.Series([], dtype=pl.Int64)}), 1, filename))
                continue
            header_index = _find_header_row(rows, known_headers)
            sheets.append(Sheet(name, _frame_from_rows(rows, header_index, numbers), numbers[header_index],
                                filename))
        return sheets
    except LoadError:
        raise
    except Exception:  # fastexcel raises its own error types (English) for corrupt content
        raise fail("книгу Excel не удалось прочитать: файл повреждён или сохранён не в Excel; откройте его в Excel "
                   "и сохраните заново как .xlsx", filename) from None


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
    # counted on the bytes, before the text is decoded (separators and line breaks are the same bytes in UTF-8
    # and cp1251): a table too large is refused without a Python string per character of it
    first_line = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1_000_000].split(b"\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=lambda d: first_line.count(d.encode()))
    cells = data.count(delimiter.encode()) + data.count(b"\n") + 1
    if cells > MAX_TABLE_CELLS:
        raise fail(f"в таблице около {cells:,} ячеек".replace(",", " ") + f" — больше допустимых "
                   f"{MAX_TABLE_CELLS:,}".replace(",", " ") + "; разделите её на несколько файлов", filename)
    text = decode_text(data, filename)
    if not text.strip():
        raise fail("файл пустой", filename)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[cell if cell != "" else None for cell in row] for row in reader]
    except csv.Error as exc:
        reason = ("ячейка длиннее допустимых 131 072 символов (возможно, не закрыта кавычка)"
                  if "field larger" in str(exc) else "строка таблицы записана неверно (кавычки или переводы строк)")
        raise fail(f"CSV не разобран: {reason}", filename, row=reader.line_num) from None
    header_index = _find_header_row(rows, known_headers)
    if len(rows[header_index]) > MAX_COLUMNS:
        raise _too_wide(len(rows[header_index]), filename, None, header_index + 1)
    return Sheet(None, _frame_from_rows(rows, header_index), header_index + 1, filename)


def _too_wide(width: int, filename: str, sheet: str | None, row: int | None = None) -> LoadError:
    return fail(f"таблица шириной {width} столбцов — больше допустимых {MAX_COLUMNS}: в таблицах реестра и "
                "активности два-три десятка столбцов; удалите лишние столбцы", filename, sheet, row)


def find_columns(sheet: Sheet, expected: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map field name → actual header of the sheet (case and spaces ignored), for the fields it has. A known
    header given twice («Ссылка» in B and in F) is refused, naming both: which one is meant cannot be guessed."""
    by_norm: dict[str, list[int]] = {}
    columns = sheet.frame.columns
    for position, column in enumerate(columns):
        if column != ROW_COLUMN:
            by_norm.setdefault(normalize_header(column), []).append(position)
    found = {}
    for field_name, synonyms in expected.items():
        for synonym in synonyms:
            positions = by_norm.get(normalize_header(synonym))
            if positions:
                if len(positions) > 1:
                    raise _duplicated(sheet, positions)
                found[field_name] = columns[positions[0]]
                break
    return found


def _duplicated(sheet: Sheet, positions: list[int]) -> LoadError:
    header = sheet.frame.columns[positions[0]].strip()
    letters = [column_letter(p) for p in positions]
    where = ", ".join(letters[:-1]) + " и " + letters[-1]
    return LoadError([LoadIssue(f"столбец «{header}» указан в заголовке {len(positions)} раза (столбцы {where}): "
                                "непонятно, какой из них читать; оставьте один", sheet.file, sheet.name,
                                sheet.header_row, header)])


def resolve_columns(sheet: Sheet, filename: str, expected: dict[str, tuple[str, ...]],
                    required: tuple[str, ...]) -> dict[str, str]:
    """`find_columns`, and a LoadError naming the required headers the sheet lacks."""
    found = find_columns(sheet, expected)
    missing = [expected[f][0] for f in required if f not in found]
    if missing:
        names = ", ".join(f"«{m}»" for m in missing)
        raise LoadError([LoadIssue(f"нет обязательных столбцов: {names}", filename, sheet.name, sheet.header_row)])
    return found


def refuse_if_no_rows(sheets: list[Sheet], filename: str, what: str) -> None:
    """A table with a header and no data row is refused (a registry and an activity template alike)."""
    if all(sheet.frame.height == 0 for sheet in sheets):
        sheet = sheets[0]
        raise fail(f"в {what} нет ни одной строки с данными — есть только заголовок", filename, sheet.name,
                   sheet.header_row + 1)
