"""The rating workbook printed (issue 19): LibreOffice turns the whole workbook into a PDF, as a user printing it
would; the bodies and heads sheets take a few A4 pages, each page with the title row (quarter, approval status)
and «стр. N из M», and every name whole."""
import re
import shutil
import subprocess
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from core.calendar import Quarter
from reports.rating_workbook import rating_workbook
from scoring.tables import from_rating, to_payload
from services.quarters import fresh_rating
from storage.db import make_engine
from tests.environment import missing

def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(f"{name} не установлен (apt-get install {package})")
    return found


def test_bodies_and_heads_print_on_a_few_titled_numbered_pages(demo_db_url, tmp_path):
    soffice = _tool("soffice", "libreoffice-calc-nogui")
    pdftotext = _tool("pdftotext", "poppler-utils")
    engine = make_engine(demo_db_url)
    tables = from_rating(fresh_rating(engine, Quarter(2026, 3), today=date(2026, 11, 24)))
    engine.dispose()
    path = tmp_path / "rating.xlsx"
    path.write_bytes(rating_workbook(tables, ZoneInfo("Asia/Tomsk")))
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   capture_output=True, timeout=900, check=True)
    def text(*mode: str) -> list[str]:  # one string per page; -layout keeps the footer's line whole, the default
        # mode keeps a wrapped cell's lines together
        out = subprocess.run([pdftotext, *mode, str(tmp_path / "rating.pdf"), "-"], capture_output=True, text=True,
                             check=True).stdout.split("\f")
        return [page for page in out if page.strip()]

    laid_out, cells = text("-layout"), text()
    total = len(laid_out)
    assert len(cells) == total
    by_sheet: dict[str, list[str]] = {}
    for number, (page, page_cells) in enumerate(zip(laid_out, cells), start=1):
        footer = re.search(r"^\s*(\S[^\n]*?)\s{2,}стр\. (\d+) из (\d+)\s*$", page.rstrip(), re.MULTILINE)
        assert footer, f"страница {number} без номера «стр. N из M»"
        assert (int(footer.group(2)), int(footer.group(3))) == (number, total)
        by_sheet.setdefault(footer.group(1).strip(), []).append(" ".join(page_cells.split()))
    payload = to_payload(tables)  # the rows as `rate --json` prints them
    for sheet, title, rows in (("Органы", "Рейтинг исполнительных органов", payload["bodies"]),
                               ("Руководители", "Рейтинг руководителей исполнительных органов", payload["heads"])):
        printed = by_sheet[sheet]
        assert 1 <= len(printed) <= 10, (sheet, len(printed))
        for text in printed:  # the title row is repeated on every page of the sheet
            assert f"{title} — III кв. 2026 — рейтинг не утверждён" in text, sheet
            assert "Место" in text and "Владелец" in text  # and so is the header row
        words = " ".join(printed).split()
        missing = [r["owner"] for r in rows if not _in_order(r["owner"].split(), words)]
        assert missing == [], missing  # wrapped in their cells, never cut off


def _in_order(name: list[str], words: list[str]) -> bool:
    """Every word of the name, in order (a wrapped cell's lines may be read interleaved with the next cell's)."""
    position = iter(words)
    return all(any(word == seen for seen in position) for word in name)
