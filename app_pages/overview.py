"""«Обзор»: the selected quarter at a glance — registry coverage, deadlines, data freshness."""
import polars as pl
import streamlit as st

from core.config import region_tz
from app_pages import _shared
from scoring.calendar import date_ru, local_today
from scoring.methodology import methodology_for, quarter_deadlines
from scoring.registry_view import filter_rows

flt = _shared.filters()
st.title(f"Обзор — {flt.quarter.label}")
view = _shared.registry_view()
if view.owners.is_empty():
    _shared.empty_state("Данных пока нет. Загрузите реестр страниц и выгрузки активности на экране "
                        "«Загрузка данных» или выполните `python cli.py demo`.")
    st.stop()

owners = filter_rows(view.owners, flt.kinds, flt.body)
pages = filter_rows(view.pages, flt.kinds, flt.body, flt.platforms)
cols = st.columns(4)
cols[0].metric("Страниц в реестре", pages.height)
cols[1].metric("Владельцев", owners.height)
cols[2].metric("Владельцев без обязательной платформы", owners.filter(pl.col("missing_count") > 0).height)
share = pages["checklist_share"].mean()
cols[3].metric("Среднее выполнение чек-листа", "нет данных" if share is None else f"{share:.0%}")

methodology = methodology_for(flt.quarter.code)
deadlines = quarter_deadlines(methodology, flt.quarter.first_day, flt.quarter.last_day)
today = local_today(region_tz())
st.markdown("#### Сроки квартала")
for label_text, key in (("Рейтинг рассчитывается до", "rating_due"), ("Результаты доводятся до", "results_due")):
    day = deadlines[key]
    left = (day - today).days
    status = f"осталось дней: {left}" if left >= 0 else "срок прошёл"
    st.markdown(f"- {label_text} **{date_ru(day)}** ({status})")

st.markdown("#### Свежесть данных")
batches = _shared.batches()
if batches.is_empty():
    st.markdown("Загрузок ещё не было.")
else:
    last = batches.row(0, named=True)
    uploaded = last["uploaded_at"].astimezone(region_tz())
    st.markdown(f"Последняя загрузка: «{last['filename']}», {uploaded:%d.%m.%Y %H:%M}; сведения на "
                f"{last['as_of']:%d.%m.%Y}.")
st.info("Показатели публикаций, прямых эфиров и рейтинга появятся здесь после загрузки выгрузок активности "
        "(ВКонтакте, Telegram, Одноклассники) — этот раздел в разработке.", icon=":material/construction:")
