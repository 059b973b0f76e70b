"""Explanations and recommendations (methodology.md §5), written from the same numbers the scores use."""
from __future__ import annotations

from datetime import date

import polars as pl

from core.domain import KIND_LABELS, NOT_ON_PLATFORM, PLATFORM_LABELS
from core.labels import ON_PAGE, PLATFORM_LOCATIVE, label, number_ru, percent_ru
from scoring.activity import weeks_of
from scoring.rating import QuarterRating

ITEM_ACCUSATIVE = {"avatar": "аватар", "cover": "обложку", "description": "описание", "contacts": "контакты и ссылки",
                   "moderation_rules": "правила модерации", "unified_style": "оформление в едином стиле"}


def _week(day: date) -> str:
    return f"{day.isocalendar().week:02d}"


def _weeks_list(days: list[date] | None, limit: int = 8) -> str:
    days = days or []
    shown = ", ".join(_week(d) for d in days[:limit])
    return shown + (f" и ещё {len(days) - limit}" if len(days) > limit else "")


def _a3_items(row: dict, items: list[str]) -> tuple[list[str], list[str]]:
    applicable = [i for i in items if i not in NOT_ON_PLATFORM.get(row["platform"], ())]
    missing = [i for i in applicable if row.get(i) is False]
    unknown = [i for i in applicable if row.get(i) is None]
    return missing, unknown


def indicator_inputs(row: dict, code: str, rating: QuarterRating) -> str:
    """The inputs of one indicator of one page, in Russian."""
    m = rating.methodology
    platform = row["platform"]
    if code in ("A1", "A2", "A4"):
        item = {"A1": "status_mark", "A2": "gospubliki", "A4": "comments_enabled"}[code]
        value = row.get(item)
        return "нет сведений" if value is None else ("да" if value else "нет")
    if code == "A3":
        missing, unknown = _a3_items(row, list(m.indicators["A3"].items))
        parts = []
        if missing:
            parts.append("нет: " + ", ".join(label(i).lower() for i in missing))
        if unknown:
            parts.append("нет сведений: " + ", ".join(label(i).lower() for i in unknown))
        if row.get("A3") is not None and not missing and not unknown:
            parts.append("все элементы на месте")
        if row.get("design_pct") is not None and unknown and len(parts) == 1 and not missing:
            parts.append(f"оформление по «Госпабликам» {number_ru(row['design_pct'])} %")
        return "; ".join(parts)
    if code == "A5":
        return "—" if row.get("pos_widgets") is None else f"виджетов ПОС: {row['pos_widgets']}"
    if code == "B1":
        text = (f"недель с нормой (≥ {row['norm']} публ.): {row.get('weeks_ok') or 0} из {row.get('weeks') or 0}")
        weeks = rating.quarter.weeks()
        if row.get("below_norm_mask"):
            text += f"; ниже нормы — нед. {_weeks_list(weeks_of(row['below_norm_mask'], weeks))}"
        if row.get("weeks_partial"):
            text += (f"; неполные данные (выгрузка покрывает не все дни, норма не достигнута) — {row['weeks_partial']} "
                     f"нед. ({_weeks_list(weeks_of(row.get('partial_mask'), weeks))})")
        if row.get("weeks_no_data"):
            text += f"; нет данных — {row['weeks_no_data']} нед. ({_weeks_list(weeks_of(row.get('no_data_mask'), weeks))})"
        return text
    if code == "B2":
        weeks, norm = row.get("weeks") or 0, row.get("norm") or 0
        return f"публикаций {row.get('posts') or 0} при норме {norm} × {weeks} нед. = {norm * weeks}"
    if code == "B3":
        return f"прямых эфиров у владельца в квартале: {row.get('owner_streams') or 0}"
    group = f"группа сравнения: {KIND_LABELS.get(row['kind'], row['kind'])} · {PLATFORM_LABELS.get(platform)}"
    if code == "C1":
        if not row.get("posts_with_views"):
            return "просмотров нет в данных"
        mean = row["views"] / row["posts_with_views"]
        return (f"средние просмотры {number_ru(mean)} ÷ подписчики {number_ru(row.get('subscribers'))} = "
                f"{percent_ru(row.get('C1_raw'), 1)}; {group}")
    if code == "C2":
        if row.get("subscribers_start") is None or row.get("subscribers_end") is None:
            return "нет двух отметок числа подписчиков (на начало квартала и позже, до его конца)"
        return (f"подписчики {row['start_on']:%d.%m.%Y}: {number_ru(row['subscribers_start'])} → "
                f"{row['end_on']:%d.%m.%Y}: {number_ru(row['subscribers_end'])} ({percent_ru(row.get('C2_raw'), 1)}); "
                f"{group}")
    if code == "D1":
        if not row.get("views"):
            return "просмотров нет в данных"
        return (f"лайки, комментарии, репосты и реакции {number_ru(row.get('engagement'))} ÷ просмотры "
                f"{number_ru(row['views'])} = {percent_ru(row.get('D1_raw'), 2)}; {group}")
    if code == "D2":
        if row.get("comment_data"):
            return (f"комментарии пользователей {row.get('user_comments') or 0} ÷ публикации {row.get('posts') or 0}; "
                    f"{group}")
        if row.get("posts_with_comment_counter"):
            return (f"счётчик комментариев {number_ru(row.get('comment_counter'))} ÷ публикации "
                    f"{row['posts_with_comment_counter']} (выгрузки комментариев нет); {group}")
        return "нет данных о комментариях"
    if code == "E1":
        if not row.get("comment_data"):
            return "выгрузка комментариев не загружена"
        share = (row.get("answered") or 0) / row["user_comments"] if row.get("user_comments") else None
        full = m.indicators["E1"].full_at
        return (f"ответ страницы получили {row.get('answered') or 0} из {row.get('user_comments') or 0} "
                f"комментариев ({percent_ru(share)}); полный балл от {percent_ru(full)}")
    if code == "E2":
        if not row.get("answered"):
            return "ответов страницы нет"
        slowest = ", ".join(f"{number_ru(h, 1)} ч" for h in row.get("slowest_reply_hours") or [])
        return f"медиана {number_ru(row.get('median_reply_hours'), 1)} ч; самые долгие ответы: {slowest}"
    return ""


def page_recommendations(row: dict, rating: QuarterRating) -> list[str]:
    """What the page should fix, most valuable first, from its indicator values."""
    m = rating.methodology
    platform, where = row["platform"], ON_PAGE.get(row["platform"], "на странице")
    advice: list[tuple[float, str]] = []

    def lost(code: str) -> float:
        return (1 - (row.get(code) or 0)) * m.weight(code) if code in m.indicators else 0.0

    if row.get("A1") == 0:
        advice.append((lost("A1"), "пройти верификацию канала Telegram" if platform == "telegram"
                       else f"получить отметку «Госорганизация» {where}"))
    if row.get("A2") == 0:
        advice.append((lost("A2"), f"подключить страницу {PLATFORM_LOCATIVE.get(platform, '')} к «Госпабликам»"))
    if "A3" in m.indicators:
        missing, _ = _a3_items(row, list(m.indicators["A3"].items))
        if missing:
            advice.append((lost("A3"), f"добавить {where}: " + ", ".join(ITEM_ACCUSATIVE.get(i, label(i).lower())
                                                                         for i in missing)))
    if row.get("A4") == 0:
        advice.append((lost("A4"), "привязать к каналу группу обсуждений" if platform == "telegram"
                       else f"открыть комментарии {where}"))
    if row.get("A5") is not None and row["A5"] < 1:
        advice.append((lost("A5"), f"установить виджеты ПОС {where} (сейчас {row.get('pos_widgets') or 0})"))
    weeks, ok = row.get("weeks") or 0, row.get("weeks_ok") or 0
    if row.get("B1") is not None and ok < weeks:
        advice.append((lost("B1"), f"в {weeks - ok} нед. из {weeks} меньше {row['norm']} публикаций — "
                                   f"публиковать не реже {row['norm']} раз в неделю"))
    if row.get("B3") == 0:
        advice.append((lost("B3"), "в квартале не было прямого эфира — провести хотя бы один"))
    if row.get("E1") is not None and row["E1"] < 1:
        advice.append((lost("E1"), f"отвечать на комментарии: ответ получили {row.get('answered') or 0} из "
                                   f"{row.get('user_comments') or 0}"))
    if row.get("E2") is not None and row["E2"] < 1 and row.get("answered"):
        target = min(s.hours for s in m.indicators["E2"].steps)
        advice.append((lost("E2"), f"отвечать быстрее: медиана {number_ru(row.get('median_reply_hours'), 1)} ч, "
                                   f"полный балл — до {target} ч"))
    for code, text in (("C1", "охват публикаций ниже, чем у большинства страниц группы"),
                       ("D1", "вовлечённость ниже, чем у большинства страниц группы"),
                       ("D2", "пользователи комментируют меньше, чем у большинства страниц группы")):
        if row.get(code) is not None and row[code] < m.percentiles.advice_below:
            advice.append((lost(code), text))
    gaps = (row.get("weeks_no_data") or 0) + (row.get("weeks_partial") or 0)
    if gaps:
        advice.append((0.0, f"загрузить выгрузки за недели без полных данных ({gaps} нед.) — "
                            "без них эти недели в оценку не входят"))
    ordered = [text for _, text in sorted(advice, key=lambda pair: -pair[0])]
    if row.get("not_rated_reason"):  # methodology.md §3: no score at all; the data comes first
        ordered.insert(0, f"страница не оценивается ({row['not_rated_reason']}) — загрузить выгрузки публикаций "
                          "за квартал")
    return ordered


def indicator_rows(rating: QuarterRating, page_ids: list[int] | None = None) -> pl.DataFrame:
    """Long table page × indicator: value, points, weight, N/A reason, inputs (for screens, Excel, JSON)."""
    m = rating.methodology
    pages = rating.pages if page_ids is None else rating.pages.filter(pl.col("page_id").is_in(page_ids))
    rows = []
    for row in pages.iter_rows(named=True):
        for code in m.indicators:
            rows.append({"page_id": row["page_id"], "indicator": code, "title": m.indicators[code].title,
                         "block": m.indicators[code].block, "value": row.get(code),
                         "raw": row.get(f"{code}_raw"), "points": row.get(f"{code}_points"), "weight": m.weight(code),
                         "na_reason": row.get(f"{code}_na"), "inputs": indicator_inputs(row, code, rating)})
    schema = {"page_id": pl.Int64, "indicator": pl.String, "title": pl.String, "block": pl.String,
              "value": pl.Float64, "raw": pl.Float64, "points": pl.Float64, "weight": pl.Float64,
              "na_reason": pl.String, "inputs": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def owner_recommendations(owner: dict) -> list[str]:
    """Owner-level advice: the required platforms without a page."""
    return [f"создать официальную страницу {PLATFORM_LOCATIVE.get(p, p)}" if p != "vk"
            else "создать официальную страницу ВКонтакте" for p in owner.get("missing_platforms") or []]


def style_recommendation(style: dict | None, settings) -> str | None:
    """Порядок §2 п.8 (a conversational style, not press releases), from the page's share of press-release-style
    posts (scoring.style.page_styles): advice when the share reaches the methodology's page_share."""
    if not style or not style.get("posts_rated") or (style.get("share") or 0) < settings.page_share:
        return None
    phrases = []
    for example in style.get("examples") or []:
        phrases += [p for p in example.get("phrases") or [] if p.lower() not in (q.lower() for q in phrases)]
    shown = ", ".join(f"«{p.lower() if ' … ' not in p else p}»" for p in phrases[:3])
    return (f"{style['press_releases']} из {style['posts_rated']} публикаций ({percent_ru(style['share'])}) написаны "
            f"как пресс-релиз{f' ({shown})' if shown else ''} — писать проще и для людей: короче предложения, без "
            "канцелярских оборотов, обращаться к читателю и задавать вопросы (Порядок §2 п.8)")
