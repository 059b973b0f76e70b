"""«Прямые эфиры»: executive bodies × quarters — held, not held or «нет данных» (Порядок §2 п.7: at least one
live stream a quarter on any of the body's pages) — and the list of the quarter's streams with links
(scoring.views.streams builds the data)."""
import streamlit as st

from app_pages import _quarters, _shared
from core.config import region_tz
from core.labels import label
from reports.figures import streams_matrix as matrix_figure
from scoring.views.streams import streams_view

flt = _shared.filters()
st.title(f"Прямые эфиры — {flt.quarter.label}")
_shared.stop_if_no_registry("Данных пока нет: загрузите реестр и выгрузки активности на экране «Загрузка данных».")
if not _quarters.rating(flt.quarter).has_data:  # no grey matrix of a quarter without data: say so
    _shared.empty_state(f"За {flt.quarter.label} нет загруженных выгрузок активности — о прямых эфирах органов "
                        "сведений нет. Загрузите выгрузки на экране «Загрузка данных».")
    st.stop()
quarters = [q for q in _quarters.data_quarters() if q <= flt.quarter][:4][::-1] or [flt.quarter]
view = streams_view([_quarters.rating(q).fresh for q in quarters], _quarters.rating(flt.quarter).fresh,
                    region_tz().key, flt.body)
cols = st.columns(3)
if not view.matrix.is_empty():
    cols[0].metric("Органов с эфиром в квартале", view.held, help="Порядок §2 п.7")
    cols[1].metric("Органов без эфира", view.not_held)
    cols[2].metric("Нет данных", view.no_data, help="По страницам органа за квартал не загружено ни одной выгрузки")
st.caption(view.caption)
if view.matrix.is_empty():
    _shared.empty_state("В реестре нет исполнительных органов.")
else:
    _shared.chart(matrix_figure(view.matrix), key="streams_matrix")

st.markdown(f"#### Эфиры квартала ({flt.quarter.label})")
if view.streams.is_empty():
    st.info("В выбранном квартале эфиров в загруженных данных нет.", icon=":material/info:")
else:
    st.dataframe(view.streams, hide_index=True, width="stretch", height=min(520, 38 + 35 * view.streams.height),
                 column_config={
                     "started_local": st.column_config.DatetimeColumn(label("started_local"), format="DD.MM.YYYY HH:mm"),
                     "owner_name": st.column_config.TextColumn(label("owner_name"), width="large"),
                     "platform_label": label("platform_label"),
                     "minutes": st.column_config.TextColumn(label("minutes")),
                     "url": st.column_config.LinkColumn("Запись", display_text="открыть"),
                     "title": st.column_config.TextColumn(label("title"), width="large")})
