"""AppTest: every screen renders without exception with the demo data and with an empty database.
Server times of the screens are measured by `python cli.py bench` (screens_open_s, screens_s), not asserted here."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_screens import app_screens

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SCREENS = app_screens()  # every st.Page of app.py (without sign-in the local user has them all)


def run_screen(screen: str) -> AppTest:
    """`screen`: the page's file name without .py («body_card»)."""
    at = AppTest.from_file(APP, default_timeout=120)  # bounds a hang only
    at.run()
    if screen != "overview":
        at.switch_page(f"app_pages/{screen}.py")
    at.run()
    return at


def test_the_screens_are_read_from_app_py():
    names = [s.name for s in SCREENS]
    assert names[0] == "overview" and SCREENS[0].default and not any(s.default for s in SCREENS[1:])
    assert {"rating", "body_card", "methodology", "upload", "admin"} <= set(names)
    assert len(set(names)) == len(names) and len({s.url_path for s in SCREENS}) == len(SCREENS)
    assert all((Path(APP).parent / s.path).is_file() for s in SCREENS)
    roles = {s.name: s.role for s in SCREENS}
    assert roles["upload"] == "analyst" and roles["admin"] == "admin" and roles["rating"] is None


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_screens_with_demo(screen, demo_db_url, monkeypatch):
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    at = run_screen(screen.name)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every screen has a title"
    title = at.title[0].value
    assert title.startswith(screen.title), (title, screen.title)  # the screen the navigation names
    at.run()  # a rerun (a user's next click) with the cached rating renders the same screen
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == title


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_screens_with_empty_database(screen, sqlite_url, monkeypatch):
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    at = run_screen(screen.name)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value.startswith(screen.title), [t.value for t in at.title]


def test_registry_screen_shows_demo_pages(demo_db_url, monkeypatch):
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    at = run_screen("registry")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Страниц"].replace(" ", "")) >= 1000
    assert int(metrics["Владельцев"].replace(" ", "")) >= 400


def test_methodology_screen_lists_every_indicator(demo_db_url, monkeypatch):
    from scoring.methodology import load_methodologies
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    at = run_screen("methodology")
    shown = " ".join(df.value.to_csv() for df in at.dataframe)
    for methodology in load_methodologies():
        for code, spec in methodology.indicators.items():
            assert code in shown and spec.title[:30] in shown, code


def test_login_required_in_shared_deployment(sqlite_url, monkeypatch):
    from storage.db import get_engine
    from storage.users import set_user
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GOSPABLIKI_AUTH", "1")
    set_user(get_engine(sqlite_url), "analyst", "секретный-пароль", "analyst", by="test")
    at = AppTest.from_file(APP, default_timeout=120)  # bounds a hang only
    at.run()
    assert [b.label for b in at.button] == ["Войти"]
    at.text_input[0].input("analyst")
    at.text_input[1].input("неверный")
    at.button[0].click().run()
    assert at.error and "Неверное" in at.error[0].value
    at.text_input[1].input("секретный-пароль")
    at.button[0].click().run()
    assert not at.exception and at.session_state["auth_role"] == "analyst"


def test_a_login_with_an_impossible_user_name_is_refused_in_russian(sqlite_url, monkeypatch):
    """Issue 16: a user name over 100 characters (PostgreSQL would fail on it) gets a Russian refusal, audited."""
    from sqlalchemy import select

    from storage import schema
    from storage.db import get_engine
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GOSPABLIKI_AUTH", "1")
    at = AppTest.from_file(APP, default_timeout=120)  # bounds a hang only
    at.run()
    at.text_input[0].input("я" * 150)
    at.text_input[1].input("пароль")
    at.button[0].click().run()
    assert not at.exception and at.error and "длиннее 100 символов" in at.error[0].value
    assert "auth_role" not in at.session_state
    with get_engine(sqlite_url).connect() as conn:
        details = conn.execute(select(schema.audit_log.c.details).where(schema.audit_log.c.action == "login")).scalar()
    assert details["refused"] == "username" and details["username_length"] == 150


def test_upload_screen_lists_unregistered_pages_and_coverage(demo_db_url, monkeypatch):
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    at = run_screen("upload")
    assert not at.exception, [e.value for e in at.exception]
    assert [t.label for t in at.tabs] == ["Загрузить", "Пакеты загрузки", "Страницы вне реестра", "Покрытие данными"]
    link_buttons = [b for b in at.button if b.label == "Связать"]
    assert link_buttons, "the demo has exported pages that are not in the registry"
    coverage = at.dataframe[-1].value
    assert "Владелец" in coverage.columns or "owner_name" in coverage.columns
    assert len(coverage) >= 1000


def test_an_upload_shows_at_once_without_restart(sqlite_url, monkeypatch):
    """Cached readers are keyed on the data version: a new batch changes the card and the weekly grid."""
    from core.calendar import Quarter
    from storage.db import get_engine
    from storage.ingest import ingest_bytes
    from tests.factories import registry_xlsx
    from tests.test_rating_cli import depfin_wall
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    engine = get_engine(sqlite_url)
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    ingest_bytes(engine, depfin_wall([1] * 13), "wall.json", user="тест")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("app_pages/body_card.py")
    at.session_state["filter_quarter"] = Quarter(2026, 1)
    at.run()
    before = {m.label: m.value for m in at.metric}["Сводный балл"]
    ingest_bytes(engine, depfin_wall([3] * 13, start_id=5000), "wall2.json", user="тест")
    at.run()
    after = {m.label: m.value for m in at.metric}["Сводный балл"]
    assert not at.exception and float(after.replace(",", ".")) > float(before.replace(",", "."))
