"""Excel and publication exports: read every workbook back, and open it with LibreOffice like a user would."""
import csv
import io
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reports.figures import NO_DATA_COLOR
from reports.rating_workbook import WEEK_COLORS, body_slice, file_name, rating_workbook
from reports.excel import Workbook
from reports.registry_export import registry_csv, registry_xlsx
from reports.xlsx_fast import FastWorksheet
from core.calendar import Quarter
from scoring.tables import from_rating, to_payload
from storage.db import make_engine
from services.quarters import fresh_rating
from tests.environment import missing

TOMSK = ZoneInfo("Asia/Tomsk")
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"  # comma, double quote, UTF-8
SHEETS = ["Органы", "Учреждения", "Руководители", "Справочно", "Показатели по страницам", "Публикации по неделям",
          "Прямые эфиры", "Методика"]


@pytest.fixture(scope="module")
def tables(demo_db_url):
    """The rating as the workbook takes it (scoring.tables.RatingTables)."""
    engine = make_engine(demo_db_url)
    result = from_rating(fresh_rating(engine, Quarter(2026, 3), today=date(2026, 11, 24)))
    engine.dispose()
    return result


@pytest.fixture(scope="module")
def payload(tables):
    """The same rating as `rate --json` prints it: what the workbook's cells are compared with."""
    return to_payload(tables)


def _soffice() -> str:
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        missing("LibreOffice не установлен (apt-get install libreoffice-calc-nogui)")
    return binary


def test_rating_workbook_reads_back_like_the_screen(tables, payload):
    content = rating_workbook(tables, TOMSK)  # build time: `cli.py bench` (workbook_s), not asserted here
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == SHEETS
    bodies = book["Органы"]
    # row 1: the title (quarter, approval status), row 2: the header; both repeated on every printed page
    assert "III кв. 2026" in bodies["A1"].value and "рейтинг не утверждён" in bodies["A1"].value
    headers = [c.value for c in bodies[2]]
    assert headers[:7] == ["Место", "Владелец", "Балл", "Зона", "Δ места", "Δ баллов", "Балл органа"]
    assert bodies.freeze_panes == "A3" and bodies.auto_filter.ref.startswith("A2:")
    assert bodies.print_title_rows == "$1:$2" and bodies.page_setup.paperSize == 9  # A4
    assert bodies.oddFooter.right.text == "стр. &P из &N"
    assert bodies.page_setup.orientation == "landscape" and bodies.sheet_properties.pageSetUpPr.fitToPage
    for i, row in enumerate(payload["bodies"], start=3):  # numbers equal rate --json
        assert bodies.cell(i, 1).value == row["rank"] and bodies.cell(i, 2).value == row["owner"]
        assert bodies.cell(i, 3).value == pytest.approx(row["score"]) and bodies.cell(i, 4).value == row["zone"]
    assert bodies.cell(3, 3).number_format == "0.0"
    zone_colors = {z["name"]: z["color"].lstrip("#") for z in payload["methodology_info"]["zones"]}
    assert bodies.cell(3, 4).fill.fgColor.rgb.endswith(zone_colors[payload["bodies"][0]["zone"]])
    indicators = book["Показатели по страницам"]
    assert indicators.max_row == 2 + 14 * len(payload["pages"])
    assert {c.value for c in indicators[2]} >= {"Показатель", "Значение", "Баллы", "Вес", "Почему не оценивается"}
    weekly = book["Публикации по неделям"]
    assert weekly.freeze_panes == "D3" and weekly.max_column == 3 + len(payload["weeks"]) + 2
    cells = [weekly.cell(r, c) for r in range(3, 3 + len(payload["pages"]))
             for c in range(4, 4 + len(payload["weeks"]))]
    no_data = [c for c in cells if c.value == "н/д"]
    zero = [c for c in cells if c.value == 0]
    assert no_data and all(c.fill.fgColor.rgb.endswith(NO_DATA_COLOR[1:]) for c in no_data)
    # 0 never looks like н/д: the demo has weeks with no posts, and each is painted the «0 публикаций» colour
    assert zero, "в демо есть недели без публикаций"
    assert WEEK_COLORS["zero"].upper() != NO_DATA_COLOR.upper()
    assert all(c.fill.fgColor.rgb.upper().endswith(WEEK_COLORS["zero"][1:].upper()) for c in zero)
    methodology = book["Методика"]
    texts = [str(c.value) for row in methodology.iter_rows() for c in row if c.value is not None]
    assert payload["methodology"] in " ".join(texts) and "B1" in texts and "Пакеты загрузки" in texts


def _parts(content: bytes) -> dict[str, bytes]:
    """Every part of an xlsx package but docProps/core.xml (its creation time)."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return {name: package.read(name) for name in package.namelist() if name != "docProps/core.xml"}


def test_the_fast_sheet_writer_writes_what_xlsxwriter_writes(tables, monkeypatch):
    """reports.xlsx_fast writes the cell table itself (issue 21: half of the workbook's time): every part of the
    package, the sheets' XML included, byte for byte what xlsxwriter's own writer makes of the same cells."""
    fast = rating_workbook(tables, TOMSK)
    monkeypatch.setattr(FastWorksheet, "_write_rows", Worksheet._write_rows)
    stock = rating_workbook(tables, TOMSK)
    assert _parts(fast) == _parts(stock)


def _every_kind_of_cell(sheet_class) -> dict[str, bytes]:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.worksheet_class = sheet_class
    sheet = book.add_worksheet("Лист")
    bold, red = book.add_format({"bold": True}), book.add_format({"font_color": "#C62828", "num_format": "0.00"})
    sheet.set_column(2, 2, 12, bold)  # a column format reaches the cells written without one
    sheet.set_row(4, 30, red)  # a row format too, before the column's
    sheet.set_row(7, 40)  # a row with no cells but a height
    sheet.write_string(0, 0, "текст & <теги> \"кавычки\"")
    sheet.write_number(0, 1, 1 / 3, red)
    sheet.write_number(0, 2, 12345678901234567890)
    sheet.write_datetime(1, 0, datetime(2026, 11, 30, 12, 30), book.add_format({"num_format": "dd.mm.yyyy hh:mm"}))
    sheet.write_blank(1, 1, None, bold)
    sheet.write_blank(1, 3, None)  # no format: not written at all
    sheet.write_formula(2, 0, "=B1*2", None, 0.666)
    sheet.write_boolean(2, 1, True)
    sheet.write_rich_string(2, 2, "обычный ", bold, "жирный")
    sheet.write_comment(3, 0, "примечание")
    sheet.write_string(4, 1, "в строке с форматом")
    sheet.write_string(4, 2, "и в столбце с форматом")
    sheet.write_string(40, 20, "далеко")  # another span of rows, another column name length
    sheet.write_number(2000, 30, -0.0)
    plain = book.add_worksheet("Без примечаний")  # spans computed by FastWorksheet itself (no comments)
    for row, col in ((2, 3), (5, 1), (15, 7), (16, 4), (40, 2), (47, 9), (2017, 5)):
        plain.write_number(row, col, row * col)
    plain.set_row(70, 20)
    book.close()
    return _parts(buffer.getvalue())


def test_the_fast_sheet_writer_on_every_kind_of_cell():
    assert _every_kind_of_cell(FastWorksheet) == _every_kind_of_cell(Worksheet)


def _rows_written(block: bool) -> dict[str, bytes]:
    book = Workbook(created=datetime(2026, 11, 30))
    book.book.worksheet_class = FastWorksheet
    sheet = book.book.add_worksheet("Лист")
    rows = [["текст", "=HYPERLINK(\"http://x\")", "", "-1", 7, -2.5, None, True, date(2026, 9, 1)],
            [None, 3, 0.1 + 0.2, datetime(2026, 9, 1, 8, 30), "а" * 20000, 10 ** 20, False, "@", None],
            [None] * 9, [], ["только первая"]]
    formats = [None, book.wrap, None, None, book.decimal, None, book.integer, None, None]
    if block:
        sheet.put_rows(3, rows, formats, book.text, book.integer, book.decimal, book.write_cell)
        sheet.put_rows(3, [[None, None, None, None, None, None, None, None, None, "дописано"]], None, book.text,
                       book.integer, book.decimal, book.write_cell)
    else:
        for r, values in enumerate(rows, 3):
            for c, value in enumerate(values):
                book.write_cell(sheet, r, c, value, formats[c])
        book.write_cell(sheet, 3, 9, "дописано")
    return _parts(book.close())


def test_rows_stored_a_block_at_a_time_are_the_cells_write_cell_stores():
    assert _rows_written(block=True) == _rows_written(block=False)
    book = Workbook()
    book.book.worksheet_class = FastWorksheet
    with pytest.raises(TypeError):  # NaN is refused as write_number refuses it
        book.book.add_worksheet().put_rows(0, [[float("nan")]], None, book.text, book.integer, book.decimal,
                                           book.write_cell)


def test_body_workbook_holds_only_the_body_and_its_family(tables, payload):
    body = payload["bodies"][0]
    part = to_payload(body_slice(tables, body["owner_id"]))
    assert [r["owner"] for r in part["bodies"]] == [body["owner"]]
    assert part["heads"] and all(r["parent_name"] == body["owner"] for r in part["institutions"] + part["heads"])
    family = {body["owner"]} | {r["owner"] for r in part["institutions"] + part["heads"]}
    assert part["pages"] and {p["owner"] for p in part["pages"]} == family & {p["owner"] for p in payload["pages"]}
    assert part["pages"] == [p for p in payload["pages"] if p["owner"] in family]  # with indicators and weeks
    assert part["reference"] == []
    book = openpyxl.load_workbook(io.BytesIO(rating_workbook(tables, TOMSK, body["owner_id"])))
    assert book["Органы"].max_row == 3
    assert file_name("2026Q3", date(2026, 11, 24), body["owner"]).endswith("(24.11.2026).xlsx")


def test_libreoffice_opens_the_rating_workbook(tables, payload, tmp_path):
    soffice = _soffice()
    path = tmp_path / "rating.xlsx"
    path.write_bytes(rating_workbook(body_slice(tables, payload["bodies"][0]["owner_id"]), TOMSK))
    for target, filter_ in (("pdf", "pdf"), ("csv", CSV_UTF8)):
        result = subprocess.run([soffice, "--headless", "--convert-to", filter_, "--outdir", str(tmp_path), str(path)],
                                capture_output=True, text=True, timeout=240)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / f"rating.{target}").stat().st_size > (2000 if target == "pdf" else 100)
    first_sheet = (tmp_path / "rating.csv").read_text(encoding="utf-8", errors="replace")
    assert payload["bodies"][0]["owner"] in first_sheet


def _registry_pages(owner_name: str):
    import polars as pl
    return pl.DataFrame({"owner_name": [owner_name], "kind_label": ["Учреждение"], "parent_name": ["+Орган"],
                         "ogrn": ["1027000000002"], "platform_label": ["ВКонтакте"], "url": ["https://vk.com/x"],
                         "registered_on": [date(2024, 1, 2)], "status_mark": [True], "gospubliki": [None],
                         "subscribers": [1200]})


def test_registry_exports_neutralise_formulas(tmp_path):
    evil = '=HYPERLINK("http://x","y")'
    pages = _registry_pages(evil)
    sheet = openpyxl.load_workbook(io.BytesIO(registry_xlsx(pages)))["Реестр"]
    assert sheet.cell(2, 1).data_type == "s" and sheet.cell(2, 1).value == "'" + evil
    assert sheet.cell(2, 3).value == "'+Орган" and sheet.cell(2, 7).number_format == "dd.mm.yyyy"
    rows = list(csv.reader(io.StringIO(registry_csv(pages).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Владелец" and rows[1][0] == "'" + evil and rows[1][6] == "02.01.2024"
    assert rows[1][7] == "да" and rows[1][8] == ""  # unknown stays empty, never «нет»
    soffice = shutil.which("soffice")
    if soffice:
        path = tmp_path / "реестр.xlsx"
        path.write_bytes(registry_xlsx(pages))
        subprocess.run([soffice, "--headless", "--convert-to", CSV_UTF8, "--outdir", str(tmp_path), str(path)],
                       capture_output=True, timeout=240, check=True)
        text = (tmp_path / "реестр.csv").read_text(encoding="utf-8", errors="replace")
        assert "HYPERLINK" in text and "y," not in text.split("\n")[1][:3]  # shown as text, not evaluated to "y"
