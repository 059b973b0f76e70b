"""«Публикации по неделям»: pages (or bodies) × ISO weeks against the weekly norm, with explicit «нет данных»
cells; drill-down to a page's posts by selecting its row in the table (scoring.views.weekly builds the data)."""
from datetime import datetime

import streamlit as st

from app_pages import _data, _quarters, _shared
from core.config import region_tz
from core.labels import label
from reports.figures import share_heatmap, weekly_heatmap
from scoring.views.weekly import page_drill, weekly_bodies, weekly_caption, weekly_pages

flt = _shared.filters()
st.title(f"Публикации по неделям — {flt.quarter.label}")
_shared.stop_if_no_registry("Данных пока нет: загрузите реестр и выгрузки активности на экране «Загрузка данных».")
rating = _quarters.rating(flt.quarter).fresh
st.caption(weekly_caption(rating.methodology))

if not _quarters.rating(flt.quarter).has_data:  # no grey grid of weeks without data: say so
    _shared.empty_state(f"За {flt.quarter.label} нет загруженных выгрузок публикаций. Загрузите выгрузки на экране "
                        "«Загрузка данных».")
    st.stop()
mode, search_col, top_col, order_col = st.columns([2, 3, 1, 2])
grouping = mode.segmented_control("Строки", ["Страницы", "Органы"], default="Страницы", key="weekly_mode")
if grouping == "Органы":
    shares = weekly_bodies(rating, flt.kinds, flt.platforms)
    if shares.is_empty():
        _shared.empty_state("Нет страниц для выбранных фильтров.")
        st.stop()
    _shared.chart(share_heatmap(shares), key="weekly_bodies_heatmap")
    st.stop()

search = search_col.text_input("Поиск по владельцу или ссылке", key="weekly_search", placeholder="например, ЗАГС")
top = top_col.number_input("Строк", min_value=10, max_value=2000, value=40, step=10, key="weekly_top")
worst_first = order_col.toggle("Сначала отстающие", value=True, key="weekly_worst")
view = weekly_pages(rating, flt.kinds, flt.body, flt.platforms, search, worst_first, int(top))
if view.pages.is_empty():
    _shared.empty_state("Нет страниц для выбранных фильтров.")
    st.stop()
st.markdown(view.summary)
_shared.chart(weekly_heatmap(view.cells), key="weekly_heatmap")

st.markdown("#### Страницы — выберите строку, чтобы увидеть публикации")
selection = st.dataframe(
    view.pages.select("owner_name", "platform_label", "url", "norm", "weeks", "weeks_ok", "weeks_no_data", "posts",
                      "share_ok"),
    hide_index=True, width="stretch", height=320, on_select="rerun", selection_mode="single-row", key="weekly_table",
    column_config={"owner_name": st.column_config.TextColumn(label("owner_name"), width="large"),
                   "platform_label": label("platform_label"), "url": st.column_config.LinkColumn(label("url")),
                   "norm": st.column_config.NumberColumn(label("norm")),
                   **{c: st.column_config.NumberColumn(label(c)) for c in ("weeks", "weeks_ok", "posts")},
                   "weeks_no_data": st.column_config.NumberColumn(label("weeks_no_data"), help="Недель без выгрузки"),
                   "share_ok": st.column_config.ProgressColumn(label("share_ok"), format="percent",
                                                               min_value=0, max_value=1)})
rows = selection.selection.rows if selection else []
if rows:
    page = view.pages.row(rows[0], named=True)
    drill = page_drill(page, _data.page_posts(page["page_id"], flt.quarter),
                       _data.styles(flt.quarter, [page["page_id"]]), region_tz().key)
    st.markdown(f"##### {drill.heading}")
    if drill.posts.is_empty():  # an empty table would say «empty»
        st.caption("Публикаций страницы в неделях квартала в загруженных данных нет.")
    else:
        st.dataframe(drill.posts, hide_index=True, width="stretch", height=360, column_config={
            "published_local": st.column_config.DatetimeColumn(label("published_local"), format="DD.MM.YYYY HH:mm"),
            "is_repost": st.column_config.CheckboxColumn(label("is_repost")),
            "text": st.column_config.TextColumn(label("text"), width="large"),
            **{c: label(c) for c in ("week", "content_type", "views", "likes", "comments", "reposts", "reactions")}})
    offset = datetime.now(region_tz()).strftime("%z")
    st.caption(f"Время — региона (UTC{offset[:3]}:{offset[3:]}).")
    if drill.style_heading:  # Порядок §2 п.8, справочно
        st.markdown(f"##### {drill.style_heading}")
        st.caption(drill.recommendation)
        if not drill.examples.is_empty():
            st.dataframe(drill.examples, hide_index=True, width="stretch", column_config={
                "published_local": st.column_config.DatetimeColumn("Дата", format="DD.MM.YYYY HH:mm"),
                "score": st.column_config.ProgressColumn("Вероятность", format="percent", min_value=0, max_value=1),
                "text": st.column_config.TextColumn("Типичная публикация ([обороты пресс-релиза])", width="large")})
