"""«Рейтинг» → «Сравнение кварталов» with numbers (issue 19): places, scores and zones of two quarters with the
changes — on the screen beside the chart (sortable table) and in Excel; the screen's report buttons."""
import io
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from core.calendar import Quarter
from reports.comparison_workbook import comparison_workbook, file_name
from scoring.comparison import chart_rows, comparison_frame, comparison_rows, zone_change
from scoring.tables import RatingTables, table_rows
from services import reports
from storage.db import make_engine

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _row(owner_id, owner, rank, score, zone, parent=None):
    return {"owner_id": owner_id, "owner": owner, "rank": rank, "score": score, "zone": zone, "parent_name": parent}


OWNER_SCHEMA = {"owner_id": pl.Int64, "owner": pl.String, "rank": pl.Int64, "score": pl.Float64, "zone": pl.String,
                "parent_name": pl.String}


def _tables(**rows: list[dict]) -> RatingTables:
    """A quarter's rating as frames with only the owner tables given (the rest without rows)."""
    empty = pl.DataFrame()
    owners = {name: pl.DataFrame(rows.get(name, []), schema=OWNER_SCHEMA)
              for name in ("bodies", "institutions", "heads", "reference")}
    return RatingTables(**owners, pages=empty, indicators=empty, weeks=empty, streams=empty, meta={})


def test_comparison_rows_places_scores_zones_and_changes():
    a = _tables(bodies=[_row(1, "Орган 1", 2, 61.0, "средний"), _row(2, "Орган 2", 1, 70.0, "средний"),
                        _row(3, "Орган 3", None, None, None), _row(4, "Упразднённый", 3, 40.0, "низкий")])
    b = _tables(bodies=[_row(1, "Орган 1", 1, 82.5, "высокий"), _row(2, "Орган 2", 2, 65.0, "средний"),
                        _row(3, "Орган 3", 3, 30.0, "критический"), _row(5, "Новый", None, None, None)])
    rows = {r["owner"]: r for r in comparison_rows(a, b, "bodies")}
    assert [r["owner"] for r in comparison_rows(a, b, "bodies")] == ["Орган 1", "Орган 2", "Орган 3", "Новый",
                                                                     "Упразднённый"]
    first = rows["Орган 1"]
    assert (first["rank_a"], first["rank_b"], first["delta_place"]) == (2, 1, 1)  # moved up: +1, as Δ места
    assert first["delta_points"] == pytest.approx(21.5) and first["zone_change"] == "средний → высокий"
    assert rows["Орган 2"]["delta_place"] == -1 and rows["Орган 2"]["zone_change"] == "без изменений"
    assert rows["Орган 3"]["delta_place"] is None and rows["Орган 3"]["delta_points"] is None  # only rated rows
    assert rows["Орган 3"]["zone_change"] == "не оценивался → критический"
    assert rows["Упразднённый"]["rank_b"] is None and rows["Новый"]["zone_change"] == "не оценивается"
    assert zone_change("высокий", None) == "высокий → не оценивается"
    frame = comparison_frame(list(rows.values()))
    assert frame["delta_place"].dtype.is_integer() and frame.sort("delta_points", nulls_last=True)["owner"][0] == \
        "Орган 2"
    assert comparison_rows(a, b, "heads") == []  # a table without rows in either quarter


@pytest.fixture(scope="module")
def two_quarters(demo_db_url):
    engine = make_engine(demo_db_url)
    inputs = reports.report_inputs(engine, Quarter(2026, 3), today=date(2026, 11, 24))
    engine.dispose()
    return inputs.previous, inputs.tables


def test_comparison_of_the_demo_quarters_matches_each_quarters_rating(two_quarters):
    before, after = two_quarters
    rows = comparison_rows(before, after, "bodies")
    ranks_b = {r["owner"]: r["rank"] for r in table_rows(after, "bodies")}
    ranks_a = {r["owner"]: r["rank"] for r in table_rows(before, "bodies")}
    for row in rows:
        assert row["rank_b"] == ranks_b.get(row["owner"]) and row["rank_a"] == ranks_a.get(row["owner"])
        if row["delta_place"] is not None:
            assert row["delta_place"] == row["rank_a"] - row["rank_b"]
    # Δ места of the rating itself (against the previous quarter) is the same number
    shown = {r["owner"]: r.get("delta_place") for r in table_rows(after, "bodies")}
    moved = [r for r in rows if r["delta_place"] is not None]
    assert moved and all(shown[r["owner"]] == r["delta_place"] for r in moved)


def test_comparison_workbook_has_a_sheet_per_table(two_quarters):
    before, after = two_quarters
    tables = {name: comparison_rows(before, after, name) for name in ("bodies", "heads", "institutions")}
    book = openpyxl.load_workbook(io.BytesIO(comparison_workbook(tables, "II кв. 2026", "III кв. 2026", "не утверждён")))
    assert book.sheetnames == ["Органы", "Руководители", "Учреждения"]
    bodies = book["Органы"]
    assert "II кв. 2026 и III кв. 2026" in bodies["A1"].value
    assert [c.value for c in bodies[2]] == ["Владелец", "Место, II кв. 2026", "Место, III кв. 2026", "Δ места",
                                            "Балл, II кв. 2026", "Балл, III кв. 2026", "Δ баллов",
                                            "Зона, II кв. 2026", "Зона, III кв. 2026", "Изменение зоны"]
    first = tables["bodies"][0]
    assert bodies.cell(3, 1).value == first["owner"] and bodies.cell(3, 3).value == first["rank_b"]
    assert bodies.cell(3, 7).value == pytest.approx(first["delta_points"])
    assert bodies.max_row == 2 + len(tables["bodies"]) and bodies.print_title_rows == "$1:$2"
    assert book["Учреждения"].cell(2, 2).value == "Исполнительный орган"
    assert file_name("II кв. 2026", "III кв. 2026", date(2026, 11, 30)).endswith("(30.11.2026).xlsx")


def test_rating_screen_shows_the_comparison_table_and_report_buttons(demo_db_url, monkeypatch):
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("app_pages/rating.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df for df in at.dataframe if "delta_points" in df.value.columns and "rank_a" in df.value.columns)
    frame = table.value
    assert list(frame.columns) == ["owner", "rank_a", "rank_b", "delta_place", "score_a", "score_b", "delta_points",
                                   "zone_change"]
    assert len(frame) >= 30 and frame["rank_b"].notna().sum() >= 30
    buttons = [b for b in at.get("download_button")]
    labels = " ".join(str(b.proto.label) for b in buttons)
    assert "Скачать PDF" in labels and "Сравнение в Excel" in labels and "Скачать Excel" in labels


def test_chart_rows_shorten_names_unless_two_would_look_alike():
    rows = [{"owner": "Департамент по молодёжной политике, физической культуре и спорту Томской области",
             "score_a": 50.0, "score_b": 60.0},
            {"owner": "Департамент финансов Томской области", "score_a": 70.0, "score_b": 69.0}]
    short = [r["owner"] for r in chart_rows(rows)]
    assert short == ["Департамент по молодёжной политике,…", "Департамент финансов"]
    assert all(len(name) <= 36 for name in short)
    alike = [{"owner": "Департамент по молодёжной политике, физической культуре", "score_a": 1.0, "score_b": 2.0},
             {"owner": "Департамент по молодёжной политике, физической культуре и спорту", "score_a": 1.0,
              "score_b": 9.0}]
    assert chart_rows(alike) == alike  # whole names rather than two identical labels
    assert [r["score_b"] for r in chart_rows(alike, limit=1)] == [9.0]  # the largest change
