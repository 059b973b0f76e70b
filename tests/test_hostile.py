"""Hostile files (tests/hostile.py) on SQLite and on the real PostgreSQL: each is refused with a Russian message
that names the file and the place (sheet, row, column or record), no library's English leaks into it, and the
database is exactly as it was (row counts and a hash of every table). Also what is cleaned rather than refused
(control characters in texts), the login's user names, and what the command line costs on a 1 GB file."""
import hashlib
import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from loaders.errors import LoadError
from storage import schema
from storage.ingest import ingest_bytes
from benchmark import hostile_measure
from tests import hostile
from tests.factories import registry_xlsx, tg_chat, tg_message, to_json, unix, vk_post, vk_wall

ROOT = Path(__file__).resolve().parent.parent
# what a library says when its own message leaks: two English words in a row, or a known exception name; the
# names of formats, methods and fields (wall.get, date_unixtime, Telegram Desktop, JSON, …) are not prose
LIBRARY_ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,:]+[A-Za-z]{2,}|Error|Exception|Traceback|polars|calamine|orjson|msgspec"
                             r"|sqlalchemy|psycopg|fastexcel")
QUOTED = re.compile(r"«[^»]*»")  # the file's own values and field names, quoted
IDENTIFIER = re.compile(r"[\w.+/<>-]*[._/<][\w.+/<>-]*|\b[a-z]+[A-Z]\w*|\b(?:Telegram|Desktop|JSON|CSV|UTF|Excel|API|"
                        r"gzip|xlsx|xls|csv|BOM|Stars|UTC|MAX|VK|OK|ID|mediatopic|filter|owner|true|false|null)\b")


def library_english(text: str) -> list[str]:
    return LIBRARY_ENGLISH.findall(IDENTIFIER.sub(" ", QUOTED.sub("«»", text)))


def fingerprint(engine) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the rows of every table, in primary-key order."""
    found = {}
    with engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(json.dumps([_plain(v) for v in row], ensure_ascii=False, sort_keys=True,
                                         default=str).encode())
            found[table.name] = (len(rows), digest.hexdigest())
    return found


def _plain(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat() if value.utcoffset() in (None,) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def stock(engine) -> None:
    """A registry and a week of the department's wall, so that a refused file has something to spoil."""
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    ingest_bytes(engine, vk_wall([vk_post(i, unix(2026, 10, i)) for i in range(1, 6)]), "wall.json", user="тест")


def refusal_problems(engine, item: hostile.Case) -> list[str]:
    """What is wrong with how the product refuses `item` (empty: refused as it must be)."""
    before = fingerprint(engine)
    try:
        report = ingest_bytes(engine, item.content, item.filename, user="тест")
    except LoadError as error:
        issue, text = error.issues[0], str(error)
        problems = []
        if item.fragment not in text:
            problems.append(f"нет «{item.fragment}»")
        if issue.file != item.filename:
            problems.append(f"файл {issue.file!r}")
        problems += [f"{key}={getattr(issue, key)!r}, ожидалось {value!r}" for key, value in item.place.items()
                     if getattr(issue, key) != value]
        if english := library_english(text):
            problems.append(f"английский текст {english}")
        if fingerprint(engine) != before:
            problems.append("база изменилась")
        return [f"{item.name}: {p} — {text[:300]}" for p in problems]
    return [f"{item.name}: принят (пакет {report.get('batch_id')})"]


def test_the_corpus_is_large_and_varied():
    assert len(hostile.CASES) >= 60
    assert len({c.name for c in hostile.CASES}) == len(hostile.CASES)
    kinds = {c.filename.rsplit(".", 1)[-1] for c in hostile.CASES}
    assert {"xlsx", "csv", "json", "gz"} <= kinds


def test_every_hostile_file_is_refused_in_place_and_changes_nothing(engine):
    stock(engine)
    problems = [p for item in hostile.CASES if not item.heavy for p in refusal_problems(engine, item)]
    assert problems == []


def test_large_hostile_files_are_refused_too(sqlite_url):
    from storage.db import make_engine
    engine = make_engine(sqlite_url)
    stock(engine)
    problems = [p for item in hostile.CASES if item.heavy for p in refusal_problems(engine, item)]
    engine.dispose()
    assert problems == []


def test_the_worst_hostile_files_cost_little_memory():
    """In a fresh `cli.py ingest` process each: the forged zip bomb (1.2 GB inflated from 1 MB), a gzip that
    unpacks beyond the upload limit, 100 MB of two JSON documents, ten million JSON values. Peak memory of the
    process (with Python, Polars and the file itself) stays under 500 MB; durations are printed by
    `python -m benchmark.hostile_measure`, not asserted."""
    results = hostile_measure.measure(["xlsx_forged_zip_bomb", "gzip_bomb", "vk_concatenated_large",
                               "json_ten_million_values"])
    for row in results:
        assert row["exit"] == 1 and row["message"].startswith("Ошибка: файл «"), row
        assert row["peak_mb"] < 500, row


def test_a_1_gb_file_is_refused_before_it_is_read(tmp_path, sqlite_url):
    big = tmp_path / "огромный.json"
    with open(big, "wb") as handle:  # sparse: a gigabyte that takes no disk
        handle.truncate(1 << 30)
    env = {"GOSPABLIKI_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}
    for path, expected in ((big, "файл слишком большой (1024 МБ)"), (Path("/dev/zero"), "не обычный файл")):
        done = subprocess.run([sys.executable, "-c", hostile_measure.MEASURED, "ingest", str(path)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and expected in lines[0] and not library_english(lines[0]), done.stderr
        assert int(lines[-1].split()[1]) < 400 * 1024  # KB: the gigabyte was never read


def test_control_characters_are_removed_from_texts_the_same_on_both_databases(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    wall = vk_wall([vk_post(1, unix(2026, 10, 1), text="Новость\x00 дня\x07\tи\nещё\x1b")])
    channel = to_json(tg_chat([tg_message(7, unix(2026, 10, 2), text="Текст\x00")], name="Канал\x00 ДФ",
                              chat_id=3003))
    ingest_bytes(engine, wall, "wall.json", user="тест")
    ingest_bytes(engine, channel, "result.json", user="тест")
    with engine.connect() as conn:
        texts = dict(conn.execute(select(schema.posts.c.post_id, schema.posts.c.text)).all())
    assert texts == {"1": "Новость дня\tи\nещё", "7": "Текст"}


def test_a_user_name_over_100_characters_is_refused_at_login_and_audited(engine):
    from storage.users import UsernameError, authenticate, set_user
    set_user(engine, "аналитик", "пароль-надёжный", "analyst", by="админ")
    assert authenticate(engine, "аналитик", "пароль-надёжный") == "analyst"
    for name in ("я" * 101, "имя\x00", "имя\x07"):
        with pytest.raises(UsernameError) as refused:
            authenticate(engine, name, "что угодно")
        assert not library_english(str(refused.value))
    with pytest.raises(UsernameError, match="длиннее 100 символов"):
        authenticate(engine, "я" * 101, "x")
    with pytest.raises(UsernameError):
        set_user(engine, "я" * 101, "пароль-надёжный", "viewer", by="админ")
    with engine.connect() as conn:
        logins = conn.execute(select(schema.audit_log.c.user, schema.audit_log.c.details).where(
            schema.audit_log.c.action == "login").order_by(schema.audit_log.c.id)).all()
    refused = [d for _, d in logins if d.get("refused") == "username"]
    assert len(refused) == 4 and refused[0]["username_length"] == 101
    assert all(len(user) <= 100 and "\x00" not in user for user, _ in logins)


def test_the_refusal_names_the_field_of_the_value(engine):
    """Issue 16 §6: negative VK views at «views», negative OK likes at «like_summary», a bad Telegram ISO date at
    «date», a future date and a negative counter of the CSV template at their columns."""
    expected = {"vk_negative_views": "views", "ok_negative_likes": "like_summary", "telegram_bad_iso_date": "date",
                "template_future_date_csv": "Дата и время", "template_negative_views_csv": "Просмотры"}
    for name, column in expected.items():
        with pytest.raises(LoadError) as refused:
            ingest_bytes(engine, hostile.by_name(name).content, hostile.by_name(name).filename, user="тест")
        assert refused.value.issues[0].column == column, str(refused.value)
