"""Typed decoding of a `wall.get` file: the fast path of loaders.vk.load_wall.

A 100k-post wall is ~70 MB of JSON, most of it attachment payloads (photo sizes, URLs) the rating never
reads. Decoding into structs that name only the fields `load_wall` uses lets msgspec skip the rest without
building Python objects for it. The structs answer `get` and `in` like the dicts of the generic path, so
`load_wall` keeps one set of rules. Anything unexpected (another format, a field of a surprising type)
returns None and the file goes through the generic path, which explains problems in Russian.
"""
from __future__ import annotations

import mmap
from collections.abc import Callable
from typing import Any

import msgspec
import polars as pl

_MISSING = msgspec.UNSET


class Record(msgspec.Struct, omit_defaults=True):
    """A struct that reads like the dict it replaces: unset fields are absent."""

    def get(self, name: str, default: object = None) -> object:
        value = getattr(self, name, default)
        return default if value is _MISSING else value

    def __contains__(self, name: str) -> bool:
        return getattr(self, name, _MISSING) is not _MISSING


class Counter(Record, gc=False):
    count: int | None = None


def loose_fields(*names: str) -> list[tuple[str, Any, Any]]:
    """Fields of a Record that take any JSON value and are absent when the file has none (the rules check the
    values themselves), for msgspec.defstruct."""
    return [(name, Any, _MISSING) for name in names]


# a video of an attachment: what tells a live stream (formats.md §1.4)
_Video = msgspec.defstruct("_Video", loose_fields("type", "live", "upcoming", "live_status", "live_start_time",
                                                  "duration", "title"), bases=(Record,), gc=False)


class _Attachment(Record, gc=False):
    type: str | None = None
    video: _Video | None = None
    clip: _Video | None = None


class _Skipped(msgspec.Struct, gc=False):
    """An object whose content is not needed (only whether it is there)."""


class TypedPost(Record, gc=False):
    id: int  # required, and integers only: anything else goes to the generic path that explains it
    date: int
    owner_id: int | None = None
    to_id: int | None = None
    from_id: int | None = None
    post_type: str | None = None
    type: str | None = None
    is_deleted: Any = None
    deleted_reason: Any = None
    postponed_id: Any = None
    marked_as_ads: int | bool | None = None
    attachments: list[_Attachment] | None = None
    copy_history: list[_Skipped] | None = None
    copy_owner_id: int | None = None  # a repost before copy_history (API < 5.0)
    is_pinned: int | bool | None = None
    text: msgspec.Raw = None  # a view of the file's bytes, made into the text column by `decode_wall`
    views: int | Counter | None = None
    likes: int | Counter | None = None
    comments: int | Counter | None = None
    reposts: int | Counter | None = None
    reactions: int | Counter | None = None
    # the marks of a wall.getComments item: such a file is not a wall
    post_id: Any = _MISSING
    parents_stack: Any = _MISSING
    thread: Any = _MISSING
    reply_to_comment: Any = _MISSING


class _Wall(msgspec.Struct):
    items: list[TypedPost]
    count: Any = None
    groups: list[dict[str, Any]] | None = None
    profiles: list[dict[str, Any]] | None = None


class _Envelope(msgspec.Struct):
    response: _Wall


_BARE = msgspec.json.Decoder(_Wall)
_ENVELOPED = msgspec.json.Decoder(_Envelope)
_COMMENT_MARKS = ("post_id", "parents_stack", "thread", "reply_to_comment")


def decode_wall(content: bytes | mmap.mmap, shed: Callable[[], None] = lambda: None) -> dict | None:
    """The body of a `wall.get` file ({"items", "groups", "profiles"}), or None if it is not one that the
    typed path can take (then the generic path decides what the file is). `shed` lets go of the pages of a file
    read in place (loaders.unpack.shedder) once the items are decoded and as their texts are read."""
    head = content[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    # a substring scan costs ~1 % of a decode (`find`: a mapped file answers `in` for single bytes only)
    if not head.startswith(b"{") or content.find(b'"items"') < 0:
        return None
    if content[:3] == b"\xef\xbb\xbf":
        content = content[3:]
    try:
        enveloped = head[1:].lstrip().startswith(b'"response"')
        wall = _ENVELOPED.decode(content).response if enveloped else _BARE.decode(content)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    del content
    shed()
    sample = wall.items[:20]
    if any(any(mark in item for mark in _COMMENT_MARKS) for item in sample):
        return None
    for item in wall.items:
        if item.owner_id is None and item.to_id is None:
            return None  # the generic path names the records without a wall owner
        if item.from_id is None and item.post_type is None and item.to_id is None and not (
                item.is_deleted or item.deleted_reason):
            return None  # not a wall item (photos.get, video.get…): the generic path says what the file is
    return {"items": wall.items, "groups": wall.groups, "profiles": wall.profiles,
            "texts": _texts(wall.items, shed)}


_TEXT = msgspec.json.Decoder(str | None)
TEXT_CHUNK = 2_000  # texts decoded into Python at a time
SHED_EVERY = 4  # chunks of texts read between lettings-go of a mapped file's pages


def _texts(items: list[TypedPost], shed: Callable[[], None]) -> pl.Series:
    """The items' texts as one column (UTF-8: the Python strings of a wall's texts, emoji making them 4 bytes a
    character, would take 1.5 times their bytes in the file), decoded TEXT_CHUNK at a time; each item's `text` is
    then let go, so nothing is left that holds the file's bytes. A text that is not a string is no text (as the
    generic path reads it)."""
    chunks = []
    for start in range(0, len(items), TEXT_CHUNK):
        values = []
        for item in items[start:start + TEXT_CHUNK]:
            raw, item.text = item.text, None
            try:
                values.append(None if raw is None else _TEXT.decode(raw))
            except msgspec.ValidationError:
                values.append(None)
        chunks.append(pl.Series("text", values, dtype=pl.String))
        if len(chunks) % SHED_EVERY == 0:
            shed()
    shed()
    return pl.concat(chunks, rechunk=False) if chunks else pl.Series("text", [], dtype=pl.String)
