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
               f"{methodology.raw['deadlines']['announce_days_before']} дней до начала квартала (Порядок §4 п.15).")

raw = methodology.raw
st.markdown("#### Нормативы")
norms = raw["norms"]
st.dataframe(pl.DataFrame({
    "Тип владельца": [KIND_LABELS[k] for k in norms["posts_per_week"]],
    "Публикаций в неделю, не менее": list(norms["posts_per_week"].values()),
    "Прямых эфиров в квартал, не менее": [str(norms["live_streams_per_quarter"].get(k) or "—")
                                          for k in norms["posts_per_week"]],
}), hide_index=True, width="content")
st.markdown("Обязательные платформы: " + ", ".join(PLATFORM_LABELS[p] for p in methodology.required_platforms)
            + ". Отсутствующая страница на обязательной платформе оценивается в 0 баллов.")

st.markdown("#### Показатели и веса")
rows = []
for code, spec in raw["indicators"].items():
    rows.append({"Код": code, "Блок": raw["blocks"][spec["block"]], "Показатель": spec["title"],
                 "Вес": spec["weight"], "Пункт распоряжения": spec.get("order", ""),
                 "Оценка": "процентиль в группе «тип владельца × платформа»" if spec.get("percentile") else ""})
st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch",
             column_config={"Показатель": st.column_config.TextColumn(width="large")})
blocks = pl.DataFrame(rows).group_by("Блок", maintain_order=True).agg(pl.col("Вес").sum())
st.caption("Веса блоков: " + "; ".join(f"{r['Блок']} — {r['Вес']}" for r in blocks.iter_rows(named=True))
           + f". Сумма — {sum(r['Вес'] for r in rows)}.")

gates = raw["gates"]
st.markdown("#### Правила")
st.markdown(
    f"- Оценка страницы = 100 × сумма баллов ÷ сумма весов применимых показателей. Показатель без данных "
    f"не применяется (N/A) и указывается причина; **отсутствие данных никогда не считается нулём**.\n"
    f"- Страница с числом учитываемых недель меньше {gates['min_counted_weeks']} по блокам B–E не оценивается.\n"
    f"- Блоки C и D не применяются, если публикаций меньше {gates['min_posts_for_reach']}; блок E — если "
    f"комментариев пользователей меньше {gates['min_user_comments']} или нет данных о комментариях.\n"
    f"- Процентили считаются в группе «{' × '.join({'kind': 'тип владельца', 'platform': 'платформа'}[g] for g in raw['percentiles']['peer_group'])}»"
    f" после винзоризации на уровнях {raw['percentiles']['winsorize'][0]:.0%} и {raw['percentiles']['winsorize'][1]:.0%}.\n"
    f"- Сводный рейтинг исполнительного органа = {raw['composite']['body']:.0%} × оценка органа + "
    f"{raw['composite']['head']:.0%} × оценка руководителя + {raw['composite']['institutions']:.0%} × средняя "
    f"оценка учреждений; отсутствующие части исключаются с перенормировкой.\n"
    f"- Неделя относится к кварталу, в котором находится её четверг; время — по часовому поясу региона.")

st.markdown("#### Зоны")
st.dataframe(pl.DataFrame([{"Зона": z["name"], "Баллов, от": z["min"]} for z in raw["zones"]]), hide_index=True,
             width="content")
deadlines = raw["deadlines"]
st.markdown(f"#### Сроки (Порядок §4 п.14–16)\n- рейтинг рассчитывается до {deadlines['rating_due_day']}-го "
            f"числа месяца, следующего за кварталом;\n- результаты доводятся не позднее "
            f"{deadlines['results_within_days']} дней после окончания квартала;\n- методика доводится не позднее "
            f"чем за {deadlines['announce_days_before']} дней до начала периода.")

st.markdown("#### Версии методики")
st.dataframe(pl.DataFrame([{"Версия": m.id, "Название": m.title, "Утверждена": m.approved_on,
                            "Действует с": Quarter.parse(m.effective_from).label, "Файл": m.filename}
                           for m in load_methodologies()]), hide_index=True, width="stretch",
             column_config={"Утверждена": st.column_config.DateColumn(format="DD.MM.YYYY")})
