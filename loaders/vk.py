"""VK API JSON (formats.md §1): `wall.get` (bare or `{"response": …}`, `extended=1`), `wall.getComments`
(one response or a list of them, replies inside `thread.items`) and `groups.getById` (both shapes).

Only the page's own posts are publications (`from_id == owner_id`); ads, postponed and suggested posts,
members' posts and deleted stubs are left out and counted in `rejected`.
"""
from __future__ import annotations

from datetime import datetime

import polars as pl

from core import limits
from loaders import activity as act
from loaders.activity import ActivityData, Collector
from loaders.urls import key_from_platform_id
from loaders.vk_typed import Counter, Record, TypedPost

LIVE_STATUSES = {"waiting", "started", "finished", "failed", "upcoming"}
PHOTO_TYPES = {"photo", "posted_photo", "photos_list", "album"}
VIDEO_TYPES = {"video", "clip", "video_playlist"}
LINK_TYPES = {"link", "article", "page", "note"}
# a wall.get item carries its author or its kind; photos.get and video.get items carry neither
WALL_MARKS = ("from_id", "post_type", "to_id")
PHOTO_MARKS = ("album_id", "sizes", "orig_photo", "pid", "aid", "src_big")
VIDEO_MARKS = ("player", "first_frame", "files", "vid", "adding_date")
GET_WALL = ("публикации страницы берутся из её стены: выгрузите wall.get (owner_id=-<id сообщества>, "
            "filter=owner, v=5.199)")
NOT_A_WALL = {
    "photo": "список фотографий ВКонтакте (ответ photos.get: у записей есть album_id и sizes, но нет from_id "
             "и post_type)",
    "video": "список видеозаписей ВКонтакте (ответ video.get: у записей есть player, duration, image, но нет "
             "from_id и post_type)",
}
LEGACY_COMMENTS = ("это ответ wall.getComments старой версии API (до 5.0: список, первым элементом — число "
                   "комментариев, поля cid и uid); в нём не указаны ни стена, ни запись, к которым относятся "
                   "комментарии, поэтому их нельзя сопоставить со страницей; выгрузите комментарии заново "
                   "методом wall.getComments с v=5.199 (owner_id, post_id, thread_items_count=10, preview_length=0)")
LEGACY_WALL_NOTE = ("выгрузка wall.get старой версии API (до 5.0: список, первым элементом — число записей) "
                    "прочитана: владелец стены — поле to_id, репост — copy_owner_id или post_type «copy»; "
                    "просмотров в таких выгрузках нет (показатели по просмотрам будут «нет данных»); "
                    "для полных данных выгрузите стену с v=5.199")


def item_shape(item: object) -> str:
    """`wall` for a wall.get item (or a deleted stub), `photo`/`video` for a photos.get/video.get item, `other`."""
    if not _is_object(item):
        return "other"
    if any(mark in item for mark in WALL_MARKS) or item.get("is_deleted") or item.get("deleted_reason"):
        return "wall"
    if any(mark in item for mark in PHOTO_MARKS):
        return "photo"
    if any(mark in item for mark in VIDEO_MARKS) or ("duration" in item and ("image" in item or "title" in item)):
        return "video"
    return "other"


def not_a_wall(items: list) -> str | None:
    """What a list of items is when it is photos or videos and not wall posts (a Russian phrase), else None."""
    shapes = {item_shape(i) for i in items if _is_object(i)}
    if not shapes or "wall" in shapes or not shapes & NOT_A_WALL.keys():
        return None
    kind = "photo" if "photo" in shapes else "video"
    return f"это {NOT_A_WALL[kind]}, а не стена сообщества; {GET_WALL}"


def single_object(payload: object) -> str | None:
    """A single VK video or photo object saved as the file (not a list, not a wall): a Russian phrase."""
    body = payload.get("response") if isinstance(payload, dict) and "response" in payload else payload
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, dict) or "items" in body or "id" not in body and "vid" not in body:
        return None
    shape = item_shape(body)
    if shape == "video":
        return ("это одна видеозапись ВКонтакте (объект video: player, duration, image), а не выгрузка стены; "
                + GET_WALL)
    if shape == "photo":
        return "это одна фотография ВКонтакте (объект photo: album_id, sizes), а не выгрузка стены; " + GET_WALL
    return None


def legacy_list(payload: object) -> tuple[list, dict] | None:
    """A pre-5.0 response: a list whose first element is the integer count, then the items
    (`{"response": [count, item, …]}`, bare, or `{"response": {"wall": [count, …], "groups", "profiles"}}`
    of extended=1). Returns (items, extras) or None."""
    extras: dict = {}
    body = payload.get("response") if isinstance(payload, dict) and "response" in payload else payload
    if isinstance(body, dict) and isinstance(body.get("wall"), list):
        extras = {"groups": body.get("groups"), "profiles": body.get("profiles")}
        body = body["wall"]
    if (isinstance(body, list) and body and type(body[0]) is int and body[0] >= 0
            and all(isinstance(i, dict) for i in body[1:])):
        return body[1:], extras
    return None


def legacy_kind(items: list) -> str:
    """What the items of a pre-5.0 count-first list are: `comments`, `wall`, `photo`, `video` or `other`."""
    sample = items[:20]
    if not sample:
        return "other"
    if all("cid" in i for i in sample):
        return "comments"
    shapes = {item_shape(i) for i in sample}
    if shapes == {"wall"} and all("date" in i and ("to_id" in i or "from_id" in i) for i in sample
                                  if not i.get("is_deleted")):
        return "wall"
    if len(shapes) == 1:
        return shapes.pop()
    return "other"


def _is_object(item: object) -> bool:
    """A JSON object: a dict, or a typed record of the fast path (loaders.vk_typed), which reads the same."""
    return type(item) is dict or isinstance(item, Record)


def _record(index: int, item: object) -> str:
    ident = item.get("id") if _is_object(item) else None
    return f"запись {index + 1}" + (f" (id {act.shown(ident, 30)})" if ident is not None else "")


def _int_field(out: Collector, item: dict, name: str, record: str, required: bool = True) -> int | None:
    value = item.get(name)
    if value is None:
        if required:
            out.error("нет обязательного поля", record=record, column=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and len(value) <= 20 and value.lstrip("-").isdigit():
            value = int(value)
        else:
            out.error(f"ожидается целое число, указано «{act.shown(value, 40)}»", record=record, column=name)
            return None
    if not limits.whole_in_range(value):
        out.error(f"число {act.shown(value)} не помещается в 64 бита", record=record, column=name)
        return None
    return value


def _text(value: object) -> str | None:
    """A text field as text: anything else (a number, a list, an object) is not a text the page wrote."""
    return value if isinstance(value, str) else None


def live_video(attachments: list) -> dict | None:
    """The live video of a post, by the recommended rule of formats.md §1.4."""
    for attachment in attachments:
        if not _is_object(attachment) or attachment.get("type") not in ("video", "clip"):
            continue
        video = attachment.get(attachment.get("type"))
        if not _is_object(video):
            continue
        if (video.get("type") == "live" or video.get("live") == 1 or video.get("upcoming") == 1
                or "live_status" in video or "live_start_time" in video):
            return video
    return None


def _content_type(attachments: list, is_repost: bool, is_live: bool) -> str:
    if is_live:
        return "live"
    if is_repost:
        return "repost"
    kinds = {a.get("type") for a in attachments if _is_object(a) and isinstance(a.get("type"), str)}
    if kinds & PHOTO_TYPES:
        return "photo"
    if kinds & VIDEO_TYPES:
        return "video"
    if "poll" in kinds:
        return "poll"
    if kinds & LINK_TYPES:
        return "link"
    return "text"


def _screen_name(value: object) -> str | None:
    return value.lower() or None if isinstance(value, str) else None


def _groups_pages(groups: object, profiles: object, where: str = "") -> dict[str, dict]:
    """The pages an extended response names (`groups`, `profiles`): screen name, title and the record naming it."""
    pages = {}
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        gid = group.get("id", group.get("gid")) if isinstance(group, dict) else None  # `gid` before API 5.0
        if isinstance(gid, int) and not isinstance(gid, bool) and limits.whole_in_range(gid):
            ref = str(-abs(gid))
            pages[ref] = {"page_key": _screen_name(group.get("screen_name")), "title": _text(group.get("name")),
                          "record": f"{where}groups[{index}]", "title_field": "name"}
    for index, profile in enumerate(profiles if isinstance(profiles, list) else []):
        if isinstance(profile, dict) and type(profile.get("id")) is int and limits.whole_in_range(profile["id"]):
            name = " ".join(_text(profile.get(k)) or "" for k in ("first_name", "last_name")).strip()
            pages[str(profile["id"])] = {"page_key": _screen_name(profile.get("screen_name")), "title": name or None,
                                         "record": f"{where}profiles[{index}]", "title_field": "first_name"}
    return pages


def _pages_frame(refs: set[str], known: dict[str, dict], out: Collector) -> pl.DataFrame:
    rows = {"ref": [], "platform": [], "platform_id": [], "page_key": [], "title": [], "url": []}
    records = []
    for ref in sorted(refs):
        info = known.get(ref, {})
        rows["ref"].append(ref)
        rows["platform"].append("vk")
        rows["platform_id"].append(ref)
        rows["page_key"].append(info.get("page_key"))
        rows["title"].append(info.get("title"))
        rows["url"].append(f"https://vk.com/{info.get('page_key') or key_from_platform_id('vk', ref)}")
        records.append(info.get("record") or "")
    pages = act.frame(rows, act.PAGE_SCHEMA, out, lambda i: {"record": records[i] or None},
                      {"page_key": "screen_name", "url": "screen_name", "title": "name", "platform_id": "id"})
    out.raise_if_errors()
    return pages


COUNTERS = ("views", "likes", "comments", "reposts", "reactions")


def _typed_fields(out: Collector, index: int, item: TypedPost) -> tuple | None:
    """What the rules of `load_wall` read from one post of the typed fast path (types checked by the decoder,
    the 64-bit range of the ids here)."""
    owner, author, low, high = item.owner_id, item.from_id, limits.INT64_MIN, limits.INT64_MAX
    if not (low <= item.id <= high and low <= item.date <= high and (owner is None or low <= owner <= high)
            and (author is None or low <= author <= high) and (item.to_id is None or low <= item.to_id <= high)):
        for name in ("id", "owner_id", "to_id", "from_id", "date"):  # the slow path names the field
            value = getattr(item, name)
            if value is not None and not limits.whole_in_range(value):
                out.error(f"число {act.shown(value)} не помещается в 64 бита", record=_record(index, item),
                          column=name)
                return None
    counters = tuple(value.count if type(value) is Counter else value
                     for value in (item.views, item.likes, item.comments, item.reposts, item.reactions))
    post_type = item.post_type or item.type
    return (item.id, item.owner_id if item.owner_id is not None else item.to_id, item.from_id, item.date,
            post_type, item.is_deleted or item.deleted_reason, item.postponed_id, item.marked_as_ads,
            item.attachments or [], bool(item.copy_history) or post_type == "copy" or item.copy_owner_id is not None,
            item.is_pinned, item.text, counters)


def _dict_fields(out: Collector, index: int, item: object) -> tuple | None:
    """The same fields from a generic JSON object, explaining in Russian what is missing or malformed."""
    if type(item) is not dict:
        out.error("запись должна быть объектом JSON", record=_record(index, item))
        return None
    record = _record(index, item)
    shape = item_shape(item)
    if shape != "wall":
        what = {"photo": " — это фотография (photos.get)", "video": " — это видеозапись (video.get)"}.get(shape, "")
        out.error(f"это не запись стены: нет полей from_id и post_type{what}", record=record)
        return None
    post_id = _int_field(out, item, "id", record)
    owner_id = _int_field(out, item, "owner_id", record, required="to_id" not in item)
    if owner_id is None and "to_id" in item:  # API < 5.7 called the wall owner `to_id`
        owner_id = _int_field(out, item, "to_id", record)
    from_id = _int_field(out, item, "from_id", record, required=False)
    posted = _int_field(out, item, "date", record)
    if post_id is None or owner_id is None or posted is None:
        return None
    attachments = item.get("attachments") or []
    if type(attachments) is not list:
        out.error("ожидается список вложений", record=record, column="attachments")
        return None
    counters = []
    for counter in COUNTERS:
        value = item.get(counter)
        if type(value) is dict:
            value = value.get("count")
        if value is not None and type(value) is not int:
            out.error(f"счётчик должен быть целым числом, указано «{act.shown(value, 40)}»", record=record,
                      column=counter)
            value = None
        counters.append(value)
    text = item.get("text")
    post_type = _text(item.get("post_type")) or _text(item.get("type"))
    is_repost = bool(item.get("copy_history")) or post_type == "copy" or item.get("copy_owner_id") is not None
    return (post_id, owner_id, from_id, posted, post_type, item.get("is_deleted") or item.get("deleted_reason"),
            item.get("postponed_id"), item.get("marked_as_ads"), attachments, is_repost, item.get("is_pinned"),
            _text(text), tuple(counters))


def load_wall(body: dict, filename: str, now: datetime, *, legacy: bool = False) -> ActivityData:
    """`wall.get` → the page's own posts and the live streams among them. `legacy`: the items came from a
    pre-5.0 count-first list (read the same way; the report says so)."""
    out = Collector(filename)
    if legacy:
        out.warn(LEGACY_WALL_NOTE)
    items = body.get("items")
    if not isinstance(items, list):
        out.error("поле «items» должно быть списком записей", column="items")
        out.raise_if_errors()
    posts = {k: [] for k in ("ref", "post_id", "published_at", "content_type", "is_repost", "is_pinned",
                             "is_live", "text", "views", "likes", "comments", "reposts", "reactions", "source_row")}
    streams = {k: [] for k in ("ref", "stream_id", "started_at", "duration_s", "url", "title", "source_row")}
    refs: set[str] = set()
    seen: list[int] = []  # dates of every item, members' posts too: the wall's time span
    texts = body.get("texts")  # the typed path's texts, one per item (its items' `text` is None)
    for index, item in enumerate(items):
        fields = _typed_fields(out, index, item) if type(item) is TypedPost else _dict_fields(out, index, item)
        if fields is None:
            continue
        (post_id, owner_id, from_id, posted, post_type, deleted, postponed, ads, attachments, is_repost, pinned,
         text, counters) = fields
        seen.append(posted)
        refs.add(str(owner_id))
        if deleted:
            out.reject(act.REJECT_DELETED)
            continue
        if post_type in ("postpone", "suggest") or postponed:
            out.reject(act.REJECT_POSTPONED)
            continue
        if ads == 1 or ads is True or post_type == "post_ads":
            out.reject(act.REJECT_ADS)
            continue
        if from_id is not None and from_id != owner_id:
            out.reject(act.REJECT_MEMBER)
            continue
        video = live_video(attachments)
        posts["ref"].append(str(owner_id))
        posts["post_id"].append(str(post_id))
        posts["published_at"].append(act.micros(posted))
        posts["content_type"].append(_content_type(attachments, is_repost, video is not None))
        posts["is_repost"].append(is_repost)
        posts["is_pinned"].append(bool(pinned))
        posts["is_live"].append(video is not None)
        posts["text"].append(text)
        for name, value in zip(COUNTERS, counters):
            posts[name].append(value)
        posts["source_row"].append(index + 1)
        if video is not None:
            start = video.get("live_start_time")
            started = start if type(start) is int else posted
            duration = video.get("duration")
            streams["ref"].append(str(owner_id))
            streams["stream_id"].append(str(post_id))
            streams["started_at"].append(act.micros(started))
            streams["duration_s"].append(duration if type(duration) is int and duration > 0 else None)
            streams["url"].append(f"https://vk.com/wall{owner_id}_{post_id}")
            if texts is not None:  # the typed path: the texts are a column (vk_typed.decode_wall)
                text = texts[index]
            streams["title"].append(_text(video.get("title")) or (text or "")[:200] or None)
            streams["source_row"].append(index + 1)
    out.raise_if_errors()
    if texts is not None:
        posts["text"] = texts.gather(pl.Series(posts["source_row"], dtype=pl.Int64) - 1)
    record_of = _locator(items)
    posts_frame = act.frame(posts, act.POST_SCHEMA, out, lambda i: record_of(posts["source_row"][i]), POST_FIELDS)
    stream_frame = act.frame(streams, act.STREAM_SCHEMA, out, lambda i: record_of(streams["source_row"][i]),
                             {"started_at": "live_start_time", "duration_s": "duration", "title": "attachments",
                              "stream_id": "id", "url": "id"})
    out.raise_if_errors()
    post_frame = act.drop_duplicates(out, posts_frame, ["ref", "post_id"])
    stream_frame = stream_frame.unique(subset=["ref", "stream_id"], keep="last", maintain_order=True)
    act.check_moments(out, post_frame, "published_at", "дата публикации", lambda r: record_of(r["source_row"]), now,
                      "date")
    act.check_counters(out, post_frame, lambda r: record_of(r["source_row"]),
                       {"views": ("просмотры", "views"), "likes": ("лайки", "likes"),
                        "comments": ("комментарии", "comments"), "reposts": ("репосты", "reposts"),
                        "reactions": ("реакции", "reactions")})
    out.raise_if_errors()
    known = _groups_pages(body.get("groups"), body.get("profiles"))
    data = ActivityData("vk_wall", _pages_frame(refs, known, out), post_frame, stream_frame,
                        act.empty(act.COMMENT_SCHEMA), act.empty(act.SNAPSHOT_SCHEMA),
                        coverage=act.coverage(refs, *act.span(seen), posts=True, comments=False),
                        rejected=dict(out.rejected), warnings=out.warnings)
    if not items:
        out.warn("в файле нет ни одной записи, поэтому стена, которой он принадлежит, в нём не названа "
                 "(owner_id есть только у записей)", column="items")
    if len(refs) > 1:
        out.warn(f"в файле записи {len(refs)} разных стен; каждая сопоставляется с реестром отдельно")
    return data


POST_FIELDS = {"post_id": "id", "ref": "owner_id", "published_at": "date", "text": "text", "views": "views",
               "likes": "likes", "comments": "comments", "reposts": "reposts", "reactions": "reactions"}


def _locator(items: list):
    def record_of(source_row: int) -> dict:
        index = source_row - 1
        return {"record": _record(index, items[index])}
    return record_of


def comment_responses(payload: object) -> list[dict] | None:
    """The `wall.getComments` responses in a file (one, enveloped or not, or a list), or None if it is not one."""
    candidates = payload if isinstance(payload, list) else [payload]
    responses = []
    for candidate in candidates:
        if isinstance(candidate, dict) and isinstance(candidate.get("response"), dict):
            candidate = candidate["response"]
        if not isinstance(candidate, dict) or not isinstance(candidate.get("items"), list):
            return None
        responses.append(candidate)
    return responses or None


def looks_like_comments(items: list) -> bool:
    sample = [i for i in items[:20] if isinstance(i, dict)]
    return bool(sample) and all("post_type" not in i and "copy_history" not in i and (
        "parents_stack" in i or "thread" in i or "reply_to_comment" in i or "post_id" in i) for i in sample)


def load_comments(responses: list[dict], filename: str, now: datetime) -> ActivityData:
    """`wall.getComments` → comments; the page's replies are comments with `from_id == owner_id` (negative)."""
    out = Collector(filename)
    rows = {k: [] for k in ("ref", "comment_id", "post_id", "parent_comment_id", "author_id", "author_is_page",
                            "created_at", "source_row")}
    records: list[str] = []
    refs: set[str] = set()
    known: dict[str, dict] = {}

    def add(comment: object, where: str, owner_hint: int | None) -> None:
        if not isinstance(comment, dict):
            out.error("комментарий должен быть объектом JSON", record=where)
            return
        record = f"{where} (id {act.shown(comment.get('id'), 30)})"
        if comment.get("deleted"):
            out.reject(act.REJECT_DELETED_COMMENT)
            return
        comment_id = _int_field(out, comment, "id", record)
        created = _int_field(out, comment, "date", record)
        from_id = _int_field(out, comment, "from_id", record)
        owner_id = _int_field(out, comment, "owner_id", record, required=owner_hint is None) or owner_hint
        post_id = _int_field(out, comment, "post_id", record, required=owner_hint is None)
        if None in (comment_id, created, from_id, owner_id):
            return
        parent = comment.get("reply_to_comment")
        stack = comment.get("parents_stack") or []
        if type(parent) is not int and isinstance(stack, list) and stack:
            parent = stack[-1]
        if type(parent) is not int or not limits.whole_in_range(parent):
            parent = None
        refs.add(str(owner_id))
        rows["ref"].append(str(owner_id))
        rows["comment_id"].append(str(comment_id))
        rows["post_id"].append(str(post_id) if post_id is not None else None)
        rows["parent_comment_id"].append(str(parent) if parent is not None else None)
        rows["author_id"].append(str(from_id))
        rows["author_is_page"].append(from_id == owner_id)
        rows["created_at"].append(act.micros(created))
        rows["source_row"].append(len(records))
        records.append(record)
        thread = comment.get("thread")
        replies = thread.get("items") if isinstance(thread, dict) and owner_hint is None else None  # one level
        for position, reply in enumerate(replies if isinstance(replies, list) else []):
            if isinstance(reply, dict) and reply.get("post_id") is None and post_id is not None:
                reply = {**reply, "post_id": post_id}
            add(reply, f"{where}, ответ {position + 1}", owner_id)

    for number, response in enumerate(responses):
        known.update(_groups_pages(response.get("groups"), response.get("profiles"),
                                   f"ответ {number + 1}, " if len(responses) > 1 else ""))
        prefix = f"ответ {number + 1}, " if len(responses) > 1 else ""
        for index, comment in enumerate(response["items"]):
            add(comment, f"{prefix}комментарий {index + 1}", None)
    out.raise_if_errors()
    comments = act.frame(rows, act.COMMENT_SCHEMA, out, lambda i: {"record": records[rows["source_row"][i]]},
                         {"comment_id": "id", "post_id": "post_id", "parent_comment_id": "reply_to_comment",
                          "author_id": "from_id", "created_at": "date", "ref": "owner_id"})
    out.raise_if_errors()
    comments = act.drop_duplicates(out, comments, ["ref", "comment_id"])
    act.check_moments(out, comments, "created_at", "дата комментария",
                      lambda row: {"record": records[row["source_row"]]}, now, "date")
    out.raise_if_errors()
    data = ActivityData("vk_comments", _pages_frame(refs, known, out), act.empty(act.POST_SCHEMA),
                        act.empty(act.STREAM_SCHEMA), comments, act.empty(act.SNAPSHOT_SCHEMA),
                        coverage=act.coverage(refs, *act.bounds(comments["created_at"]), posts=False,
                                              comments=True),
                        rejected=dict(out.rejected), warnings=out.warnings)
    return data


def group_list(payload: object) -> list[dict] | None:
    """`groups.getById` in either shape: a bare array (old) or `{"groups": [...]}` (5.199), maybe enveloped."""
    if isinstance(payload, dict) and "response" in payload:
        payload = payload["response"]
    if isinstance(payload, dict) and isinstance(payload.get("groups"), list) and "items" not in payload:
        payload = payload["groups"]
    if isinstance(payload, list) and payload and all(
            isinstance(g, dict) and "id" in g and "name" in g and "date" not in g and "from_id" not in g
            for g in payload[:20]):
        return payload
    return None


def _flag(group: dict, name: str) -> bool | None:
    value = group.get(name)
    return None if value is None else bool(value)


def load_groups(groups: list[dict], filename: str) -> ActivityData:
    """`groups.getById` → a checklist snapshot of each community: subscribers, avatar, cover, description,
    contacts, the «Госорганизация» mark when the token could see it (formats.md §1.6)."""
    out = Collector(filename)
    refs, snapshot = [], {k: [] for k in act.SNAPSHOT_SCHEMA}
    known = {}
    subscriber_records: list[str] = []
    for index, group in enumerate(groups):
        record = _record(index, group)
        group_id = _int_field(out, group, "id", record)
        if group_id is None:
            continue
        ref = str(-abs(group_id))
        refs.append(ref)
        known[ref] = {"page_key": _screen_name(group.get("screen_name")), "title": _text(group.get("name")),
                      "record": record}
        if group.get("deactivated"):
            out.warn(f"сообщество «{act.shown(group.get('name'))}» удалено или заблокировано "
                     f"({act.shown(group['deactivated'])})", record=record)
        cover = group.get("cover")
        members = group.get("members_count")
        if members is not None and (type(members) is not int or members < 0):
            out.error(f"число подписчиков должно быть целым неотрицательным, указано «{act.shown(members)}»",
                      record=record, column="members_count")
            members = None
        subscriber_records.append(record)
        has_contacts = None
        if any(k in group for k in ("contacts", "links", "site")):
            has_contacts = bool(group.get("contacts") or group.get("links") or group.get("site"))
        snapshot["ref"].append(ref)
        snapshot["status_mark"].append(_flag(group, "is_government_organization"))
        snapshot["avatar"].append(_flag(group, "has_photo"))
        snapshot["cover"].append(None if not isinstance(cover, dict) else bool(cover.get("enabled")))
        description = group.get("description")
        snapshot["description"].append(None if "description" not in group else
                                       bool(description.strip()) if isinstance(description, str) else bool(description))
        snapshot["contacts"].append(has_contacts)
        snapshot["comments_enabled"].append(None)
        snapshot["subscribers"].append(members)
    out.raise_if_errors()
    snapshots = act.frame(snapshot, act.SNAPSHOT_SCHEMA, out, lambda i: {"record": subscriber_records[i]},
                          {"subscribers": "members_count"})
    return ActivityData("vk_groups", _pages_frame(set(refs), known, out), act.empty(act.POST_SCHEMA),
                        act.empty(act.STREAM_SCHEMA), act.empty(act.COMMENT_SCHEMA), snapshots,
                        warnings=out.warnings)
