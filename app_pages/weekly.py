"""«Публикации по неделям»: pages (or bodies) × ISO weeks against the weekly norm, with explicit «нет данных»
cells; drill-down to a page's posts by selecting its row in the table."""
from datetime import datetime

import polars as pl
import streamlit as st

from app_pages import _shared
from core.config import region_tz
from core.labels import percent_ru
from core.text import plain
from reports.figures import share_heatmap, weekly_heatmap
from scoring.screens import dashes, style_view, weekly_body_shares, weekly_page_rows, weekly_totals

flt = _shared.filters()
st.title(f"Публикации по неделям — {flt.quarter.label}")
_shared.stop_if_no_registry("Данных пока нет: загрузите реестр и выгрузки активности на экране «Загрузка данных».")
rating = _shared.rating(flt.quarter).fresh
st.caption("Цвет ячейки — число публикаций за ISO-неделю (пн–вс, время томское) относительно нормы "
           f"(Порядок §2 п.9: {rating.methodology.norms.posts_text()}). Серая ячейка — «нет данных»: "
           "выгрузка за эту неделю не загружена; это не ноль публикаций.")

if not _shared.rating(flt.quarter).has_data:  # no grey grid of weeks without data: say so
    _shared.empty_state(f"За {flt.quarter.label} нет загруженных выгрузок публикаций. Загрузите выгрузки на экране "
                        "«Загрузка данных».")
    st.stop()
mode, search_col, top_col, order_col = st.columns([2, 3, 1, 2])
grouping = mode.segmented_control("Строки", ["Страницы", "Органы"], default="Страницы", key="weekly_mode")
if grouping == "Органы":
    shares = weekly_body_shares(rating, flt.kinds, flt.platforms)
    if shares.is_empty():
        _shared.empty_state("Нет страниц для выбранных фильтров.")
        st.stop()
    _shared.chart(share_heatmap(shares), key="weekly_bodies_heatmap")
    st.stop()

search = search_col.text_input("Поиск по владельцу или ссылке", key="weekly_search", placeholder="например, ЗАГС")
top = top_col.number_input("Строк", min_value=10, max_value=2000, value=40, step=10, key="weekly_top")
worst_first = order_col.toggle("Сначала отстающие", value=True, key="weekly_worst")
pages, cells = weekly_page_rows(rating, flt.kinds, flt.body, flt.platforms, search, worst_first, int(top))
if pages.is_empty():
    _shared.empty_state("Нет страниц для выбранных фильтров.")
    st.stop()
totals = weekly_totals(pages)
share = f"{totals['weeks_ok'] / totals['weeks']:.0%}" if totals["weeks"] else "нет данных"
st.markdown(f"Показано страниц: **{totals['pages']}** · недель с нормой: **{totals['weeks_ok']} из {totals['weeks']}** "
            f"({share}) · недель без данных: **{totals['weeks_no_data']}**")
_shared.chart(weekly_heatmap(cells), key="weekly_heatmap")

st.markdown("#### Страницы — выберите строку, чтобы увидеть публикации")
selection = st.dataframe(
    pages.select("owner_name", "platform_label", "url", "norm", "weeks", "weeks_ok", "weeks_no_data", "posts", "share_ok"),
    hide_index=True, width="stretch", height=320, on_select="rerun", selection_mode="single-row", key="weekly_table",
    column_config={"owner_name": st.column_config.TextColumn("Владелец", width="large"),
                   "platform_label": "Платформа", "url": st.column_config.LinkColumn("Ссылка"),
                   "norm": st.column_config.NumberColumn("Норма", help="Публикаций в неделю"),
                   "weeks": st.column_config.NumberColumn("Учтено недель"),
                   "weeks_ok": st.column_config.NumberColumn("С нормой"),
                   "weeks_no_data": st.column_config.NumberColumn("Нет данных", help="Недель без выгрузки"),
                   "posts": st.column_config.NumberColumn("Публикаций"),
                   "share_ok": st.column_config.ProgressColumn("Доля недель с нормой", format="percent",
                                                               min_value=0, max_value=1)})
rows = selection.selection.rows if selection else []
if rows:
    page = pages.row(rows[0], named=True)
    posts = _shared.page_posts(page["page_id"], flt.quarter)
    st.markdown(f"##### Публикации: {plain(page['owner_name'])} ({plain(page['url'])}) — {posts.height}")
    st.dataframe(dashes(posts, {c: 0 for c in ("views", "likes", "comments", "reposts", "reactions")}, ("text",)),
                 hide_index=True, width="stretch", height=360, column_config={
        "published_local": st.column_config.DatetimeColumn("Дата и время", format="DD.MM.YYYY HH:mm"),
        "week": "Неделя", "content_type": "Тип", "is_repost": st.column_config.CheckboxColumn("Репост"),
        "text": st.column_config.TextColumn("Текст", width="large"),
        "views": "Просмотры",
        "likes": "Лайки", "comments": "Комментарии", "reposts": "Репосты", "reactions": "Реакции"})
    offset = datetime.now(region_tz()).strftime("%z")
    st.caption(f"Время — региона (UTC{offset[:3]}:{offset[3:]}).")
    summary, examples = style_view(pages.filter(pl.col("page_id") == page["page_id"]).select("page_id", title="label"),
                                   _shared.styles(flt.quarter, [page["page_id"]]), region_tz().key)
    if not summary.is_empty():  # Порядок §2 п.8, справочно
        info = summary.row(0, named=True)
        st.markdown(f"##### Стиль: как пресс-релиз написаны {info['press_releases']} из {info['posts_rated']} "
                    f"публикаций ({percent_ru(info['share'])})")
        st.caption(plain(info["recommendation"]))
        if not examples.is_empty():
            st.dataframe(examples.drop("title"), hide_index=True, width="stretch", column_config={
                "published_local": st.column_config.DatetimeColumn("Дата", format="DD.MM.YYYY HH:mm"),
                "score": st.column_config.ProgressColumn("Вероятность", format="percent", min_value=0, max_value=1),
                "text": st.column_config.TextColumn("Типичная публикация ([обороты пресс-релиза])", width="large")})
