"""«Реестр» in headless Chromium (issue 17), the app under `streamlit run` with sign-in on: an analyst changes a
page's address and a checklist item, saves, sees the change, the history row and the batch on «Загрузка данных»,
reverts the batch and sees the old values; a viewer gets no editing controls. The public HTML page opens in
Chromium and is screenshotted. Every step waits for the page's own signal, never a fixed time."""
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.e2e_server import DEADLINE_MS, browser, require_chromium, start_app  # noqa: F401 (fixture)
from tests.e2e_server import wait_idle as _wait_idle
from tests.test_e2e import ARTIFACTS, _wait_grids

pytestmark = pytest.mark.e2e
PASSWORD = "пароль-для-проверки"


@pytest.fixture(scope="module")
def signed_app(demo_db_url, tmp_path_factory):
    """A copy of the demo database with an analyst and a viewer, behind its own server with sign-in on."""
    require_chromium()
    from storage.db import make_engine
    from storage.users import set_user
    copy = tmp_path_factory.mktemp("registry_e2e") / "demo.sqlite3"
    shutil.copy(Path(demo_db_url.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    engine = make_engine(url)
    for name, role in (("analyst", "analyst"), ("viewer", "viewer")):
        set_user(engine, name, PASSWORD, role, by="test")
    engine.dispose()
    server = start_app(url, auth=True)
    yield server.url, url
    server.stop()


def sign_in(browser, app: str, user: str):
    page = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="ru-RU").new_page()
    page.goto(app + "/registry")
    page.get_by_label("Имя пользователя").fill(user)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Реестр").wait_for(timeout=DEADLINE_MS)  # signed in: the navigation is there
    _wait_idle(page)
    if not page.locator("h1").filter(has_text="Реестр официальных страниц").count():
        page.get_by_role("link", name="Реестр").click()
    page.locator("h1").filter(has_text="Реестр официальных страниц").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    return page


def choose(page, label: str, typed: str, option: str, exact: bool = False) -> None:
    box = page.get_by_role("combobox", name=label).first
    box.click()
    if typed:
        box.fill(typed)
    options = page.get_by_role("option", name=option, exact=True) if exact else page.get_by_role("option").filter(
        has_text=option)
    options.first.click()
    _wait_idle(page)


def grid_text(page, index: int = -1) -> str:
    """The visible rows of a data grid (its accessible table)."""
    _wait_grids(page)
    grids = page.locator('[data-testid="stDataFrame"]:visible')
    return grids.nth(index if index >= 0 else grids.count() + index).locator("table").first.inner_text()


def open_page_form(page, address: str) -> None:
    page.get_by_role("tab", name="Изменить").click()
    _wait_idle(page)
    choose(page, "Страница", address, address)
    page.get_by_label("Ссылка", exact=True).wait_for(timeout=DEADLINE_MS)


def test_an_analyst_edits_sees_history_and_batch_then_reverts(signed_app, browser):
    from playwright.sync_api import expect
    app, _ = signed_app
    ARTIFACTS.mkdir(exist_ok=True)
    page = sign_in(browser, app, "analyst")
    open_page_form(page, "vk.com/gubernator_tomsk")
    rules = page.get_by_role("combobox", name="Правила модерации")
    old_rules = rules.input_value()
    new_rules = "нет" if old_rules == "да" else "да"
    page.get_by_label("Ссылка", exact=True).fill("https://vk.com/gubernator_tomsk_official")
    choose(page, "Правила модерации", "", new_rules, exact=True)
    page.get_by_role("button", name="Сохранить").click()
    done = page.get_by_text(re.compile(r"Сохранено: пакет реестра № \d+"))
    done.wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    batch = re.search(r"№ (\d+)", done.inner_text()).group(1)
    expect(page.get_by_label("Ссылка", exact=True)).to_have_value("https://vk.com/gubernator_tomsk_official")
    expect(page.get_by_role("combobox", name="Правила модерации")).to_have_value(new_rules)
    page.get_by_text("История изменений страницы").click()
    _wait_idle(page)
    history = grid_text(page)
    assert f"№ {batch}, правка на экране «Реестр»" in history and "analyst" in history
    assert "https://vk.com/gubernator_tomsk_official" in history and "Правила модерации" in history
    page.screenshot(path=str(ARTIFACTS / "registry_edit.png"), full_page=True)

    page.get_by_role("link", name="Загрузка данных").click()
    page.locator("h1").filter(has_text="Загрузка данных").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    page.get_by_role("tab", name="Пакеты загрузки").click()
    _wait_idle(page)
    batches = grid_text(page, 0)
    assert batch in batches and "Правка реестра на экране" in batches
    choose(page, "Отменить пакет", f"№ {batch}", f"№ {batch} —")
    page.get_by_text("Понимаю: данные пакета перестанут учитываться").click()
    page.get_by_role("button", name="Отменить пакет").click()
    page.get_by_text(f"Пакет реестра № {batch}").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "registry_edit_reverted.png"), full_page=True)

    page.get_by_role("link", name="Реестр").click()
    page.locator("h1").filter(has_text="Реестр официальных страниц").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    open_page_form(page, "vk.com/gubernator_tomsk")
    expect(page.get_by_label("Ссылка", exact=True)).to_have_value("https://vk.com/gubernator_tomsk")
    expect(page.get_by_role("combobox", name="Правила модерации")).to_have_value(old_rules)
    assert "Traceback" not in page.inner_text("body")
    page.context.close()


def test_a_bad_value_is_refused_under_its_field(signed_app, browser):
    app, _ = signed_app
    page = sign_in(browser, app, "analyst")
    open_page_form(page, "t.me/gubernator_tomsk")
    page.get_by_label("Ссылка", exact=True).fill("https://vk.com/gubernator_tomsk")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_text("Изменения не сохранены").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    body = page.inner_text("body")
    assert "ведёт на ВКонтакте, а указана платформа Telegram" in body and "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "registry_edit_refused.png"), full_page=True)
    page.context.close()


def test_a_viewer_has_no_editing_controls(signed_app, browser):
    app, _ = signed_app
    page = sign_in(browser, app, "viewer")
    tabs = [t.inner_text() for t in page.get_by_role("tab").all()]
    assert "Изменить" not in tabs and "История изменений" in tabs and "Публикация" in tabs
    body = page.inner_text("body")
    assert "Что изменить" not in body
    assert page.get_by_role("button", name="Сохранить").count() == 0
    page.context.close()


def test_the_public_html_page_opens_in_chromium(signed_app, browser, tmp_path):
    from services.registry import public_pages
    from reports.registry_export import registry_html
    from storage.db import make_engine
    _, url = signed_app
    engine = make_engine(url)
    day = date(2026, 11, 30)
    target = tmp_path / "реестр.html"
    target.write_bytes(registry_html(public_pages(engine, day), day))
    engine.dispose()
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="ru-RU")
    page.goto(target.as_uri())
    page.get_by_role("heading", name="Реестр официальных страниц в социальных сетях").wait_for(timeout=DEADLINE_MS)
    assert [h.inner_text() for h in page.locator("h2").all()] == [
        "Губернатор", "Администрация", "Исполнительные органы", "Руководители", "Учреждения"]
    assert page.locator("tbody tr").count() > 1000
    assert "по состоянию на 30.11.2026" in page.inner_text("main")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "registry_public_html.png"))
    page.close()
