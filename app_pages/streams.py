"""«Прямые эфиры»: executive bodies × quarters — held, not held or «нет данных» (Порядок §2 п.7: at least one
live stream a quarter on any of the body's pages) — and the list of the quarter's streams with links."""
import streamlit as st

from app_pages import _shared
from core.config import region_tz
from reports.figures import streams_matrix as matrix_figure
from scoring.screens import dashes, stream_list, streams_matrix

flt = _shared.filters()
st.title(f"Прямые эфиры — {flt.quarter.label}")
_shared.stop_if_no_registry("Данных пока нет: загрузите реестр и выгрузки активности на экране «Загрузка данных».")
if not _shared.rating(flt.quarter).has_data:  # no grey matrix of a quarter without data: say so
    _shared.empty_state(f"За {flt.quarter.label} нет загруженных выгрузок активности — о прямых эфирах органов "
                        "сведений нет. Загрузите выгрузки на экране «Загрузка данных».")
    st.stop()
quarters = [q for q in _shared.data_quarters() if q <= flt.quarter][:4][::-1] or [flt.quarter]
ratings = [_shared.rating(q).fresh for q in quarters]
current = _shared.rating(flt.quarter).fresh
matrix = streams_matrix(ratings)
held = matrix.filter(matrix["quarter"] == flt.quarter.label) if not matrix.is_empty() else matrix
cols = st.columns(3)
if not held.is_empty():
    cols[0].metric("Органов с эфиром в квартале", int((held["state"] == "held").sum()), help="Порядок §2 п.7")
    cols[1].metric("Органов без эфира", int((held["state"] == "not_held").sum()))
    cols[2].metric("Нет данных", int((held["state"] == "no_data").sum()),
                   help="По страницам органа за квартал не загружено ни одной выгрузки")
st.caption("Зелёный — эфир проведён, красный — не проведён, серый — нет данных. Эфир на любой странице органа "
           "засчитывается органу (методика, показатель B3).")
if matrix.is_empty():
    _shared.empty_state("В реестре нет исполнительных органов.")
else:
    _shared.chart(matrix_figure(matrix), key="streams_matrix")

st.markdown(f"#### Эфиры квартала ({flt.quarter.label})")
streams = stream_list(current, region_tz().key, flt.body)
if streams.is_empty():
    st.info("В выбранном квартале эфиров в загруженных данных нет.", icon=":material/info:")
else:
    st.dataframe(dashes(streams.select("started_local", "owner_name", "platform_label", "minutes", "url", "title"),
                        {"minutes": 0}, ("title",)),
                 hide_index=True, width="stretch", height=min(520, 38 + 35 * streams.height), column_config={
                     "started_local": st.column_config.DatetimeColumn("Дата и время", format="DD.MM.YYYY HH:mm"),
                     "owner_name": st.column_config.TextColumn("Владелец", width="large"),
                     "platform_label": "Платформа", "minutes": st.column_config.TextColumn("Длительность, мин"),
                     "url": st.column_config.LinkColumn("Запись", display_text="открыть"),
                     "title": st.column_config.TextColumn("Название", width="large")})
