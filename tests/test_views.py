"""Screen views (scoring/views/): what a page renders, built from frames."""
from datetime import date, datetime, timezone

import polars as pl

from scoring.views.upload import batches_view, coverage_view


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
