"""«Публикации по неделям»: in development — needs the activity loaders and the scoring engine."""
import streamlit as st

from app_pages import _shared

flt = _shared.filters()
st.title(f"Публикации по неделям — {flt.quarter.label}")
st.info("Раздел в разработке: он появится после загрузки выгрузок активности и расчёта рейтинга. "
        "Сейчас в системе есть реестр страниц — см. экран «Реестр».", icon=":material/construction:")
