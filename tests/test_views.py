"""Screen views (scoring/views/): what a page renders, built from frames."""
from datetime import date, datetime, timezone

import polars as pl

from scoring.views.upload import (batches_view, coverage_period, coverage_view, error_table, link_choices,
                                  page_choices, period_text, upload_period)


def test_batches_view_speaks_russian_and_lists_what_can_be_reverted():
    moment = datetime(2026, 4, 1, 5, tzinfo=timezone.utc)
    batches = pl.DataFrame({
        "batch_id": [2, 1], "filename": ["wall.json", "реестр.xlsx"], "format": ["vk_wall", "registry"],
        "period_from": [moment, None], "period_to": [moment, None], "as_of": [date(2026, 4, 1)] * 2,
        "uploaded_at": [moment, moment], "uploaded_by": ["аналитик", "аналитик"], "status": ["reverted", "active"]},
        schema_overrides={"period_from": pl.Datetime("us", "UTC"), "period_to": pl.Datetime("us", "UTC")})
    view = batches_view(batches, "Asia/Tomsk")
    assert view.active == {1: "реестр.xlsx"}
    assert view.table["status"].to_list() == ["отменён", "действует"]
    assert view.table["period_from"].to_list() == ["01.04.2026", "—"]  # a registry batch has no period
    assert "None" not in str(view.table.to_dicts())


def test_coverage_view_keeps_the_filtered_pages_and_the_months():
    pages = pl.DataFrame({"page_id": [1, 2], "owner_name": ["А", "Б"], "platform_label": ["ВКонтакте", "Telegram"]})
    grid = pl.DataFrame({"page_id": [1, 2, 3], "янв 2026": [1.0, 0.5, 0.0], "фев 2026": [0.0, 1.0, 1.0]})
    view = coverage_view(pages, grid)
    assert view.months == ["янв 2026", "фев 2026"]
    assert view.table.columns == ["owner_name", "platform_label", "янв 2026", "фев 2026"]
    assert view.table.height == 2



def test_coverage_view_applies_the_shared_filters():
    pages = pl.DataFrame({"page_id": [1, 2, 3], "owner_name": ["А", "Б", "В"],
                          "kind": ["executive_body", "institution", "institution"], "body_name": ["А", "А", "В"],
                          "platform": ["vk", "vk", "ok"], "platform_label": ["ВКонтакте", "ВКонтакте", "Одноклассники"]})
    grid = pl.DataFrame({"page_id": [1, 2, 3], "янв 2026": [1.0, 0.5, 0.0]})
    assert coverage_view(pages, grid, ["institution"], None, []).table["owner_name"].to_list() == ["Б", "В"]
    assert coverage_view(pages, grid, [], "А", ["vk"]).table["янв 2026"].to_list() == [1.0, 0.5]
    assert coverage_view(pages, grid, None, None, ["ok"]).table["owner_name"].to_list() == ["В"]
    assert coverage_view(pages, grid).table.height == 3


def test_coverage_period_starts_a_year_back_on_the_first_of_the_month():
    assert coverage_period(date(2026, 3, 17)) == (date(2025, 3, 1), date(2026, 3, 17))


def test_upload_choices_and_period():
    pages = pl.DataFrame({"page_id": [7], "owner_name": ["Департамент"], "platform_label": ["ВКонтакте"],
                          "url": ["https://vk.com/dep"]})
    assert page_choices(pages) == {7: "Департамент — ВКонтакте, https://vk.com/dep"}
    assert link_choices([{"page_id": 7, "label": "Департамент", "similarity": 0.87}]) == {
        7: "Департамент (сходство 87 %)"}
    assert upload_period((date(2026, 1, 1), date(2026, 1, 31))) == (date(2026, 1, 1), date(2026, 1, 31))
    assert upload_period((date(2026, 1, 1),)) is None and upload_period(()) is None  # one end only: the file's own


def test_error_table_keeps_the_filled_columns_as_text():
    table = error_table([{"row": 3, "column": "url", "message": "нет ссылки"}, {"row": 7, "message": "дата в будущем"}])
    assert table.columns == ["row", "column", "message"]  # no sheet, no record: no error names them
    assert table.rows() == [("3", "url", "нет ссылки"), ("7", "", "дата в будущем")]  # an empty cell, not «None»


def test_period_text():
    assert period_text(["2026-10-01", "2026-11-22"]) == "период 01.10.2026 – 22.11.2026"
    assert period_text(None) == "период не определён"
