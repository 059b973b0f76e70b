"""The public registry (Распоряжение № 132-р п. 2.2: the registry of official pages is kept and published): owners
and their official pages, as xlsx, as csv and as a self-contained HTML page for the region's website. Text that a
spreadsheet would run as a formula is neutralised in xlsx and csv; every text of the HTML page is escaped, and
only http(s) addresses become links."""
from __future__ import annotations

import csv
import html
import io
from datetime import date

import polars as pl

from core.domain import KIND_PLURAL_LABELS, OWNER_KINDS, PLATFORMS
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


PLATFORM_ORDER = {p: n for n, p in enumerate(PLATFORMS)}  # ВКонтакте, Одноклассники, Telegram
HTML_COLUMNS = ("owner_name", "parent_name", "platform_label", "url", "status_mark")
HTML_STYLE = """
body { font-family: "PT Sans", "Segoe UI", Arial, sans-serif; margin: 0; color: #1f2933; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 8px; line-height: 1.25; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; color: #0b4f8a; }
p.lead { margin: 0 0 4px; color: #52606d; }
table { width: 100%; border-collapse: collapse; font-size: 0.95rem; }
caption { text-align: left; color: #52606d; padding: 0 0 6px; }
th, td { border: 1px solid #d9e2ec; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; }
tbody tr:nth-child(even) { background: #f9fbfd; }
td.url { word-break: break-all; }
td.mark { white-space: nowrap; }
a { color: #0b61a4; }
footer { margin-top: 32px; font-size: 0.85rem; color: #52606d; }
@media print { main { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def registry_html(pages: pl.DataFrame, day: date) -> bytes:
    """One HTML page (UTF-8, styles inside, no scripts, nothing loaded from elsewhere): per kind of owner a table
    of the official pages in force on `day` — owner, parent body, platform, address, the «Госорганизация» mark."""
    headers = {"owner_name": "Владелец страницы", "parent_name": "Вышестоящий орган", "platform_label": "Платформа",
               "url": "Адрес страницы", "status_mark": "Отметка «Госорганизация»"}
    sections = []
    for kind in OWNER_KINDS:
        rows = (pages.filter(pl.col("kind") == kind)
                .sort("owner_name", pl.col("platform").replace_strict(PLATFORM_ORDER, default=len(PLATFORM_ORDER)))
                .with_row_index("number", 1))
        if rows.is_empty():
            continue
        head = "".join(f"<th scope=\"col\">{html.escape(headers[c])}</th>" for c in HTML_COLUMNS
                       if c != "parent_name" or kind in ("head", "institution"))
        body = "\n".join(_html_row(row, kind) for row in rows.iter_rows(named=True))
        title = html.escape(KIND_PLURAL_LABELS[kind])
        sections.append(f"<section>\n<h2>{title}</h2>\n<table>\n<caption>Страниц: {rows.height}</caption>\n"
                        f"<thead><tr><th scope=\"col\">№</th>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n"
                        "</table>\n</section>")
    content = "\n".join(sections) or "<p>В реестре на эту дату нет официальных страниц.</p>"
    title = "Реестр официальных страниц в социальных сетях"
    page = f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} на {day:%d.%m.%Y}</title>
<style>{HTML_STYLE}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p class="lead">Губернатора Томской области, Администрации Томской области, исполнительных органов Томской области,
их руководителей и подведомственных учреждений — по состоянию на {day:%d.%m.%Y}.</p>
<p class="lead">Всего страниц: {pages.height}; владельцев: {pages["owner_name"].n_unique() if pages.height else 0}.</p>
{content}
<footer>Реестр ведётся в соответствии с распоряжением Губернатора Томской области от 04.05.2023 № 132-р (п. 2.2).
Отметка «Госорганизация» — подтверждение официального статуса страницы на платформе (для Telegram — верификация
канала).</footer>
</main>
</body>
</html>
"""
    return page.encode("utf-8")


def _html_row(row: dict, kind: str) -> str:
    cells = []
    for column in HTML_COLUMNS:
        value = row.get(column)
        if column == "parent_name" and kind not in ("head", "institution"):
            continue
        if column == "url":
            text = html.escape(str(value or ""))
            link = str(value or "")
            cells.append(f'<td class="url"><a href="{html.escape(link, quote=True)}" rel="noopener noreferrer nofollow">'
                         f"{text}</a></td>" if link.lower().startswith(("https://", "http://")) else
                         f'<td class="url">{text}</td>')
        elif column == "status_mark":
            cells.append(f'<td class="mark">{"есть" if value else "нет" if value is False else "нет сведений"}</td>')
        else:
            cells.append(f"<td>{html.escape(str(value or ''))}</td>")
    return f"<tr><td>{row['number']}</td>{''.join(cells)}</tr>"
