"""Activity loaders on the genuine VK sample and on shapes built to formats.md (no database)."""
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from loaders.errors import LoadError
from storage.ingest import inspect_bytes, load_activity
from tests.factories import tg_chat, tg_message, tg_service, to_json, unix, vk_post, vk_wall

SAMPLE = Path(__file__).resolve().parent / "samples" / "vk" / "wall_get_foodsharing_2020.json"  # copy of shared/samples
TOMSK = ZoneInfo("Asia/Tomsk")


def test_genuine_vk_sample_counts_only_the_communitys_post():
    report = inspect_bytes(SAMPLE.read_bytes(), SAMPLE.name)
    assert report["format"] == "vk_wall"
    assert (report["pages"], report["posts"], report["rejected"]) == (1, 1, 9)
    assert report["rejected_reasons"] == {"записи участников (не от имени страницы)": 9}
    assert report["first_post_at"] == report["last_post_at"] == "2020-06-18T19:50:21Z"  # unix 1592509821
    post = load_activity(SAMPLE.read_bytes(), SAMPLE.name).posts.row(0, named=True)
    assert post["post_id"] == "519471" and post["is_pinned"] and post["content_type"] == "photo"
    assert post["views"] is not None and post["likes"] is not None


def test_vk_envelope_extended_groups_exclusions_and_live_detection():
    t = unix(2026, 10, 5)
    items = [
        vk_post(1, t, is_pinned=1),
        vk_post(2, t + 60, marked_as_ads=1),
        vk_post(3, t + 120, post_type="postpone"),
        vk_post(4, t + 180, post_type="suggest"),
        vk_post(5, t + 240, copy_history=[{"id": 9, "owner_id": -1, "from_id": 0, "date": 0}]),
        vk_post(6, t + 300, attachments=[{"type": "video", "video": {"id": 1, "type": "live", "title": "Эфир"}}]),
        vk_post(7, t + 360, attachments=[{"type": "video", "video": {"id": 2, "live_status": "finished"}}]),
        vk_post(8, t + 420, attachments=[{"type": "video", "video": {"id": 3, "live": 1,
                                                                      "live_start_time": t + 3600}}]),
        vk_post(9, t + 480, attachments=[{"type": "video", "video": {"id": 4, "type": "video"}}]),
        vk_post(10, t + 540, from_id=777),
    ]
    del items[0]["views"]
    data = load_activity(vk_wall(items, envelope=True, groups=[{"id": 2002, "name": "Депфин",
                                                                 "screen_name": "depfin_tomsk"}]), "wall.json")
    assert data.posts["post_id"].to_list() == ["1", "5", "6", "7", "8", "9"]
    assert data.rejected == {"рекламные записи": 1, "отложенные и предложенные записи": 2,
                             "записи участников (не от имени страницы)": 1}
    posts = {r["post_id"]: r for r in data.posts.iter_rows(named=True)}
    assert posts["1"]["views"] is None and posts["1"]["is_pinned"]  # missing views stays null, not 0
    assert posts["5"]["is_repost"] and posts["5"]["content_type"] == "repost"
    assert [posts[i]["is_live"] for i in "6789"] == [True, True, True, False]
    assert data.streams["stream_id"].to_list() == ["6", "7", "8"]
    assert data.streams.filter(data.streams["stream_id"] == "8")["started_at"].item() == datetime.fromtimestamp(
        t + 3600, timezone.utc)
    assert data.pages.row(0, named=True) | {} == {"ref": "-2002", "platform": "vk", "platform_id": "-2002",
                                                  "page_key": "depfin_tomsk", "title": "Депфин",
                                                  "url": "https://vk.com/depfin_tomsk"}


def test_vk_comments_threads_and_page_replies():
    t = unix(2026, 10, 6)
    thread = {"count": 1, "items": [{"id": 11, "from_id": -2002, "date": t + 600, "post_id": 1, "owner_id": -2002,
                                     "parents_stack": [10], "reply_to_comment": 10, "text": "[id5|Анна], ответили"}]}
    response = {"count": 3, "items": [
        {"id": 10, "from_id": 5, "date": t, "post_id": 1, "owner_id": -2002, "parents_stack": [], "thread": thread},
        {"id": 12, "from_id": 6, "date": t + 60, "post_id": 1, "owner_id": -2002, "parents_stack": []},
        {"id": 13, "deleted": True, "from_id": 0, "date": t, "post_id": 1, "owner_id": -2002}]}
    data = load_activity(to_json([{"response": response}]), "comments.json")
    assert data.format == "vk_comments"
    rows = {r["comment_id"]: r for r in data.comments.iter_rows(named=True)}
    assert set(rows) == {"10", "11", "12"} and data.page_replies == 1
    assert rows["11"]["author_is_page"] and rows["11"]["parent_comment_id"] == "10"
    assert data.rejected == {"удалённые комментарии": 1}
    assert data.coverage["comments"].to_list() == [True] and data.coverage["posts"].to_list() == [False]


@pytest.mark.parametrize("shape", ["bare", "groups"])
def test_vk_groups_get_by_id_gives_a_snapshot(shape):
    groups = [{"id": 2002, "name": "Депфин", "screen_name": "depfin_tomsk", "members_count": 5300, "has_photo": 1,
               "cover": {"enabled": 0}, "description": "Официальная страница", "site": "https://depfin.tomsk.gov.ru",
               "is_government_organization": True}]
    payload = {"response": groups} if shape == "bare" else {"response": {"groups": groups, "profiles": []}}
    data = load_activity(to_json(payload), "groups.json")
    snapshot = data.snapshots.row(0, named=True)
    assert data.format == "vk_groups" and snapshot["subscribers"] == 5300
    assert (snapshot["avatar"], snapshot["cover"], snapshot["description"], snapshot["contacts"],
            snapshot["status_mark"]) == (True, False, True, True, True)
    assert snapshot["comments_enabled"] is None  # not in groups.getById: unknown, not «нет»


def test_telegram_channel_albums_service_calls_and_local_dates():
    t = unix(2026, 10, 5, 3)
    photo = {"photo": "(File not included. Change data exporting settings to download.)"}
    messages = [
        tg_service(1, t - 100, "create_channel"),
        tg_message(2, t, text=["Смотрите ", {"type": "bold", "text": "фото"}], reactions=[
            {"type": "emoji", "count": 3, "emoji": "👍"}, {"type": "emoji", "count": 2, "emoji": "🔥"}], **photo),
        tg_message(3, t + 1, text="", **photo),
        tg_message(4, t + 1, text="", reactions=[{"type": "emoji", "count": 1, "emoji": "👍"}], **photo),
        tg_service(5, t + 3600, "group_call"),
        tg_service(6, t + 7200, "group_call", duration=3600),
        tg_service(7, t + 9000, "pin_message", message_id=2),
        {"id": 8, "type": "unsupported"},
        tg_message(9, None, date="2026-10-05T15:30:00"),  # an old export: local time of the exporting PC only
        tg_message(10, t + 20000, forwarded_from="Администрация Томской области"),
        tg_service(11, t + 30000, "group_call", duration=900),  # the start was cut by the export window
        tg_service(12, t + 40000, "group_call"),  # started, not ended in the window
    ]
    data = load_activity(to_json(tg_chat(messages)), "result.json")
    assert (data.format, data.chat_type) == ("telegram", "public_channel")
    posts = {r["post_id"]: r for r in data.posts.iter_rows(named=True)}
    assert set(posts) == {"2", "9", "10"}  # the album of three is one post; service messages are not posts
    assert posts["2"]["text"] == "Смотрите фото" and posts["2"]["reactions"] == 6 and posts["2"]["is_pinned"]
    assert posts["2"]["views"] is None  # not exported by Telegram Desktop
    assert posts["9"]["published_at"] == datetime(2026, 10, 5, 15, 30, tzinfo=TOMSK)
    assert posts["10"]["is_repost"]
    assert data.rejected == {"служебные сообщения Telegram": 2, "сообщения, которые Telegram не выгрузил (unsupported)": 1,
                             "фото альбома, объединённые с публикацией": 2}
    streams = {r["stream_id"]: r for r in data.streams.iter_rows(named=True)}
    assert set(streams) == {"5", "11", "12"}
    assert streams["5"]["duration_s"] == 3600 and streams["11"]["started_at"] == datetime.fromtimestamp(
        t + 30000 - 900, timezone.utc)
    assert streams["12"]["duration_s"] is None


def test_telegram_discussion_group_gives_comments_and_the_channels_replies():
    t = unix(2026, 10, 5)
    messages = [
        tg_message(1, t, from_id="channel3003", forwarded_from="Департамент финансов"),  # mirrored post
        tg_message(2, t + 60, from_id="user5", reply_to_message_id=1),
        tg_message(3, t + 3600, from_id="channel3003", reply_to_message_id=2),
        tg_message(4, t + 120, from_id="user6", reply_to_message_id=2),
        tg_message(5, t + 200, from_id="user7"),
    ]
    data = load_activity(to_json(tg_chat(messages, "public_supergroup", chat_id=9009, name="Обсуждение")), "r.json")
    assert data.pages["ref"].to_list() == ["3003"]
    rows = {r["comment_id"]: r for r in data.comments.iter_rows(named=True)}
    assert set(rows) == {"2", "3", "4"} and data.page_replies == 1
    assert rows["3"]["author_is_page"] and rows["3"]["parent_comment_id"] == "2" and rows["3"]["post_id"] == "1"
    assert rows["2"]["parent_comment_id"] is None


@pytest.mark.parametrize("chat_type, expected", [("personal_chat", "личная переписка"),
                                                 ("public_supergroup", "не группа обсуждения канала"),
                                                 ("bot_chat", "переписка с ботом")])
def test_telegram_refuses_chats_that_are_not_a_channel(chat_type, expected):
    messages = [tg_message(1, unix(2026, 10, 5), from_id="user5")]
    with pytest.raises(LoadError) as error:
        load_activity(to_json(tg_chat(messages, chat_type)), "result.json")
    assert expected in str(error.value) and "экспорт канала" in str(error.value)


def test_telegram_full_account_export_keeps_channels_and_skips_personal_chats():
    t = unix(2026, 10, 5)
    payload = {"about": "Export", "personal_information": {}, "chats": {"about": "", "list": [
        tg_chat([tg_message(1, t, from_id="user5")], "personal_chat", chat_id=5, name="Анна"),
        tg_chat([tg_message(1, t), tg_message(2, t + 3600)]),
    ]}}
    data = load_activity(to_json(payload), "result.json")
    assert data.posts.height == 2 and data.pages["ref"].to_list() == ["3003"]
    assert "личная переписка — 1" in str(data.warnings[0])


def test_ok_media_topics():
    t = unix(2026, 10, 5) * 1000
    topics = [
        {"id": "100", "created_ms": t, "media": [{"type": "text", "text": "Привет"}, {"type": "photo"}],
         "like_summary": {"count": 5}, "reshare_summary": {"count": 1}, "discussion_summary": {"comments_count": 2},
         "views_count": 120, "author_ref": "group:70000000000001", "owner_ref": "group:70000000000001"},
        {"id": "101", "created_ms": t + 1000, "media": [{"type": "text", "text": "Без просмотров"}],
         "like_summary": {"count": 1}, "owner_ref": "group:70000000000001", "author_ref": "group:70000000000001"},
        {"id": "102", "created_ms": t + 2000, "media": [], "owner_ref": "group:70000000000001",
         "author_ref": "user:55"},
        {"id": "103", "created_ms": t + 3000, "media": [{"type": "movie", "live_stream": {
            "start_time": t + 3000, "end_time": t + 3000 + 1_800_000}}],
         "owner_ref": "group:70000000000001", "author_ref": "group:70000000000001"},
    ]
    data = load_activity(to_json({"media_topics": topics, "entities": {"groups": [
        {"uid": "70000000000001", "name": "ЦБО"}]}}), "ok.json")
    posts = {r["post_id"]: r for r in data.posts.iter_rows(named=True)}
    assert set(posts) == {"100", "101", "103"} and data.rejected == {"записи участников (не от имени страницы)": 1}
    assert posts["100"]["views"] == 120 and posts["101"]["views"] is None and posts["100"]["comments"] == 2
    assert data.streams.row(0, named=True)["duration_s"] == 1800
    assert data.pages.row(0, named=True)["page_key"] == "group/70000000000001"


@pytest.mark.parametrize("content, expected", [
    (b'{"count": 2, "items": [{"id": 1, "owner_id": -1, "from_id": -1, "date": 15', "JSON обрезан или повреждён"),
    (to_json({"count": 1, "items": [vk_post(5, "вчера")]}), "запись 1 (id 5), поле «date»: ожидается целое число"),
    (to_json({"count": 1, "items": [vk_post(5, unix(2030, 1, 1))]}), "ещё не наступила"),
    (to_json({"count": 1, "items": [vk_post(5, unix(2026, 1, 1), likes={"count": -3})]}), "отрицательный"),
    (to_json({"hello": "world"}), "формат JSON не распознан"),
    (to_json({"error": {"error_code": 15, "error_msg": "Access denied"}}), "ошибкой 15 (доступ запрещён)"),
    (b"\x00\x01binary", "формат файла не распознан"),
])
def test_malformed_inputs_get_russian_located_messages(content, expected):
    with pytest.raises(LoadError) as error:
        inspect_bytes(content, "выгрузка.json")
    assert expected in str(error.value) and "выгрузка.json" in str(error.value)
    assert "принимаются" in str(error.value) or "формат" not in expected


def test_unknown_file_lists_accepted_formats():
    with pytest.raises(LoadError) as error:
        inspect_bytes(to_json([1, 2, 3]), "x.json")
    message = str(error.value)
    for name in ("wall.get", "result.json", "mediatopic", "шаблон активности"):
        assert name in message


def test_vk_typed_fast_path_and_generic_path_give_identical_frames():
    """The typed decoder (loaders.vk_typed) and the generic JSON path apply one set of rules: same frames."""
    from loaders import vk, vk_typed
    from loaders.detect import parse_json
    from benchmark.exports import vk_wall as synthetic_wall

    t = unix(2026, 10, 5)
    handmade = vk_wall([vk_post(1, t, is_pinned=1, views=55), vk_post(2, t + 60, marked_as_ads=1),
                        vk_post(3, t + 90, from_id=5),
                        vk_post(4, t + 120, copy_history=[{"id": 9}], attachments=[
                            {"type": "photo", "photo": {"sizes": [{"url": "x"}]}},
                            {"type": "video", "video": {"id": 3, "live": 1, "live_start_time": t + 3600,
                                                        "duration": 900, "title": "Эфир"}}]),
                        # texts: emoji and an escaped line break, none, not a string; a stream titled by its text
                        vk_post(5, t + 150, text="😊 Ура!\nЖдём 👍"), vk_post(6, t + 180, text=None),
                        vk_post(7, t + 210, text=12), vk_post(8, t + 240, text="Прямой эфир о дорогах", attachments=[
                            {"type": "video", "video": {"id": 4, "live": 1}}])], envelope=True)
    now = datetime.now(timezone.utc)
    for content in (handmade, synthetic_wall(500, pages=3)):
        typed = vk_typed.decode_wall(content)
        assert typed is not None and type(typed["items"][0]) is vk_typed.TypedPost  # the fast path is taken
        fast = vk.load_wall(typed, "w.json", now)
        payload = parse_json(content, "w.json")
        slow = vk.load_wall(payload.get("response", payload), "w.json", now)
        for name in ("pages", "posts", "streams", "coverage"):
            assert getattr(fast, name).equals(getattr(slow, name)), name
        assert fast.rejected == slow.rejected
        if content is handmade:
            assert fast.posts["text"].to_list()[-4:] == ["😊 Ура!\nЖдём 👍", None, None, "Прямой эфир о дорогах"]
            assert fast.streams["title"].to_list() == ["Эфир", "Прямой эфир о дорогах"]


@pytest.mark.parametrize("items, typed", [
    ([vk_post("7", unix(2026, 1, 1))], False),  # id as a digit string: the typed path declines, the generic accepts
    ([{"id": 7, "to_id": -2002, "from_id": -2002, "date": unix(2026, 1, 1)}], True),  # API < 5.7: read by both
])
def test_vk_walls_with_loose_or_old_fields_still_load(items, typed):
    from loaders import vk_typed
    content = to_json({"count": 1, "items": items})
    assert (vk_typed.decode_wall(content) is not None) is typed
    data = load_activity(content, "wall.json")
    assert data.posts["post_id"].to_list() == ["7"] and data.posts["ref"].to_list() == ["-2002"]


def test_typed_path_leaves_comment_files_to_the_generic_router():
    from loaders import vk_typed
    content = to_json({"count": 1, "items": [{"id": 1, "from_id": 5, "date": unix(2026, 1, 1), "post_id": 3,
                                              "owner_id": -2002, "parents_stack": []}]})
    assert vk_typed.decode_wall(content) is None
    assert load_activity(content, "c.json").format == "vk_comments"
