"""«Обзор»: the selected quarter at a glance — KPIs with deltas against the previous quarter, zones, leaders and
outsiders, the quarter's deadlines, data freshness and, in a running quarter, the early warning."""
import streamlit as st

from app_pages import _shared
from core.config import region_tz
from core.labels import label, metric_delta, number_ru, percent_ru
from core.text import plain
from reports.figures import zone_distribution
from core.calendar import date_ru, local_today
from scoring.methodology import methodology_for, quarter_deadlines
from scoring.screens import leaders_outsiders, overview_kpis, zone_counts

flt = _shared.filters()
st.title(f"Обзор — {_shared.quarter_title(flt.quarter)}")
_shared.stop_if_no_registry("Данных пока нет. Загрузите реестр страниц и выгрузки активности на экране "
                              "«Загрузка данных» или выполните `python cli.py demo`.")

today = local_today(region_tz())
view = _shared.rating(flt.quarter)
kpi = overview_kpis(view.fresh, view.tables)
previous = flt.quarter.previous()
before = overview_kpis(_shared.rating(previous).fresh, _shared.rating(previous).tables) \
    if previous in _shared.data_quarters() else None


def delta(key: str, scale: float = 1, digits: int = 1, suffix: str = "", inverse: bool = False) -> dict:
    """The change against the previous quarter: «+1,2», «−1,2», or «0,0» without a sign when it rounds to zero."""
    if before is None or kpi[key] is None or before[key] is None:
        return {}
    return metric_delta((kpi[key] - before[key]) * scale, digits, suffix, inverse)


if not view.has_data:  # methodology.md §4: a quarter without data has no rating, leaders, zones or means
    st.info(f"За {flt.quarter.label} нет загруженных выгрузок активности — рейтинга, лидеров и средних нет. "
            "Загрузите выгрузки на экране «Загрузка данных».", icon=":material/info:")
else:
    cols = st.columns(5)
    cols[0].metric("Страниц оценено", f"{kpi['pages_rated']} из {kpi['pages']}", **delta("pages_rated", digits=0),
                   help="Страницы с данными не менее чем за нужное методикой число недель; остальные не оцениваются")
    cols[1].metric("Недель с нормой", "нет данных" if kpi["norm_share"] is None
                   else percent_ru(kpi["norm_share"]), **delta("norm_share", 100, 1, " п.п."),
                   help="Доля учтённых недель страниц, в которые выполнена норма (Порядок §2 п.9)")
    cols[2].metric("Органов с прямым эфиром", f"{kpi['bodies_with_stream']} из {kpi['bodies']}",
                   **delta("bodies_with_stream", digits=0), help="Порядок §2 п.7: не реже раза в квартал")
    cols[3].metric("Средний балл органов", "нет данных" if kpi["mean_score"] is None
                   else number_ru(kpi["mean_score"], 1), **delta("mean_score"))
    cols[4].metric("Страниц без данных", kpi["pages_without_data"],
                   **delta("pages_without_data", digits=0, inverse=True),
                   help="За квартал не загружено ни одной выгрузки публикаций этих страниц — это «нет данных», не ноль")

    left, right = st.columns([3, 2])
    with left:
        _shared.chart(zone_distribution(zone_counts(view.tables, "bodies"), view.tables.methodology_info["zones"],
                                        "Исполнительные органы по зонам"), key="overview_zones")
    with right:
        leaders, outsiders = leaders_outsiders(view.tables)
        st.markdown("#### Лидеры")
        st.markdown("\n".join(f"- {r['rank']} место: {plain(r['owner'])} — **{number_ru(r['score'], 1)}**" for r in leaders)
                    or "—")
        st.markdown("#### Отстающие")
        st.markdown("\n".join(f"- {r['rank']} место: {plain(r['owner'])} — **{number_ru(r['score'], 1)}**" for r in outsiders)
                    or "—")

methodology = methodology_for(flt.quarter.code)
deadlines = quarter_deadlines(methodology, flt.quarter.first_day, flt.quarter.last_day)
st.markdown("#### Сроки квартала")
status = "утверждён" if view.approved else "не утверждён"
for label_text, key in (("Рейтинг рассчитывается до", "rating_due"), ("Результаты доводятся до", "results_due")):
    day = deadlines[key]
    left_days = (day - today).days
    note = f"осталось дней: {left_days}" if left_days >= 0 else "срок прошёл"
    st.markdown(f"- {label_text} **{date_ru(day)}** ({note}); рейтинг квартала {status}")

st.markdown("#### Свежесть данных")
batches = _shared.batches()
if batches.is_empty():
    st.markdown("Загрузок ещё не было.")
else:
    last = batches.row(0, named=True)
    uploaded = last["uploaded_at"].astimezone(region_tz())
    st.markdown(f"Последняя загрузка: «{plain(last['filename'])}», {uploaded:%d.%m.%Y %H:%M}; сведения на "
                f"{last['as_of']:%d.%m.%Y}. Недель страниц без данных в квартале: {kpi['page_weeks_no_data']}.")

warning = view.fresh_tables.early_warning  # frames computed with the rating, for a running quarter only
if warning is not None:
    st.markdown("#### Раннее предупреждение: квартал идёт")
    a, b = st.columns(2)
    with a:
        st.markdown(f"**Рискуют не выполнить норму публикаций: {warning['weekly_norm'].height} стр.**")
        st.dataframe(warning["weekly_norm"], hide_index=True, width="stretch", height=320, column_config={
            "url": st.column_config.LinkColumn("Страница"),
            "owner": st.column_config.TextColumn(label("owner"), width="medium"), "platform": None,
            **{c: label(c) for c in ("platform_label", "weeks_met", "weeks_counted", "weeks_left", "posts_this_week",
                                     "posts_needed")},
            "best_B1": st.column_config.ProgressColumn(label("best_B1"), min_value=0, max_value=1, format="percent")})
    with b:
        st.markdown(f"**Нет прямого эфира в квартале: {warning['live_stream'].height} органов**")
        st.dataframe(warning["live_stream"], hide_index=True, width="stretch", height=320, column_config={
            "owner": st.column_config.TextColumn("Орган", width="large"),
            **{c: label(c) for c in ("streams", "needed", "days_left")}})
