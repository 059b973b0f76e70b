"""The command line as a user runs it: separate processes, exit codes, one-line Russian errors."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.factories import registry_rows, registry_xlsx, unix, vk_post, vk_wall

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


SAMPLE = ROOT / "tests" / "samples" / "vk" / "wall_get_foodsharing_2020.json"  # copy of shared/samples
INSPECT_KEYS = {"format", "chat_type", "pages", "posts", "first_post_at", "last_post_at", "live_streams", "comments",
                "page_replies", "rejected", "errors"}
INGEST_KEYS = {"batch_id", "format", "posts_added", "posts_updated", "unchanged", "rejected", "unmatched_pages",
               "errors"}


def test_inspect_genuine_sample_writes_nothing(sqlite_url):
    result = cli("inspect", str(SAMPLE), "--json", url=sqlite_url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert INSPECT_KEYS <= set(report)
    assert (report["format"], report["posts"], report["rejected"]) == ("vk_wall", 1, 9)
    assert report["first_post_at"] == "2020-06-18T19:50:21Z" and report["errors"] == []
    assert json.loads(cli("stats", "--json", url=sqlite_url).stdout)["batches"] == 0


def test_ingest_activity_twice_then_revert(tmp_path, sqlite_url):
    registry = tmp_path / "реестр.xlsx"
    registry.write_bytes(registry_xlsx())
    cli("ingest", str(registry), url=sqlite_url)
    wall = tmp_path / "wall.json"
    wall.write_bytes(vk_wall([vk_post(i, unix(2026, 10, i)) for i in range(1, 4)]))
    first = json.loads(cli("ingest", str(wall), str(SAMPLE), "--json", url=sqlite_url).stdout)
    assert all(INGEST_KEYS <= set(r) for r in first)
    assert (first[0]["posts_added"], first[0]["unmatched_pages"]) == (3, [])
    assert first[1]["posts_added"] == 1 and first[1]["rejected"] == 9 and len(first[1]["unmatched_pages"]) == 1
    second = json.loads(cli("ingest", str(wall), "--json", url=sqlite_url).stdout)
    assert (second["batch_id"], second["posts_added"], second["posts_updated"], second["unchanged"]) == (
        None, 0, 0, 3)
    result = cli("revert", str(first[0]["batch_id"]), url=sqlite_url)
    assert result.returncode == 0 and "отменён" in result.stdout
    assert json.loads(cli("stats", "--json", url=sqlite_url).stdout)["posts"] == 1
    again = cli("revert", str(first[0]["batch_id"]), url=sqlite_url)
    assert again.returncode != 0 and again.stderr.startswith("Ошибка: пакет загрузки")


def test_inspect_broken_json_is_one_russian_line(tmp_path, sqlite_url):
    broken = tmp_path / "обрезан.json"
    broken.write_bytes(vk_wall([vk_post(1, unix(2026, 10, 1))])[:-20])
    result = cli("inspect", str(broken), url=sqlite_url)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Ошибка: файл «обрезан.json»: JSON обрезан или повреждён: файл обрывается на середине (строка 1")
