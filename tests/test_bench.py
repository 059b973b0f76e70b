"""`cli.py bench` at Tomsk scale: every figure is measured and printed, the engine agrees with pandas on the
synthetic quarter, the database read path returns exactly the frames written, and the JSON has the documented keys.
No speed is asserted here (a test machine's speed is not the product's): the figures and their targets are the
bench's own report and the README («Производительность»)."""
import json
from zoneinfo import ZoneInfo

import pytest
from polars.testing import assert_frame_equal

import cli
from benchmark.run import INGEST_FILES, SCREENS, report
from benchmark.synthetic import generate

SECONDS = {"score_s", "floor_s", "floor_key_s", "grid_s", "pandas_s", "pandas_vectorised_s", "tomsk_ingest_score_s",
           "tomsk_upload_score_s", "workbook_s", "sensitivity_s", "style_cold_s", "style_next_version_s",
           "style_warm_s", "report_pdf_s", "body_pdf_s", "pg_read_s", "pg_read_rows_s"}
RATIOS = {"floor_ratio", "floor_key_ratio", "pandas_ratio", "pandas_vectorised_ratio", "ingest_mb_per_s",
          "ingest_peak_ratio"}
MEGABYTES = {"score_peak_mb", "loaded_mb", "process_peak_mb"}
COUNTS = {"pages", "posts", "repeat", "pandas_repeat", "db_read_repeat", "sensitivity_combinations",
          "sensitivity_rows", "style_posts", "style_pages", "style_distinct_texts", "style_word_forms", "pg_week_rows"}
PER_NAME = {"ingest_posts_per_s": set(INGEST_FILES), "db_read_s": {"sqlite", "postgresql"},
            "db_read_ratio": {"sqlite", "postgresql"}, "screens_open_s": set(SCREENS), "screens_s": set(SCREENS)}
# `cli.py demo` into an empty database in a fresh process (benchmark/demo_bench.py), SQLite and PostgreSQL
SECONDS |= {"demo_s", "demo_cpu_s", "demo_files_s", "demo_files_cpu_s", "demo_pg_s", "demo_pg_cpu_s"}
COUNTS |= {"demo_repeat"}
# where people wait on the demo with its ratings stored (benchmark/app_speed.py, issue 21)
SECONDS |= {"first_screen_s", "new_session_screen_s", "quarter_switch_s", "approve_s", "refresh_s"}
COUNTS |= {"app_speed_repeat"}
PER_NAME["new_session_screens_s"] = {"overview", "rating", "weekly", "streams", "body_card"}
# the floor ratio by CPU time too, and each stage of scoring alone (benchmark/stages.py)
SECONDS |= {"score_cpu_s", "floor_cpu_s", "floor_read_s", "floor_read_cpu_s"}
RATIOS |= {"floor_cpu_ratio", "floor_read_ratio"}
STAGES = {"posts_pass", "comments", "streams", "snapshots", "first_steps", "page_weeks", "score_pages", "owner_scores",
          "tables", "score_quarter"}
TEXTS = {"scale", "quarter", "machine", "screens_scale"}
KEYS = SECONDS | RATIOS | MEGABYTES | COUNTS | set(PER_NAME) | TEXTS | {"differences", "results_identical",
                                                                         "score_stages"}


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@pytest.mark.postgres
def test_bench_tomsk_json(capsys, monkeypatch, tmp_path, pg_url):
    # its own files and PostgreSQL database: a developer's bench data (data/bench, gospabliki_bench) stay as they are
    monkeypatch.setattr("benchmark.run.WORK_DIR", tmp_path)
    monkeypatch.setattr("benchmark.run.PG_URL", pg_url.rsplit("/", 1)[0] + "/gospabliki_bench_test")
    monkeypatch.setattr("benchmark.big_ingest.WORK_DIR", tmp_path)  # the big-file figures on a 2 MB file here
    monkeypatch.setattr("benchmark.big_ingest.BIG_MB", 2)
    monkeypatch.setattr("benchmark.app_speed.WORK_DIR", tmp_path)  # the demo database built here
    assert cli.main(["bench", "--scale", "tomsk", "--json", "--repeat", "1", "--quiet"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert KEYS <= set(result), KEYS - set(result)
    assert result["scale"] == result["screens_scale"] == "tomsk" and result["quarter"] and result["machine"]
    assert result["pages"] == 1300 and 55_000 < result["posts"] < 70_000
    assert result["repeat"] == 1 and all(isinstance(result[k], int) and result[k] >= 1 for k in COUNTS)
    for key in SECONDS | RATIOS | MEGABYTES:
        assert _positive(result[key]), (key, result[key])
    for key, names in PER_NAME.items():
        assert set(result[key]) == names, key
        assert all(_positive(v) for v in result[key].values()), (key, result[key])
    assert all(isinstance(v, int) for v in result["ingest_posts_per_s"].values())
    assert set(result["score_stages"]) == STAGES
    assert all(set(v) == {"wall_s", "cpu_s"} and all(_positive(x) for x in v.values())
               for v in result["score_stages"].values()), result["score_stages"]
    assert result["results_identical"] is True, result["differences"]
    assert set(result["differences"]) == {"pandas", "pandas_vectorised"}
    # the quarter read from PostgreSQL (posts summed per page and week by the database) scores the same
    assert result["pg_results_identical"] is True and result["pg_differences"] == [], result["pg_differences"]
    text = report(result)  # the table `cli.py bench` prints without --json: a row for each figure
    for row in ("Расчёт квартала", "то же по времени процессора", "этап расчёта posts_pass",
                "Томск: чтение выгрузок + расчёт", "Томск: книга Excel рейтинга",
                "Томск: квартальный отчёт PDF", "Томск: отчёт органа PDF",
                "Устойчивость мест", "Стиль публикаций Томского квартала",
                "Чтение квартала из postgresql", "Загрузка большого файла: Telegram", "пик памяти процесса (ВКонтакте)",
                *(f"Экран {s} (tomsk), открытие" for s in SCREENS),
                *(f"Экран {s} (tomsk), повторный запуск" for s in SCREENS)):
        assert row in text, row
    assert "`cli.py demo` в пустую базу SQLite" in text and "файлы демо в пустую папку" in text
    assert "Демо: первый экран после запуска сервера" in text and "Демо: утверждение рейтинга" in text


def test_synthetic_data_is_deterministic():
    first, second = generate("tomsk"), generate("tomsk")
    for name in ("owners", "pages", "snapshots", "posts", "streams", "comments", "coverage"):
        assert_frame_equal(getattr(first.data, name), getattr(second.data, name))


def test_database_read_returns_what_was_written(db_url):
    """benchmark/database.py writes the synthetic quarter; scoring_input (the columnar read path) gives back the
    same posts, comments, streams and snapshots."""
    from benchmark.database import fill
    from storage.db import make_engine
    from services.quarters import scoring_input
    engine = make_engine(db_url)
    synthetic = generate("tomsk")
    fill(engine, synthetic)
    data = scoring_input(engine, synthetic.quarter, ZoneInfo("Asia/Tomsk"), summed=False)  # the posts as rows
    engine.dispose()
    for name in ("posts", "comments", "streams", "snapshots", "pages", "owners"):
        expected, found = getattr(synthetic.data, name), getattr(data, name)
        key = expected.columns[:2]
        assert_frame_equal(expected.sort(key), found.select(expected.columns).sort(key), check_dtypes=False)


def test_bulk_write_and_columnar_read_round_trip(db_url):
    """storage.db.write_frame / read_frame (the paths uploads and scoring use) keep nulls, empty strings, CSV
    specials and moments of any zone; a "%" in a query survives the literal SQL of a pyformat driver."""
    from datetime import date, datetime, timedelta, timezone

    import polars as pl
    from sqlalchemy import literal, select

    from storage import schema
    from storage.activity_store import current_versions
    from storage.db import make_engine, read_frame, write_frame
    texts = ["", None, "a,b", 'q"uote', "line1\nline2", "\\.", "back\\slash", "тест ;", "NULL", "\\N", "50%"]
    n = len(texts)
    moments = pl.Series([datetime(2026, 1, 5, 12, 0, 0, 123456, tzinfo=timezone.utc) + timedelta(hours=i)
                         for i in range(n)]).dt.convert_time_zone("Asia/Tomsk")
    posts = pl.DataFrame({"page_id": [1] * n, "post_id": [f"p{i}" for i in range(n)], "batch_id": [1] * n,
                          "published_at": moments, "content_type": texts, "is_repost": [False] * n,
                          "is_pinned": [None, True] + [False] * (n - 2), "is_live": [True] * n, "text": texts,
                          "views": [None] + list(range(n - 1)), "likes": [1] * n, "comments": [None] * n,
                          "reposts": [0] * n, "reactions": [None] * n})
    engine = make_engine(db_url)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(schema.owners.insert(), [{"id": 1, "name": "o", "name_key": "o", "kind": "head",
                                               "created_at": now, "updated_at": now}])
        conn.execute(schema.pages.insert(), [{"id": 1, "owner_id": 1, "platform": "vk", "page_key": "k", "url": "u",
                                              "created_at": now, "updated_at": now}])
        conn.execute(schema.batches.insert(), [{"id": 1, "kind": "activity", "format": "f", "filename": "f",
                                                "sha256": "0", "size_bytes": 0, "uploaded_by": "x", "uploaded_at": now,
                                                "as_of": date(2026, 4, 1), "status": "active"}])
        write_frame(conn, "posts", posts)
    expected = posts.with_columns(pl.col("published_at").dt.convert_time_zone("UTC")).sort("post_id")
    with engine.connect() as conn:
        inside = current_versions(conn, "posts")
    for found in (inside, current_versions(engine, "posts")):
        found = found.sort("post_id")
        for column in ("published_at", "views", "comments", "reactions", "is_live"):
            assert found[column].to_list() == expected[column].to_list(), column
    query = select(literal("50%").label("a"))
    assert read_frame(engine, query, {"a": pl.String})["a"].item() == "50%"
    with engine.connect() as conn:
        assert read_frame(conn, query, {"a": pl.String})["a"].item() == "50%"
    engine.dispose()
