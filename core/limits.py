"""The limits of the values the product keeps, declared once: `storage.schema` sizes its columns from here and the
loaders refuse a longer value (or an impossible number or moment) at its cell or record before anything is
written, with the same result on SQLite (which would store anything) and PostgreSQL (which would fail).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

# text columns: the most characters a value may have
OWNER_NAME = 500  # owners.name, owners.name_key
OGRN = 15
RESPONSIBLE = 500  # «Ответственный»: owners.responsible, pages.responsible
LEVEL = 100  # «Уровень» of the Госпаблики export
SPHERES = 500  # «Сфера 1–3» joined
EXEMPTION = 2_000  # «Официальная страница не ведется на основании» (a text column; a reason, not a document)
PAGE_KEY = 200  # pages.page_key, page_links.external_id
PLATFORM_ID = 40  # pages.platform_id
URL = 500  # pages.url, live_streams.url
TITLE = 500  # pages.title, live_streams.title
ITEM_ID = 64  # ids of posts, comments, streams, comment authors
POST_TEXT = 100_000  # posts.text: VK allows 16 384 characters, Telegram 4 096; anything longer is not a post
FILENAME = 500  # batches.filename
USERNAME = 100  # users.username, audit_log.user, batches.uploaded_by
AUDIT_OBJECT = 200  # audit_log.object
ADDRESS = 64  # a client's network address (sessions, login_attempts): IPv6 with a zone id fits

# whole numbers are stored as 64-bit integers; a stream's duration (seconds) as a 32-bit one
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1
DURATION_MAX = 2**31 - 1

# moments outside this window are not dates of a post, a comment or a stream (a broken export or a wrong unit)
MOMENTS_FROM = datetime(2000, 1, 1, tzinfo=timezone.utc)
MOMENTS_TO = datetime(2100, 1, 1, tzinfo=timezone.utc)
SECONDS_FROM, SECONDS_TO = int(MOMENTS_FROM.timestamp()), int(MOMENTS_TO.timestamp())

# control characters: never in an id, a name or a link (refused); removed from texts (tab and line breaks kept)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # the same, for Polars' regex engine
CONTROL_IN_NAME = re.compile(r"[\x00-\x1f\x7f]")  # a name or an id has no tab or line break either


def whole_in_range(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


def seconds_in_window(seconds: float) -> bool:
    return SECONDS_FROM <= seconds < SECONDS_TO


def window_text() -> str:
    return f"с {MOMENTS_FROM:%d.%m.%Y} по {MOMENTS_TO.year - 1} год"


def control_name(character: str) -> str:
    """How a control character is named in a message («нулевой байт», «символ с кодом 7»)."""
    return "нулевой байт" if character == "\x00" else f"управляющий символ с кодом {ord(character)}"


def fit(text: str | None, limit: int) -> str | None:
    """A text the product itself records (a user name, a file name in the audit log), cut to its column and
    without control characters — never a value of a user's file (those are refused, not cut)."""
    if text is None:
        return None
    text = CONTROL_IN_NAME.sub(" ", str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"
