"""Deterministic synthetic export files in the platforms' real formats, for the ingest throughput figures.

Each post looks like what the platform returns (VK: attachments with sizes, counters as objects; Telegram:
entity lists, reactions), so parsing cost per post is realistic rather than flattering.
"""
from __future__ import annotations

import random
from datetime import datetime, timezone

import orjson

START = int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())


def _photo(rng: random.Random, owner: int) -> dict:
    return {"type": "photo", "photo": {
        "album_id": -7, "date": START, "id": rng.randint(1, 10**9), "owner_id": owner, "access_key": "a1b2c3d4e5",
        "sizes": [{"height": h, "type": t, "width": w, "url": f"https://sun9-1.userapi.com/impg/{rng.randint(1, 10**9)}.jpg"}
                  for t, w, h in (("s", 75, 50), ("m", 130, 87), ("x", 604, 403))],
        "text": "", "has_tags": False}}


def _step(posts: int, span_days: float | None, default: int) -> int:
    """Seconds between consecutive posts: spread over `span_days` from START, or `default`."""
    return max(1, int(span_days * 86_400 / max(posts, 1))) if span_days else default


def vk_wall(posts: int, pages: int = 100, seed: int = 1, span_days: float | None = None) -> bytes:
    """A `wall.get` response ({"response": {"count", "items"}}) of `posts` own posts over `pages` walls."""
    rng = random.Random(seed)
    step = _step(posts, span_days, 37)
    items = []
    for index in range(posts):
        owner = -(1000 + index % pages)
        item = {"id": index + 1, "from_id": owner, "owner_id": owner, "date": START + index * step,
                "marked_as_ads": 0, "post_type": "post", "text": f"Новость {index}: " + "текст публикации " * 3,
                "attachments": [_photo(rng, owner)] if index % 3 else [],
                "post_source": {"type": "vk"}, "comments": {"can_post": 1, "count": rng.randint(0, 20)},
                "likes": {"can_like": 1, "count": rng.randint(0, 300), "user_likes": 0, "can_publish": 1},
                "reposts": {"count": rng.randint(0, 30), "user_reposted": 0},
                "views": {"count": rng.randint(100, 20000)}, "is_favorite": False, "hash": "x1y2z3"}
        if index % 97 == 0:
            item["attachments"] = [{"type": "video", "video": {
                "id": index, "owner_id": owner, "title": "Прямой эфир", "duration": 1800, "type": "live",
                "live_status": "finished", "date": START + index * step}}]
        items.append(item)
    return orjson.dumps({"response": {"count": posts, "items": items}})


def telegram_channel(posts: int, seed: int = 1, span_days: float | None = None) -> bytes:
    """A Telegram Desktop single-channel `result.json` with `posts` messages."""
    rng = random.Random(seed)
    step = _step(posts, span_days, 41)
    messages = []
    for index in range(posts):
        moment = START + index * step
        stamp = datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        messages.append({
            "id": index + 1, "type": "message", "date": stamp, "date_unixtime": str(moment),
            "from": "Департамент", "from_id": "channel3003",
            "text": [f"Новость {index} ", {"type": "link", "text": "https://tomsk.gov.ru"}],
            "text_entities": [{"type": "plain", "text": f"Новость {index} "},
                              {"type": "link", "text": "https://tomsk.gov.ru"}],
            "reactions": [{"type": "emoji", "count": rng.randint(0, 50), "emoji": "👍"}],
        })
    return orjson.dumps({"name": "Департамент", "type": "public_channel", "id": 3003, "messages": messages})


def ok_topics(posts: int, groups: int = 100, seed: int = 1, span_days: float | None = None) -> bytes:
    """An Odnoklassniki `{"media_topics": [...], "entities": {...}}` response of `posts` group topics."""
    rng = random.Random(seed)
    step = _step(posts, span_days, 37)
    topics = []
    for index in range(posts):
        group = f"group:{70000000000000 + index % groups}"
        topics.append({
            "id": str(900000000 + index), "created_ms": (START + index * step) * 1000, "owner_ref": group,
            "author_ref": group, "media": [{"type": "text", "text": f"Новость {index}: " + "текст публикации " * 3},
                                           {"type": "photo", "photo_refs": [f"photo:{rng.randint(1, 10**9)}"]}],
            "like_summary": {"count": rng.randint(0, 300), "self": False},
            "reshare_summary": {"count": rng.randint(0, 30), "self": False},
            "discussion_summary": {"comments_count": rng.randint(0, 20)}, "views_count": rng.randint(100, 20000)})
    groups_list = [{"uid": str(70000000000000 + g), "name": f"Учреждение {g}"} for g in range(groups)]
    return orjson.dumps({"media_topics": topics, "entities": {"groups": groups_list}})


def template_csv(posts: int, pages: int = 100, seed: int = 1) -> bytes:
    """Our activity template (formats.md §11) as a semicolon CSV: one publication a row."""
    rng = random.Random(seed)
    lines = ["Ссылка на страницу;Ссылка на публикацию;Дата и время;Тип;Просмотры;Реакции;Комментарии;Репосты"]
    for index in range(posts):
        group = 1000 + index % pages
        moment = datetime.fromtimestamp(START + index * 37, timezone.utc)
        lines.append(f"https://vk.com/club{group};https://vk.com/wall-{group}_{index + 1};{moment:%d.%m.%Y %H:%M};"
                     f"фото;{rng.randint(100, 20000)};{rng.randint(0, 300)};{rng.randint(0, 20)};{rng.randint(0, 30)}")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")
