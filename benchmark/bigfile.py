"""A big export built from genuine messages, for the ingest speed and memory figures (issue 21, «Big files»).

`telegram_export(size)` is a Telegram Desktop `result.json` of one public channel (formats.md §2.1), written as
Telegram Desktop writes it (pretty-printed, non-ASCII as is): the texts are those of the genuine VK wall sample
(`tests/samples/vk`, a copy of ../shared/samples) and of the demo's real-format exports, cut into entities as the
exporter does (hashtags, links, bold), with reactions (emoji, custom emoji, paid stars), photos and videos with
their file fields, albums (several media messages within a second, one with the text), forwards, edits, pinned
messages, live streams (`group_call` start and end) and other service messages. `vk_wall(size)` is a `wall.get`
response repeating the genuine wall items themselves (attachments, counters, members' posts) with new ids and
dates. Both are deterministic (a seed) and return the counts a loader must find, worked out here from what was
written, not by loading it.

`python -m benchmark.bigfile telegram|vk MB PATH` writes one.
"""
from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

from demo.activity import PRESS_RELEASE_TEXTS, SHORT_TEXTS

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "samples" / "vk" / "wall_get_foodsharing_2020.json"
START = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())
END = int(datetime(2026, 10, 1, tzinfo=timezone.utc).timestamp())  # before any "now" the bench runs at
LOCAL = timedelta(hours=7)  # the exporting computer is in Tomsk
CHANNEL_ID = 1461234567
PLACEHOLDER = "(File not included. Change data exporting settings to download.)"
EMOJI = ("👍", "❤", "🔥", "👏", "🙏", "😁", "🎉", "🤝")
_TOKEN = re.compile(r"(#\w+|https?://\S+|vk\.com/\S+)")


@dataclass
class Expected:
    """What a loader must find in the written file."""
    posts: int = 0
    streams: int = 0
    service: int = 0  # service messages other than group calls (rejected)
    album_parts: int = 0  # media messages merged into their album's post (rejected)
    reactions: int = 0  # free reactions over all posts
    paid: int = 0
    first: int = 0
    last: int = 0
    content: dict[str, int] = field(default_factory=dict)


def genuine_texts() -> list[str]:
    wall = orjson.loads(SAMPLE.read_bytes())
    texts = [item["text"] for item in wall["items"] if item.get("text")]
    return texts + list(SHORT_TEXTS) + list(PRESS_RELEASE_TEXTS)


def _entities(text: str, rng: random.Random) -> tuple[object, list[dict]]:
    """(`text`, `text_entities`) as Telegram Desktop's SerializeText writes them: a plain string when the text
    is one plain part, else a list mixing strings and entity objects."""
    parts: list[dict] = []
    for index, piece in enumerate(_TOKEN.split(text)):
        if not piece:
            continue
        if index % 2:
            kind = "hashtag" if piece.startswith("#") else "link"
            parts.append({"type": kind, "text": piece})
        else:
            parts.append({"type": "plain", "text": piece})
    if parts and parts[0]["type"] == "plain" and rng.random() < 0.3:  # the first line in bold
        head, sep, rest = parts[0]["text"].partition("\n")
        parts[:1] = [{"type": "bold", "text": head}] + ([{"type": "plain", "text": sep + rest}] if sep or rest else [])
    if rng.random() < 0.15:
        parts.append({"type": "plain", "text": "\n\nПодробнее: "})
        parts.append({"type": "text_link", "text": "на сайте", "href": "https://tomsk.gov.ru/news"})
    if len(parts) == 1 and parts[0]["type"] == "plain":
        return parts[0]["text"], parts
    return [p["text"] if p["type"] == "plain" else p for p in parts], parts


def _reactions(rng: random.Random, expected: Expected) -> list[dict] | None:
    if rng.random() < 0.2:
        return None
    out = []
    for emoji in rng.sample(EMOJI, rng.randint(1, 4)):
        count = int(rng.paretovariate(1.3)) + rng.randint(0, 20)
        out.append({"type": "emoji", "count": count, "emoji": emoji})
        expected.reactions += count
    if rng.random() < 0.1:
        count = rng.randint(1, 9)
        out.append({"type": "custom_emoji", "count": count, "document_id": f"5{rng.randint(10**17, 10**18)}"})
        expected.reactions += count
    if rng.random() < 0.01:
        count = rng.randint(1, 50)
        out.append({"type": "paid", "count": count})
        expected.paid += count
    return out


def _dates(moment: int) -> dict:
    local = datetime.fromtimestamp(moment, timezone.utc) + LOCAL
    return {"date": local.strftime("%Y-%m-%dT%H:%M:%S"), "date_unixtime": str(moment)}


def _photo(rng: random.Random) -> dict:
    width, height = rng.choice(((1280, 853), (1280, 960), (960, 1280), (1080, 1080)))
    return {"photo": PLACEHOLDER, "photo_file_size": rng.randint(60_000, 400_000), "width": width, "height": height}


def _video(rng: random.Random) -> dict:
    return {"file": PLACEHOLDER, "file_name": f"video_{rng.randint(1, 10**6)}.mp4",
            "file_size": rng.randint(10**6, 10**8), "thumbnail": PLACEHOLDER,
            "thumbnail_file_size": rng.randint(5_000, 40_000), "media_type": "video_file", "mime_type": "video/mp4",
            "duration_seconds": rng.randint(10, 600), "width": 1280, "height": 720}


class _Writer:
    """Messages written one by one as Telegram Desktop lays them out (an object a line group, indent 1)."""

    def __init__(self, path: Path, name: str):
        self.file = path.open("wb")
        self.file.write(orjson.dumps({"name": name, "type": "public_channel", "id": CHANNEL_ID},
                                     option=orjson.OPT_INDENT_2)[:-2] + b',\n  "messages": [\n')
        self.count = 0

    def write(self, message: dict) -> None:
        if self.count:
            self.file.write(b",\n")
        self.file.write(orjson.dumps(message, option=orjson.OPT_INDENT_2))
        self.count += 1

    def size(self) -> int:
        return self.file.tell()

    def close(self) -> None:
        self.file.write(b"\n  ]\n}\n")
        self.file.close()


def telegram_export(size: int, path: Path, seed: int = 21) -> Expected:
    """Write a channel export of about `size` bytes to `path`; the counts a loader must find."""
    rng = random.Random(seed)
    texts = genuine_texts()
    expected = Expected()
    out = _Writer(path, "Департамент информационной политики Томской области")
    base = {"from": "Департамент информационной политики Томской области", "from_id": f"channel{CHANNEL_ID}"}
    estimate = max(size // 1100, 10)  # messages, to spread the dates over the whole span
    step = max((END - START) // estimate, 3)
    moment, ident = START, 1
    posts_since_stream = 0
    while out.size() < size:
        moment += rng.randint(step // 2, step + step // 2)
        roll = rng.random()
        if roll < 0.02 or posts_since_stream > 400:  # a live stream: start and end service messages
            posts_since_stream = 0
            service = {"type": "service", "actor": base["from"], "actor_id": base["from_id"], "action": "group_call",
                       "text": "", "text_entities": []}
            out.write({"id": ident, **service, **_dates(moment)})
            duration = rng.randint(600, 7200)
            out.write({"id": ident + 1, **service, **_dates(moment + duration), "duration": duration})
            ident += 2
            moment += duration
            expected.streams += 1
            continue
        if roll < 0.03:
            out.write({"id": ident, "type": "service", **_dates(moment), "actor": base["from"],
                       "actor_id": base["from_id"], "action": "pin_message", "message_id": max(ident - 3, 1),
                       "text": "", "text_entities": []})
            ident += 1
            expected.service += 1
            continue
        posts_since_stream += 1
        text, entities = _entities(rng.choice(texts), rng)
        message = {"id": ident, "type": "message", **_dates(moment), **base}
        if rng.random() < 0.3:
            edited = moment + rng.randint(60, 86_400)
            message["edited"] = _dates(edited)["date"]
            message["edited_unixtime"] = str(edited)
        kind = rng.random()
        album = 0
        if kind < 0.06:
            message["forwarded_from"] = "Администрация Томской области"
            content = "repost"
        elif kind < 0.62:
            message.update(_photo(rng))
            content = "photo"
            album = rng.choice((0, 0, 0, 1, 2, 3))
        elif kind < 0.72:
            message.update(_video(rng))
            content = "video"
        else:
            content = "link" if any(e["type"] in ("link", "text_link") for e in entities) else "text"
        message["text"], message["text_entities"] = text, entities
        reactions = _reactions(rng, expected)
        if reactions:
            message["reactions"] = reactions
        out.write(message)
        ident += 1
        for _ in range(album):  # the album's other photos: the same second, no text, their own reactions none
            out.write({"id": ident, "type": "message", **_dates(moment), **base, **_photo(rng), "text": "",
                       "text_entities": []})
            ident += 1
        expected.album_parts += album
        expected.posts += 1
        expected.content[content] = expected.content.get(content, 0) + 1
        expected.first = expected.first or moment
        expected.last = moment
    out.close()
    return expected


def vk_wall(size: int, path: Path, seed: int = 21) -> Expected:
    """Write a `wall.get` response of about `size` bytes: the genuine sample's items over and over, with new ids
    and dates; in each round the first seven are the community's own posts (from_id = owner), the other three
    keep their members as authors (left out by the loader)."""
    rng = random.Random(seed)
    wall = orjson.loads(SAMPLE.read_bytes())
    items = wall["items"]
    expected = Expected()
    average = len(orjson.dumps(items)) // len(items)
    total = max(size // average, 1)
    step = max((END - START) // total, 2)
    moment = START
    with path.open("wb") as file:
        file.write(b'{"response":{"count":' + str(total).encode() + b',"items":[')
        for index in range(total):
            item = dict(items[index % len(items)])
            moment += rng.randint(step // 2, step + step // 2)
            item["id"], item["date"] = 600_000 + index, moment
            item.pop("is_pinned", None)
            if index % len(items) < 7:
                item["from_id"] = item["owner_id"]
                expected.posts += 1
                expected.first = expected.first or moment
                expected.last = moment
            elif item["from_id"] == item["owner_id"]:
                item["from_id"] = 35728250  # a member of the community (as the sample's others)
            if "likes" in item:
                item["likes"] = {**item["likes"], "count": rng.randint(0, 300)}
            file.write((b"," if index else b"") + orjson.dumps(item))
        file.write(b'],"groups":[],"profiles":[]}}')
    expected.service = total - expected.posts  # members' posts
    return expected


def main(argv: list[str]) -> None:
    kind, megabytes, path = argv[0], float(argv[1]), Path(argv[2])
    writer = {"telegram": telegram_export, "vk": vk_wall}[kind]
    expected = writer(int(megabytes * 2**20), path)
    print(orjson.dumps(expected.__dict__).decode())


if __name__ == "__main__":
    main(sys.argv[1:])
