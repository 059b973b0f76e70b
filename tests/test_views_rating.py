"""«Рейтинг» and «Карточка органа» (scoring/views/rating.py, body_card.py) built from the factory scenario of
test_views_screens: the rows, texts and numbers the two pages render, without Streamlit — Russian, with «—» for
what is unknown, never «None» or a raw code."""
import polars as pl

from core.labels import dashes, place_arrow
from core.text import plain
from scoring.tables import RatingTables
from scoring.views.body_card import body_card
from scoring.views.rating import comparison_view, rating_view, ranked_rows
from tests.test_views_screens import TOMSK, _data, _shown
from tests.test_scoring import M

RAW_CODES = ("None", "null", "executive_body", "institution", "'vk'", "'ok'", "'telegram'", "bodies")


def _no_raw(frame: pl.DataFrame) -> None:
    text = str([list(row.values()) for row in frame.to_dicts()])  # the cells, not the column keys
    assert not [code for code in RAW_CODES if code in text], text


def test_ranked_rows_of_bodies_rated_first_in_russian():
    rows = ranked_rows(_shown(_data()).tables, "bodies")
    assert rows.columns == ["place", "movement", "owner", "score", "zone", "delta_points", "body_score", "head_score",
                            "institutions_score", "blocks_chart", "missing_text", "rated_text"]
    rated, not_rated = rows.row(0, named=True), rows.row(1, named=True)
    assert (rated["owner"], rated["place"], rated["movement"]) == ("Департамент А", "1", "—")  # no previous quarter
    assert rated["missing_text"] == "Одноклассники, Telegram"  # the required platforms without a page, by name
    assert rated["zone"] == [next(z.name for z in M.zones if z.min <= rated["score"])]
    assert rated["institutions_score"] == "13,9" and rated["head_score"] == "—"  # no head in the registry
    # Департамент В uploaded nothing: no place, no bars, the reason instead of a score (methodology.md §4)
    assert (not_rated["owner"], not_rated["place"], not_rated["zone"]) == ("Департамент В", "—", [])
    assert not_rated["blocks_chart"] is None and not_rated["rated_text"].startswith("не оценивается: ")
    _no_raw(rows.drop("score", "blocks_chart"))


def test_ranked_rows_keep_the_family_of_the_body_and_the_search():
    tables = _shown(_data()).tables
    assert ranked_rows(tables, "institutions", "Департамент А")["owner"].to_list() == ["Учреждение Б"]
    assert ranked_rows(tables, "institutions", "Департамент В").is_empty()
    assert ranked_rows(tables, "bodies", search="департамент в")["owner"].to_list() == ["Департамент В"]
    assert ranked_rows(tables, "institutions").columns[3] == "parent_name"  # the superior body for institutions


def test_rating_view_tables_titles_zones_and_the_methodology_in_force():
    view = rating_view(_shown(_data()).tables, False, [], TOMSK)
    assert [t.title for t in view.tables] == ["Исполнительные органы", "Учреждения", "Руководители",
                                              "Губернатор и Администрация"]
    counts = {t.name: t.zone_counts for t in view.tables}
    assert sum(counts["bodies"].values()) == 1  # the rated body only
    assert counts["heads"] is None and counts["reference"] is None  # no rows, no zone figure
    assert f"{M.approved_on:%d.%m.%Y}" in view.methodology
    # the methodology's title leads, its id is the version (Markdown-escaped: plain)
    assert view.methodology.startswith(f"**{plain(M.title)}**") and f"версия {plain(M.id)}" in view.methodology
    assert view.approved_at is None and view.differences.is_empty() and view.scope_caption is None
    assert [z["name"] for z in view.zones] == [z.name for z in M.zones]


def test_rating_view_headers_quote_the_methodology():
    headers = rating_view(_shown(_data()).tables, False, [], TOMSK).headers
    assert headers.part_help["body_score"] == f"Балл страниц органа (доля {round(100 * M.composite.body)} %)"
    assert f"меньше {M.gates.min_counted_weeks} недель" in headers.rated_help
    assert headers.blocks == "Блоки A–E" and "None" not in headers.blocks_help
    assert [name for name, _ in headers.zones] == [z.name for z in M.zones]


def test_rating_view_of_an_approved_quarter_lists_the_differences_in_russian():
    differences = [{"table": "bodies", "owner": "Департамент А", "approved_rank": 1, "fresh_rank": None,
                    "approved_score": 26.94, "fresh_score": None}]
    view = rating_view(_shown(_data()).tables, True, differences, TOMSK)
    assert view.differences.row(0, named=True) == {
        "table": "Исполнительные органы", "owner": "Департамент А", "approved_rank": "1", "fresh_rank": "—",
        "approved_score": "26,9", "fresh_score": "—"}
    assert view.approved_at == "—"  # the tables carry no approval record here: a dash, never «None»


def test_body_card_kpis_status_and_family_tables():
    shown = _shown(_data())
    card = body_card(shown.tables, shown.fresh, "Департамент А", [("I кв. 2026", shown.tables)])
    kpi = {k.title: k for k in card.kpis}
    assert kpi["Место"].value == "1 из 1" and kpi["Зона"].value == card.body_row["zone"]
    assert kpi["Сводный балл"].value == f"{card.body_row['score']:.1f}".replace(".", ",")
    assert kpi["Руководитель"].value == "—" and kpi["Руководитель"].help == "нет в реестре"
    assert card.status == ("caption", card.body_row["completeness"])
    assert card.head_rows.is_empty() and card.institution_rows["owner"].to_list() == ["Учреждение Б"]
    assert card.page_titles() == {1: "Департамент А · ВКонтакте", 2: "Учреждение Б · Одноклассники"}
    assert ("Департамент А", "создать официальную страницу в Telegram") in card.recommendations
    indicators = card.page_indicators(1)
    assert indicators["code"].to_list()[:2] == ["A1", "A2"] and "page_id" not in indicators.columns
    _no_raw(indicators)  # an indicator without a value shows «—» and its reason


def test_body_card_of_a_body_not_rated_says_why():
    shown = _shown(_data())
    card = body_card(shown.tables, shown.fresh, "Департамент В", [])
    kind, text = card.status
    assert kind == "warning" and text.startswith("Орган за I кв. 2026 не оценивается: ")
    assert {k.title: k.value for k in card.kpis}["Место"] == "—"
    assert card.institution_rows.is_empty() and card.history == []


def _institutions(scores: list[float]) -> RatingTables:
    empty = pl.DataFrame()
    frame = pl.DataFrame({"owner_id": range(len(scores)), "owner": [f"Учреждение {i}" for i in range(len(scores))],
                          "parent_name": "Департамент А", "rank": range(1, len(scores) + 1), "score": scores,
                          "zone": "средний"})
    return RatingTables(bodies=empty, institutions=frame, heads=empty, reference=empty, pages=empty,
                        indicators=empty, weeks=empty, streams=empty, meta={})


def test_comparison_view_charts_the_largest_changes_and_lists_all():
    many = comparison_view(_institutions([50.0] * 61), _institutions([50.0] * 60 + [90.0]), "institutions")
    assert many.note is not None and "60 учреждений" in many.note and len(many.chart) == 60
    assert many.table.height == 61 and "parent" in many.table.columns and "zone_a" not in many.table.columns
    assert many.chart[0]["score_b"] == 90.0  # the largest change is on the chart
    few = comparison_view(_institutions([50.0] * 3), _institutions([60.0] * 3), "institutions")
    assert few.note is None and len(few.chart) == 3


def test_place_arrow_and_dashes():
    assert [place_arrow(d) for d in (2, -1, 0, None)] == ["▲ 2", "▼ 1", "=", "—"]
    frame = dashes(pl.DataFrame({"value": [1234.5, None], "title": ["A", None]}), {"value": 1}, ("title",))
    assert frame.to_dicts() == [{"value": "1 234,5", "title": "A"}, {"value": "—", "title": "—"}]


def test_card_style_shows_shares_in_per_cent():
    from datetime import datetime, timezone

    from scoring.style import PAGE_STYLE_SCHEMA
    from scoring.views.body_card import card_style
    example = {"published_at": datetime(2026, 2, 10, 5, tzinfo=timezone.utc), "score": 0.9, "text": "[в рамках]",
               "phrases": ["в рамках"]}
    styles = pl.DataFrame({"page_id": [1], "posts_rated": [4], "press_releases": [1], "share": [0.25],
                           "examples": [[example]], "recommendation": [None]},
                          schema=PAGE_STYLE_SCHEMA | {"recommendation": pl.String})
    summary, examples = card_style(pl.DataFrame({"page_id": [1], "title": ["Департамент А · ВКонтакте"]}), styles,
                                   "Asia/Tomsk")
    assert summary.row(0, named=True)["share"] == 25.0 and summary["recommendation"].to_list() == ["стиль в порядке"]
    assert examples.row(0, named=True)["score"] == 90.0
    assert examples["published_local"].to_list() == [datetime(2026, 2, 10, 12)]  # Tomsk time


def test_the_comparison_chart_ticks_the_whole_score_scale():
    """«Сравнение кварталов»: on half a screen Plotly ticked only «0» and «50»; the axis shows 0–100 every 20."""
    from reports.figures import movement_chart
    fig = movement_chart([{"owner": "Департамент финансов", "score_a": 61.0, "score_b": 72.5}], "II кв. 2026",
                         "III кв. 2026", [])
    axis = fig.layout.xaxis
    assert (axis.tick0, axis.dtick) == (0, 20) and axis.range[0] == 0 and axis.range[1] >= 100
