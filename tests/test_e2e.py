"""End-to-end: the real app under `streamlit run` on a free port, driven by headless Chromium (Playwright).
Nothing waits a fixed time: every step waits for the page's own signal (Streamlit's run state, an element or a
text appearing); the deadlines are generous and only bound a hang."""
import re
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from tests.app_screens import app_screens
from tests.e2e_server import DEADLINE_MS, ROOT, browser, require_chromium, start_app  # noqa: F401 (fixture)
from tests.e2e_server import wait_idle as _wait_idle

ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_url(demo_db_url, tmp_path_factory):
    """The app on a copy of the demo database: the upload test below writes into it, and the session's demo
    database is read by later modules (every-screen checks, reports) that expect the demo as built."""
    require_chromium()
    copy = tmp_path_factory.mktemp("e2e_demo") / "demo.sqlite3"
    shutil.copy(demo_db_url.removeprefix("sqlite:///"), copy)
    server = start_app(f"sqlite:///{copy}")
    yield server.url
    server.stop()


def _wait_grids(page) -> None:
    """Until every visible data grid has its canvas (it paints there)."""
    from playwright.sync_api import expect
    grids = page.locator('[data-testid="stDataFrame"]:visible')
    for i in range(grids.count()):
        expect(grids.nth(i).locator("canvas").first).to_be_attached(timeout=DEADLINE_MS)


def test_registry_page_in_a_real_browser(app_url, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="ru-RU")
    page.goto(app_url + "/registry")
    page.get_by_role("heading", name="Реестр официальных страниц").wait_for(timeout=DEADLINE_MS)
    page.get_by_text("Без обязательной платформы", exact=True).wait_for(timeout=DEADLINE_MS)  # not the toggle
    _wait_idle(page)
    _wait_grids(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "registry.png"), full_page=True)
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body
    metric = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()
    assert int(metric.replace(" ", "").replace("\u00a0", "")) >= 1000
    titles = page.locator('[data-testid="stMetricLabel"]:visible [data-testid="stMarkdownContainer"]')
    cut = titles.evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth).map(e => e.innerText)")
    assert titles.count() >= 6 and cut == []  # «Без обязательной платформы» in full, not «Без обязательной пла…»
    page.close()


SAMPLE = Path(__file__).resolve().parent / "samples" / "vk" / "wall_get_foodsharing_2020.json"  # copy of shared/samples


def _upload(page, paths: list[Path]) -> None:
    """Choose files and submit the upload form once the browser has sent them (a chip per file, no progress bar),
    as a user would: submitting earlier sends the form without the files."""
    from playwright.sync_api import expect
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(p) for p in paths])
    expect(page.locator('[data-testid="stFileChip"]')).to_have_count(len(paths), timeout=DEADLINE_MS)
    expect(page.locator('[data-testid="stFileUploader"] [role="progressbar"]')).to_have_count(0, timeout=DEADLINE_MS)
    page.get_by_role("button", name="Загрузить").click()


def test_upload_screen_in_a_real_browser(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 1100}, locale="ru-RU")
    page.goto(app_url + "/upload")
    page.get_by_role("heading", name="Загрузка данных").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    broken = tmp_path / "обрезан.json"
    broken.write_bytes(SAMPLE.read_bytes()[:5000])
    _upload(page, [SAMPLE, broken])
    page.get_by_text("Публикаций принято").wait_for(timeout=DEADLINE_MS)
    page.get_by_text("не загружен: ничего не записано").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    body = page.inner_text("body")
    assert "записи участников (не от имени страницы) — 9" in body
    assert "JSON обрезан или повреждён" in body and "Traceback" not in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
    page.get_by_role("tab", name="Покрытие данными").click()
    page.get_by_text("Доля дней месяца").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    _wait_grids(page)
    page.screenshot(path=str(ARTIFACTS / "coverage.png"), full_page=True)
    page.close()


@pytest.fixture(scope="module")
def own_app(demo_db_url, tmp_path_factory):
    """A copy of the demo database behind its own server: this test writes to it."""
    require_chromium()
    source = Path(demo_db_url.removeprefix("sqlite:///"))
    copy = tmp_path_factory.mktemp("e2e_db") / "demo.sqlite3"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    server = start_app(url)
    yield server.url, url
    server.stop()


def _open(page, url: str, title: str, quarter: str | None = None) -> None:
    """Go to a screen and wait until its title is there and the rating computation has finished; with `quarter`
    (its label, «IV кв. 2026»), choose that quarter in the sidebar (a screen opens on the last ended quarter, and
    every page load is a new session) and wait until the screen shows it."""
    page.goto(url)
    page.locator("h1").filter(has_text=title).first.wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    if quarter is not None:
        from playwright.sync_api import expect
        box = page.get_by_role("combobox", name="Квартал")
        box.click()
        page.get_by_role("option").filter(has_text=quarter).first.click()
        expect(box).to_have_value(re.compile(re.escape(quarter)), timeout=DEADLINE_MS)
        page.get_by_role("heading").filter(has_text=quarter).first.wait_for(timeout=DEADLINE_MS)
        _wait_idle(page)


def _gkh_weekly_totals(page, app: str, quarter: str) -> str:
    """The weekly screen's totals line for the pages of the ЖКХ department (its VK page and Telegram channel)."""
    _open(page, f"{app}/weekly", "Публикации по неделям", quarter)
    page.get_by_label("Поиск по владельцу или ссылке").fill("gkh_tomsk")
    page.keyboard.press("Enter")
    page.get_by_text("Показано страниц: 2").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    return page.get_by_text("недель с нормой").first.inner_text()


def _body_score(page, app: str, quarter: str) -> str:
    _open(page, f"{app}/body", "Карточка органа", quarter)
    return _metric(page, "Сводный балл")


def _metric(page, label: str) -> str:
    block = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return block.locator('[data-testid="stMetricValue"]').inner_text()


def test_every_screen_opens_and_an_upload_changes_heatmap_and_rating(own_app, browser, tmp_path):
    import sqlite3

    import openpyxl

    from core.calendar import Quarter
    from tests.factories import vk_post, vk_wall
    app, db_url = own_app
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ru-RU")
    ARTIFACTS.mkdir(exist_ok=True)
    for screen in app_screens():  # every st.Page of app.py (without sign-in the local user has them all)
        path = "" if screen.default else screen.url_path
        _open(page, f"{app}/{path}", screen.title)
        text = page.inner_text("body")
        assert "Traceback" not in text and "Page not found" not in text, path
        page.screenshot(path=str(ARTIFACTS / f"screen_{screen.name}.png"))

    # the weakest body of the demo (first in the body card): its VK wall, and its numbers before the upload
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        platform_id = conn.execute("select platform_id from pages where url = 'https://vk.com/gkh_tomsk'").fetchone()[0]
    quarter = Quarter.of(date(2026, 11, 24))  # the running quarter, chosen in the sidebar on each screen
    score_before = _body_score(page, app, quarter.label)
    weeks_before = _gkh_weekly_totals(page, app, quarter.label)

    # five own posts a week in every ended week of the running quarter
    items, ident = [], 900_000
    for monday in quarter.weeks():
        if monday.isoformat() >= "2026-11-23":
            break
        for k in range(5):
            moment = int(datetime(monday.year, monday.month, monday.day, 5, tzinfo=timezone.utc).timestamp())
            items.append(vk_post(ident, moment + k * 86400, owner_id=int(platform_id)))
            ident += 1
    export = tmp_path / "wall_gkh.json"
    export.write_bytes(vk_wall(items))
    page.goto(f"{app}/upload")
    page.locator("h1").filter(has_text="Загрузка данных").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    _upload(page, [export])
    page.get_by_text("Публикаций принято").wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)

    weeks_after = _gkh_weekly_totals(page, app, quarter.label)
    assert weeks_after != weeks_before, (weeks_before, weeks_after)
    page.screenshot(path=str(ARTIFACTS / "weekly_after_upload.png"))
    score_after = _body_score(page, app, quarter.label)
    assert float(score_after.replace(",", ".")) > float(score_before.replace(",", ".")), (score_before, score_after)

    _open(page, f"{app}/rating", "Рейтинг", quarter.label)
    with page.expect_download(timeout=DEADLINE_MS) as download:
        page.get_by_role("button", name="Скачать Excel").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name.startswith("Рейтинг госпабликов 2026Q4")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:3] == ["Органы", "Учреждения", "Руководители"]
    page.close()
