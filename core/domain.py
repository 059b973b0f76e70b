"""Owner kinds, platforms and their Russian names (methodology.md §1, formats.md §10)."""
from __future__ import annotations

OWNER_KINDS = ("governor", "administration", "executive_body", "head", "institution")
KIND_LABELS = {
    "governor": "Губернатор",
    "administration": "Администрация",
    "executive_body": "Исполнительный орган",
    "head": "Руководитель",
    "institution": "Учреждение",
}
KIND_PLURAL_LABELS = {
    "governor": "Губернатор",
    "administration": "Администрация",
    "executive_body": "Исполнительные органы",
    "head": "Руководители",
    "institution": "Учреждения",
}
KIND_GENITIVE_LABELS = {  # «10 для Губернатора и Администрации, 3 для остальных»
    "governor": "Губернатора",
    "administration": "Администрации",
    "executive_body": "исполнительных органов",
    "head": "руководителей",
    "institution": "учреждений",
}
# Kinds that must name a parent executive body (methodology.md §1).
KINDS_WITH_PARENT = ("head", "institution")

PLATFORMS = ("vk", "ok", "telegram")
PLATFORM_LABELS = {"vk": "ВКонтакте", "ok": "Одноклассники", "telegram": "Telegram", "max": "MAX"}
PLATFORM_SYNONYMS = {
    "вконтакте": "vk", "вк": "vk", "vk": "vk", "vkontakte": "vk", "в контакте": "vk",
    "одноклассники": "ok", "ок": "ok", "ok": "ok", "odnoklassniki": "ok",
    "telegram": "telegram", "телеграм": "telegram", "телеграмм": "telegram", "tg": "telegram", "тг": "telegram",
    "max": "max", "макс": "max",
}


# Items that do not exist on a platform (methodology.md §3: cover and ПОС widget are N/A on Telegram).
NOT_ON_PLATFORM = {"telegram": ("cover", "pos_widgets")}


def kind_from_label(text: str) -> str | None:
    key = " ".join(str(text).split()).casefold()
    for kind, label in KIND_LABELS.items():
        if label.casefold() == key or kind == key:
            return kind
    return None


def platform_from_label(text: str) -> str | None:
    return PLATFORM_SYNONYMS.get(" ".join(str(text).split()).casefold())
