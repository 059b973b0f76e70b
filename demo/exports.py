"""Writers of the demo's files in the real export formats (formats.md §1-3, §9-11)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import msgspec

from core.domain import KIND_LABELS, PLATFORM_LABELS
from core.schemas import CHECKLIST_FLAGS
from demo.activity import LOCAL_OFFSET, PageActivity
from demo.world import Page
from reports.excel import Workbook
from reports.registry_template import registry_workbook

FILE_TIME = datetime(2026, 11, 23, 9, 0)  # fixed document timestamp: the demo files are reproducible
TEMPLATE_TYPES = {"photo": "фото", "video": "видео", "text": "текст", "repost": "репост", "poll": "опрос",
                  "link": "текст", "live": "прямой эфир"}


def _indented(document) -> bytes:
    """`json.dumps(document, ensure_ascii=False, indent=1)` as UTF-8, byte for byte (Telegram Desktop's layout):
    msgspec gives the same bytes several times faster than json's pure-Python indenting encoder."""
    return msgspec.json.format(msgspec.json.encode(document), indent=1)


def _once(activity: PageActivity, name: str, build):
    """A page's whole history, built once and sliced by each quarter's export (it spans the simulation)."""
    cache = activity.__dict__.setdefault("_histories", {})
    if name not in cache:
        cache[name] = build(activity)
    return cache[name]


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("да" if value else "нет")


# --- registry (formats.md §10) and the «Госпаблики» export (§9) ---

def registry_xlsx(pages: list[Page]) -> bytes:
    rows = []
    for page in pages:
        c, owner = page.checklist, page.owner
        platform_id = None
        if page.id_in_registry:
            platform_id = str(page.numeric_id)
        rows.append([owner.name, KIND_LABELS[owner.kind], owner.parent, owner.ogrn, PLATFORM_LABELS[page.platform],
                     page.url, platform_id, page.registered_on,
                     *[_yes_no(c.get(k)) for k in CHECKLIST_FLAGS],  # the template's yes/no columns
                     c.get("pos_widgets"), page.subscribers, None])
    return registry_workbook(rows, created=FILE_TIME)


GOSPUBLIKI_HEADERS = ["Уровень", "Учредитель", "Наименование подведомственной организации", "ОГРН", "Сфера 1",
                      "Сфера 2", "Сфера 3", "Статус", "Официальная страница не ведется на основании",
                      "ID госпаблика / ID канала", "Ссылка на госпаблик ВК", "Адрес, указанный в настройках страницы",
                      "Подключение к компоненту «Госпаблики» (да/нет)", "Госметка (да/нет)", "Оформление (%)",
                      "Виджеты (0/1/2)", "Активность (%)", "Количество подписчиков",
                      "Общий охват аудитории за неделю", "Средний охват одной публикации"]


def gospubliki_csv(pages: list[Page], quarters_since_start: int) -> bytes:
    """A quarter-end monitoring export of VK pages (cp1251, `;`), as ЦУР downloads it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(GOSPUBLIKI_HEADERS)
    for page in pages:
        owner = page.owner
        if page.platform != "vk" or owner.kind == "head":
            continue
        level = {"governor": "Регион", "administration": "Регион", "executive_body": "Министерство",
                 "institution": "Ведомство"}[owner.kind]
        subscribers = int(page.subscribers * (1 + page.growth) ** quarters_since_start)
        design = sum(1 for k in ("avatar", "cover", "description", "contacts", "moderation_rules", "unified_style")
                     if page.checklist.get(k)) / 6 * 100
        writer.writerow([level, owner.parent or "", owner.name, owner.ogrn or "", "", "", "", "Активна", "",
                         f"-{page.numeric_id}", page.url, "г. Томск", _yes_no(page.checklist.get("gospubliki")),
                         _yes_no(page.checklist.get("status_mark")), f"{design:.0f}%",
                         page.checklist.get("pos_widgets") or 0, "", subscribers, subscribers // 3, subscribers // 8])
    return out.getvalue().encode("cp1251", errors="replace")


# --- VK (formats.md §1) ---

def _vk_attachments(post, owner_id: int, rng_seed: int) -> list[dict]:
    if post.is_live:
        return [{"type": "video", "video": {"id": post.post_id, "owner_id": owner_id, "title": post.text,
                                            "type": "live", "live_status": "finished", "duration": 3600,
                                            "date": _unix(post.published_at), "views": post.views or 0}}]
    if post.content_type == "photo":
        return [{"type": "photo", "photo": {"id": rng_seed, "owner_id": owner_id, "album_id": -7,
                                            "date": _unix(post.published_at),
                                            "sizes": [{"type": "x", "url": "https://sun9-1.userapi.com/x.jpg",
                                                       "width": 604, "height": 403}]}}]
    if post.content_type == "video":
        return [{"type": "video", "video": {"id": rng_seed, "owner_id": owner_id, "title": "Видео",
                                            "type": "video", "duration": 95, "date": _unix(post.published_at)}}]
    if post.content_type == "poll":
        return [{"type": "poll", "poll": {"id": rng_seed, "owner_id": owner_id, "question": post.text,
                                          "answers": [{"id": 1, "text": "Да", "votes": 3}], "votes": 3}}]
    if post.content_type == "link":
        return [{"type": "link", "link": {"url": "https://tomsk.gov.ru/news", "title": "Новости"}}]
    return []


def vk_wall_get(activity: PageActivity, start: datetime, end: datetime, envelope: bool) -> bytes:
    page = activity.page
    owner_id = -page.numeric_id
    items = []
    posts = [p for p in activity.posts if start <= p.published_at < end]
    streams = [s for s in activity.streams if start <= s.started_at < end]
    for stream in streams:
        from demo.activity import Post
        live = Post(stream.stream_id, stream.started_at, "video", stream.title, 300, 12, 1, 0, is_live=True)
        posts.append(live)
    for post in posts:
        item = {"inner_type": "wall_wallpost", "id": post.post_id, "owner_id": owner_id, "from_id": owner_id,
                "date": _unix(post.published_at), "post_type": "post", "type": "post", "text": post.text,
                "attachments": _vk_attachments(post, owner_id, post.post_id * 7),
                "comments": {"can_post": 1, "count": len(post.comments) * 2, "groups_can_post": True},
                "likes": {"can_like": 1, "count": post.likes, "user_likes": 0, "can_publish": 1},
                "reposts": {"count": post.reposts, "user_reposted": 0},
                "views": {"count": post.views}, "post_source": {"type": "vk"}, "marked_as_ads": 0,
                "is_favorite": False}
        if post.content_type == "repost":
            item["copy_history"] = [{"id": post.post_id + 1, "owner_id": -1, "from_id": -1, "date":
                                     _unix(post.published_at) - 3600, "post_type": "post", "text": "Оригинал"}]
            item["attachments"] = []
        if post.is_pinned:
            item["is_pinned"] = 1
        items.append(item)
    for member in activity.member_posts:
        if start <= member.published_at < end:
            items.append({"id": member.post_id, "owner_id": owner_id, "from_id": 123456, "date":
                          _unix(member.published_at), "post_type": "post", "text": member.text,
                          "comments": {"count": 0}, "likes": {"count": 1}, "reposts": {"count": 0}})
    # wall.get returns newest first, the pinned post on top
    items.sort(key=lambda i: (i.get("is_pinned", 0), i["date"]), reverse=True)
    body = {"count": len(items) + 40, "items": items,
            "groups": [{"id": page.numeric_id, "name": page.owner.name, "screen_name": page.key,
                        "is_closed": 0, "type": "page"}], "profiles": []}
    return json.dumps({"response": body} if envelope else body, ensure_ascii=False).encode()


def vk_comments(activity: PageActivity, start: datetime, end: datetime) -> bytes | None:
    """A list of wall.getComments responses (thread_items_count=10), one per post with comments."""
    owner_id = -activity.page.numeric_id
    responses = []
    for post in activity.posts:
        if not (start <= post.published_at < end) or not post.comments:
            continue
        items = []
        for c in post.comments:
            thread_items = []
            if c.reply_id:
                thread_items.append({"id": c.reply_id, "from_id": owner_id, "post_id": post.post_id,
                                     "owner_id": owner_id, "parents_stack": [c.comment_id], "date": _unix(c.reply_at),
                                     "text": f"[id{c.author_id}|Уважаемый житель], ответили вам в личных сообщениях.",
                                     "reply_to_user": c.author_id, "reply_to_comment": c.comment_id})
            items.append({"id": c.comment_id, "from_id": c.author_id, "post_id": post.post_id, "owner_id": owner_id,
                          "parents_stack": [], "date": _unix(c.created_at), "text": c.text,
                          "thread": {"count": len(thread_items), "items": thread_items, "can_post": True,
                                     "groups_can_post": True}})
        responses.append({"response": {"count": len(items), "items": items, "current_level_count": len(items),
                                       "can_post": True, "show_reply_button": True, "groups_can_post": True}})
    return json.dumps(responses, ensure_ascii=False).encode() if responses else None


# --- Telegram Desktop (formats.md §2.1) ---

def _tg_date(moment: datetime) -> tuple[str, str]:
    local = (moment + LOCAL_OFFSET).replace(tzinfo=None)  # the exporting PC is in Tomsk
    return local.isoformat(timespec="seconds"), str(_unix(moment))


def _channel_history(activity: PageActivity) -> list[tuple[datetime, dict]]:
    """Every message of the channel over the whole simulation, ids in time order and never restarting (as
    Telegram numbers a chat's messages); each quarter's export is a slice of it."""
    page = activity.page
    events = [(post.published_at, "post", post) for post in activity.posts]
    for stream in activity.streams:
        events.append((stream.started_at, "call_start", stream))
        events.append((stream.started_at + timedelta(seconds=stream.duration_s), "call_end", stream))
    events.sort(key=lambda e: e[0])
    history: list[tuple[datetime, dict]] = []
    message_id = min((p.post_id for p in activity.posts), default=1)
    for moment, kind, obj in events:
        date_text, unix = _tg_date(moment)
        base = {"id": message_id, "date": date_text, "date_unixtime": unix}
        if kind == "post":
            text_entities = [{"type": "plain", "text": obj.text}]
            message = {**base, "type": "message", "from": page.owner.name, "from_id": f"channel{page.numeric_id}",
                       "text": obj.text, "text_entities": text_entities}
            if obj.reactions:
                message["reactions"] = [{"type": "emoji", "count": obj.reactions, "emoji": "👍"}]
            if obj.content_type == "repost":
                message["forwarded_from"] = "Администрация Томской области"
            if obj.content_type in ("photo", "video"):
                message["photo"] = "(File not included. Change data exporting settings to download.)"
                message["width"], message["height"] = 1280, 853
                if obj.content_type == "photo" and obj.post_id % 5 == 0:  # an album: 3 messages, one with text
                    history.append((moment, message))
                    for extra in range(2):
                        message_id += 1
                        history.append((moment, {"id": message_id, "type": "message", "date": date_text,
                                                 "date_unixtime": unix, "from": page.owner.name,
                                                 "from_id": f"channel{page.numeric_id}", "photo": message["photo"],
                                                 "width": 1280, "height": 853, "text": "", "text_entities": []}))
                    message_id += 1
                    continue
        else:
            message = {**base, "type": "service", "actor": page.owner.name, "actor_id": f"channel{page.numeric_id}",
                       "action": "group_call", "text": "", "text_entities": []}
            if kind == "call_end":
                message["duration"] = obj.duration_s
        history.append((moment, message))
        message_id += 1
    return history


def telegram_channel(activity: PageActivity, start: datetime, end: datetime) -> bytes:
    page = activity.page
    messages = [message for moment, message in _once(activity, "channel", _channel_history) if start <= moment < end]
    export = {"name": page.owner.name, "type": "public_channel", "id": page.numeric_id, "messages": messages}
    return _indented(export)


def _discussion_history(activity: PageActivity) -> list[tuple[datetime, dict]]:
    """Every message of the channel's discussion group over the whole simulation — mirrored posts, users'
    comments, the channel's replies — numbered in time order without restarting (real Telegram ids never
    restart within a chat), each with the moment of the post whose thread it belongs to."""
    page = activity.page
    entries: list[tuple[datetime, int, datetime, dict, int | None]] = []  # moment, order, thread, message, reply to
    for post in activity.posts:
        if not post.comments:
            continue
        root = len(entries)
        date_text, unix = _tg_date(post.published_at + timedelta(seconds=2))
        entries.append((post.published_at + timedelta(seconds=2), root, post.published_at,
                        {"type": "message", "date": date_text, "date_unixtime": unix, "from": page.owner.name,
                         "from_id": f"channel{page.numeric_id}", "forwarded_from": page.owner.name,
                         "text": post.text, "text_entities": [{"type": "plain", "text": post.text}]}, None))
        for c in post.comments:
            date_text, unix = _tg_date(c.created_at)
            comment = len(entries)
            entries.append((c.created_at, comment, post.published_at,
                            {"type": "message", "date": date_text, "date_unixtime": unix, "from": "Житель",
                             "from_id": f"user{c.author_id}", "text": c.text,
                             "text_entities": [{"type": "plain", "text": c.text}]}, root))
            if c.reply_id:
                date_text, unix = _tg_date(c.reply_at)
                text = "Спасибо за вопрос! Ответили в личных."
                entries.append((c.reply_at, len(entries), post.published_at,
                                {"type": "message", "date": date_text, "date_unixtime": unix, "from": page.owner.name,
                                 "from_id": f"channel{page.numeric_id}", "text": text,
                                 "text_entities": [{"type": "plain", "text": text}]}, comment))
    ids = {}
    for number, (_, order, _, _, _) in enumerate(sorted(entries, key=lambda e: (e[0], e[1])), start=1):
        ids[order] = number
    history = []
    for moment, order, thread, message, reply_to in entries:
        message = {"id": ids[order], **message}
        if reply_to is not None:
            message["reply_to_message_id"] = ids[reply_to]
        history.append((thread, message))
    return history


def telegram_discussion(activity: PageActivity, start: datetime, end: datetime) -> bytes | None:
    """Export of the channel's linked discussion group for the threads of the quarter's posts."""
    page = activity.page
    messages = [message for thread, message in _once(activity, "discussion", _discussion_history)
                if start <= thread < end]
    if not messages:
        return None
    messages.sort(key=lambda m: m["id"])
    export = {"name": f"{page.owner.name} — обсуждение", "type": "public_supergroup",
              "id": page.numeric_id + 500_000_000, "messages": messages}
    return _indented(export)


# --- OK (formats.md §3) ---

def ok_mediatopics(activity: PageActivity, start: datetime, end: datetime) -> bytes:
    page = activity.page
    topics = []
    for post in activity.posts:
        if not (start <= post.published_at < end):
            continue
        media = [{"type": "text", "text": post.text}]
        if post.content_type == "photo":
            media.append({"type": "photo", "photo_refs": [f"group_photo:{post.post_id}"]})
        topic = {"id": str(post.post_id), "created_ms": _unix(post.published_at) * 1000, "media": media,
                 "discussion_summary": {"comments_count": len(post.comments)},
                 "like_summary": {"count": post.likes, "self": False},
                 "reshare_summary": {"count": post.reposts, "self": False},
                 "author_ref": f"group:{page.numeric_id}", "owner_ref": f"group:{page.numeric_id}"}
        if post.post_id % 4:
            topic["views_count"] = post.views
        topics.append(topic)
    for stream in activity.streams:
        if start <= stream.started_at < end:
            topics.append({"id": str(stream.stream_id), "created_ms": _unix(stream.started_at) * 1000,
                           "media": [{"type": "text", "text": stream.title},
                                     {"type": "movie", "movie_refs": [f"movie:{stream.stream_id}"],
                                      "live_stream": {"start_time": _unix(stream.started_at) * 1000,
                                                      "end_time": (_unix(stream.started_at) + stream.duration_s)
                                                      * 1000}}],
                           "like_summary": {"count": 5}, "reshare_summary": {"count": 0},
                           "discussion_summary": {"comments_count": 0},
                           "author_ref": f"group:{page.numeric_id}", "owner_ref": f"group:{page.numeric_id}"})
    body = {"media_topics": topics,
            "entities": {"groups": [{"uid": str(page.numeric_id), "name": page.owner.name,
                                     "members_count": page.subscribers}]}}
    return json.dumps(body, ensure_ascii=False).encode()


# --- the product's activity template (formats.md §11) ---

PUBLICATION_HEADERS = ["Ссылка на страницу", "Ссылка на публикацию", "Дата и время", "Тип", "Просмотры", "Реакции",
                       "Комментарии", "Репосты"]
STREAM_HEADERS = ["Ссылка на страницу", "Дата и время", "Длительность, мин", "Ссылка на запись"]
COMMENT_HEADERS = ["Ссылка на публикацию", "Дата комментария", "Автор — страница (да/нет)", "Ответ на (id комментария)",
                   "ID комментария"]


def post_url(page: Page, post_id: int) -> str:
    if page.platform == "vk":
        return f"https://vk.com/wall-{page.numeric_id}_{post_id}"
    if page.platform == "ok":
        return f"https://ok.ru/group/{page.numeric_id}/topic/{post_id}"
    return f"https://t.me/{page.key}/{post_id}"


def _local(moment: datetime) -> datetime:
    return (moment + LOCAL_OFFSET).replace(tzinfo=None)


def template_rows(activities: list[PageActivity], start: datetime, end: datetime) -> tuple[list, list, list]:
    publications, streams, comments = [], [], []
    for activity in activities:
        page = activity.page
        for post in activity.posts:
            if not (start <= post.published_at < end):
                continue
            views = post.views if page.platform != "telegram" or post.post_id % 3 else None
            publications.append([page.url, post_url(page, post.post_id), _local(post.published_at),
                                 TEMPLATE_TYPES[post.content_type], views, post.likes, len(post.comments),
                                 post.reposts])
            for c in post.comments:
                comments.append([post_url(page, post.post_id), _local(c.created_at), "нет", None, str(c.comment_id)])
                if c.reply_id:
                    comments.append([post_url(page, post.post_id), _local(c.reply_at), "да", str(c.comment_id),
                                     str(c.reply_id)])
        for stream in activity.streams:
            if start <= stream.started_at < end:
                streams.append([page.url, _local(stream.started_at), stream.duration_s // 60,
                                post_url(page, stream.stream_id)])
    return publications, streams, comments


def template_xlsx(activities: list[PageActivity], start: datetime, end: datetime) -> bytes:
    return template_workbook(template_rows(activities, start, end))


def template_workbook(rows: tuple[list, list, list]) -> bytes:
    """The activity template workbook of `template_rows` (apart, so that another process can write it)."""
    publications, streams, comments = rows
    book = Workbook(created=FILE_TIME)
    book.table_sheet("Публикации", PUBLICATION_HEADERS, publications, [34, 44, 17, 14, 12, 12, 12, 12],
                     [None, None, book.datetime, None, None, None, None, None])
    book.table_sheet("Прямые эфиры", STREAM_HEADERS, streams, [34, 17, 14, 44],
                     [None, book.datetime, None, None])
    book.table_sheet("Комментарии", COMMENT_HEADERS, comments, [44, 17, 14, 16, 16],
                     [None, book.datetime, None, None, None])
    return book.close()


def template_csv(activities: list[PageActivity], start: datetime, end: datetime) -> bytes:
    publications, _, _ = template_rows(activities, start, end)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(PUBLICATION_HEADERS)
    for row in publications:
        writer.writerow([row[0], row[1], row[2].strftime("%d.%m.%Y %H:%M"), *["" if v is None else v for v in row[3:]]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def utc(year: int, month: int, day: int) -> datetime:
    """Local midnight of a day in Tomsk as a UTC instant."""
    return datetime(year, month, day, tzinfo=timezone.utc) - LOCAL_OFFSET
