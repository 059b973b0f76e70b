"""One map from English column names to Russian labels: the screen and Excel both use it."""
from __future__ import annotations

COLUMN_LABELS = {
    "owner": "Владелец",
    "owner_name": "Владелец",
    "kind": "Тип владельца",
    "kind_label": "Тип владельца",
    "parent": "Вышестоящий орган",
    "parent_name": "Вышестоящий орган",
    "ogrn": "ОГРН",
    "platform": "Платформа",
    "platform_label": "Платформа",
    "url": "Ссылка",
    "page_key": "Адрес страницы",
    "platform_id": "ID на платформе",
    "title": "Название",
    "registered_on": "Дата регистрации",
    "as_of": "Сведения на дату",
    "status_mark": "Госорганизация / верификация",
    "gospubliki": "Подключена к Госпабликам",
    "comments_enabled": "Комментарии открыты",
    "avatar": "Аватар",
    "cover": "Обложка",
    "description": "Описание",
    "contacts": "Контакты и ссылки",
    "moderation_rules": "Правила модерации",
    "unified_style": "Единый стиль",
    "pos_widgets": "Виджеты ПОС",
    "subscribers": "Подписчики",
    "responsible": "Ответственный",
    "design_pct": "Оформление, %",
    "activity_pct": "Активность, %",
    "weekly_reach": "Охват за неделю",
    "avg_post_reach": "Средний охват публикации",
    "checklist_share": "Выполнение чек-листа",
    "checklist_missing": "Не выполнено",
    "checklist_unknown": "Нет сведений",
    "missing_platforms": "Нет страниц на платформах",
    "exemption": "Страница не ведётся на основании",
    "pages": "Страниц",
    "vk": "ВКонтакте",
    "ok": "Одноклассники",
    "telegram": "Telegram",
}


def label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)
