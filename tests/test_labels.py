"""The one label map (core.labels): Russian numbers without a signed zero, names cut with «…», formats chosen by
column key the same for the screen and Excel, and a heatmap legend naming every week status it draws."""
from datetime import date

import polars as pl

from core.labels import (WEEK_STATUS_LABELS, excel_format, format_value, metric_delta, moment_ru, number_ru,
                         shorten, signed_ru)
from scoring.activity import WEEK_STATUSES


def test_a_change_that_rounds_to_zero_has_no_sign():
    assert [signed_ru(v, 1) for v in (-0.04, 0.04, 0.0, -0.0)] == ["0,0"] * 4
    assert signed_ru(1.25, 1) == "+1,2" and signed_ru(-3.36, 1) == "−3,4" and signed_ru(None, 1) == "—"
    assert number_ru(-0.04, 1) == "0,0" and number_ru(12345.67, 1) == "12 345,7" and number_ru(float("nan")) == "—"
    assert format_value("delta_points", -0.01) == "0,0" and format_value("delta_place", 3) == "+3"
    assert format_value("score", 71.04) == "71,0" and format_value("body_score", None) == "—"


def test_metric_delta_draws_no_arrow_for_zero():
    assert metric_delta(-0.04, 1) == {"delta": "0,0", "delta_color": "off", "delta_arrow": "off"}
    assert metric_delta(2.0, 0, inverse=True) == {"delta": "+2", "delta_arrow": "up", "delta_color": "red"}
    assert metric_delta(-0.26, 1, " п.п.") == {"delta": "−0,3 п.п.", "delta_arrow": "down", "delta_color": "red"}
    assert metric_delta(None) == {"delta": None}


def test_excel_formats_follow_the_screen():
    assert excel_format("delta_points") == "+0.0;-0.0;0.0" and excel_format("delta_place") == "+0;-0;0"
    assert excel_format("score") == excel_format("block_C") == "0.0" and excel_format("rank") == "0"


def test_names_are_cut_with_an_ellipsis():
    name = "Департамент по молодёжной политике, физической культуре и спорту Томской области"
    for limit in (20, 36, 55, 60):
        short = shorten(name, limit)
        assert short.endswith("…") and len(short) <= limit and name.startswith(short[:-1])
    assert shorten("Департамент финансов", 36) == "Департамент финансов" and shorten(None, 5) == ""


def test_moments_in_the_region_time():
    from zoneinfo import ZoneInfo
    assert moment_ru("2026-10-05T07:03:00+00:00", ZoneInfo("Asia/Tomsk")) == "05.10.2026 14:03"


def test_the_heatmap_legend_names_every_status_it_draws():
    from reports.figures import WEEK_STATUS_COLORS, weekly_heatmap
    from reports.rating_workbook import WEEK_COLORS
    assert set(WEEK_STATUSES) <= set(WEEK_STATUS_LABELS) and set(WEEK_STATUSES) <= set(WEEK_STATUS_COLORS)
    assert len(set(WEEK_STATUS_COLORS.values())) == len(WEEK_STATUS_COLORS)  # each status its own colour
    assert WEEK_COLORS == WEEK_STATUS_COLORS  # Excel speaks the screen's colours
    monday = date(2026, 9, 28)
    grid = pl.DataFrame({"label": [f"стр. {i}" for i in range(len(WEEK_STATUSES))],
                         "week": [monday] * len(WEEK_STATUSES), "status": list(WEEK_STATUSES),
                         "posts": [1] * len(WEEK_STATUSES), "norm": [3] * len(WEEK_STATUSES)})
    names = {t.name for t in weekly_heatmap(grid).data if t.showlegend}
    assert names == {WEEK_STATUS_LABELS[s] for s in WEEK_STATUSES}
    only_running = weekly_heatmap(grid.filter(pl.col("status") == "not_ended"))
    assert {t.name for t in only_running.data if t.showlegend} == {"не завершена", "нет данных"}
