"""Typed decoding of a Telegram Desktop `result.json`: the fast path of loaders.telegram.

A 200 MB channel export is ~190,000 messages, most of their bytes fields the rating never reads (file names and
sizes, widths, edit dates, the texts of `text_entities` that repeat `text`, reactions' emoji and recent
reactors). msgspec decodes the messages into structs naming only the fields the rules read and skips the rest
without building Python objects for it. The structs answer `get`, `in` and `[]` like the dicts of the generic
path, so the routing of loaders.telegram stays one; the channel's messages are then read by a loop of its own
(`_Reader.typed_channel`) that takes only regular messages and hands the file to the generic path, which
explains every problem in Russian, at the first thing it does not expect. Anything else unexpected (another
format, a field of a surprising type, a discussion group) returns None here: the generic path decides.
"""
from __future__ import annotations

import mmap
from typing import Any

import msgspec

from loaders.unpack import count_byte
from loaders.vk_typed import Record, loose_fields

_MISSING = msgspec.UNSET


_Raw = msgspec.Raw | msgspec.UnsetType


class Reaction(msgspec.Struct, gc=False):
    """A reaction of `reactions`: its type and count (not its emoji or who reacted)."""
    type: Any = None
    count: Any = None


def _item(self, name: str) -> object:
    value = getattr(self, name)
    if value is _MISSING:
        raise KeyError(name)
    return value


# A message: the scalars the rules read and its reactions' counts; `text` and `text_entities` kept as their raw
# JSON, decoded by the reading loop (entities only for a post whose type depends on its links); `photo`, `file` and
# `poll` only for whether they are there. `date` is not read: a message without `date_unixtime` sends the file to
# the generic path. It answers `[]` as well as `get` and `in`, like the dict of the generic path.
Message = msgspec.defstruct("Message", [
    *loose_fields("id", "type", "date_unixtime", "from_id", "forwarded_from", "saved_from"),
    *((name, _Raw, _MISSING) for name in ("photo", "file", "poll")),
    *loose_fields("media_type", "mime_type"),
    *((name, _Raw, _MISSING) for name in ("text", "text_entities")),
    ("reactions", list[Reaction] | None | msgspec.UnsetType, _MISSING),
    *loose_fields("action", "message_id", "duration")], bases=(Record,), gc=False, namespace={"__getitem__": _item})

MESSAGE = msgspec.json.Decoder(Message)


class Chat(Record):
    """A chat; its messages as their raw JSON (a view of the file's bytes each), decoded one at a time by the
    reading loop (`MESSAGE`): the structs of 190,000 messages held at once would take more memory than the
    file."""
    name: Any = _MISSING
    type: Any = _MISSING
    id: Any = _MISSING
    messages: list[msgspec.Raw] | msgspec.UnsetType = _MISSING


class _ChatList(msgspec.Struct):
    chats: list[Chat] | msgspec.UnsetType = msgspec.field(default=_MISSING, name="list")


class _Export(msgspec.Struct):
    """A single-chat export (a chat itself) or a full-account export (`chats.list`)."""
    name: Any = _MISSING
    type: Any = _MISSING
    id: Any = _MISSING
    messages: list[msgspec.Raw] | msgspec.UnsetType = _MISSING
    chats: _ChatList | msgspec.UnsetType = _MISSING


_DECODER = msgspec.json.Decoder(_Export)


def looks_like_telegram(content: bytes) -> bool:
    """The head of a Telegram Desktop export: a chat starts with name/type/id/messages, a full-account export
    with `about` and `personal_information`."""
    head = content[:4096].lstrip()
    return head.startswith(b"{") and (b'"messages"' in head or b'"personal_information"' in head)


def decode_chats(content: bytes | mmap.mmap, max_values: int) -> list[Chat] | None:
    """The chats of the export as structs, or None when the typed path cannot take the file. A document of more
    than `max_values` values (its commas bound them: one pass, a tenth of a second for 200 MB) is left to the
    generic path, which refuses it: millions of tiny elements would each cost a raw view here."""
    if not looks_like_telegram(content) or count_byte(content, b",") > max_values:
        return None
    try:
        export = _DECODER.decode(content)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    if export.messages is not _MISSING and export.type is not _MISSING:
        return [Chat(name=export.name, type=export.type, id=export.id, messages=export.messages)]
    if export.chats is not _MISSING and export.chats.chats is not _MISSING:
        return export.chats.chats
    return None
