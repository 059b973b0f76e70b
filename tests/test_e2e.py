"""End-to-end: the real app under `streamlit run` on a free port, driven by headless Chromium (Playwright)."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(demo_db_url):
    if not Path(CHROMIUM).exists():
        message = "Chromium не установлен (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    env = {**os.environ, "GOSPABLIKI_DATABASE_URL": demo_db_url}
    env.pop("GOSPABLIKI_AUTH", None)
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                "--server.headless", "true", "--server.address", "127.0.0.1"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("приложение не запустилось за 60 секунд")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def test_registry_page_in_a_real_browser(app_url, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="ru-RU")
    page.goto(app_url + "/registry")
    page.get_by_role("heading", name="Реестр официальных страниц").wait_for(timeout=60_000)
    page.get_by_text("Без обязательной платформы").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # let the data grid paint
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "registry.png"), full_page=True)
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body
    metric = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()
    assert int(metric.replace(" ", "").replace("\u00a0", "")) >= 1000
    page.close()


SAMPLE = Path(__file__).resolve().parent / "samples" / "vk" / "wall_get_foodsharing_2020.json"  # copy of shared/samples


def test_upload_screen_in_a_real_browser(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 1100}, locale="ru-RU")
    page.goto(app_url + "/upload")
    page.get_by_role("heading", name="Загрузка данных").wait_for(timeout=60_000)
    broken = tmp_path / "обрезан.json"
    broken.write_bytes(SAMPLE.read_bytes()[:5000])
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(SAMPLE), str(broken)])
    page.get_by_role("button", name="Загрузить").click()
    page.get_by_text("Публикаций принято").wait_for(timeout=60_000)
    page.get_by_text("не загружен: ничего не записано").wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "записи участников (не от имени страницы) — 9" in body
    assert "JSON обрезан или повреждён" in body and "Traceback" not in body
    page.wait_for_timeout(1000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
    page.get_by_role("tab", name="Покрытие данными").click()
    page.get_by_text("Доля дней месяца").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "coverage.png"), full_page=True)
    page.close()
