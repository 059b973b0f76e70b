"""«Загрузка данных»: the upload history (with the batches an analyst may revert) and the month coverage table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from core.labels import percent_ru
from core.text import plain
from loaders.detect import FORMAT_LABELS
from scoring.registry_view import filter_rows

# the stages of an upload as the progress bar names them: storage.ingest.STAGES, then the rating's recomputation
# (services.quarters, in the background once the file is written)
STAGE_LABELS = {"reading": "чтение файла", "checking": "проверка и сравнение с загруженным ранее",
                "writing": "запись в базу", "rating": "пересчёт рейтинга"}


def stage_progress(stage: str, index: int, files: int, filename: str) -> tuple[float, str]:
    """The bar's fill and text when file `index` of `files` enters `stage`: «Файл 1 из 2, «wall.json»: этап 2
    из 4 — проверка и сравнение с загруженным ранее…»."""
    step = list(STAGE_LABELS).index(stage)
    return ((index - 1 + step / len(STAGE_LABELS)) / files,
            f"Файл {index} из {files}, «{plain(filename)}»: этап {step + 1} из {len(STAGE_LABELS)} — "
            f"{STAGE_LABELS[stage]}…")


STATUS_LABELS = {"active": "действует", "reverted": "отменён"}
BATCH_COLUMNS = ("batch_id", "filename", "format", "period_from", "period_to", "as_of", "uploaded_at", "uploaded_by",
                 "status")


@dataclass(frozen=True)
class BatchesView:
    table: pl.DataFrame  # the history as shown: formats and states in Russian, local times, «—» without a period
    active: dict[int, str]  # batch_id → file name of the batches still in force (those that can be reverted)


def batches_view(batches: pl.DataFrame, tz_name: str) -> BatchesView:
    table = batches.with_columns(
        pl.col("format").replace_strict(FORMAT_LABELS, default=pl.col("format")),
        pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")),
        pl.col("uploaded_at").dt.convert_time_zone(tz_name),
        # a registry batch has no period: «—», never an empty cell that Streamlit shows as «None»
        *[pl.col(c).dt.convert_time_zone(tz_name).dt.strftime("%d.%m.%Y").fill_null("—")
          for c in ("period_from", "period_to")]).select(BATCH_COLUMNS)
    active = batches.filter(pl.col("status") == "active")
    return BatchesView(table, dict(zip(active["batch_id"].to_list(), active["filename"].to_list())))


@dataclass(frozen=True)
class CoverageView:
    table: pl.DataFrame  # owner_name, platform_label and one share column per month (0…1)
    months: list[str]


def coverage_period(today: date) -> tuple[date, date]:
    """The months the coverage table shows: from the first day of this month a year ago to today."""
    return date(today.year - 1, today.month, 1), today


def coverage_view(pages: pl.DataFrame, grid: pl.DataFrame, kinds: list[str] | None = None, body: str | None = None,
                  platforms: list[str] | None = None) -> CoverageView:
    """The registry pages under the shared filters (kind, executive body, platform) with their month coverage
    (scoring.coverage.month_coverage)."""
    pages = filter_rows(pages, kinds, body, platforms)
    table = pages.select("page_id", "owner_name", "platform_label").join(grid, on="page_id", how="left")
    return CoverageView(table.drop("page_id"), [c for c in grid.columns if c != "page_id"])


def page_choices(pages: pl.DataFrame) -> dict[int, str]:
    """page_id → «владелец — платформа, ссылка»: the registry page an upload without a page is for."""
    return dict(zip(pages["page_id"].to_list(), [f"{owner} — {platform}, {url}" for owner, platform, url in
                                                 pages.select("owner_name", "platform_label", "url").iter_rows()]))


def link_choices(suggestions: list[dict]) -> dict[int, str]:
    """page_id → «страница (сходство 87 %)»: the registry pages a page outside the registry may be."""
    return {s["page_id"]: f"{s['label']} (сходство {percent_ru(s['similarity'])})" for s in suggestions}


def upload_period(chosen) -> tuple[date, date] | None:
    """The upload's period from the date field: both ends chosen, else none (the file's own first and last day)."""
    return tuple(chosen) if isinstance(chosen, (tuple, list)) and len(chosen) == 2 else None


def error_table(errors: list[dict]) -> pl.DataFrame:
    """A refused file's errors as a table: where (sheet, record, row, column) and what, only the columns some error
    fills, every cell as text (an empty cell, never «None»)."""
    table = pl.DataFrame([{k: e.get(k) for k in ("sheet", "record", "row", "column", "message")} for e in errors],
                         infer_schema_length=None)
    table = table.select([c for c in table.columns if table[c].null_count() < table.height])
    return table.with_columns(pl.all().cast(pl.String).fill_null(""))


def period_text(period: list[str] | None) -> str:
    """An uploaded file's period (ISO days) as the report names it: «период 01.10.2026 – 22.11.2026»."""
    if not period:
        return "период не определён"
    start, end = (date.fromisoformat(d) for d in period)
    return f"период {start:%d.%m.%Y} – {end:%d.%m.%Y}"
