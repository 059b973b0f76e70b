"""«Обзор»: the selected quarter at a glance — KPIs with deltas against the previous quarter, zones, leaders and
outsiders, the quarter's deadlines, data freshness and, in a running quarter, the early warning
(scoring.views.overview builds all of it)."""
import streamlit as st

from app_pages import _data, _quarters, _shared
from core.calendar import local_today
from core.config import region_tz
from core.labels import label
from reports.figures import zone_distribution
from scoring.methodology import methodology_for
from scoring.views.overview import overview_view

flt = _shared.filters()
st.title(f"Обзор — {_quarters.quarter_title(flt.quarter)}")
_shared.stop_if_no_registry("Данных пока нет. Загрузите реестр страниц и выгрузки активности на экране "
                              "«Загрузка данных» или выполните `python cli.py demo`.")

previous = flt.quarter.previous()
view = overview_view(_quarters.rating(flt.quarter),
                     _quarters.rating(previous) if previous in _quarters.data_quarters() else None,
                     methodology_for(flt.quarter.code), local_today(region_tz()), _data.batches(), region_tz())

if not view.has_data:  # methodology.md §4: a quarter without data has no rating, leaders, zones or means
    st.info(f"За {flt.quarter.label} нет загруженных выгрузок активности — рейтинга, лидеров и средних нет. "
            "Загрузите выгрузки на экране «Загрузка данных».", icon=":material/info:")
else:
    for column, kpi in zip(st.columns(len(view.kpis)), view.kpis):
        column.metric(kpi.title, kpi.value, help=kpi.help, **kpi.delta)
    left, right = st.columns([3, 2])
    with left:
        _shared.chart(zone_distribution(view.zone_counts, view.zones, "Исполнительные органы по зонам"),
                      key="overview_zones")
    with right:
        st.markdown(f"#### {view.leaders_title}")
        st.markdown("\n".join(view.leaders) or "—")
        if view.outsiders:  # one body (a body user, a body filter) is no leader and no outsider: its place only
            st.markdown("#### Отстающие")
            st.markdown("\n".join(view.outsiders))

st.markdown("#### Сроки квартала")
st.markdown("\n".join(view.deadlines))
st.markdown("#### Свежесть данных")
st.markdown(view.freshness)

if view.weekly_norm is not None:  # computed with the rating, for a running quarter only
    st.markdown("#### Раннее предупреждение: квартал идёт")
    a, b = st.columns(2)
    with a:
        st.markdown(f"**Рискуют не выполнить норму публикаций: {view.weekly_norm.height} стр.**")
        if view.weekly_norm.height:  # an empty table would say «empty»
            st.dataframe(view.weekly_norm, hide_index=True, width="stretch", height=320, column_config={
                "url": st.column_config.LinkColumn("Страница"),
                "owner": st.column_config.TextColumn(label("owner"), width="medium"),
                **{c: label(c) for c in ("platform_label", "weeks_met", "weeks_counted", "weeks_left",
                                         "posts_this_week", "posts_needed")},
                "best_B1": st.column_config.ProgressColumn(label("best_B1"), min_value=0, max_value=1,
                                                           format="percent")})
    with b:
        st.markdown(f"**Нет прямого эфира в квартале: {view.live_stream.height} органов**")
        if view.live_stream.height:
            st.dataframe(view.live_stream, hide_index=True, width="stretch", height=320, column_config={
                "owner": st.column_config.TextColumn("Орган", width="large"),
                **{c: label(c) for c in ("streams", "needed", "days_left")}})
