"""The PDF reports (issue 19) read back as a person would: pdftotext shows the quarter, the methodology, the approval
status, «стр. 1 из N» and the top bodies with the scores of `rate --json`; pages are rendered with pdftoppm into
test-artifacts/ to be looked at. Build time is measured by `cli.py bench` (report_pdf_s), never asserted here."""
import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.calendar import Quarter
from reports import pdf_report
from scoring import report_view
from scoring.tables import from_payload, to_payload
from services import reports
from storage.db import make_engine
from tests.environment import missing

TZ = ZoneInfo("Asia/Tomsk")
TODAY = date(2026, 11, 24)
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
GENERATED = datetime(2026, 11, 24, 10, 30, tzinfo=TZ)


def _need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found is None:
        missing(f"{tool} не установлен (apt-get install {package})")
    return found


def pdf_text(content: bytes, tmp_path: Path, *pages: int, layout: bool = False, raw: bool = False) -> str:
    """pdftotext of the report; `raw`: in the order the page draws its text — a heading stays one run whatever the
    reading-order analysis makes of the rotated axis labels of a chart drawn just above it."""
    _need("pdftotext", "poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    args = ["pdftotext"] + (["-layout"] if layout else []) + (["-raw"] if raw else [])
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def shows(text: str, name: str) -> bool:
    """The name is in the text whole; a name wrapped after its own hyphen («промышленно-⏎гуманитарный») is read
    back by pdftotext without the hyphen, so hyphens are compared out."""
    return name in text or name.replace("-", "") in text.replace("-", "")


def page_count(content: bytes, tmp_path: Path) -> int:
    _need("pdfinfo", "poppler-utils")
    path = tmp_path / "count.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def score_ru(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


@pytest.fixture(scope="module")
def quarterly(inputs):
    """The quarterly report of the demo's last ended quarter, with its charts drawn in Chromium."""
    from reports.static_figures import FigureExportError, browser_path
    try:
        browser_path()
    except FigureExportError:
        missing("Chromium не установлен")
    return pdf_report.quarterly_pdf(inputs.tables, inputs.previous, TZ, generated_at=GENERATED)


def test_quarterly_pdf_title_block_and_top_bodies_match_rate_json(quarterly, inputs, tmp_path, demo_db_url,
                                                                  monkeypatch, capsys):
    from cli import main
    monkeypatch.setenv("GOSPABLIKI_DATABASE_URL", demo_db_url)
    assert main(["rate", "--quarter", "2026Q3", "--json"]) == 0
    rated = json.loads(capsys.readouterr().out)
    pages = page_count(quarterly, tmp_path)
    first = flat(pdf_text(quarterly, tmp_path, 1))
    assert "III кв. 2026" in first and "Томская область" in first
    assert rated["methodology"] in first and "10.12.2024" in first  # methodology id and its date
    assert "Рейтинг не утверждён" in first
    assert f"стр. 1 из {pages}" in first
    assert "Данные на" in first and "None" not in first and "2026Q3" not in first
    assert "Ключевые показатели" in first and "к II кв. 2026" in first  # changes against the previous quarter
    text = flat(pdf_text(quarterly, tmp_path))
    for row in [r for r in rated["bodies"] if r["rank"]][:5]:  # the same places and scores as rate --json
        assert f"{row['rank']} " in text and f"{row['owner']} {score_ru(row['score'])}" in text, row["owner"]
    assert "None" not in text and "nan" not in text.lower().split()


def test_quarterly_pdf_has_every_section_and_repeats_table_headers(quarterly, inputs, tmp_path):
    payload = to_payload(inputs.tables)
    pages = page_count(quarterly, tmp_path)
    text = flat(pdf_text(quarterly, tmp_path))
    for heading in ("Рейтинг исполнительных органов", "Рейтинг руководителей исполнительных органов",
                    "Прямые эфиры исполнительных органов", "Пробелы в данных",
                    "Приложение. Рейтинг подведомственных учреждений"):
        assert heading in text, heading
    # one section per executive body, each with its recommendations
    drawn = flat(pdf_text(quarterly, tmp_path, raw=True))
    if drawn.count("Рекомендации органу и руководителю") != len(payload["bodies"]):
        ARTIFACTS.mkdir(exist_ok=True)  # kept for a look when it fails (CI once read 0 of 37 here)
        (ARTIFACTS / "quarterly-failed.pdf").write_bytes(quarterly)
    assert drawn.count("Рекомендации органу и руководителю") == len(payload["bodies"])
    assert drawn.count("Публикации органа по неделям") >= len(payload["bodies"])
    # every name whole (wrapped in its cell, never cut), every unrated row with its reason
    for name in ("bodies", "heads", "institutions"):
        for row in payload[name]:
            assert shows(text, row["owner"]), row["owner"]
    unrated = [r for r in payload["institutions"] if r["rank"] is None]
    assert unrated and all(f"не оценивается: {r['not_rated_reason']}" in text for r in unrated)
    # the annex spans several pages, and each of them starts with the table's header row
    annex_first = next(p for p in range(pages, 0, -1)
                       if "Приложение. Рейтинг" in pdf_text(quarterly, tmp_path, p))
    assert pages - annex_first >= 2
    for page in range(annex_first + 1, pages + 1):
        lines = [line for line in pdf_text(quarterly, tmp_path, page).splitlines() if line.strip()]
        assert "Место" in lines[:6] and f"стр. {page} из {pages}" in flat(pdf_text(quarterly, tmp_path, page))


def test_quarterly_pdf_pages_render_for_a_look(quarterly, tmp_path):
    """pdftoppm turns a few pages into PNG (test-artifacts/report_*.png) — the title page, a wide table, a body."""
    _need("pdftoppm", "poppler-utils")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "report_quarterly.pdf"
    path.write_bytes(quarterly)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", str(path), str(ARTIFACTS / "report")],
                   check=True, capture_output=True, timeout=240)
    images = sorted(ARTIFACTS.glob("report-*.png"))
    assert len(images) >= 3 and all(p.stat().st_size > 10_000 for p in images)  # drawn pages, not blank ones


def test_body_pdf_holds_the_body_its_head_and_institutions_only(inputs, tmp_path):
    payload = to_payload(inputs.tables)
    body = next(r for r in payload["bodies"] if r["rank"] and any(i["parent_name"] == r["owner"]
                                                                   for i in payload["institutions"]))
    other = next(r for r in payload["bodies"] if r["owner_id"] != body["owner_id"])
    content = pdf_report.body_pdf(inputs.tables, body["owner_id"], TZ, history=inputs.history,
                                  generated_at=GENERATED)
    pages = page_count(content, tmp_path)
    text = flat(pdf_text(content, tmp_path))
    first = flat(pdf_text(content, tmp_path, 1))
    assert body["owner"] in first and "III кв. 2026" in first and f"стр. 1 из {pages}" in first
    assert payload["methodology"] in first and "Рейтинг не утверждён" in first
    assert score_ru(body["score"]) in first and f"{body['rank']} из" in first
    for row in payload["heads"] + payload["institutions"]:
        if row["parent_name"] == body["owner"]:
            assert shows(text, row["owner"]), row["owner"]
    assert other["owner"] not in text
    assert "Рекомендации" in text and "Показатели страниц органа и руководителя" in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report_body.pdf").write_bytes(content)


def test_body_pdf_of_an_approved_quarter_says_when(demo_db_url, tmp_path):
    from services.quarters import approve
    target = tmp_path / "approved.sqlite3"
    shutil.copyfile(demo_db_url.removeprefix("sqlite:///"), target)
    engine = make_engine(f"sqlite:///{target}")
    approve(engine, Quarter(2026, 3), "analyst", accept_gaps=True, today=TODAY)
    inputs = reports.report_inputs(engine, Quarter(2026, 3), today=TODAY)
    engine.dispose()
    approved_at = datetime.fromisoformat(inputs.tables.get("approved")["approved_at"]).astimezone(TZ)
    body = to_payload(inputs.tables)["bodies"][0]
    content = pdf_report.body_pdf(inputs.tables, body["owner_id"], TZ, exporter=lambda figures: {})
    first = flat(pdf_text(content, tmp_path, 1))
    assert f"Рейтинг утверждён {approved_at:%d.%m.%Y %H:%M} (analyst)" in first


def test_a_quarter_without_data_has_no_rating_in_the_pdf(demo_db_url, tmp_path):
    engine = make_engine(demo_db_url)
    inputs = reports.report_inputs(engine, Quarter(2025, 2), today=TODAY)  # a methodology, no data
    engine.dispose()
    assert inputs.tables.has_data is False
    content = pdf_report.quarterly_pdf(inputs.tables, inputs.previous, TZ, exporter=lambda figures: {})
    text = flat(pdf_text(content, tmp_path))
    assert "II кв. 2025" in text and "нет загруженных выгрузок активности — рейтинга нет" in text
    assert "Ключевые показатели" not in text and "Рейтинг исполнительных органов" not in text
    assert page_count(content, tmp_path) == 1


def test_report_view_key_figures_and_lookups(inputs):
    payload = to_payload(inputs.tables)
    figures = {k.label: k for k in report_view.key_figures(inputs.tables, inputs.previous)}
    rated = [r["score"] for r in payload["bodies"] if r["score"] is not None]
    assert figures["Средний балл органов"].value == pytest.approx(sum(rated) / len(rated))
    assert figures["Страниц оценено"].total == len(payload["pages"])
    assert figures["Средний балл органов"].change is not None  # the demo has the previous quarter
    body = payload["bodies"][3]
    assert report_view.find_body(inputs.tables, "  " + body["owner"].upper() + " ")["owner_id"] == body["owner_id"]
    with pytest.raises(ValueError, match="подходят"):
        report_view.find_body(inputs.tables, "Департамент")
    rows = report_view.split_rows(payload["institutions"])
    assert [r["rank"] for r in rows.rated] == sorted(r["rank"] for r in rows.rated)
    assert all(r["rank"] is None for r in rows.unrated)


def test_a_payload_computed_without_the_previous_quarter_renders_dashes(inputs, tmp_path):
    """A rating without movement (no Δ fields, as the bench and a first quarter give) and rows missing newer
    fields still make a report: the absent values read «—», never «None» or an error."""
    payload = to_payload(inputs.tables)
    for name in ("bodies", "heads", "institutions", "reference"):
        payload[name] = [{k: v for k, v in row.items() if k not in ("delta_place", "delta_points", "completeness")}
                         for row in payload[name]]
    tables = from_payload(payload)
    assert "delta_place" not in tables.bodies.columns
    report = report_view.quarter_report(tables, None, TZ, GENERATED)
    assert all(r["delta_place"] is None for r in report.tables["bodies"].rated)
    body = payload["bodies"][0]
    text = flat(pdf_text(pdf_report.body_pdf(tables, body["owner_id"], TZ, exporter=lambda figures: {}),
                         tmp_path))
    assert body["owner"] in text and "None" not in text


def _reference_numbers(payload: dict) -> dict:
    """The key figures as they were counted on the payload before the frames (the reference)."""
    pages = payload.get("pages", [])
    counted = sum(p.get("weeks") or 0 for p in pages)
    rated = [r["score"] for r in payload.get("bodies", []) if r.get("score") is not None]
    with_stream = {s["owner"] for s in payload.get("streams", []) if s.get("owner_kind") == "executive_body"}
    return {"pages": len(pages), "pages_rated": sum(1 for p in pages if p.get("score") is not None),
            "norm_share": sum(p.get("weeks_ok") or 0 for p in pages) / counted if counted else None,
            "bodies": len(payload.get("bodies", [])), "bodies_with_stream": len(with_stream),
            "mean_score": sum(rated) / len(rated) if rated else None,
            "pages_without_data": sum(1 for p in pages if not p.get("weeks")),
            "page_weeks_no_data": sum(p.get("weeks_no_data") or 0 for p in pages),
            "page_weeks_partial": sum(p.get("weeks_partial") or 0 for p in pages)}


def test_key_figures_from_the_frames_are_those_of_the_payload(inputs):
    for tables in (inputs.tables, inputs.previous):
        numbers = report_view.quarter_numbers(tables)
        assert numbers == _reference_numbers(to_payload(tables))
        assert numbers["pages_rated"] and numbers["bodies_with_stream"] and numbers["page_weeks_no_data"]
