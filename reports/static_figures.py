"""Static export of the screens' Plotly figures (reports/figures.py) for the PDF reports: SVG drawn by plotly.js's
own `Plotly.toImage` in the machine's Chromium — the call Kaleido makes, and the renderer the screens use, so the
report shows exactly the figures of the screens. One page of one browser draws every figure of a report.

Why not Kaleido itself: Kaleido 1.5 reloads its tab after every figure (re-parsing the 4.6 MB plotly.js), which
made the 75 charts of the quarterly report take 118 s against 23 s here on the same (busy) machine. The browser is
driven by Playwright (already pinned for the end-to-end tests) with the plotly.js bundled in the plotly package:
no network, nothing downloaded."""
from __future__ import annotations

import base64
import json
import os
import shutil
import threading
import urllib.parse
from pathlib import Path

import plotly
import plotly.graph_objects as go

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PAGE_WIDTH_PX = 900  # the figures are drawn this wide and scaled to the text width of an A4 page
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
TO_SVG = "([figure, width, height]) => Plotly.toImage(figure, {format: 'svg', width: width, height: height})"


class FigureExportError(RuntimeError):
    """The figures could not be drawn; the message is in Russian."""


def browser_path() -> str:
    """Chromium for the export: GOSPABLIKI_CHROMIUM, else the first one on PATH."""
    configured = os.environ.get("GOSPABLIKI_CHROMIUM", "").strip()
    if configured:
        return configured
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise FigureExportError("для графиков в PDF нужен Chromium (apt-get install chromium) или путь к нему в "
                            "переменной GOSPABLIKI_CHROMIUM")


def _svg(data_url: str) -> bytes:
    """plotly.js returns the SVG as a data URL, URL-encoded (or base64)."""
    head, _, body = data_url.partition(",")
    return base64.b64decode(body) if head.endswith(";base64") else urllib.parse.unquote(body).encode("utf-8")


def _export(figures: dict[str, go.Figure], width: int) -> dict[str, bytes]:
    from playwright.sync_api import sync_playwright  # imported here: only a PDF report needs the browser

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path())
        try:
            page = browser.new_page()
            page.set_content('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>')
            page.add_script_tag(path=str(PLOTLY_JS))
            return {key: _svg(page.evaluate(TO_SVG, [json.loads(figure.to_json()), width,
                                                     figure.layout.height or 360]))
                    for key, figure in figures.items()}
        finally:
            browser.close()


def figures_svg(figures: dict[str, go.Figure], width: int = PAGE_WIDTH_PX) -> dict[str, bytes]:
    """Each figure as SVG (its own height, `width` pixels wide), keyed as given; one browser for all of them."""
    if not figures:
        return {}
    result: dict[str, bytes] = {}
    failure: list[BaseException] = []

    def run() -> None:  # a thread of its own: Playwright's sync API refuses a thread that runs an event loop
        try:
            result.update(_export(figures, width))
        except BaseException as error:  # noqa: BLE001 — re-raised below in the caller's thread
            failure.append(error)

    worker = threading.Thread(target=run, name="figure-export")
    worker.start()
    worker.join()
    if failure:
        error = failure[0]
        if isinstance(error, FigureExportError):
            raise error
        raise FigureExportError(f"не удалось нарисовать графики для PDF ({type(error).__name__}: {error})") \
            from error
    return result
