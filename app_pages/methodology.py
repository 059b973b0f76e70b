"""«Методика»: generated from the methodology file in force — nothing on this page is written by hand."""
import polars as pl
import streamlit as st

from core.domain import KIND_LABELS, PLATFORM_LABELS
from app_pages import _shared
from core.calendar import Quarter
from scoring.methodology import announced_late, load_methodologies, methodology_for

flt = _shared.filters()
methodology = methodology_for(flt.quarter.code)
st.title("Методика оценки")
st.subheader(methodology.title)
st.caption(f"Версия «{methodology.id}», утверждена {methodology.approved_on:%d.%m.%Y}, действует с "
           f"{Quarter.parse(methodology.effective_from).label}. Показана версия, действующая в квартале "
           f"{flt.quarter.label}.")
if announced_late(methodology, flt.quarter.code):
    st.warning("Методика утверждена менее чем за "
               f"{methodology.deadlines.announce_days_before} дней до начала квартала (Порядок §4 п.15).")

st.markdown("#### Нормативы")
norms = methodology.norms
st.dataframe(pl.DataFrame({
    "Тип владельца": [KIND_LABELS[k] for k in norms.posts_per_week],
    "Публикаций в неделю, не менее": list(norms.posts_per_week.values()),
    "Прямых эфиров в квартал, не менее": [str(norms.live_streams_per_quarter.get(k) or "—")
                                          for k in norms.posts_per_week],
}), hide_index=True, width="content")
st.markdown("Обязательные платформы: " + ", ".join(PLATFORM_LABELS[p] for p in methodology.required_platforms)
            + ". Отсутствующая страница на обязательной платформе оценивается в 0 баллов.")

st.markdown("#### Показатели и веса")
percentiles = methodology.percentiles
rows = []
for code, spec in methodology.indicators.items():
    rows.append({"Код": code, "Блок": methodology.blocks[spec.block], "Показатель": spec.title,
                 "Вес": spec.weight, "Пункт распоряжения": spec.order,
                 "Оценка": f"процентиль в группе «{percentiles.group_text}»" if spec.percentile else ""})
st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch",
             column_config={"Показатель": st.column_config.TextColumn(width="large")})
blocks = pl.DataFrame(rows).group_by("Блок", maintain_order=True).agg(pl.col("Вес").sum())
st.caption("Веса блоков: " + "; ".join(f"{r['Блок']} — {r['Вес']}" for r in blocks.iter_rows(named=True))
           + f". Сумма — {sum(r['Вес'] for r in rows)}.")

gates, composite = methodology.gates, methodology.composite
low, high = percentiles.winsorize
st.markdown("#### Правила")
st.markdown(
    f"- Оценка страницы = 100 × сумма баллов ÷ сумма весов применимых показателей. Показатель без данных "
    f"не применяется (не оценивается) и указывается причина; **отсутствие данных никогда не считается нулём**.\n"
    f"- Страница с числом учитываемых недель меньше {gates.min_counted_weeks} по блокам B–E не оценивается.\n"
    f"- Блоки C и D не применяются, если публикаций меньше {gates.min_posts_for_reach}; блок E — если "
    f"комментариев пользователей меньше {gates.min_user_comments} или нет данных о комментариях.\n"
    f"- Процентили считаются в группе «{percentiles.group_text}» после винзоризации на уровнях {low:.0%} и "
    f"{high:.0%}; рекомендация «ниже, чем у большинства страниц группы» даётся при процентиле ниже "
    f"{percentiles.advice_below:.0%}.\n"
    f"- Сводный рейтинг исполнительного органа = {composite.body:.0%} × оценка органа + "
    f"{composite.head:.0%} × оценка руководителя + {composite.institutions:.0%} × средняя "
    f"оценка учреждений; отсутствующие части исключаются с перенормировкой.\n"
    f"- Неделя относится к кварталу, в котором находится её четверг; время — по часовому поясу региона.")

st.markdown("#### Зоны")
st.dataframe(pl.DataFrame([{"Зона": z.name, "Баллов, от": z.min} for z in methodology.zones]), hide_index=True,
             width="content")
deadlines = methodology.deadlines
st.markdown(f"#### Сроки (Порядок §4 п.14–16)\n- рейтинг рассчитывается до {deadlines.rating_due_day}-го "
            f"числа месяца, следующего за кварталом;\n- результаты доводятся не позднее "
            f"{deadlines.results_within_days} дней после окончания квартала;\n- методика доводится не позднее "
            f"чем за {deadlines.announce_days_before} дней до начала периода.")

st.markdown("#### Версии методики")
st.dataframe(pl.DataFrame([{"Версия": m.id, "Название": m.title, "Утверждена": m.approved_on,
                            "Действует с": Quarter.parse(m.effective_from).label, "Файл": m.filename}
                           for m in load_methodologies()]), hide_index=True, width="stretch",
             column_config={"Утверждена": st.column_config.DateColumn(format="DD.MM.YYYY")})
