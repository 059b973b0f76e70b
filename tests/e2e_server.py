"""The real app under `streamlit run` on a free port, for the end-to-end tests (headless Chromium). Starting it
fails fast: if the server exits, the test fails at once with what the server printed; if it does not answer its
health check within the deadline, the test fails with the same output, never with a bare timeout."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.environment import missing

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
START_DEADLINE_S = 90  # bounds a hang only: a server that never answers
OUTPUT_TAIL = 4000  # characters of the server's output quoted in a failure
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DEADLINE_MS = 120_000  # bounds a hang only


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright, one per test module (import this fixture into the module)."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


def wait_idle(page) -> None:
    """Until Streamlit has finished the script run the page shows: connected, the app's run state «not running»,
    its «Running…» status widget gone and no «Расчёт рейтинга…» spinner (the cached rating computation)."""
    from playwright.sync_api import expect
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=DEADLINE_MS)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=DEADLINE_MS)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=DEADLINE_MS)
    expect(page.locator('[data-testid="stSpinner"]')).to_have_count(0, timeout=DEADLINE_MS)


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        missing("Chromium не установлен (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    process: subprocess.Popen
    port: int
    log: Path  # the server's stdout and stderr

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return text[-OUTPUT_TAIL:] or "(сервер ничего не вывел)"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log.exists():  # kept for a look after a failed browser test (test-artifacts/ is not committed)
            kept = ROOT / "test-artifacts" / "servers"
            kept.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log, kept / f"streamlit-{self.port}.log")
        self.log.unlink(missing_ok=True)


def start_app(db_url: str, *, auth: bool = False, address: str = "127.0.0.1", env: dict | None = None,
              script: str = "app.py") -> AppServer:
    """Start the app and return once it answers /_stcore/health. Fails the test with the server's output as soon
    as the process exits, or when the deadline passes without an answer."""
    environment = {**os.environ, "GOSPABLIKI_DATABASE_URL": db_url, **(env or {})}
    environment.pop("GOSPABLIKI_AUTH", None)
    if auth:
        environment["GOSPABLIKI_AUTH"] = "1"
    port = free_port()
    handle, name = tempfile.mkstemp(prefix="streamlit-", suffix=".log")
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                                    "--server.headless", "true", "--server.address", address],
                                   cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    server = AppServer(process, port, Path(name))
    deadline, refused = time.monotonic() + START_DEADLINE_S, None
    while True:
        code = process.poll()
        if code is not None:
            output = server.output()
            server.log.unlink(missing_ok=True)
            pytest.fail(f"приложение завершилось при запуске (код {code}):\n{output}", pytrace=False)
        try:
            urllib.request.urlopen(server.url + "/_stcore/health", timeout=5)
            return server
        except OSError as error:  # not listening yet
            refused = error
        if time.monotonic() > deadline:
            output = server.output()
            server.stop()
            pytest.fail(f"приложение не ответило на /_stcore/health за {START_DEADLINE_S} с ({refused}):\n{output}",
                        pytrace=False)
        time.sleep(0.2)  # polling interval, not a wait for something to happen
