"""Odnoklassniki media topics JSON (formats.md §3): `{"media_topics": [...], "entities": {...}}` as
`mediatopic.getByIds` / group feeds return it, or a bare list of topics.

`created_ms` is unix milliseconds; counters come from `like_summary`, `reshare_summary`,
`discussion_summary`; `views_count` is optional (absent stays null). A topic whose author is not the group
(`author_ref` ≠ `owner_ref`) is a member's post and is left out. A topic with a movie block carrying
`live_stream`/`start_time` is a live stream (formats.md §3.3; the mapping is unverified upstream).
"""
from __future__ import annotations

from datetime import datetime

from core import limits
from loaders import activity as act
from loaders.activity import ActivityData, Collector

POST_FIELDS = {"post_id": "id", "published_at": "created_ms", "text": "media", "views": "views_count",
               "likes": "like_summary", "comments": "discussion_summary", "reposts": "reshare_summary",
               "ref": "owner_ref"}
STREAM_FIELDS = {"started_at": "start_time", "duration_s": "end_time", "title": "media", "stream_id": "id"}


def topics_of(payload: object) -> tuple[list, dict] | None:
    if isinstance(payload, dict) and isinstance(payload.get("media_topics"), list):
        entities = payload.get("entities") if isinstance(payload.get("entities"), dict) else {}
        return payload["media_topics"], entities
    if isinstance(payload, list) and payload and all(isinstance(t, dict) and "created_ms" in t for t in payload[:20]):
        return payload, {}
    return None


def _group_id(ref: object) -> str | None:
    """`group:<gid>` (also `group_<gid>` or bare digits) → gid (at most 19 digits: a 64-bit number)."""
    if isinstance(ref, bool) or not isinstance(ref, (str, int)) or isinstance(ref, int) and ref < 0:
        return None
    text = str(ref)[:50]
    for prefix in ("group:", "group_", "group"):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    return text if text.isdigit() and len(text) <= 19 and text.isascii() else None


def _summary(out, record: str, topic: dict, name: str, key: str = "count") -> int | None:
    """A counter (`like_summary.count`, `views_count`, …): a whole number, absent = unknown; anything else (a
    fraction, a number beyond 64 bits that the parser read as a fraction, text) is refused at its field."""
    value = topic.get(name)
    if isinstance(value, dict):
        value = value.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        out.error(f"счётчик должен быть целым числом, указано «{act.shown(value, 40)}»", record=record, column=name)
        return None
    return value


def _live(media: list) -> dict | None:
    for block in media:
        if isinstance(block, dict) and block.get("type") in ("movie", "video"):
            live = block.get("live_stream") or block.get("live")
            if isinstance(live, dict):
                return live
            if "start_time" in block:
                return block
    return None


def _members_count(group: dict, out, index: int) -> int | None:
    """`members_count` of an entities.groups item (formats.md §3.2): a whole number ≥ 0, else a warning."""
    value = group.get("members_count")
    if value is None:
        return None
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if not (text.isdigit() and text.isascii() and limits.whole_in_range(int(text[:20]))) or len(text) > 19:
        out.warn(f"число участников группы «{act.shown(value)}» не является целым неотрицательным 64-битным "
                 "числом — не учтено", record=f"entities.groups[{index}]", column="members_count")
        return None
    return int(text)


def _content_type(media: list, is_live: bool) -> str:
    if is_live:
        return "live"
    kinds = {b.get("type") for b in media if isinstance(b, dict) and isinstance(b.get("type"), str)}
    for kind, name in (("photo", "photo"), ("movie", "video"), ("video", "video"), ("poll", "poll"),
                       ("link", "link")):
        if kind in kinds:
            return name
    if "reshare" in kinds or "topic" in kinds:
        return "repost"
    return "text"


def load_topics(topics: list, entities: dict, filename: str, now: datetime) -> ActivityData:
    out = Collector(filename)
    posts = {k: [] for k in act.POST_SCHEMA if k != "paid_reactions"}  # Telegram only
    streams = {k: [] for k in act.STREAM_SCHEMA}
    records: list[str] = []
    seen: list[float] = []
    refs: set[str] = set()
    for index, topic in enumerate(topics):
        record = f"запись {index + 1}" + (f" (id {act.shown(topic.get('id'), 30)})" if isinstance(topic, dict) else "")
        records.append(record)
        if not isinstance(topic, dict):
            out.error("запись должна быть объектом JSON", record=record)
            continue
        topic_id, created = topic.get("id"), topic.get("created_ms")
        if (isinstance(topic_id, bool) or not isinstance(topic_id, (str, int)) or not str(topic_id)[:70].isdigit()
                or not str(topic_id).isascii()):
            out.error(f"нет числового id темы («{act.shown(topic_id)}»)", record=record, column="id")
            continue
        if isinstance(created, bool) or not isinstance(created, (int, float)):
            out.error(f"ожидается время в миллисекундах, указано «{act.shown(created)}»", record=record,
                      column="created_ms")
            continue
        owner = _group_id(topic.get("owner_ref")) or _group_id(topic.get("author_ref"))
        if owner is None:
            out.error("не указана группа (owner_ref вида «group:<id>», id — число до 19 цифр)", record=record,
                      column="owner_ref")
            continue
        seconds = created / 1000
        seen.append(seconds)
        refs.add(owner)
        author = topic.get("author_ref")
        if author is not None and _group_id(author) != owner:
            out.reject(act.REJECT_MEMBER)
            continue
        if topic.get("on_moderation") or topic.get("is_promo"):
            out.reject(act.REJECT_POSTPONED if topic.get("on_moderation") else act.REJECT_ADS)
            continue
        media = topic.get("media") if isinstance(topic.get("media"), list) else []
        text = "\n".join(b["text"] for b in media if isinstance(b, dict) and b.get("type") == "text"
                         and isinstance(b.get("text"), str) and b["text"])
        live = _live(media)
        posts["ref"].append(owner)
        posts["post_id"].append(str(topic_id))
        posts["published_at"].append(act.micros(seconds))
        content = _content_type(media, live is not None)
        posts["content_type"].append(content)
        posts["is_repost"].append(content == "repost")
        posts["is_pinned"].append(bool(topic.get("is_pinned")) if "is_pinned" in topic else None)
        posts["is_live"].append(live is not None)
        posts["text"].append(text)
        posts["views"].append(_summary(out, record, topic, "views_count"))
        posts["likes"].append(_summary(out, record, topic, "like_summary"))
        posts["comments"].append(_summary(out, record, topic, "discussion_summary", "comments_count"))
        posts["reposts"].append(_summary(out, record, topic, "reshare_summary"))
        posts["reactions"].append(None)
        posts["source_row"].append(index)
        if live is not None:
            start = live.get("start_time")
            end = live.get("end_time")
            start_s = start / 1000 if isinstance(start, (int, float)) else seconds
            streams["ref"].append(owner)
            streams["stream_id"].append(str(topic_id))
            streams["started_at"].append(act.micros(start_s))
            streams["duration_s"].append(int(end / 1000 - start_s) if isinstance(end, (int, float)) and
                                         end / 1000 > start_s else None)
            streams["url"].append(f"https://ok.ru/group/{owner}/topic/{topic_id}")
            streams["title"].append(text[:200] or None)
            streams["source_row"].append(index)
    out.raise_if_errors()
    post_frame = act.frame(posts, act.POST_SCHEMA, out, lambda i: {"record": records[posts["source_row"][i]]},
                           POST_FIELDS)
    stream_frame = act.frame(streams, act.STREAM_SCHEMA, out,
                             lambda i: {"record": records[streams["source_row"][i]]}, STREAM_FIELDS)
    out.raise_if_errors()
    post_frame = act.drop_duplicates(out, post_frame, ["ref", "post_id"])

    def record_of(row: dict) -> dict:
        return {"record": records[row["source_row"]]}

    act.check_moments(out, post_frame, "published_at", "дата публикации", record_of, now, "created_ms")
    act.check_counters(out, post_frame, record_of, {
        "views": ("просмотры", "views_count"), "likes": ("классы", "like_summary"),
        "comments": ("комментарии", "discussion_summary"), "reposts": ("«поделились»", "reshare_summary")})
    out.raise_if_errors()
    titles, members = {}, {}
    groups = entities.get("groups")
    for index, group in enumerate(groups if isinstance(groups, list) else []):
        if isinstance(group, dict):
            gid = _group_id(group.get("uid") or group.get("id") or group.get("ref"))
            if gid:
                titles[gid] = group.get("name") if isinstance(group.get("name"), str) else None
                count = _members_count(group, out, index)
                if count is not None:
                    members[gid] = count
    if not topics:
        # no topic names a group, but the file may: the feed of one group that published nothing is evidence
        # of silence for that group (methodology §3 «Coverage»)
        if len(titles) == 1:
            refs = set(titles)
        elif titles:
            out.warn(f"в файле нет ни одной темы, а групп в нём названо несколько ({len(titles)}): нельзя сказать, "
                     "чья это лента, поэтому ни одна группа не взята", column="entities.groups")
        else:
            out.warn("в файле нет ни одной темы, и группа, чья это лента, в нём не названа (entities.groups)",
                     column="media_topics")
    pages = {"ref": sorted(refs)}
    pages["platform"] = ["ok"] * len(refs)
    pages["platform_id"] = pages["ref"]
    pages["page_key"] = [f"group/{r}" for r in pages["ref"]]
    pages["title"] = [titles.get(r) for r in pages["ref"]]
    pages["url"] = [f"https://ok.ru/group/{r}" for r in pages["ref"]]
    # the groups' subscriber counts (group.MEMBERS_COUNT) are observations of the page: C1's denominator, C2's marks
    counted = [r for r in pages["ref"] if r in members]
    snapshots = act.frame({"ref": counted, "subscribers": [members[r] for r in counted]}, act.SNAPSHOT_SCHEMA) \
        if counted else act.empty(act.SNAPSHOT_SCHEMA)
    page_frame = act.frame(pages, act.PAGE_SCHEMA, out, lambda i: {"record": "entities.groups"}, {"title": "name"})
    out.raise_if_errors()
    return ActivityData("ok_mediatopics", page_frame, post_frame, stream_frame,
                        act.empty(act.COMMENT_SCHEMA), snapshots,
                        coverage=act.coverage(refs, *act.span(seen), posts=True, comments=False),
                        rejected=dict(out.rejected), warnings=out.warnings)
