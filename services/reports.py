"""The reports of a quarter for the CLI, the app and delivery (issue 19): which ratings a report reads (as frames,
scoring.tables.RatingTables) — the quarter as shown (approved rows if approved), the previous quarter for the
changes of the key figures, recent quarters for a body's rank history — and the PDF and Excel files built from
them. Above services.quarters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from core import calendar
from core.calendar import Quarter
from core.config import region_tz
from reports import pdf_report
from reports.rating_workbook import rating_workbook
from scoring.rating import TABLES
from scoring.tables import RatingTables, from_payload
from services import quarters
from storage import rating_store

HISTORY_QUARTERS = 6  # as on «Карточка органа»


@dataclass(frozen=True)
class ReportInputs:
    quarter: Quarter
    tables: RatingTables  # the quarter as shown: approved rows if approved, else computed from the current data
    previous: RatingTables | None  # the previous quarter as shown, None without data
    history: list[tuple[str, RatingTables]]  # (quarter label, tables), oldest first, ending with this quarter

    @property
    def approved(self) -> bool:
        return bool(self.tables.get("approved"))


def shown_tables(engine: Engine, quarter: Quarter, today: date) -> RatingTables:
    """A quarter's rating as the screens show it, without Δ (for key figures and rank history)."""
    approved = rating_store.approved_payload(engine, quarter.code)
    if approved is not None:
        return from_payload(approved)
    methodology = quarters.methodology_for_or_none(quarter)
    if methodology is None:  # no methodology covers it: no rating
        return from_payload({"quarter": quarter.code, "quarter_label": quarter.label, "has_data": False})
    return quarters.computed(engine, quarter, methodology, today).tables  # stored once for the current data


def report_inputs(engine: Engine, quarter: Quarter, today: date | None = None, with_history: bool = False
                  ) -> ReportInputs:
    today = today or calendar.local_today(region_tz())
    with_data = quarters.data_quarters(engine)
    previous = shown_tables(engine, quarter.previous(), today) if quarter.previous() in with_data else None
    # Δ place and Δ points against the same previous rating (as the screens do), computed once
    view = quarters.quarter_view(engine, quarter, today,
                                 previous_tables={n: previous.table(n) for n in TABLES} if previous is not None else {})
    tables = view.tables
    history: list[tuple[str, RatingTables]] = []
    if with_history:
        earlier = [q for q in with_data if q < quarter][:HISTORY_QUARTERS - 1]
        cached = {quarter.previous(): previous} if previous is not None else {}
        history = [(q.label, cached.get(q) or shown_tables(engine, q, today)) for q in earlier[::-1]]
        history.append((quarter.label, tables))
    return ReportInputs(quarter, tables, previous, history)


def quarterly_pdf(inputs: ReportInputs, generated_at: datetime | None = None, exporter=None) -> bytes:
    return pdf_report.quarterly_pdf(inputs.tables, inputs.previous, region_tz(), generated_at=generated_at,
                                    exporter=exporter)


def body_pdf(inputs: ReportInputs, owner_id: int, generated_at: datetime | None = None, exporter=None) -> bytes:
    return pdf_report.body_pdf(inputs.tables, owner_id, region_tz(), history=inputs.history,
                               generated_at=generated_at, exporter=exporter)


def workbook(inputs: ReportInputs, owner_id: int | None = None) -> bytes:
    return rating_workbook(inputs.tables, region_tz(), owner_id)


def today() -> date:
    return calendar.local_today(region_tz())
