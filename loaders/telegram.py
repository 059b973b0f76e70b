"""Telegram Desktop «Export chat history» JSON, `result.json` (formats.md §2.1).

Accepts the single-chat export and the full-account export (`chats.list`). A channel gives its posts
(service messages left out, photo albums collapsed to one post, reactions summed) and its live streams
(`group_call` service messages). The channel's discussion group gives the comments under its posts and the
channel's replies. Personal chats and groups that are not a channel's discussion group are refused.
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
import polars as pl

from core import limits
from loaders import activity as act
from loaders import telegram_typed
from loaders.activity import ActivityData, Collector
from loaders.errors import fail

CHANNEL_TYPES = {"public_channel", "private_channel"}
GROUP_TYPES = {"public_supergroup", "private_supergroup", "private_group"}
REFUSED_TYPES = {"personal_chat": "личная переписка", "bot_chat": "переписка с ботом",
                 "saved_messages": "«Избранное»", "replies": "ответы", "verification_codes": "коды подтверждения",
                 **{t: "группы, не являющиеся обсуждением канала" for t in GROUP_TYPES}}
ACCEPTED = ("принимаются экспорт канала Telegram (тип public_channel или private_channel) и экспорт группы "
            "обсуждения этого канала")
ALBUM_GAP_S = 2  # album parts arrive within a second or two (formats.md §2.1.4, heuristic)
MAX_CALL_S = 12 * 3600  # a call "hanging" for days is call lifetime, not air time (tdesktop #25782)
VIDEO_MEDIA = {"video_file", "animation", "video_message"}
_UNSET = msgspec.UNSET
_decode = msgspec.json.decode


def _typed_reactions(reactions) -> tuple[int | None, int | None]:
    """`_count_reactions` of a typed message's `reactions`; Untyped at a count that is not whole."""
    if type(reactions) is not list:  # absent or null
        return None, None
    free = paid = 0
    for reaction in reactions:
        count = reaction.count
        if type(count) is not int:
            if count is not None:
                raise Untyped
            continue
        if reaction.type == "paid":
            paid += count
        else:
            free += count
    return free, paid


_STRING = msgspec.json.Decoder(str)


TEXT_CHUNK = 20_000  # texts turned into the column at a time by the typed path
SHED_EVERY = 4_096  # messages read by the typed path between lettings-go of a mapped file's pages


def _nothing() -> None:
    return None


def _text_chunk(texts: list) -> pl.Series:
    """Texts of the typed path (raw JSON strings — views of the file — or texts joined from parts) → a piece of
    the text column."""
    return pl.Series("text", [_STRING.decode(t) if type(t) is msgspec.Raw else t for t in texts], dtype=pl.String)


class Untyped(Exception):
    """The typed path met something only the generic path reads or explains (it then reads the file again)."""


def chats_of(payload: object) -> list[dict] | None:
    """The chats of a Telegram Desktop export, or None when the JSON is not one."""
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("messages"), list) and "type" in payload:
        return [payload]
    chats = payload.get("chats")
    if isinstance(chats, dict) and isinstance(chats.get("list"), list):
        return [c for c in chats["list"] if isinstance(c, dict)]
    return None


def _peer(value: object) -> str | None:
    """`from_id` is `"channel123"`/`"user5"` (old exports: a bare int); anything else names no one."""
    if isinstance(value, str) or type(value) is int:
        return str(value)
    return None


def _word(value: object) -> str | None:
    """A field that holds a word (`type`, `action`, `media_type`): anything else is not one of the known words."""
    return value if isinstance(value, str) else None


def _message_id(value: object) -> int | None:
    return value if type(value) is int and limits.whole_in_range(value) else None


class _Clock:
    """`date_unixtime` (a string of unix seconds) when present, else `date` — the local time of the exporting
    computer with no offset (exports before TDesktop 3.7.6) — read in the region's zone and counted, so that the
    report can say so."""

    def __init__(self, tz: ZoneInfo):
        self.tz = tz
        self.local = 0  # messages dated by `date` alone

    def seconds(self, message: dict) -> tuple[int | None, str]:
        """The message's unix seconds and the field they come from; ValueError when that field is not a date."""
        unix = message.get("date_unixtime")
        if unix is not None:
            if isinstance(unix, bool) or not isinstance(unix, (str, int)) or len(str(unix)) > 20:
                raise ValueError
            return int(unix), "date_unixtime"
        text = message.get("date")
        if text is None:
            return None, "date"
        if not isinstance(text, str) or len(text) > 40:
            raise ValueError
        try:
            moment = int(datetime.fromisoformat(text).replace(tzinfo=self.tz).timestamp())
        except OverflowError:
            raise ValueError from None
        self.local += 1
        return moment, "date"


def _text(message: dict) -> str:
    return _flat_text(message.get("text"))


def _flat_text(text: object) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else part["text"] if isinstance(part, dict)
                       and isinstance(part.get("text"), str) else "" for part in text)
    return ""


def _content_type(message: dict, text: str) -> str:
    if message.get("forwarded_from") is not None or message.get("saved_from"):
        return "repost"
    if "photo" in message:
        return "photo"
    if _word(message.get("media_type")) in VIDEO_MEDIA or (_word(message.get("mime_type")) or "").startswith("video/"):
        return "video"
    if "poll" in message:
        return "poll"
    entities = message.get("text_entities") or (message.get("text") if type(message.get("text")) is list else ())
    for entity in entities if type(entities) is list else ():
        if type(entity) is dict and entity.get("type") in ("link", "text_link"):
            return "link"
    return "text"


def _reactions(message: dict) -> tuple[int | None, int | None, object]:
    """(reactions, paid reactions, a count that is not a whole number or None): paid ones (Telegram Stars,
    `"type": "paid"`) are bought, not given, and are kept apart — never summed into the reactions that engagement
    counts."""
    return _count_reactions(message.get("reactions"))


def _count_reactions(reactions: object) -> tuple[int | None, int | None, object]:
    if type(reactions) is not list:
        return None, None, None
    free = paid = 0
    for reaction in reactions:
        if type(reaction) is not dict:
            continue
        count = reaction.get("count")
        if type(count) is not int:
            if count is not None:
                return None, None, count
            continue
        if reaction.get("type") == "paid":
            paid += count
        else:
            free += count
    return free, paid, None


def _is_media(message: dict) -> bool:
    return "photo" in message or "file" in message or "media_type" in message


def _media_kind(message: dict) -> str:
    if "photo" in message:
        return "photo"
    if _word(message.get("media_type")) in VIDEO_MEDIA or (_word(message.get("mime_type")) or "").startswith("video/"):
        return "video"
    return "file"


def _album_reason(kinds: list[str]) -> str:
    """How the parts of an album merged into its post are reported: photos, videos, or neutrally."""
    if set(kinds) == {"photo"}:
        return act.REJECT_ALBUM
    if set(kinds) == {"video"}:
        return act.REJECT_ALBUM_VIDEO
    return act.REJECT_ALBUM_MIXED


class _Reader:
    def __init__(self, filename: str, tz: ZoneInfo):
        self.out = Collector(filename)
        self.clock = _Clock(tz)
        self.records: list[str] = []
        self.date_fields: dict[int, str] = {}  # the field a message's date was read from, when not date_unixtime
        self.page_records: list[str] = []  # the chat each page comes from, for messages
        self.posts = {k: [] for k in act.POST_SCHEMA if k not in ("views", "likes", "comments", "reposts")}
        self.local_dates: list[tuple[str, int, int]] = []  # (chat, messages dated by local time, first record)
        self.streams = {k: [] for k in act.STREAM_SCHEMA}
        self.comments = {k: [] for k in act.COMMENT_SCHEMA}
        self.pages = {k: [] for k in act.PAGE_SCHEMA}
        self.coverage: list[pl.DataFrame] = []
        self.record_starts: list[int] = []  # the typed path: the first record of each chat it read, and its name
        self.record_chats: list[str] = []
        self.typed_idents: list[int] = []  # the typed path: the posts' ids (their post_id column is made at the end)
        self.text_chunks: list[pl.Series] = []  # the typed path: the text column built as it reads
        self.texts_done = 0  # the posts whose texts are in text_chunks (their places in posts["text"] are None)
        self.shed: Callable[[], None] = _nothing  # lets go of a mapped file's pages read so far (load_telegram)

    def flush_texts(self, upto: int) -> None:
        """The texts of the posts before `upto` into the column, their Python objects let go: the typed path
        keeps at most TEXT_CHUNK of them (never the last post's: an album's later part may bring its text)."""
        texts = self.posts["text"]
        if upto > self.texts_done:
            self.text_chunks.append(_text_chunk(texts[self.texts_done:upto]))
            texts[self.texts_done:upto] = [None] * (upto - self.texts_done)
            self.texts_done = upto

    def when(self, message: dict, row: int) -> int | None:
        """The message's moment (unix seconds), or None after a located error: no date, a date that is not one,
        or one outside the window of core.limits (checked here: the seconds also date the file's coverage)."""
        field_name = "date_unixtime" if message.get("date_unixtime") is not None else "date"
        try:
            moment, field_name = self.clock.seconds(message)
        except (TypeError, ValueError):
            self.out.error(f"дата «{act.shown(message.get(field_name))}» не разобрана", record=self.record_text(row),
                           column=field_name)
            return None
        if moment is None:
            self.out.error("у сообщения нет даты", record=self.record_text(row), column="date")
            return None
        if not limits.seconds_in_window(moment):
            self.out.error(f"дата «{act.shown(message.get(field_name))}» вне допустимого диапазона: ожидается момент "
                           f"{limits.window_text()}", record=self.record_text(row), column=field_name)
            return None
        self.date_fields[row] = field_name
        return moment

    def _dated(self, chat: str, message: dict, seen: list[int], local_before: int, first_local: int | None
               ) -> tuple[int, int | None, int | None]:
        """A message of the generic path recorded and dated: its row, its moment (None after a located error) —
        noted in `seen` — and the first row dated by local time so far (`first_local`, given the clock's count of
        such dates before the chat)."""
        row = self.record(chat, message)
        moment = self.when(message, row)
        if moment is not None:
            if first_local is None and self.clock.local > local_before:
                first_local = row
            seen.append(moment)
        return row, moment, first_local

    def record(self, chat: str, message: dict) -> int:
        self.records.append((chat, message.get("id")))  # formatted only when a message needs it
        return len(self.records) - 1

    def record_text(self, row: int) -> str:
        entry = self.records[row]
        if type(entry) is tuple:
            chat, ident = entry
        else:  # the typed path keeps the id only; the chat is the one whose rows begin before it
            chat, ident = self.record_chats[bisect.bisect_right(self.record_starts, row) - 1], entry
        return f"чат «{act.shown(chat)}», сообщение id {act.shown(ident, 30)}"

    def place(self, row: int) -> dict:
        return {"record": self.record_text(row)}

    def page(self, ref: str, title: object) -> None:
        title = title if isinstance(title, str) else None
        self.page_records.append(f"чат «{act.shown(title)}»" if title else f"чат id {ref}")
        self.pages["ref"].append(ref)
        self.pages["platform"].append("telegram")
        self.pages["platform_id"].append(ref)
        self.pages["page_key"].append(None)
        self.pages["title"].append(title)
        self.pages["url"].append(None)

    # --- a channel: posts and live streams ---
    def channel(self, chat: dict) -> None:
        name = chat.get("name") if isinstance(chat.get("name"), str) else ""
        ref = chat_ref(self.out, chat)
        if ref is None:
            return
        self.page(ref, chat.get("name"))
        pinned = {_message_id(m.get("message_id")) for m in chat["messages"]
                  if isinstance(m, dict) and m.get("action") == "pin_message"}
        last_post: dict | None = None
        open_call: tuple[int, int] | None = None  # (message id, start seconds)
        seen: list[int] = []
        local_before = self.clock.local
        first_local: int | None = None
        for message in chat["messages"]:
            if not isinstance(message, dict) or _message_id(message.get("id")) is None:
                self.out.error("сообщение без числового id (целое 64-битное число)", record=f"чат «{act.shown(name)}»",
                               column="id")
                continue
            kind = _word(message.get("type"))
            if kind == "unsupported":
                self.out.reject(act.REJECT_UNSUPPORTED)
                continue
            row, moment, first_local = self._dated(name, message, seen, local_before, first_local)
            if moment is None:
                continue
            if kind == "service":
                if message.get("action") == "group_call":
                    open_call = self._call(ref, message, moment, row, open_call)
                else:
                    self.out.reject(act.REJECT_SERVICE)
                continue
            if kind != "message":
                self.out.error(f"неизвестный тип сообщения «{act.shown(message.get('type'))}»",
                               record=self.record_text(row), column="type")
                continue
            text = _text(message)
            author = _peer(message.get("from_id"))
            media = _is_media(message)
            if (media and last_post is not None and last_post["media"] and last_post["from"] == author
                    and abs(moment - last_post["moment"]) <= ALBUM_GAP_S and (not text or not last_post["text"])):
                self._merge_album(last_post, message, text)
                continue
            self._close_album(last_post)
            self._post(ref, message, text, moment, row, message["id"] in pinned)
            last_post = {"index": len(self.posts["ref"]) - 1, "from": author, "moment": moment, "media": media,
                         "text": text, "kinds": [_media_kind(message)] if media else []}
        self._close_album(last_post)
        if open_call is not None:
            self._stream(ref, open_call[0], open_call[1], None, open_call[2])
        self.coverage.append(act.coverage([ref], *act.span(seen), posts=True, comments=False))
        self._note_local_dates(name, local_before, first_local)

    def typed_channel(self, chat) -> None:
        """`channel` for the structs of loaders.telegram_typed: the same rules, read only for the messages the
        generic path would take without a word; at anything else (no `date_unixtime`, a date or id it would
        refuse, an unknown type, a count that is not whole) raises Untyped and the generic path reads the file.
        Per message only what a post keeps is built: its columns are appended to directly, the album being
        followed in locals."""
        name = chat.name if isinstance(chat.name, str) else ""
        ref = chat_ref(self.out, chat)
        if ref is None:
            return
        self.page(ref, chat.get("name"))
        decode = telegram_typed.MESSAGE.decode
        pinned: set[int | None] = set()  # known at the end: a pin comes after the post it pins
        idents: list[int] = []
        out, records, posts = self.out, self.records, self.posts
        low, high, int_min, int_max = limits.SECONDS_FROM, limits.SECONDS_TO, limits.INT64_MIN, limits.INT64_MAX
        self.record_starts.append(len(records))
        self.record_chats.append(name)
        moments, contents = posts["published_at"], posts["content_type"]
        texts, reactions, paids, rows = (posts[c] for c in ("text", "reactions", "paid_reactions", "source_row"))
        before = len(moments)
        first = last = None
        open_call = None
        # the post an album's later parts join: its row in the columns, author, moment, whether it has a text,
        # media kinds
        album_index, album_from, album_moment, album_text, album_kinds = -1, None, 0, False, None
        album_media = False
        shed, since_shed = self.shed, 0
        shed()  # the pages the decoding of the export's outline read
        for raw in chat.messages:
            since_shed += 1
            if since_shed == SHED_EVERY:
                shed()
                since_shed = 0
            try:
                m = decode(raw)
            except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
                raise Untyped from None
            if m.action == "pin_message":  # whatever its type, as the generic path reads pins
                pinned.add(_message_id(m.message_id))
            ident = m.id
            if type(ident) is not int or not int_min <= ident <= int_max:
                raise Untyped
            kind = m.type
            if kind == "unsupported":
                out.reject(act.REJECT_UNSUPPORTED)
                continue
            unix = m.date_unixtime
            if type(unix) is str and len(unix) <= 20:
                try:
                    moment = int(unix)
                except ValueError:
                    raise Untyped from None
            elif type(unix) is int and len(str(unix)) <= 20:
                moment = unix
            else:
                raise Untyped
            if not low <= moment < high:
                raise Untyped
            records.append(ident)  # the chat is known by the row (record_starts)
            row = len(records) - 1
            if first is None or moment < first:
                first = moment
            if last is None or moment > last:
                last = moment
            if kind == "service":
                if m.action == "group_call":
                    open_call = self._call(ref, m, moment, row, open_call)
                else:
                    out.reject(act.REJECT_SERVICE)
                continue
            if kind != "message":
                raise Untyped
            raw, value = m.text, None  # a plain text stays a view of the file's bytes until `flush_texts`
            if raw is _UNSET:
                text, has_text = "", False
            elif memoryview(raw)[0] == 34:  # a JSON string: empty only as ""
                text, has_text = raw, len(raw) > 2
            else:  # a list of parts (or not a text at all: read as empty, as the generic path does)
                value = _decode(raw)
                text = _flat_text(value)
                has_text = bool(text)
            author = m.from_id
            author = str(author) if isinstance(author, str) or type(author) is int else None
            media = m.photo is not _UNSET or m.file is not _UNSET or m.media_type is not _UNSET
            free, paid = _typed_reactions(m.reactions)
            if (media and album_media and album_from == author and abs(moment - album_moment) <= ALBUM_GAP_S
                    and (not has_text or not album_text)):
                if has_text and not album_text:
                    texts[album_index] = text
                    album_text = True
                if free is not None:
                    reactions[album_index] = (reactions[album_index] or 0) + free
                    paids[album_index] = (paids[album_index] or 0) + paid
                album_kinds.append(self._typed_media_kind(m))
                continue
            if album_kinds is not None and len(album_kinds) > 1:
                out.reject(_album_reason(album_kinds), len(album_kinds) - 1)
            content = self._typed_content(m, value)
            moments.append(moment * 1_000_000)
            contents.append(content)
            idents.append(ident)
            texts.append(text)
            reactions.append(free)
            paids.append(paid)
            rows.append(row)
            album_index, album_from, album_moment = len(moments) - 1, author, moment
            if album_index - self.texts_done >= TEXT_CHUNK:
                self.flush_texts(album_index)
            album_text, album_media = has_text, media
            album_kinds = [self._typed_media_kind(m)] if media else []
        if album_kinds is not None and len(album_kinds) > 1:
            out.reject(_album_reason(album_kinds), len(album_kinds) - 1)
        added = len(moments) - before
        posts["ref"].extend([ref] * added)
        posts["is_repost"].extend(c == "repost" for c in contents[before:])
        posts["is_live"].extend([False] * added)
        posts["is_pinned"].extend(ident in pinned for ident in idents)
        self.typed_idents.extend(idents)
        if open_call is not None:
            self._stream(ref, open_call[0], open_call[1], None, open_call[2])
        self.coverage.append(act.coverage([ref], *act.span([] if first is None else [first, last]), posts=True,
                                          comments=False))

    @staticmethod
    def _typed_media_kind(m) -> str:
        if m.photo is not _UNSET:
            return "photo"
        if _word(m.media_type) in VIDEO_MEDIA or (_word(m.mime_type) or "").startswith("video/"):
            return "video"
        return "file"

    @staticmethod
    def _typed_content(m, text: object) -> str:
        """`_content_type` of a typed message (`text`: its decoded `text`)."""
        if (m.forwarded_from is not _UNSET and m.forwarded_from is not None) or (
                m.saved_from is not _UNSET and m.saved_from):
            return "repost"
        if m.photo is not _UNSET:
            return "photo"
        if _word(m.media_type) in VIDEO_MEDIA or (_word(m.mime_type) or "").startswith("video/"):
            return "video"
        if m.poll is not _UNSET:
            return "poll"
        entities = _decode(m.text_entities) if m.text_entities is not _UNSET else None
        entities = entities or (text if type(text) is list else ())
        for entity in entities if type(entities) is list else ():
            if type(entity) is dict and entity.get("type") in ("link", "text_link"):
                return "link"
        return "text"

    def _note_local_dates(self, name: str, before: int, first_row: int | None) -> None:
        if self.clock.local > before and first_row is not None:
            self.local_dates.append((name, self.clock.local - before, first_row))

    def _post(self, ref: str, message: dict, text: str, moment: int, row: int, pinned: bool) -> None:
        p = self.posts
        content = _content_type(message, text)
        p["ref"].append(ref)
        p["post_id"].append(str(message["id"]))
        p["published_at"].append(act.micros(moment))
        p["content_type"].append(content)
        p["is_repost"].append(content == "repost")
        p["is_pinned"].append(pinned)
        p["is_live"].append(False)
        p["text"].append(text)  # views, likes, comments, reposts: not exported by Telegram Desktop (§2.1.4)
        reactions, paid, bad = _reactions(message)
        if bad is not None:
            self.out.error(f"число реакций должно быть целым, указано «{act.shown(bad, 40)}»",
                           record=self.record_text(row), column="reactions")
        p["reactions"].append(reactions)
        p["paid_reactions"].append(paid)
        p["source_row"].append(row)

    def _merge_album(self, last_post: dict, message: dict, text: str) -> None:
        """A part of an album (Telegram exports each photo or video of it as a message) joins its post."""
        index = last_post["index"]
        if text and not last_post["text"]:
            self.posts["text"][index] = last_post["text"] = text
        for column, value in zip(("reactions", "paid_reactions"), _reactions(message)[:2]):
            if value is not None:
                self.posts[column][index] = (self.posts[column][index] or 0) + value
        last_post["kinds"].append(_media_kind(message))

    def _close_album(self, last_post: dict | None) -> None:
        """The parts merged into a post are reported once the album ends: «фото альбома», «видео альбома», or
        neutrally for an album of mixed media."""
        if last_post is not None and len(last_post["kinds"]) > 1:
            self.out.reject(_album_reason(last_post["kinds"]), len(last_post["kinds"]) - 1)

    def _call(self, ref: str, message: dict, moment: int, row: int, open_call):
        """Start (no `duration`) opens a stream; end (`duration` seconds) closes it. Counted by start."""
        duration = message.get("duration")
        if duration is None:
            if open_call is not None:  # a start whose end the export window cut
                self._stream(ref, open_call[0], open_call[1], None, open_call[2])
            return message["id"], moment, row
        if type(duration) is not int or duration < 0 or duration > 10 * limits.SECONDS_TO:
            self.out.error(f"длительность эфира «{act.shown(duration)}» не является числом секунд",
                           record=self.record_text(row), column="duration")
            return open_call
        if open_call is not None:
            self._stream(ref, open_call[0], open_call[1], moment - open_call[1], open_call[2])
        else:  # only the end is in the export: the start was before the window
            self._stream(ref, message["id"], moment - duration, duration, row)
        return None

    def _stream(self, ref: str, message_id: int, start: int, duration: int | None, row: int) -> None:
        s = self.streams
        s["ref"].append(ref)
        s["stream_id"].append(str(message_id))
        s["started_at"].append(act.micros(start))
        s["duration_s"].append(duration if duration is not None and 0 <= duration <= MAX_CALL_S else None)
        s["url"].append(None)
        s["title"].append(None)
        s["source_row"].append(row)

    # --- a discussion group: users' comments and the channel's replies ---
    def discussion(self, chat: dict, channel_id: str) -> None:
        name = chat.get("name") if isinstance(chat.get("name"), str) else ""
        page_author = f"channel{channel_id}"
        messages = [m for m in chat["messages"] if isinstance(m, dict) and m.get("type") == "message"]
        for message in messages:
            if _message_id(message.get("id")) is None:
                self.out.error("сообщение без числового id (целое 64-битное число)", record=f"чат «{act.shown(name)}»",
                               column="id")
        messages = [m for m in messages if _message_id(m.get("id")) is not None]
        parent_of = {m["id"]: _message_id(m.get("reply_to_message_id")) for m in messages}
        author_of = {m["id"]: _peer(m.get("from_id")) for m in messages}
        seen: list[int] = []
        local_before, first_local = self.clock.local, None
        for message in messages:
            row, moment, first_local = self._dated(name, message, seen, local_before, first_local)
            if moment is None:
                continue
            author = _peer(message.get("from_id"))
            parent = _message_id(message.get("reply_to_message_id"))
            if parent is None:
                if author == page_author:
                    continue  # the channel's post mirrored as the root of its comment thread
                self.out.reject("сообщения группы вне обсуждения публикаций")
                continue
            root, visited = parent, set()
            while parent_of.get(root) is not None and root not in visited:
                visited.add(root)
                root = parent_of[root]
            is_page = author == page_author
            if is_page and author_of.get(parent) == page_author:
                self.out.reject("сообщения канала в ответ самому себе")
                continue
            c = self.comments
            c["ref"].append(channel_id)
            c["comment_id"].append(str(message["id"]))
            c["post_id"].append(str(root))
            c["parent_comment_id"].append(None if parent == root else str(parent))
            c["author_id"].append(author)
            c["author_is_page"].append(is_page)
            c["created_at"].append(act.micros(moment))
            c["source_row"].append(row)
        service = sum(1 for m in chat["messages"] if isinstance(m, dict) and m.get("type") == "service")
        if service:
            self.out.reject(act.REJECT_SERVICE, service)
        self.coverage.append(act.coverage([channel_id], *act.span(seen), posts=False, comments=True))
        self._note_local_dates(name, local_before, first_local)


def _mirrored(message: dict) -> bool:
    """A channel post copied into its discussion group as the root of its comment thread: Telegram forwards it
    there, so the export writes `forwarded_from` — the same name as `from` (both are the channel)."""
    return ((_peer(message.get("from_id")) or "").startswith("channel") and message.get("reply_to_message_id") is None
            and "forwarded_from" in message and message.get("forwarded_from") == message.get("from"))


def discussion_channel(chat: dict) -> str | None:
    """The channel whose discussion group this is: the channel whose posts are forwarded into it as thread roots.
    A member writing «от имени канала» (send as a channel) also appears as `from_id: "channel…"`, but such
    messages are not forwards: a group with only those is not a discussion group."""
    own = f"channel{_peer(chat.get('id'))}"
    authors = Counter(_peer(m.get("from_id")) for m in chat.get("messages", [])
                      if isinstance(m, dict) and _mirrored(m) and _peer(m.get("from_id")) != own)
    if not authors:
        return None
    channel = authors.most_common(1)[0][0].removeprefix("channel")
    return channel if channel.isdigit() and channel.isascii() and len(channel) <= 19 else None


def chat_ref(out: Collector, chat: dict) -> str | None:
    """The chat's bare id as the page's id on Telegram: a whole 64-bit number, else a located error."""
    ident = chat.get("id")
    if type(ident) is int and limits.whole_in_range(ident):
        return str(ident)
    if isinstance(ident, str) and ident.isdigit() and ident.isascii() and len(ident) <= 19:
        return ident
    out.error(f"у чата нет числового id (указано «{act.shown(ident)}»)", record=f"чат «{act.shown(chat.get('name'))}»",
              column="id")
    return None


def load_telegram(chats: list[dict], filename: str, tz: ZoneInfo, now: datetime,
                  release: Callable[[], None] | None = None, shed: Callable[[], None] | None = None) -> ActivityData:
    """The export's chats (dicts of the generic parse, or the structs of loaders.telegram_typed — then Untyped
    may be raised while the messages are read, never later) → the canonical frames. `release` is called once the
    messages are read: the caller may let the file's bytes go (the typed messages are views of them). `shed`
    lets go of the pages read so far of a file read in place (loaders.unpack.shedder): the typed path calls it
    every SHED_EVERY messages, so the file is held a window at a time."""
    reader = _Reader(filename, tz)
    if shed is not None:
        reader.shed = shed
    types, skipped = [], Counter()
    for chat in chats:
        chat_type = _word(chat.get("type"))
        typed = not isinstance(chat, dict)  # the structs of loaders.telegram_typed
        if typed and chat_type in GROUP_TYPES:
            raise Untyped  # a group: the generic path tells a discussion group from others
        if chat_type in CHANNEL_TYPES | GROUP_TYPES and not isinstance(chat.get("messages"), list):
            reader.out.error("у чата нет списка сообщений", record=f"чат «{act.shown(chat.get('name'))}»",
                             column="messages")
            continue
        if chat_type in CHANNEL_TYPES:
            reader.typed_channel(chat) if typed else reader.channel(chat)
            types.append(chat_type)
        elif chat_type in GROUP_TYPES and (channel := discussion_channel(chat)) is not None:
            if channel not in reader.pages["ref"]:
                reader.page(channel, None)
            reader.discussion(chat, channel)
            types.append(chat_type)
        elif len(chats) == 1:
            label = REFUSED_TYPES.get(chat_type)
            if chat_type in GROUP_TYPES:
                raise fail(f"это экспорт группы «{act.shown(chat.get('name'))}», в которую не пересланы публикации канала: "
                           "это не группа обсуждения канала (сообщения «от имени канала» без пересылки пишут "
                           f"участники группы); {ACCEPTED}", filename)
            raise fail(f"это экспорт чата типа «{act.shown(chat.get('type'))}»" + (f" ({label})" if label else "") +
                       f", а не канала; {ACCEPTED}", filename)
        else:
            skipped[REFUSED_TYPES.get(chat_type, chat_type or "?")] += 1
    if chats and not isinstance(chats[0], dict):
        chat = None
        chats.clear()  # the typed messages: what is kept is in the reader's columns now
        reader.flush_texts(len(reader.posts["text"]))  # while the file's bytes are there
        reader.posts["text"] = pl.concat(reader.text_chunks, rechunk=False) if reader.text_chunks else []
        reader.posts["post_id"] = pl.Series(reader.typed_idents, dtype=pl.Int64).cast(pl.String)
    reader.shed()
    reader.shed = _nothing  # the mapping is unmapped once the caller lets it go
    if release is not None:
        release()
    reader.out.raise_if_errors()
    if not types:
        raise fail(f"в полном экспорте Telegram нет ни одного канала или группы обсуждения канала; {ACCEPTED}",
                   filename)
    out = reader.out
    for name, count, row in reader.local_dates:
        out.warn(f"в чате «{name}» нет поля date_unixtime у сообщений ({count}) — это экспорт Telegram Desktop "
                 f"старше 3.7.6: их даты прочитаны как местное время региона ({tz.key}), а не как точный момент; "
                 "если экспорт делали на компьютере в другом часовом поясе, публикации у границ недель и кварталов "
                 "могут сместиться — для точных дат выгрузите чат заново актуальной версией Telegram Desktop",
                 record=reader.record_text(row), column="date")
    if skipped:
        out.warn("пропущены чаты, не относящиеся к каналам: " + ", ".join(f"{k} — {v}" for k, v in skipped.items()))
    out.raise_if_errors()

    def checked(columns: dict, schema: dict, fields: dict) -> pl.DataFrame:
        return act.frame(columns, schema, out, lambda i: reader.place(columns["source_row"][i]), fields)

    posts = checked(reader.posts, act.POST_SCHEMA, {"post_id": "id", "published_at": "date_unixtime", "text": "text",
                                                    "reactions": "reactions", "paid_reactions": "reactions"})
    streams = checked(reader.streams, act.STREAM_SCHEMA, {"stream_id": "id", "started_at": "date_unixtime",
                                                          "duration_s": "duration"})
    comments = checked(reader.comments, act.COMMENT_SCHEMA, {
        "comment_id": "id", "post_id": "reply_to_message_id", "parent_comment_id": "reply_to_message_id",
        "author_id": "from_id", "created_at": "date_unixtime"})
    pages = act.frame(reader.pages, act.PAGE_SCHEMA, out, lambda i: {"record": reader.page_records[i]},
                      {"title": "name", "platform_id": "id"})
    out.raise_if_errors()
    posts = act.drop_duplicates(out, posts, ["ref", "post_id"])
    paid = posts.filter(pl.col("paid_reactions") > 0)
    if paid.height:
        out.warn(f"платные реакции (Telegram Stars): {int(paid['paid_reactions'].sum())} на публикациях "
                 f"({paid.height}) — они покупаются, а не ставятся, поэтому учтены отдельным счётчиком и не входят "
                 "в число реакций")
    streams = streams.unique(subset=["ref", "stream_id"], keep="last", maintain_order=True)
    comments = act.drop_duplicates(out, comments, ["ref", "comment_id"])

    def record_of(row: dict) -> dict:
        return {"record": reader.record_text(row["source_row"]),
                "column": reader.date_fields.get(row["source_row"], "date_unixtime")}

    act.check_moments(out, posts, "published_at", "дата публикации", record_of, now)
    act.check_moments(out, streams, "started_at", "начало эфира", record_of, now)
    act.check_moments(out, comments, "created_at", "дата комментария", record_of, now)
    act.check_counters(out, posts, lambda row: reader.place(row["source_row"]), {"reactions": ("реакции", "reactions")})
    out.raise_if_errors()
    pages = pages.unique(subset=["ref"], keep="first", maintain_order=True)
    chat_type = types[0] if len(set(types)) == 1 else "full_export"
    return ActivityData("telegram", pages, posts, streams, comments, act.empty(act.SNAPSHOT_SCHEMA),
                        coverage=pl.concat(reader.coverage), chat_type=chat_type, rejected=dict(out.rejected),
                        warnings=out.warnings)
