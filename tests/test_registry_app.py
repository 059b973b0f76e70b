"""«Реестр» under AppTest (issue 17): an analyst edits a page in place and sees the change, the refusal of a bad
value under its field and the history; a viewer gets no editing controls at all."""
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from storage import schema
from storage.db import get_engine
from storage.ingest import ingest_bytes
from tests.factories import registry_xlsx

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def registry_url(sqlite_url, monkeypatch):
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("GOSPABLIKI_AUTH", "1")
    ingest_bytes(get_engine(sqlite_url), registry_xlsx(), "реестр.xlsx", user="тест", as_of=date(2026, 3, 31))
    return sqlite_url


def open_registry(role: str) -> AppTest:
    """The screen as a signed-in user of `role` (an account and a session of storage.sessions; the role is read
    from the users table at every request)."""
    from storage.sessions import create_session
    from storage.users import set_user
    engine = get_engine()
    set_user(engine, f"{role}-1", "пароль-для-проверки", role, by="test")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["auth_token"] = create_session(engine, f"{role}-1")
    at.run()
    at.switch_page("app_pages/registry.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_id(url: str, db_url: str) -> int:
    with get_engine(db_url).connect() as conn:
        return conn.execute(select(schema.pages.c.id).where(schema.pages.c.url == url)).scalar_one()


def field(at: AppTest, label: str):
    return next(w for w in at.text_input if w.label == label)


def test_an_analyst_edits_a_page_in_place(registry_url):
    at = open_registry("analyst")
    assert [t.label for t in at.tabs] == ["Страницы", "Владельцы", "Покрытие платформ", "Изменить",
                                          "История изменений", "Публикация"]
    page = page_id("https://t.me/depfin_tomsk", registry_url)
    next(w for w in at.selectbox if w.label == "Страница").set_value(page).run()
    field(at, "Ссылка").input("https://vk.com/depfin_other")  # a VK address on a Telegram page
    next(b for b in at.button if b.label == "Сохранить").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value.replace("\\", "") for e in at.error]  # shown as plain text (Markdown escaped)
    assert any("Изменения не сохранены" in e for e in errors)
    assert any("ведёт на ВКонтакте, а указана платформа Telegram" in e for e in errors)
    field(at, "Ссылка").input("https://t.me/depfin_news")
    next(w for w in at.selectbox if w.label == "Правила модерации").set_value(True)
    next(b for b in at.button if b.label == "Сохранить").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Сохранено: пакет реестра №" in s.value.replace("\\", "") for s in at.success)
    assert field(at, "Ссылка").value == "https://t.me/depfin_news"
    history = at.dataframe[-1].value  # the page's history under the form
    assert "https://t.me/depfin_news" in history.to_csv() and "analyst-1" in history.to_csv()


def test_a_viewer_gets_no_editing_controls(registry_url):
    at = open_registry("viewer")
    assert "Изменить" not in [t.label for t in at.tabs]
    assert not [b for b in at.button if b.label in ("Сохранить", "Добавить страницу", "Добавить владельца")]
    assert not [r for r in at.radio if r.label == "Что изменить"]
    assert [t.label for t in at.tabs][-2:] == ["История изменений", "Публикация"]  # reading stays open
