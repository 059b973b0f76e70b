"""«Методика»: the methodology in force in a quarter, generated from its file (the typed scoring.methodology object)
— nothing on the screen is written by hand, so the screen and the scoring cannot disagree."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.calendar import Quarter
from core.labels import KIND_LABELS, PLATFORM_LABELS, number_ru, percent_ru
from scoring.methodology import Methodology, announced_late


@dataclass(frozen=True)
class MethodologyView:
    title: str
    version: str  # «Версия «…», утверждена ДД.ММ.ГГГГ, действует с …»
    late: str | None  # the warning when the version was announced too late for the quarter (Порядок §4 п.15)
    norms: pl.DataFrame  # per owner kind: posts a week, live streams a quarter
    platforms: str
    indicators: pl.DataFrame  # Код, Блок, Показатель, Вес, Пункт распоряжения, Оценка
    block_weights: str
    rules: str  # Markdown list
    zones: pl.DataFrame
    deadlines: str  # Markdown
    versions: pl.DataFrame


def methodology_view(methodology: Methodology, quarter: Quarter, versions: list[Methodology]) -> MethodologyView:
    """`methodology`: the version in force in `quarter`; `versions`: every version of the bundled files."""
    late = None
    if announced_late(methodology, quarter.code):
        late = (f"Методика утверждена менее чем за {methodology.deadlines.announce_days_before} дней до начала "
                "квартала (Порядок §4 п.15).")
    norms = methodology.norms
    percentiles = methodology.percentiles
    indicators = pl.DataFrame([
        {"Код": code, "Блок": methodology.blocks[spec.block], "Показатель": spec.title, "Вес": spec.weight,
         "Пункт распоряжения": spec.order or "—",
         "Оценка": f"процентиль в группе «{percentiles.group_text}»" if spec.percentile else ""}
        for code, spec in methodology.indicators.items()])
    weights: dict[str, float] = {}
    for spec in methodology.indicators.values():
        weights[methodology.blocks[spec.block]] = weights.get(methodology.blocks[spec.block], 0) + spec.weight
    return MethodologyView(
        title=methodology.title,
        version=(f"Версия «{methodology.id}», утверждена {methodology.approved_on:%d.%m.%Y}, действует с "
                 f"{Quarter.parse(methodology.effective_from).label}. Показана версия, действующая в квартале "
                 f"{quarter.label}."),
        late=late,
        norms=pl.DataFrame({
            "Тип владельца": [KIND_LABELS[k] for k in norms.posts_per_week],
            "Публикаций в неделю, не менее": list(norms.posts_per_week.values()),
            "Прямых эфиров в квартал, не менее": [number_ru(norms.live_streams_per_quarter.get(k))
                                                  for k in norms.posts_per_week]}),
        platforms=("Обязательные платформы: " + ", ".join(PLATFORM_LABELS[p] for p in methodology.required_platforms)
                   + ". Отсутствующая страница на обязательной платформе оценивается в 0 баллов."),
        indicators=indicators,
        block_weights=("Веса блоков: " + "; ".join(f"{block} — {_number(weight)}" for block, weight in weights.items())
                       + f". Сумма — {_number(sum(weights.values()))}."),
        rules=_rules(methodology), zones=pl.DataFrame({"Зона": [z.name for z in methodology.zones],
                                                       "Баллов, от": [z.min for z in methodology.zones]}),
        deadlines=_deadlines(methodology), versions=_versions(versions))


def _number(value: float) -> str:
    """A weight as written in the file: «20», «2,5» (a weight is whole in the bundled file, but need not be)."""
    return number_ru(value, 0) if float(value).is_integer() else number_ru(value, 3).rstrip("0")


def _rules(methodology: Methodology) -> str:
    gates, composite, percentiles = methodology.gates, methodology.composite, methodology.percentiles
    low, high = percentiles.winsorize
    return (
        "- Оценка страницы = 100 × сумма баллов ÷ сумма весов применимых показателей. Показатель без данных "
        "не применяется (не оценивается) и указывается причина; **отсутствие данных никогда не считается нулём**.\n"
        f"- Страница с числом учитываемых недель меньше {gates.min_counted_weeks} по блокам B–E не оценивается.\n"
        f"- Блоки C и D не применяются, если публикаций меньше {gates.min_posts_for_reach}; блок E — если "
        f"комментариев пользователей меньше {gates.min_user_comments} или нет данных о комментариях.\n"
        f"- Процентили считаются в группе «{percentiles.group_text}» после винзоризации на уровнях "
        f"{percent_ru(low)} и {percent_ru(high)}; рекомендация «ниже, чем у большинства страниц группы» даётся при "
        f"процентиле ниже {percent_ru(percentiles.advice_below)}.\n"
        f"- Сводный рейтинг исполнительного органа = {percent_ru(composite.body)} × оценка органа + "
        f"{percent_ru(composite.head)} × оценка руководителя + {percent_ru(composite.institutions)} × средняя "
        "оценка учреждений; отсутствующие части исключаются с перенормировкой.\n"
        "- Неделя относится к кварталу, в котором находится её четверг; время — по часовому поясу региона.")


def _deadlines(methodology: Methodology) -> str:
    deadlines = methodology.deadlines
    return (f"- рейтинг рассчитывается до {deadlines.rating_due_day}-го числа месяца, следующего за кварталом;\n"
            f"- результаты доводятся не позднее {deadlines.results_within_days} дней после окончания квартала;\n"
            f"- методика доводится не позднее чем за {deadlines.announce_days_before} дней до начала периода.")


def _versions(versions: list[Methodology]) -> pl.DataFrame:
    return pl.DataFrame({"Версия": [m.id for m in versions], "Название": [m.title for m in versions],
                         "Утверждена": [m.approved_on for m in versions],
                         "Действует с": [Quarter.parse(m.effective_from).label for m in versions],
                         "Файл": [m.filename for m in versions]}, schema_overrides={"Утверждена": pl.Date})
