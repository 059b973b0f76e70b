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
    "closed_on": "Закрыта с",
    "checked_on": "Сведения на",
    "pages": "Страниц",
    "vk": "ВКонтакте",
    "ok": "Одноклассники",
    "telegram": "Telegram",
}


def label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)

COLUMN_LABELS |= {
    "rank": "Место",
    "score": "Балл",
    "zone": "Зона",
    "delta_points": "Δ баллов",
    "delta_place": "Δ места",
    "previous_rank": "Место в прошлом квартале",
    "previous_score": "Балл в прошлом квартале",
    "body_score": "Балл органа",
    "head_score": "Балл руководителя",
    "institutions_score": "Балл учреждений",
    "institutions_count": "Учреждений",
    "block_A": "A. Оформление и статус",
    "block_B": "B. Регулярность",
    "block_C": "C. Охват",
    "block_D": "D. Вовлечённость",
    "block_E": "E. Обратная связь",
    "weeks": "Учтено недель",
    "weeks_ok": "Недель с нормой",
    "weeks_no_data": "Недель без данных",
    "posts": "Публикаций",
    "norm": "Норма в неделю",
    "user_comments": "Комментариев пользователей",
    "answered": "С ответом страницы",
    "median_reply_hours": "Медиана ответа, ч",
    "owner_streams": "Прямых эфиров",
    "value": "Значение",
    "points": "Баллы",
    "weight": "Вес",
    "na_reason": "Почему не оценивается",
    "inputs": "Исходные данные",
    "indicator": "Показатель",
    "week": "Неделя",
    "status": "Состояние",
}
WEEK_STATUS_LABELS = {"met": "норма выполнена", "below": "ниже нормы", "zero": "0 публикаций",
                      "partial": "неполные данные", "no_data": "нет данных", "before_registration": "до регистрации",
                      "not_ended": "не завершена", "closed": "страница закрыта"}


def number_ru(value: float | int | None, digits: int = 0) -> str:
    """12 345,6 — Russian grouping and decimal comma; «—» for unknown."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    return text


def percent_ru(share: float | None, digits: int = 0) -> str:
    return "—" if share is None else f"{number_ru(100 * share, digits)} %"
