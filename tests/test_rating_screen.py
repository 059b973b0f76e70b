"""«Рейтинг» through AppTest on the demo: a search that matches nothing leaves every ranked tab with the Russian
empty state (app_pages/_table.table), never an empty grid with Streamlit's English «empty»."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EMPTY = "Нет строк для выбранных фильтров."


def test_a_search_without_matches_shows_the_russian_empty_state(demo_db_url, monkeypatch):
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("app_pages/rating.py").run()
    ranked = [df for df in at.dataframe if "place" in df.value.columns]
    assert len(ranked) == 4 and EMPTY not in [i.value for i in at.info]  # the four ranked tabs, with rows
    at.text_input(key="rating_search").input("такого органа нет").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info].count(EMPTY) == 4
    assert not [df for df in at.dataframe if "place" in df.value.columns]
