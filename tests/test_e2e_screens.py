"""Every screen of app.py in headless Chromium, for the last ended quarter, the running quarter and a quarter
without data: the visible text (and the data grids' cells) has no «None», «nan», raw codes or English words;
the defects of the browser check of issue 22 stay fixed. Screenshots go to test-artifacts/screens/.

The list of screens is read from app.py (tests/app_screens: every st.Page), never written here; the app, the browser and the
waits are those of tests/test_e2e.py."""
import re
from pathlib import Path

import pytest

from tests.app_screens import app_screens
from tests.test_e2e import ARTIFACTS, DEADLINE_MS, _wait_grids, _wait_idle, app_url, browser  # noqa: F401

pytestmark = pytest.mark.e2e


# raw codes and empty values that must never reach a screen (word-bounded, case as written)
FORBIDDEN = re.compile(r"(?<![\w/.-])(None|nan|NaN|bodies|institutions|heads|telegram|executive_body|institution|"
                       r"no_data|not_ended|before_registration|vk|ok)(?![\w/.-])")
SIGNED_ZERO = re.compile(r"[+−-]0(,0+)?(?![\d,])")  # «+0,0», «−0,0»: a change that rounds to zero has no sign
# Latin that may stay: names of products and formats, abbreviations, Roman numerals of quarters, indicator codes
ALLOWED_WORDS = {"Telegram", "ID", "URL", "Excel", "ISO", "UTC", "MAX", "I", "II", "III", "IV", "Desktop", "mediatopic",
                 "OIDC", "SMTP", "TLS",
                 "ER", "min"}  # the methodology's formulas: «ER по просмотрам», «min(1, публикации ÷ …)»
FORMATS = {"PDF", "CSV", "HTML", "XLSX", "JSON"}  # «Реестр (csv)», «шаблон xlsx»
ALLOWED_PATTERNS = [
    r"https?://\S+", r"\bwww\.\S+", r"[\w.+-]+@[\w-]+(\.[\w-]+)+",  # web and e-mail addresses
    r"\b[\w-]+(\.[\w-]+)+(/\S*)?",  # file names, dotted API names, links without http: wall.get, vk.com/x
    r"\b[a-z0-9]+(-[a-z0-9]+){2,}\b",  # methodology ids: cur-tomsk-default-v1
    r"\b[A-E]\d?\b",  # blocks and indicators: A, B1, «Блоки A–E»
    r"\be-mail\b",
]


def english_words(text: str) -> list[str]:
    for pattern in ALLOWED_PATTERNS:
        text = re.sub(pattern, " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z][A-Za-z_]*", text)
                   if w not in ALLOWED_WORDS and w.upper() not in FORMATS})


# The text a user sees: visible text nodes (not Material icon ligatures, not text hidden by font-size 0 such as
# the uploader's English replaced by CSS), the data grids' cells (drawn on a canvas, read from their accessible
# table) and the date fields' placeholders as drawn (CSS ::after).
VISIBLE_TEXT = """() => {
  const parts = [];
  const root = document.querySelector('[data-testid="stAppViewContainer"]') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest('[data-testid="stIconMaterial"], [translate="no"], script, style, '
                   + '[data-testid="stDataFrame"] table')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (parseFloat(getComputedStyle(el).fontSize) === 0) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right < 0 || box.bottom < 0) continue;
    parts.push(node.textContent);
  }
  for (const cell of root.querySelectorAll('[data-testid="stDataFrame"] table th, [data-testid="stDataFrame"] table td'))
    parts.push(cell.textContent);
  for (const el of root.querySelectorAll('[data-placeholder="true"][data-type]'))
    parts.push(getComputedStyle(el, '::after').content.replaceAll('"', ''));
  return parts.join('\\n');
}"""


def _open_with_quarter(page, url: str, label: str) -> None:
    """Open the app on its default screen and choose the quarter in the sidebar; done when the screen's title
    names it (the rerun has finished drawing). The other screens are then reached through the navigation, which
    keeps the sidebar's quarter (app.py draws the filters on every screen)."""
    from playwright.sync_api import expect
    page.goto(url)
    page.locator("h1").first.wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    box = page.get_by_role("combobox", name="Квартал")
    box.click()
    page.get_by_role("option").filter(has_text=label).first.click()
    expect(box).to_have_value(re.compile("^" + re.escape(label)), timeout=DEADLINE_MS)
    page.locator("h1").filter(has_text=label).first.wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)


def _go_to(page, screen, label: str) -> None:
    """Through the sidebar's navigation: done when the new screen's title is drawn and its run has finished."""
    from playwright.sync_api import expect
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=screen.title).first.click()
    page.locator("h1").filter(has_text=screen.title).first.wait_for(timeout=DEADLINE_MS)
    _wait_idle(page)
    expect(page.get_by_role("combobox", name="Квартал")).to_have_value(re.compile("^" + re.escape(label)))


def _screen_texts(page, shot: Path) -> list[str]:
    """The screen's text, and that of each of its tabs (a tab's content is drawn only when it is open)."""
    _wait_grids(page)
    page.screenshot(path=str(shot), full_page=True)
    texts = [page.evaluate(VISIBLE_TEXT)]
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for i in range(tabs.count()):
        tabs.nth(i).click()
        _wait_idle(page)
        _wait_grids(page)
        texts.append(page.evaluate(VISIBLE_TEXT))
        page.screenshot(path=str(shot.with_name(f"{shot.stem}_tab{i + 1}.png")), full_page=True)
    return texts


@pytest.fixture(scope="module")
def quarters(demo_db_url):
    """The last ended quarter, the running one and the newest one of the sidebar without any data."""
    from core.calendar import Quarter, local_today
    from core.config import region_tz
    from services.quarters import data_quarters, last_ended_quarter
    from storage.db import make_engine
    today = local_today(region_tz())
    engine = make_engine(demo_db_url)
    with_data = data_quarters(engine, region_tz())
    engine.dispose()
    running, ended = Quarter.of(today), last_ended_quarter(today)
    sidebar = [running]
    while len(sidebar) < 8:
        sidebar.append(sidebar[-1].previous())
    empty = next(q for q in sidebar if q not in with_data and q not in (running, ended))
    assert ended in with_data and running in with_data, "the demo has data for the last ended and running quarter"
    return {"ended": ended, "running": running, "empty": empty}


def test_the_text_checks_find_what_they_look_for():
    assert english_words("Telegram, ВКонтакте, cur-tomsk-default-v1, https://vk.com/x, III кв., B1") == []
    assert english_words("None of these: Page not found") == ["None", "Page", "found", "not", "of", "these"]
    assert FORBIDDEN.search("· telegram · id") and not FORBIDDEN.search("https://t.me/telegram_tomsk")


@pytest.mark.parametrize("which", ["ended", "running", "empty"])
def test_every_screen_speaks_russian(app_url, browser, quarters, which):  # noqa: F811
    quarter = quarters[which]
    out = ARTIFACTS / "screens"
    out.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="ru-RU")
    problems = {}
    _open_with_quarter(page, app_url, quarter.label)  # on the default screen
    for screen in sorted(app_screens(), key=lambda s: not s.default):  # the local user (admin) has them all
        if not screen.default:
            _go_to(page, screen, quarter.label)
        name = screen.name
        texts = _screen_texts(page, out / f"{name}_{which}_{quarter.code}.png")
        text = "\n".join(texts)
        assert "Traceback" not in text and "This app has encountered an error" not in text, (name, text[-2000:])
        found = {m.group(1) for m in FORBIDDEN.finditer(re.sub(r"https?://\S+", " ", text))}
        found |= {m.group(0) for m in SIGNED_ZERO.finditer(text)}
        found |= set(english_words(text))
        if found:
            problems[screen.title] = sorted(found)
        main = texts[0]
        if screen.title in ("Обзор", "Рейтинг", "Карточка органа"):  # a running quarter's rating is preliminary
            assert ("предварительно" in main) == (which == "running"), (screen.title, main[:400])
        if which == "empty" and screen.title in ("Публикации по неделям", "Прямые эфиры", "Рейтинг",
                                                    "Карточка органа"):
            assert "нет загруженных выгрузок" in main, (screen.title, main[:600])
            assert page.locator('[data-testid="stPlotlyChart"]').count() == 0, screen.title
            assert page.get_by_role("button", name=re.compile("Excel|PDF")).count() == 0, screen.title
        if which == "running" and screen.title == "Публикации по неделям":  # every status drawn is in the legend
            assert "не завершена" in main and "нет данных" in main, main[-1500:]
        if which == "ended" and screen.title == "Рейтинг":  # «Сравнение кварталов» opens on the ended quarter
            compare_b = page.get_by_role("combobox", name="Квартал Б")
            assert compare_b.input_value() == quarter.label
            assert page.get_by_role("combobox", name="Квартал А").input_value() == quarter.previous().label
    page.close()
    assert not problems, problems
