"""The one URL normaliser (formats.md §10): page URLs and post URLs → platform + normalised id.

A page is one (platform, key). `platform_id` is what exports carry:
- VK: the wall `owner_id` as text, negative for communities (`-123`), positive for a person's page;
- OK: the numeric group id; Telegram: the bare channel id (`t.me/c/<id>`), when known.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core import limits

VK_HOSTS = ("vk.com", "vk.ru", "vkontakte.ru", "new.vk.com")
OK_HOSTS = ("ok.ru", "odnoklassniki.ru")
TG_HOSTS = ("t.me", "telegram.me", "telegram.dog")
MAX_HOSTS = ("max.ru",)

_VK_NUMERIC = re.compile(r"^(club|public|event)(\d{1,19})$")
_VK_USER = re.compile(r"^id(\d{1,19})$")
_VK_NAME = re.compile(r"^[a-z0-9_.]{2,64}$")
_TG_NAME = re.compile(r"^[a-z0-9_]{4,64}$")
_OK_NAME = re.compile(r"^(?!(?:group|profile)$)[a-z0-9_.\-]{2,64}$")  # «group», «profile» alone: no group's name
_VK_WALL = re.compile(r"^wall(-?\d{1,19})_(\d{1,19})$")
_TG_INVITE = re.compile(r"^\+[a-z0-9_\-]{1,64}$")
_NUMBER = re.compile(r"^\d{1,19}$")  # an id on a platform: a 64-bit number


@dataclass(frozen=True)
class PageRef:
    platform: str
    key: str
    platform_id: str | None = None

    @property
    def canonical_url(self) -> str:
        if self.platform == "vk":
            return f"https://vk.com/{self.key}"
        if self.platform == "ok":
            return f"https://ok.ru/{self.key}"
        if self.platform == "telegram":
            return f"https://t.me/{self.key}"
        return f"https://max.ru/{self.key}"


@dataclass(frozen=True)
class PostRef:
    page: PageRef
    post_id: str


class UrlError(ValueError):
    """A link that is not a page of a supported platform; the message is Russian."""


def _shown(raw: str) -> str:
    """A link as a message quotes it: one line, at most 80 characters."""
    text = limits.CONTROL_IN_NAME.sub("·", raw)
    return text if len(text) <= 80 else text[:79] + "…"


def _checked(ref: PageRef, raw: str) -> PageRef:
    """A page reference within the limits the database keeps (core.limits): a longer key or address is no page
    of a platform."""
    if (len(ref.key) > limits.PAGE_KEY or len(ref.canonical_url) > limits.URL
            or ref.platform_id is not None and len(ref.platform_id) > limits.PLATFORM_ID
            or limits.CONTROL_IN_NAME.search(ref.key)):
        raise UrlError(f"«{_shown(raw)}» не похоже на адрес страницы: адрес длиннее {limits.PAGE_KEY} символов "
                       "или содержит недопустимые символы")
    return ref


def _clean(url: str) -> str:
    text = str(url).replace("\u00a0", " ").replace("\u200b", "").strip().strip("<>\"'«»").strip()
    text = text.lower()
    text = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", text)
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    text = text.replace(" ", "")
    for prefix in ("www.", "m.", "mobile."):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.rstrip("/")


def _split_host(text: str) -> tuple[str, list[str]]:
    host, _, path = text.partition("/")
    return host, [p for p in path.split("/") if p]


def _platform_of_host(host: str) -> str | None:
    for platform, hosts in (("vk", VK_HOSTS), ("ok", OK_HOSTS), ("telegram", TG_HOSTS), ("max", MAX_HOSTS)):
        if host in hosts:
            return platform
    return None


def vk_ref_from_owner_id(owner_id: int | str) -> PageRef:
    """A VK wall owner id (negative = community) as a page reference."""
    value = int(owner_id)
    if value < 0:
        return PageRef("vk", f"club{-value}", str(value))
    return PageRef("vk", f"id{value}", str(value))


def key_from_platform_id(platform: str, platform_id: str | None) -> str | None:
    """The page key an id alone gives: VK club<id>/id<id>, OK group/<id>, Telegram c/<id>."""
    if not platform_id:
        return None
    if platform == "vk":
        return vk_ref_from_owner_id(platform_id).key
    return {"ok": f"group/{platform_id}", "telegram": f"c/{platform_id}"}.get(platform)


def _named(platform: str, part: str, pattern: re.Pattern, raw: str, what: str) -> PageRef:
    """A page by its screen name (an `@` before it is dropped) when the platform's `pattern` allows the name."""
    name = part.lstrip("@")
    if not pattern.match(name):
        raise UrlError(f"«{_shown(raw)}» не похоже на адрес {what}")
    return PageRef(platform, name)


def _vk(parts: list[str], raw: str) -> PageRef:
    name = parts[0].lstrip("@")
    if len(name) > 70:
        raise UrlError(f"«{_shown(raw)}» не похоже на адрес страницы ВКонтакте")
    if m := _VK_NUMERIC.match(name):
        return vk_ref_from_owner_id(-int(m.group(2)))
    if m := _VK_USER.match(name):
        return vk_ref_from_owner_id(int(m.group(1)))
    if m := _VK_WALL.match(name):
        return vk_ref_from_owner_id(int(m.group(1)))
    return _named("vk", name, _VK_NAME, raw, "страницы ВКонтакте")


def _ok(parts: list[str], raw: str) -> PageRef:
    if parts[0] in ("group", "profile") and len(parts) >= 2 and _NUMBER.match(parts[1]):
        return PageRef("ok", f"{parts[0]}/{parts[1]}", parts[1] if parts[0] == "group" else None)
    if m := re.match(r"^group(\d{1,19})$", parts[0]):
        return PageRef("ok", f"group/{m.group(1)}", m.group(1))
    return _named("ok", parts[0], _OK_NAME, raw, "группы Одноклассников")


def _telegram(parts: list[str], raw: str) -> PageRef:
    if parts[0] == "s" and len(parts) >= 2:
        parts = parts[1:]
    if parts[0] == "c" and len(parts) >= 2 and _NUMBER.match(parts[1]):
        return PageRef("telegram", f"c/{parts[1]}", parts[1])
    if parts[0].startswith("+") or parts[0] == "joinchat":
        invite = parts[0] if parts[0].startswith("+") else "+" + (parts[1] if len(parts) > 1 else "")
        if not _TG_INVITE.match(invite):
            raise UrlError(f"«{_shown(raw)}» не похоже на ссылку-приглашение Telegram (t.me/+…)")
        return PageRef("telegram", invite)
    return _named("telegram", parts[0], _TG_NAME, raw, "канала Telegram")


def _max(parts: list[str], raw: str) -> PageRef:
    return PageRef("max", "/".join(parts[:2]))


# a platform's page parser (given the link's non-empty path) and what a link without a path lacks
_PARSERS = {"vk": _vk, "ok": _ok, "telegram": _telegram, "max": _max}
_MISSING = {"vk": "адреса сообщества ВКонтакте", "ok": "адреса группы Одноклассников",
            "telegram": "имени канала Telegram", "max": "адреса канала MAX"}
_PLATFORM_NAMES = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram", "max": "MAX"}


def normalize_page_url(url: str, platform: str | None = None) -> PageRef:
    """Page URL (or a bare screen name when the platform is given) → PageRef.

    Strips scheme, www./m., query strings, trailing slashes and non-breaking spaces, lower-cases.
    """
    raw = str(url or "").strip()
    text = _clean(raw)
    if not text:
        raise UrlError("пустая ссылка")
    host, parts = _split_host(text)
    found = _platform_of_host(host)
    if found is None:
        if "." in host or platform is None:
            raise UrlError(f"«{_shown(raw)}» не является ссылкой на ВКонтакте, Одноклассники или Telegram")
        found, parts = platform, [p for p in text.split("/") if p]
    if platform is not None and platform != found:
        raise UrlError(f"ссылка «{_shown(raw)}» ведёт на {_PLATFORM_NAMES[found]}, а указана платформа "
                       f"{_PLATFORM_NAMES.get(platform, platform)}")
    if not parts:
        raise UrlError(f"в ссылке «{_shown(raw)}» нет {_MISSING[found]}")
    return _checked(_PARSERS[found](parts, raw), raw)


def parse_post_url(url: str) -> PostRef:
    """Post URL → page + post id: vk.com/wall-<gid>_<pid>, ok.ru/group/<gid>/topic/<tid>, t.me/<channel>/<id>."""
    raw = str(url or "").strip()
    text = _clean(raw)
    host, parts = _split_host(text)
    platform = _platform_of_host(host)
    if platform == "vk" and parts:
        m = _VK_WALL.match(parts[-1])
        if m:
            return PostRef(vk_ref_from_owner_id(int(m.group(1))), m.group(2))
    elif platform == "ok" and len(parts) >= 4 and parts[2] == "topic" and _NUMBER.match(parts[3]):
        return PostRef(_checked(_ok(parts[:2], raw), raw), parts[3])
    elif platform == "telegram":
        if parts and parts[0] == "s":
            parts = parts[1:]
        if len(parts) >= 3 and parts[0] == "c" and _NUMBER.match(parts[1]) and _NUMBER.match(parts[2]):
            return PostRef(PageRef("telegram", f"c/{parts[1]}", parts[1]), parts[2])
        if len(parts) >= 2 and _NUMBER.match(parts[1]):
            return PostRef(_checked(_telegram(parts[:1], raw), raw), parts[1])
    raise UrlError(f"«{_shown(raw)}» не похоже на ссылку на публикацию ВКонтакте, Одноклассников или Telegram")


def platform_id_from_registry(platform: str, value: str) -> str:
    """«ID на платформе» of the registry → platform_id. A positive VK id is a community (formats.md §10)."""
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if text.endswith(".0"):
        text = text[:-2]
    if platform == "vk":
        if re.fullmatch(r"id\d{1,19}", text):
            return text[2:]
        if re.fullmatch(r"-?\d{1,19}", text):
            return str(-abs(int(text)))
    elif re.fullmatch(r"-?\d{1,22}", text):
        number = abs(int(text))
        if platform == "telegram" and str(number).startswith("100") and len(str(number)) > 12:
            number = int(str(number)[3:])  # "-100…" API form → the bare id a Desktop export carries
        return str(number)
    raise UrlError(f"«{_shown(str(value))}» не является числовым идентификатором (число до 19 цифр)")
