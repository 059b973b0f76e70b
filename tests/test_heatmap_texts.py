"""Heatmap texts that must not collide (headless Chromium on the demo, issue 22 check): the bodies heatmap of one
body (a body user) drew its colour bar's title «Доля страниц с нормой» over the «100 %» tick."""
from datetime import date

import polars as pl

from reports.figures import share_heatmap


def _one_body() -> pl.DataFrame:
    return pl.DataFrame({"label": ["Департамент А"] * 2, "week": [date(2026, 6, 29), date(2026, 7, 6)], "counted": [2, 2],
                         "met": [1, 2], "share": [0.5, 1.0]})


def test_colour_bar_title_stands_beside_the_bar_not_over_its_ticks():
    bar = share_heatmap(_one_body()).data[0].colorbar
    assert bar.title.text == "Доля страниц<br>с нормой" and bar.title.side == "right"
    assert list(bar.ticktext) == ["0 %", "25 %", "50 %", "75 %", "100 %"]


def test_a_one_row_matrix_is_not_a_band_of_tall_cells():
    from reports.figures import streams_matrix
    one = pl.DataFrame({"owner_name": ["Департамент А"] * 2, "quarter": ["I кв. 2026", "II кв. 2026"],
                        "quarter_order": [1, 2], "state": ["not_held", "held"], "streams": [0, 1]})
    assert streams_matrix(one).layout.height <= 200
    many = pl.concat([one.with_columns(pl.lit(f"Департамент {i}").alias("owner_name")) for i in range(37)])
    assert streams_matrix(many).layout.height == 24 * 37 + 80  # as before for the whole region
