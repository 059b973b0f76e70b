"""Issue 14, the loaders' part: every counter traceable to the file that proves it.

Files built from the real formats (formats.md): what is not a wall is refused and named; the pages a file
names are returned even when it holds no publication; gzip, BOM, UTF-16, trailing bytes, the pre-5.0 VK
shapes and the Telegram exports without `date_unixtime` get precise Russian messages; paid reactions are kept
apart; the inspect report can name the pages and the moment the file was observed.
"""
import gzip
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from loaders import activity as act
from loaders import tabular, vk_typed
from loaders.errors import LoadError
from storage.ingest import inspect_bytes, load_activity
from tests.factories import tg_chat, tg_message, tg_service, to_json, unix, vk_post, vk_wall

SAMPLE = Path(__file__).resolve().parent / "samples" / "vk" / "wall_get_foodsharing_2020.json"
T = unix(2026, 10, 5)
# words of orjson's own (English) messages: none may reach the user
PARSER_WORDS = re.compile(r"unexpected|document|trailing|character|expected|literal|invalid|data", re.I)


def refused(content: bytes, filename: str = "wall.json") -> str:
    with pytest.raises(LoadError) as error:
        inspect_bytes(content, filename)
    message = str(error.value)
    assert f"«{filename}»" in message  # every message names the file
    return message


# --- photos.get, video.get, a video object: not a wall -------------------------------------------------------

def photo(ident: int, post_id: int | None = None) -> dict:
    """A photos.get item (5.199: photos_photo) — `owner_id`, `date`, `text`, but no `from_id`/`post_type`."""
    item = {"album_id": -7, "date": T + ident, "id": ident, "owner_id": -2002, "text": "", "user_id": 100,
            "has_tags": False, "web_view_token": "abc", "sizes": [
                {"type": "s", "url": "https://sun9-1.userapi.com/s.jpg", "width": 75, "height": 50},
                {"type": "x", "url": "https://sun9-1.userapi.com/x.jpg", "width": 604, "height": 403}]}
    if post_id is not None:
        item["post_id"] = post_id  # photos uploaded with a wall post carry its id
    return item


def video(ident: int) -> dict:
    """A video.get item (5.199: video_video_full)."""
    return {"adding_date": T + ident, "can_comment": 1, "can_like": 1, "comments": 2, "date": T + ident,
            "description": "Совещание", "duration": 1260, "image": [
                {"url": "https://sun9-2.userapi.com/v.jpg", "width": 320, "height": 240, "with_padding": 1}],
            "first_frame": [{"url": "https://sun9-2.userapi.com/f.jpg", "width": 320, "height": 240}],
            "width": 1280, "height": 720, "id": ident, "owner_id": -2002, "title": "Совещание",
            "player": f"https://vk.com/video_ext.php?oid=-2002&id={ident}&hash=abc", "views": 340,
            "local_views": 300, "type": "video", "is_favorite": False}


@pytest.mark.parametrize("envelope", [True, False])
def test_a_photos_get_list_saved_as_wall_json_is_refused_and_named(envelope):
    body = {"count": 3, "items": [photo(1, post_id=55), photo(2, post_id=55), photo(3)]}
    content = to_json({"response": body} if envelope else body)
    assert vk_typed.decode_wall(content) is None  # the fast path does not take it for a wall
    message = refused(content)
    assert "список фотографий" in message and "photos.get" in message and "wall.get" in message
    assert "комментар" not in message  # photos carrying `post_id` are not taken for comments either


def test_a_video_get_response_and_a_single_video_are_refused_and_named():
    message = refused(to_json({"response": {"count": 2, "items": [video(456239017), video(456239018)]}}))
    assert "список видеозаписей" in message and "video.get" in message
    for payload in (video(456239017), {"response": video(456239017)}, {"response": [video(456239017)]}):
        assert "одна видеозапись" in refused(to_json(payload), "video.json")


def test_items_without_the_wall_shape_never_count_as_the_pages_posts():
    """A photo among wall posts is an error on that record, not «the page's own post» (it has no `from_id`)."""
    content = vk_wall([vk_post(1, T), photo(2)])
    message = refused(content)
    assert "запись 2 (id 2)" in message and "не запись стены" in message and "photos.get" in message


def test_genuine_wall_get_sample_is_still_read_on_the_fast_path():
    content = SAMPLE.read_bytes()
    assert vk_typed.decode_wall(content) is not None
    data = load_activity(content, SAMPLE.name)
    assert data.posts["post_id"].to_list() == ["519471"] and data.pages["ref"].to_list() == ["-109125816"]


def test_a_group_where_a_member_writes_as_a_channel_is_not_a_discussion_group():
    messages = [tg_message(1, T, from_id="user5", **{"from": "Анна"}),
                tg_message(2, T + 60, from_id="channel4242", **{"from": "Канал Анны"}),  # «от имени канала»
                tg_message(3, T + 120, from_id="user6", reply_to_message_id=2, **{"from": "Олег"})]
    group = tg_chat(messages, "public_supergroup", chat_id=9009, name="Чат жителей")
    message = refused(to_json(group), "result.json")
    assert "не группа обсуждения канала" in message and "Чат жителей" in message
    full = {"about": "", "chats": {"about": "", "list": [group, tg_chat([tg_message(1, T)])]}}
    data = load_activity(to_json(full), "result.json")
    assert data.pages["ref"].to_list() == ["3003"] and data.comments.height == 0
    assert "группы, не являющиеся обсуждением канала — 1" in str(data.warnings[0])


def test_a_discussion_group_is_known_by_the_channels_forwarded_posts():
    messages = [tg_message(1, T, from_id="channel3003", forwarded_from="Департамент финансов"),  # mirrored post
                tg_message(2, T + 30, from_id="channel4242", **{"from": "Канал Анны"}),  # a member as a channel
                tg_message(3, T + 60, from_id="user5", reply_to_message_id=1)]
    data = load_activity(to_json(tg_chat(messages, "public_supergroup", chat_id=9009, name="Обсуждение")), "r.json")
    assert data.pages["ref"].to_list() == ["3003"] and data.comments["comment_id"].to_list() == ["3"]


# --- coverage: the pages a file names, even with no publication -----------------------------------------------

def test_an_ok_export_with_no_topics_still_names_its_group():
    payload = {"media_topics": [], "entities": {"groups": [{"uid": "70000000000001", "name": "ЦБО"}]}}
    data = load_activity(to_json(payload), "ok.json")
    assert data.posts.height == 0
    assert data.pages.row(0, named=True) == {"ref": "70000000000001", "platform": "ok",
                                             "platform_id": "70000000000001", "page_key": "group/70000000000001",
                                             "title": "ЦБО", "url": "https://ok.ru/group/70000000000001"}
    row = data.coverage.row(0, named=True)
    assert (row["ref"], row["first_at"], row["last_at"], row["posts"]) == ("70000000000001", None, None, True)


def test_an_ok_export_with_no_topics_and_several_groups_names_none():
    payload = {"media_topics": [], "entities": {"groups": [{"uid": "1", "name": "А"}, {"uid": "2", "name": "Б"}]}}
    data = load_activity(to_json(payload), "ok.json")
    assert data.pages.height == 0 and data.coverage.height == 0
    assert "нельзя сказать, чья это лента" in str(data.warnings[0])


def test_a_vk_wall_of_members_posts_only_names_the_page_with_its_span():
    data = load_activity(vk_wall([vk_post(1, T, from_id=5), vk_post(2, T + 3600, from_id=6)]), "wall.json")
    assert data.posts.height == 0 and data.pages["ref"].to_list() == ["-2002"]
    row = data.coverage.row(0, named=True)
    assert row["first_at"] == datetime.fromtimestamp(T, timezone.utc) and row["posts"]


def test_an_empty_vk_wall_names_no_page_and_says_so():
    data = load_activity(to_json({"response": {"count": 0, "items": []}}), "wall.json")
    assert data.pages.height == 0 and data.coverage.height == 0
    assert "стена, которой он принадлежит, в нём не названа" in str(data.warnings[0])


def test_a_telegram_channel_with_no_messages_is_named_with_an_undated_coverage():
    data = load_activity(to_json(tg_chat([])), "result.json")
    assert data.pages["ref"].to_list() == ["3003"]
    assert data.coverage.select("ref", "first_at", "last_at").rows() == [("3003", None, None)]


# --- gzip, BOM, UTF-16, trailing bytes --------------------------------------------------------------------------

WALL = vk_wall([vk_post(1, T), vk_post(2, T + 60, from_id=5)], envelope=True)


@pytest.mark.parametrize("content", [
    gzip.compress(WALL),
    gzip.compress(WALL[:200]) + gzip.compress(WALL[200:]),  # two gzip members, as `cat a.gz b.gz` makes
    b"\xef\xbb\xbf" + WALL,
    WALL.decode().encode("utf-16"),  # with a BOM, the machine's byte order
    b"\xff\xfe" + WALL.decode().encode("utf-16-le"),
    b"\xfe\xff" + WALL.decode().encode("utf-16-be"),
    gzip.compress(b"\xff\xfe" + WALL.decode().encode("utf-16-le")),
], ids=["gzip", "gzip-members", "utf8-bom", "utf16", "utf16-le", "utf16-be", "gzip-utf16"])
def test_compressed_and_re_encoded_walls_read_like_the_plain_file(content):
    plain = load_activity(WALL, "wall.json")
    data = load_activity(content, "wall.json.gz")
    assert data.posts.equals(plain.posts) and data.pages.equals(plain.pages) and data.rejected == plain.rejected


def test_gzip_telegram_and_gzip_csv_template_are_read():
    telegram = load_activity(gzip.compress(to_json(tg_chat([tg_message(1, T)]))), "result.json.gz")
    assert telegram.format == "telegram" and telegram.posts.height == 1
    csv = ("Ссылка на публикацию;Дата и время;Тип;Просмотры\n"
           "https://vk.com/wall-2002_7;05.10.2026 10:00;текст;120\n").encode("utf-8-sig")
    template = load_activity(gzip.compress(csv), "posts.csv.gz")
    assert template.format == "activity_template_csv" and template.posts["views"].to_list() == [120]


def test_a_gzip_bigger_unpacked_than_an_upload_may_be_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_UPLOAD_BYTES", 1024 * 1024)
    bomb = gzip.compress(b'{"count": 0, "items": [' + b" " * (3 * 1024 * 1024) + b"]}")
    assert len(bomb) < 10_000
    message = refused(bomb, "wall.json.gz")
    assert "распаковывается больше чем в 1 МБ" in message


@pytest.mark.parametrize("content, expected", [
    (gzip.compress(WALL)[:-40], "архив gzip обрезан"),
    (b"\x1f\x8b\x08\x00garbage-not-deflate", "архив gzip повреждён"),
])
def test_a_broken_gzip_says_what_is_wrong(content, expected):
    assert expected in refused(content, "wall.json.gz")


@pytest.mark.parametrize("tail, line, column, expected", [
    (b"\n" + WALL, 2, 1, "ещё один документ JSON"),
    (b"\x00\x00\x00", 1, None, "нулевые байты"),
    (b" HTTP/1.1 200 OK", 1, None, "посторонние данные, начиная с «H»"),
])
def test_trailing_bytes_after_the_json_are_located_and_explained(tail, line, column, expected):
    message = refused(WALL + tail)
    column = column or len(WALL.decode()) + len(tail) - len(tail.lstrip(b" ")) + 1  # the first stray character
    assert f"после конца документа JSON (строка {line}, символ {column})" in message and expected in message
    assert not PARSER_WORDS.search(message)


@pytest.mark.parametrize("content, expected", [
    (b'{"count": 1, "items": [{"id": 1,}]}', "лишняя запятая"),
    (b'{"count": 1 "items": []}', "пропущена запятая"),
    (b'{count: 1}', "имя поля должно быть строкой"),
    (b'{"count": NaN}', "ожидается значение JSON"),
    ('{"text": "Привет"}'.encode("cp1251"), "не в кодировке UTF-8 (строка 1, символ 11)"),
])
def test_broken_json_is_explained_in_russian_only(content, expected):
    message = refused(content)
    assert expected in message and "строка 1" in message and not PARSER_WORDS.search(message)


# --- the pre-5.0 VK shapes ----------------------------------------------------------------------------------------

def legacy_post(ident: int, date: int, **extra) -> dict:
    """A wall.get item of API < 5.0: `to_id` is the wall, no `owner_id`, no views, reposts by `copy_owner_id`."""
    return {"id": ident, "from_id": -2002, "to_id": -2002, "date": date, "text": f"Запись {ident}",
            "post_type": "post", "comments": {"count": 1, "can_post": 1},
            "likes": {"count": 4, "user_likes": 0, "can_like": 1, "can_publish": 1},
            "reposts": {"count": 0, "user_reposted": 0}, "attachments": [], "online": 0, "reply_count": 0, **extra}


def test_a_pre_5_0_wall_get_is_read_with_a_note():
    items = [legacy_post(5, T), legacy_post(6, T + 60, post_type="copy", copy_owner_id=-1, copy_post_id=3),
             legacy_post(7, T + 120, from_id=777)]
    for payload in ({"response": [812, *items]}, {"response": {"wall": [812, *items], "profiles": [],
                                                                "groups": [{"gid": 2002, "name": "Депфин",
                                                                            "screen_name": "depfin_tomsk"}]}}):
        data = load_activity(to_json(payload), "wall_2013.json")
        assert data.format == "vk_wall" and data.posts["post_id"].to_list() == ["5", "6"]
        assert data.posts["is_repost"].to_list() == [False, True] and data.posts["views"].null_count() == 2
        assert data.rejected == {act.REJECT_MEMBER: 1} and data.pages["ref"].to_list() == ["-2002"]
        assert "старой версии API (до 5.0" in str(data.warnings[0]) and "v=5.199" in str(data.warnings[0])
    assert data.pages["title"].to_list() == ["Депфин"]


def test_a_2013_wall_get_comments_gets_its_own_message():
    payload = {"response": [2, {"cid": 101, "uid": 5, "from_id": 5, "date": T, "text": "Когда ремонт?"},
                            {"cid": 102, "uid": 2002, "from_id": -2002, "date": T + 60, "text": "[id5|Анна], в мае",
                             "reply_to_uid": 5, "reply_to_cid": 101}]}
    message = refused(to_json(payload), "comments.json")
    assert "wall.getComments старой версии API (до 5.0" in message and "v=5.199" in message


def test_other_pre_5_0_lists_are_named():
    old_video = {"vid": 1, "owner_id": -2002, "title": "Ролик", "duration": 60, "image": "https://x", "date": T}
    assert "список видеозаписей" in refused(to_json({"response": [1, old_video]}))
    assert "нет ни одной записи" in refused(to_json({"response": [0]}))


# --- Telegram: local dates, paid reactions, albums ----------------------------------------------------------------

def test_a_telegram_export_without_date_unixtime_is_read_in_local_time_with_a_warning():
    messages = [tg_message(1, None, date="2026-09-30T23:30:00"), tg_message(2, None, date="2026-10-01T09:00:00"),
                tg_message(3, T)]
    data = load_activity(to_json(tg_chat(messages)), "result.json")
    assert data.posts.height == 3
    warning = next(w for w in data.warnings if "date_unixtime" in w.message)
    assert warning.file == "result.json" and warning.record == "чат «Департамент финансов Томской области», " \
                                                                "сообщение id 1"
    assert "(2)" in warning.message and "местное время региона (Asia/Tomsk)" in warning.message
    assert "границ недель и кварталов могут сместиться" in warning.message
    modern = load_activity(to_json(tg_chat([tg_message(1, T)])), "result.json")
    assert not any("date_unixtime" in w.message for w in modern.warnings)


def test_paid_reactions_are_kept_apart_from_reactions():
    stars = {"type": "paid", "count": 50}
    photo_part = {"photo": "(File not included. Change data exporting settings to download.)"}
    messages = [tg_message(1, T, reactions=[{"type": "emoji", "count": 3, "emoji": "👍"}, stars]),
                tg_message(2, T + 600, text="Альбом", reactions=[stars], **photo_part),
                tg_message(3, T + 601, text="", reactions=[{"type": "custom_emoji", "count": 2,
                                                            "document_id": "5368324170671202286"}, stars],
                           **photo_part),
                tg_message(4, T + 1200, reactions=[{"type": "emoji", "count": 1, "emoji": "🔥"}]),
                tg_message(5, T + 1800)]
    data = load_activity(to_json(tg_chat(messages)), "result.json")
    posts = {r["post_id"]: r for r in data.posts.iter_rows(named=True)}
    assert set(posts) == {"1", "2", "4", "5"}
    assert [(posts[i]["reactions"], posts[i]["paid_reactions"]) for i in "1245"] == [
        (3, 50), (2, 100), (1, 0), (None, None)]
    warning = next(w for w in data.warnings if "Telegram Stars" in w.message)
    assert "150" in warning.message and "(2)" in warning.message


def test_paid_reactions_column_is_ignored_by_storage(sqlite_url):
    from storage.db import make_engine
    from storage.ingest import ingest_bytes
    engine = make_engine(sqlite_url)
    try:
        messages = [tg_message(1, T, reactions=[{"type": "paid", "count": 5}])]
        report = ingest_bytes(engine, to_json(tg_chat(messages)), "result.json", user="test")
        assert report["posts_added"] == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("parts, reason", [
    ([{"media_type": "video_file", "mime_type": "video/mp4"}] * 3, act.REJECT_ALBUM_VIDEO),
    ([{"photo": "photos/1.jpg"}] * 3, act.REJECT_ALBUM),
    ([{"photo": "photos/1.jpg"}, {"media_type": "video_file", "mime_type": "video/mp4"},
      {"photo": "photos/2.jpg"}], act.REJECT_ALBUM_MIXED),
])
def test_album_parts_are_named_by_what_they_are(parts, reason):
    messages = [tg_message(1 + i, T + (i > 0), text="Подпись" if i == 0 else "", **part)
                for i, part in enumerate(parts)]
    data = load_activity(to_json(tg_chat(messages)), "result.json")
    assert data.posts.height == 1 and data.rejected == {reason: 2}
    assert "видео альбома" in act.REJECT_ALBUM_VIDEO and "фото" not in act.REJECT_ALBUM_MIXED


# --- inspect: the pages a file names, when it was observed --------------------------------------------------------

def test_page_refs_and_observed_at():
    wall = load_activity(vk_wall([vk_post(1, T), vk_post(2, T + 7200, from_id=5)],
                                 groups=[{"id": 2002, "name": "Депфин", "screen_name": "depfin_tomsk"}]), "w.json")
    assert act.page_refs(wall) == [{"platform": "vk", "id": "-2002", "url": "https://vk.com/depfin_tomsk",
                                    "name": "Депфин"}]
    assert act.iso_utc(act.observed_at(wall)) == "2026-10-05T14:00:00Z"  # a member's post is the newest item
    silent = load_activity(to_json({"media_topics": [], "entities": {"groups": [{"uid": "7", "name": "ЦБО"}]}}),
                           "ok.json")
    assert act.page_refs(silent) == [{"platform": "ok", "id": "7", "url": "https://ok.ru/group/7", "name": "ЦБО"}]
    assert act.observed_at(silent) is None and act.iso_utc(None) is None
    channel = load_activity(to_json(tg_chat([tg_message(1, T), tg_service(2, T + 60, "pin_message",
                                                                          message_id=1)])), "result.json")
    assert act.page_refs(channel)[0] == {"platform": "telegram", "id": "3003", "url": None,
                                         "name": "Департамент финансов Томской области"}
    assert act.iso_utc(act.observed_at(channel)) == "2026-10-05T12:01:00Z"


def test_ok_group_members_count_is_read_as_the_pages_subscribers():
    """Issue 15 п.7: OK exports' subscriber counts (entities.groups[].members_count) reach C1/C2."""
    import json as _json

    from storage.ingest import load_activity
    topic = {"id": "1", "created_ms": 1767000000000, "owner_ref": "group:70000000000001",
             "author_ref": "group:70000000000001", "media": [{"type": "text", "text": "Привет"}]}
    export = {"media_topics": [topic], "entities": {"groups": [{"uid": "70000000000001", "name": "ОГКУ",
                                                                 "members_count": 321}]}}
    data = load_activity(_json.dumps(export).encode(), "ok.json")
    assert data.snapshots.select("ref", "subscribers").rows() == [("70000000000001", 321)]
    export["entities"]["groups"][0]["members_count"] = "много"
    data = load_activity(_json.dumps(export).encode(), "ok.json")
    assert data.snapshots.height == 0 and "members_count" in str(data.warnings[0])
