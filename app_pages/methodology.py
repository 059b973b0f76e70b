"""«Методика»: generated from the methodology file in force — nothing on this page is written by hand
(scoring.views.methodology builds it from the typed methodology)."""
import streamlit as st

from app_pages import _shared
from scoring.methodology import load_methodologies, methodology_for
from scoring.views.methodology import methodology_view

flt = _shared.filters()
view = methodology_view(methodology_for(flt.quarter.code), flt.quarter, load_methodologies())
st.title("Методика оценки")
st.subheader(view.title)
st.caption(view.version)
if view.late:
    st.warning(view.late)

st.markdown("#### Нормативы")
st.dataframe(view.norms, hide_index=True, width="content")
st.markdown(view.platforms)

st.markdown("#### Показатели и веса")
st.dataframe(view.indicators, hide_index=True, width="stretch",
             column_config={"Показатель": st.column_config.TextColumn(width="large")})
st.caption(view.block_weights)

st.markdown("#### Правила")
st.markdown(view.rules)

st.markdown("#### Зоны")
st.dataframe(view.zones, hide_index=True, width="content")
st.markdown(f"#### Сроки (Порядок §4 п.14–16)\n{view.deadlines}")

st.markdown("#### Версии методики")
st.dataframe(view.versions, hide_index=True, width="stretch",
             column_config={"Утверждена": st.column_config.DateColumn(format="DD.MM.YYYY")})
