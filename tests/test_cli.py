"""The command line as a user runs it: separate processes, exit codes, one-line Russian errors."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.factories import registry_rows, registry_xlsx

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOSPABLIKI_DATABASE_URL": url}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_stats_after_demo(demo_db_url):
    result = cli("stats", "--json", url=demo_db_url)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["owners"] >= 400
    assert sum(stats["pages"].values()) >= 1000
    assert min(stats["pages"].values()) >= 300


def test_ingest_json_report_and_bad_file(tmp_path, sqlite_url):
    good = tmp_path / "реестр.xlsx"
    good.write_bytes(registry_xlsx())
    result = cli("ingest", str(good), "--json", url=sqlite_url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["pages_added"] == 5 and report["format"] == "registry_template"

    rows = registry_rows()
    rows[0][1] = "Мэр"
    bad = tmp_path / "плохой.xlsx"
    bad.write_bytes(registry_xlsx(rows))
    result = cli("ingest", str(bad), url=sqlite_url)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Ошибка: файл «плохой.xlsx», лист «Реестр», строка 2")
    assert json.loads(cli("stats", "--json", url=sqlite_url).stdout)["pages"]["vk"] == 3  # unchanged


def test_missing_file(sqlite_url):
    result = cli("ingest", "/nonexistent/file.xlsx", url=sqlite_url)
    assert result.returncode != 0 and "файл не найден" in result.stderr
