"""The PDF reports (product.md §5, issue 19): the quarterly report for leadership and one executive body's own
report. Pure: the rating's frames (scoring.tables.RatingTables) in, PDF bytes out. The pages are HTML/CSS templates kept as data files
(reports/templates/), laid out by WeasyPrint (A4, «стр. N из M», table headers repeated on every page); the charts
are the screens' own Plotly figures (reports/figures.py) exported as SVG by reports/static_figures.py."""
from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

from core.calendar import Quarter
from core.domain import PLATFORM_LABELS
from core.labels import WEEK_STATUS_LABELS, number_ru, place_arrow
from reports import figures as fig
from reports.rating_workbook import file_name as workbook_file_name
from scoring.report_view import BodySection, QuarterReport, body_report, quarter_report
from scoring.tables import RatingTables

TEMPLATES = Path(__file__).resolve().parent / "templates"
BLOCKS_HEIGHT, WEEKLY_HEIGHT = 240, 300  # px at 900 px wide (screens: 300 and 340)
Exporter = Callable[[dict[str, go.Figure]], dict[str, bytes]]


def _default_exporter(figures: dict[str, go.Figure]) -> dict[str, bytes]:
    from reports.static_figures import figures_svg
    return figures_svg(figures)


# --- formatting for the templates: Russian numbers, ДД.ММ.ГГГГ, never «None» ---

def _num(value, digits: int = 1) -> str:
    return "—" if value is None else number_ru(value, digits)


def _signed(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = number_ru(abs(value), digits)
    if round(value, digits) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def _day(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%d.%m.%Y}"


def _moment(value: datetime | None) -> str:
    return "—" if value is None else f"{value:%d.%m.%Y %H:%M}"


def _share(value) -> str:
    return "—" if value is None else f"{number_ru(100 * value, 0)} %"


def _quarter(code: str) -> str:
    """«2025Q1» → «I кв. 2025» (the methodology's effective quarter)."""
    try:
        return Quarter.parse(code).label
    except ValueError:
        return code


def _ink(color: str) -> str:
    return fig.ink_for(color)


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=lambda value: "—" if value is None else value)  # never «None» on paper
    env.filters.update(num=_num, signed=_signed, day=_day, moment=_moment, share=_share, ink=_ink, quarter=_quarter,
                       arrow=place_arrow, platform=lambda p: PLATFORM_LABELS.get(p, p),
                       week_status=lambda s: WEEK_STATUS_LABELS.get(s, s))
    return env


def _image(svg: bytes | None) -> str | None:
    return None if svg is None else "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _render(template: str, context: dict, figures: dict[str, go.Figure], exporter: Exporter | None) -> bytes:
    from weasyprint import HTML  # imported here: only a report needs it (it loads Pango)

    images = {key: _image(svg) for key, svg in (exporter or _default_exporter)(figures).items()}
    html = _environment().get_template(template).render(**context, images=images)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def _body_figures(section: BodySection, blocks: dict[str, str], with_history: bool = False) -> dict[str, go.Figure]:
    key = section.row["owner_id"]
    # the screens' figures, a little lower on paper so that a body's page fits one A4 sheet
    out = {f"blocks_{key}": fig.block_bars(section.row.get("blocks") or {}, blocks, "Баллы органа по блокам")
           .update_layout(height=BLOCKS_HEIGHT)}
    if not section.weekly.is_empty():
        out[f"weekly_{key}"] = fig.weekly_posts_chart(section.weekly, section.norm).update_layout(height=WEEKLY_HEIGHT)
    if with_history and sum(1 for p in section.history if p["rank"]) >= 2:
        out[f"history_{key}"] = fig.rank_history(section.history)
    return out


def report_figures(report: QuarterReport) -> dict[str, go.Figure]:
    """The quarterly report's charts: the zones of the executive bodies and, per body, its blocks and weeks."""
    if not report.title.has_data:
        return {}
    figures = {"zones": fig.zone_distribution(report.zone_counts, report.zones, "Исполнительные органы по зонам")}
    for section in report.bodies:
        figures |= _body_figures(section, report.blocks)
    return figures


def quarterly_figures(tables: RatingTables, previous: RatingTables | None, tz: ZoneInfo) -> dict[str, go.Figure]:
    return report_figures(quarter_report(tables, previous, tz, datetime.now(tz)))


def body_figures(tables: RatingTables, owner_id: int, tz: ZoneInfo,
                 history: list[tuple[str, RatingTables]] | None = None) -> dict[str, go.Figure]:
    _, section = body_report(tables, owner_id, tz, datetime.now(tz), history)
    return _body_figures(section, tables.methodology_info["blocks"], with_history=True)


def quarterly_pdf(tables: RatingTables, previous: RatingTables | None, tz: ZoneInfo, *,
                  generated_at: datetime | None = None, exporter: Exporter | None = None) -> bytes:
    """The quarterly report of the rating's quarter; `previous` — the previous quarter's rating (changes)."""
    report = quarter_report(tables, previous, tz, generated_at or datetime.now(tz))
    info = tables.methodology_info
    context = {"report": report, "title": report.title, "info": info,
               "previous_label": previous.get("quarter_label") if previous is not None else None,
               "composite": info["composite"]}
    return _render("quarterly.html", context, report_figures(report), exporter)


def body_pdf(tables: RatingTables, owner_id: int, tz: ZoneInfo, *,
             history: list[tuple[str, RatingTables]] | None = None, generated_at: datetime | None = None,
             exporter: Exporter | None = None) -> bytes:
    """One executive body's report: the body, its head(s) and institutions, every recommendation."""
    title, section = body_report(tables, owner_id, tz, generated_at or datetime.now(tz), history)
    info = tables.methodology_info
    context = {"title": title, "section": section, "info": info, "blocks": info["blocks"],
               "composite": info["composite"]}
    return _render("body.html", context, _body_figures(section, info["blocks"], with_history=True), exporter)


def file_name(quarter_code: str, day: date, body: str | None = None) -> str:
    return workbook_file_name(quarter_code, day, body, extension="pdf")
