"""Big exports (issue 21, «Big files»): the generated genuine-message files of benchmark/bigfile.py ingest with
the counts they were written with, and the typed Telegram path (loaders/telegram_typed.py) reads exactly what
the generic parse reads — or hands the file to it. No timing here: speed and memory are `cli.py bench`'s."""
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from sqlalchemy import func, select

from benchmark import bigfile
from loaders import detect, telegram, telegram_typed
from loaders.errors import LoadError
from storage import schema
from storage.db import make_engine
from storage.ingest import STAGES, ingest_bytes, inspect_bytes
from tests.factories import tg_chat, tg_message, tg_service, to_json, unix

TZ = ZoneInfo("Asia/Tomsk")
NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)


def generic(content: bytes):
    return detect.load_activity_json(detect.parse_json(content, "result.json"), "result.json", TZ, NOW)


def typed(content: bytes):
    """The typed path alone: fails the test if the file would go to the generic path."""
    chats = telegram_typed.decode_chats(content, detect.MAX_JSON_VALUES)
    assert chats is not None, "the typed decoder did not take the file"
    return telegram.load_telegram(chats, "result.json", TZ, NOW)


def same(a, b) -> None:
    for name in ("pages", "posts", "streams", "comments", "snapshots", "coverage"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert (a.format, a.chat_type, a.rejected, a.warnings) == (b.format, b.chat_type, b.rejected, b.warnings)
    assert list(a.rejected) == list(b.rejected)  # the report lists the reasons in the same order


@pytest.fixture(scope="module")
def telegram_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "result.json"
    return path, bigfile.telegram_export(600_000, path)


def test_generated_telegram_export_has_the_counts_it_was_written_with(telegram_file):
    path, expected = telegram_file
    content = path.read_bytes()
    assert len(content) >= 600_000 and content.startswith(b'{\n  "name"')
    report = inspect_bytes(content, path.name)
    assert (report["format"], report["chat_type"], report["pages"]) == ("telegram", "public_channel", 1)
    assert (report["posts"], report["live_streams"]) == (expected.posts, expected.streams)
    assert report["rejected_reasons"] == {"фото альбома, объединённые с публикацией": expected.album_parts,
                                          "служебные сообщения Telegram": expected.service} or \
        report["rejected_reasons"] == {"служебные сообщения Telegram": expected.service,
                                       "фото альбома, объединённые с публикацией": expected.album_parts}
    data = typed(content)
    assert int(data.posts["reactions"].sum()) == expected.reactions
    assert int(data.posts["paid_reactions"].sum()) == expected.paid
    assert dict(data.posts["content_type"].value_counts().iter_rows()) == expected.content
    assert data.posts["published_at"].min() == datetime.fromtimestamp(expected.first, timezone.utc)
    assert data.posts["published_at"].max() == datetime.fromtimestamp(expected.last, timezone.utc)
    assert data.posts["text"].str.len_chars().min() > 0  # every post has its genuine text (albums: the first's)
    same(data, generic(content))


def test_generated_files_ingest_with_their_counts(telegram_file, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'big.sqlite3'}")
    path, expected = telegram_file
    stages: list[str] = []
    report = ingest_bytes(engine, path.read_bytes(), path.name, user="тест", progress=stages.append)
    assert stages == list(STAGES)
    assert (report["posts_added"], report["streams_added"]) == (expected.posts, expected.streams)
    vk_path = tmp_path / "wall.json"
    vk_expected = bigfile.vk_wall(400_000, vk_path)
    vk_report = ingest_bytes(engine, vk_path.read_bytes(), vk_path.name, user="тест")
    assert vk_report["posts_added"] == vk_expected.posts > 0
    assert vk_report["rejected_reasons"] == {"записи участников (не от имени страницы)": vk_expected.service}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.posts)).scalar_one() == (
            expected.posts + vk_expected.posts)
    again = ingest_bytes(engine, path.read_bytes(), path.name, user="тест")
    assert again["status"] == "unchanged" and again["duplicate_of"] == report["batch_id"]
    engine.dispose()


def test_typed_path_reads_what_the_generic_path_reads():
    t = unix(2026, 10, 5, 3)
    photo = {"photo": "(File not included. Change data exporting settings to download.)"}
    video = {"file": "(File not included.)", "media_type": "video_file", "mime_type": "video/mp4"}
    messages = [
        tg_service(1, t - 100, "create_channel"),
        tg_message(2, t, text=["Смотрите ", {"type": "bold", "text": "фото"}], reactions=[
            {"type": "emoji", "count": 3, "emoji": "👍"}, {"type": "paid", "count": 5}], **photo),
        tg_message(3, t + 1, text="", **photo),
        tg_message(4, t + 1, text="", reactions=[{"type": "emoji", "count": 1}], **video),
        tg_service(5, t + 3600, "group_call"),
        tg_service(6, t + 7200, "group_call", duration=3600),
        tg_service(7, t + 9000, "pin_message", message_id=2),
        {"id": 8, "type": "unsupported"},
        tg_message(10, t + 20000, forwarded_from="Администрация Томской области"),
        tg_message(13, t + 20100, text=["Сайт: ", {"type": "link", "text": "https://tomsk.gov.ru"}],
                   text_entities=[{"type": "plain", "text": "Сайт: "},
                                  {"type": "link", "text": "https://tomsk.gov.ru"}]),
        tg_message(14, t + 20200, text="Опрос", poll={"question": "?", "answers": []}),
        tg_message(15, t + 20300, text="Пересохранено", saved_from="Кто-то"),
        tg_message(16, t + 20400, text="Без автора", from_id=None),
        tg_message(17, t + 20500, text="Старый формат", from_id=3003, reactions=None),
        tg_message(18, t + 20600, text="Текст\x07с управляющим символом"),
        tg_message(19, t + 20700, text=[{"type": "text_link", "text": "ссылка", "href": "https://x.ru"}]),
        tg_message(20, t + 30000, text="", **photo),  # media far from the album before: its own post
        tg_service(11, t + 30000, "group_call", duration=900),
        tg_service(12, t + 40000, "group_call"),
    ]
    for content in (to_json(tg_chat(messages)), to_json({"about": "x", "personal_information": {},
                                                          "chats": {"about": "", "list": [
                                                              tg_chat(messages), tg_chat([], "personal_chat", 5),
                                                              tg_chat(messages[::-1], chat_id=4004, name="Второй")]}})):
        same(typed(content), generic(content))
        same(detect.load_json_bytes(content, "result.json", TZ, NOW), generic(content))


@pytest.mark.parametrize("change", [
    {"date_unixtime": None, "date": "2026-10-05T15:30:00"},  # an old export: the region's local time
    {"id": "девять"},  # refused with its place
    {"reactions": [{"type": "emoji", "count": 1.5}]},  # refused: not a whole number
    {"type": "что-то"},  # refused: unknown type
    {"date_unixtime": "1e9"},  # refused: not a date
    {"text": 5},  # not a text: read as an empty one by the generic path
])
def test_what_the_typed_path_does_not_expect_goes_to_the_generic_path(change):
    t = unix(2026, 10, 5, 3)
    message = tg_message(9, t, text="Текст") | change
    content = to_json(tg_chat([tg_message(2, t - 50), message, tg_message(10, t + 50)]))
    try:
        expected = generic(content)
    except LoadError as error:
        with pytest.raises(LoadError) as caught:
            detect.load_json_bytes(content, "result.json", TZ, NOW)
        assert str(caught.value) == str(error) and "«result.json»" in str(error)
        return
    same(detect.load_json_bytes(content, "result.json", TZ, NOW), expected)


def test_a_discussion_group_is_left_to_the_generic_path():
    t = unix(2026, 10, 5, 3)
    group = tg_chat([
        tg_message(1, t, forwarded_from="Канал", **{"from": "Канал", "from_id": "channel3003"}),
        tg_message(2, t + 60, text="Вопрос", from_id="user7", reply_to_message_id=1)],
        "public_supergroup", 9009, "Обсуждение")
    content = to_json(group)
    with pytest.raises(telegram.Untyped):
        typed(content)
    data = detect.load_json_bytes(content, "result.json", TZ, NOW)
    assert data.comments.height == 1
    same(data, generic(content))


def test_the_vk_generator_repeats_the_genuine_wall(tmp_path):
    path = tmp_path / "wall.json"
    expected = bigfile.vk_wall(300_000, path)
    data = detect.load_json_bytes(path.read_bytes(), path.name, TZ, NOW)
    assert data.posts.height == expected.posts and sum(data.rejected.values()) == expected.service
    assert data.posts["text"].is_in(bigfile.genuine_texts()).all()
    assert data.posts.filter(pl.col("post_id").is_duplicated()).height == 0


def test_bench_figures_of_the_big_file(tmp_path, monkeypatch):
    """`cli.py bench`'s ingest_mb_per_s and ingest_peak_ratio come from fresh processes that ingest the whole
    file with the counts it was written with (here a small file, one run each; the figures are not judged)."""
    from benchmark import big_ingest
    monkeypatch.setattr(big_ingest, "WORK_DIR", tmp_path)
    monkeypatch.setattr(big_ingest, "BIG_MB", 0.3)
    result = big_ingest.measure(1, lambda _: None, postgres=False)
    assert set(result["big_ingest"]) == {"telegram", "vk"}
    for kind in ("telegram", "vk"):
        counts = big_ingest.big_file(kind)[1]
        figures = result["big_ingest"][kind]
        assert figures["posts"] == counts["posts"] > 0 and figures["repeat"] == 1
        assert figures["size_mb"] * 1e6 >= 0.3 * 2**20
    assert result["ingest_mb_per_s"] == min(f["mb_per_s"] for f in result["big_ingest"].values()) > 0
    assert result["ingest_peak_ratio"] == max(f["peak_ratio"] for f in result["big_ingest"].values()) > 0
    assert result["ingest_cpu_mb_per_s"] > 0


def test_the_upload_screen_names_each_stage_in_order():
    from scoring.views.upload import STAGE_LABELS, stage_progress
    from core.text import plain
    assert list(STAGE_LABELS)[:len(STAGES)] == list(STAGES) and list(STAGE_LABELS)[-1] == "rating"
    steps = [stage_progress(stage, 2, 3, "result*.json") for stage in STAGE_LABELS]
    fractions = [fraction for fraction, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] == 1 / 3 and fractions[-1] < 2 / 3
    assert steps[1][1] == (f"Файл 2 из 3, «{plain('result*.json')}»: этап 2 из 4 — проверка и сравнение с "
                           "загруженным ранее…") and "\\*" in plain("result*.json")  # the name is not Markdown
    assert [text.split(" — ")[1] for _, text in steps] == ["чтение файла…", "проверка и сравнение с загруженным "
                                                           "ранее…", "запись в базу…", "пересчёт рейтинга…"]


def _numbers_table(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE numbers (n INTEGER PRIMARY KEY, word TEXT, at TIMESTAMP)")


def test_a_big_frame_is_written_as_a_small_one(tmp_path, monkeypatch):
    """write_frame makes the tuples of a frame above ROWS_APART in a thread, a slice at a time: the same rows
    land, in the same order, as when they are made at once."""
    from storage import db
    monkeypatch.setattr(db, "ROWS_APART", 7)
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}", migrate=False)
    _numbers_table(engine)
    frame = pl.DataFrame({"n": range(100), "word": [f"слово {i}" if i % 3 else None for i in range(100)],
                          "at": [datetime(2026, 1, 1, i % 24, tzinfo=timezone.utc) for i in range(100)]})
    with engine.begin() as conn:
        db.write_frame(conn, "numbers", frame)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT n, word, at FROM numbers ORDER BY rowid").all()
    assert rows == [(i, f"слово {i}" if i % 3 else None, f"2026-01-01 {i % 24:02}:00:00.000000") for i in range(100)]


def test_a_failed_big_write_stores_nothing(tmp_path, monkeypatch):
    """A row SQLite refuses in the middle of a big frame: the error reaches the caller (the thread making the
    tuples is stopped, nothing waits) and the transaction stores none of the frame."""
    import sqlite3
    from storage import db
    monkeypatch.setattr(db, "ROWS_APART", 5)
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}", migrate=False)
    _numbers_table(engine)
    frame = pl.DataFrame({"n": [*range(30), 3, *range(30, 60)], "word": "x", "at": datetime(2026, 1, 1)})
    with pytest.raises(sqlite3.IntegrityError):
        with engine.begin() as conn:
            db.write_frame(conn, "numbers", frame)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM numbers").scalar_one() == 0
    assert not [t for t in threading.enumerate() if t.name == "write_frame rows"]


# --- a big JSON file read in place (storage.ingest.read_path maps it; the loaders let its pages go as they read)

def _write(path, content: bytes):
    path.write_bytes(content)
    return path


@pytest.fixture
def mapped_from_1kb(monkeypatch):
    """Every file of 1 KB or more is a big one, and the loaders let the pages go after every message/chunk."""
    from loaders import vk_typed
    from storage import ingest
    monkeypatch.setattr(ingest, "MAP_FROM_BYTES", 1024)
    monkeypatch.setattr(telegram, "SHED_EVERY", 1)
    monkeypatch.setattr(telegram, "TEXT_CHUNK", 3)
    monkeypatch.setattr(vk_typed, "SHED_EVERY", 1)
    monkeypatch.setattr(vk_typed, "TEXT_CHUNK", 2)


def test_only_a_big_plain_utf8_json_is_read_in_place(tmp_path, monkeypatch, mapped_from_1kb):
    import gzip
    import mmap
    from storage import ingest
    body = to_json(tg_chat([tg_message(i, unix(2026, 10, 5, 3) + i, text="Текст " * 40) for i in range(1, 30)]))
    assert len(body) > 2048
    assert isinstance(ingest.read_path(_write(tmp_path / "plain.json", body)), mmap.mmap)
    assert isinstance(ingest.read_path(_write(tmp_path / "spaces.json", b"\n  " + body)), mmap.mmap)
    for name, content in {"bom.json": b"\xef\xbb\xbf" + body, "utf16.json": body.decode().encode("utf-16"),
                          "packed.json.gz": gzip.compress(body) + b"\0" * 2048,
                          "table.csv": b"a;b\n" + b"1;2\n" * 1000, "small.json": body[:0] + b'{"a": 1}'}.items():
        got = ingest.read_path(_write(tmp_path / name, content))
        assert type(got) is bytes and got == content, name
    monkeypatch.setattr(ingest, "MAP_FROM_BYTES", len(body) + 1)  # below the size: bytes
    assert type(ingest.read_path(tmp_path / "plain.json")) is bytes


def _counted_shedding(monkeypatch) -> list[int]:
    """The lettings-go of a mapped file's pages the loaders ask for, counted (and done)."""
    calls: list[int] = []
    real = detect.shedder

    def counting(content):
        shed = real(content)
        return lambda: (calls.append(1), shed())
    monkeypatch.setattr(detect, "shedder", counting)
    return calls


def test_a_mapped_telegram_export_loads_what_its_bytes_load(telegram_file, tmp_path, mapped_from_1kb, monkeypatch):
    from storage.ingest import read_path
    path, expected = telegram_file
    mapped = read_path(path)
    assert not isinstance(mapped, bytes)
    shed = _counted_shedding(monkeypatch)
    data = detect.load_json_bytes(mapped, path.name, TZ, NOW)
    assert len(shed) > expected.posts  # after every message (SHED_EVERY = 1 here)
    same(data, detect.load_json_bytes(path.read_bytes(), path.name, TZ, NOW))
    assert data.posts.height == expected.posts
    # a file the typed path hands over (a discussion group) is read from the mapping by the generic path
    t = unix(2026, 10, 5, 3)
    group = to_json(tg_chat([tg_message(1, t, forwarded_from="Канал", **{"from": "Канал", "from_id": "channel3003"}),
                             *(tg_message(i, t + 60 * i, text="Вопрос " * 30, from_id="user7", reply_to_message_id=1)
                               for i in range(2, 12))], "public_supergroup", 9009, "Обсуждение"))
    mapped_group = read_path(_write(tmp_path / "group.json", group))
    assert not isinstance(mapped_group, bytes)
    same(detect.load_json_bytes(mapped_group, "group.json", TZ, NOW), generic(group))


def test_a_mapped_vk_wall_loads_what_its_bytes_load(tmp_path, mapped_from_1kb, monkeypatch):
    from storage.ingest import read_path
    path = tmp_path / "wall.json"
    expected = bigfile.vk_wall(300_000, path)
    mapped = read_path(path)
    assert not isinstance(mapped, bytes)
    shed = _counted_shedding(monkeypatch)
    data = detect.load_json_bytes(mapped, path.name, TZ, NOW)
    assert len(shed) > expected.posts // 2  # after the items' outline and every chunk of two texts here
    same(data, detect.load_json_bytes(path.read_bytes(), path.name, TZ, NOW))
    assert data.posts.height == expected.posts and data.posts["text"].is_in(bigfile.genuine_texts()).all()


def test_a_mapped_file_is_ingested_and_refused_as_its_bytes_are(telegram_file, tmp_path, mapped_from_1kb):
    from storage.ingest import ingest_path
    path, expected = telegram_file
    engine = make_engine(f"sqlite:///{tmp_path / 'mapped.sqlite3'}")
    report = ingest_path(engine, path, user="тест")
    assert report["posts_added"] == expected.posts
    again = ingest_bytes(engine, path.read_bytes(), path.name, user="тест")  # the same digest as the bytes'
    assert again["status"] == "unchanged" and again["duplicate_of"] == report["batch_id"]
    broken = _write(tmp_path / "broken.json", path.read_bytes()[:-200])  # cut: the generic parse explains it
    with pytest.raises(LoadError) as mapped_error:
        ingest_path(engine, broken, user="тест")
    with pytest.raises(LoadError) as bytes_error:
        ingest_bytes(engine, broken.read_bytes(), broken.name, user="тест")
    assert str(mapped_error.value) == str(bytes_error.value) and "«broken.json»" in str(mapped_error.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.posts)).scalar_one() == expected.posts
    engine.dispose()


def test_a_mapped_file_changed_while_it_is_read_is_refused_and_nothing_is_written(telegram_file, tmp_path,
                                                                                   mapped_from_1kb, monkeypatch):
    import os
    from storage import ingest
    source, _ = telegram_file
    path = _write(tmp_path / "result.json", source.read_bytes())
    real = ingest.load_activity

    def load_then_touch(*args, **kwargs):
        data = real(*args, **kwargs)
        later = path.stat().st_mtime_ns + 5_000_000_000
        os.utime(path, ns=(later, later))  # as a second export saved over it would
        return data
    monkeypatch.setattr(ingest, "load_activity", load_then_touch)
    engine = make_engine(f"sqlite:///{tmp_path / 'changed.sqlite3'}")
    with pytest.raises(LoadError) as error:
        ingest.ingest_path(engine, path, user="тест")
    assert "файл изменился, пока его читали" in str(error.value) and "«result.json»" in str(error.value)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.posts)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(schema.batches)).scalar_one() == 0
    monkeypatch.setattr(ingest, "load_activity", real)
    assert ingest.ingest_path(engine, path, user="тест")["posts_added"] > 0  # unchanged since: loaded
    engine.dispose()


def test_a_file_the_json_loaders_do_not_take_is_read_as_bytes_and_refused_as_its_bytes(tmp_path, mapped_from_1kb):
    """JSON after more blank space than the format detection reads is not mapped; were a mapped file detected as
    anything else, its reader gets bytes — the same Russian refusal either way, never a crash."""
    from storage import ingest
    body = to_json(tg_chat([tg_message(i, unix(2026, 10, 5, 3) + i, text="Текст " * 40) for i in range(1, 30)]))
    path = _write(tmp_path / "spaces.json", b" " * 300 + body)
    assert type(ingest.read_path(path)) is bytes
    engine = make_engine(f"sqlite:///{tmp_path / 'spaces.sqlite3'}")
    with pytest.raises(LoadError) as from_bytes:
        ingest.ingest_bytes(engine, path.read_bytes(), path.name, user="тест")
    with pytest.raises(LoadError) as from_path:
        ingest.ingest_path(engine, path, user="тест")
    assert str(from_path.value) == str(from_bytes.value)
    import mmap
    with open(path, "rb") as file:  # a mapping handed to the upload whatever the detection says
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    with pytest.raises(LoadError) as from_mapping:
        ingest.inspect_bytes(mapped, path.name)
    assert str(from_mapping.value) == str(from_bytes.value)
    engine.dispose()


def test_a_file_that_cannot_be_mapped_is_read(tmp_path, mapped_from_1kb, monkeypatch):
    import mmap
    from storage import ingest
    body = to_json(tg_chat([tg_message(i, unix(2026, 10, 5, 3) + i, text="Текст " * 40) for i in range(1, 30)]))
    path = _write(tmp_path / "result.json", body)

    def refused(*args, **kwargs):
        raise ValueError("cannot mmap an empty file")  # emptied between the size check and the mapping
    monkeypatch.setattr(mmap, "mmap", refused)
    assert ingest.read_path(path) == body
