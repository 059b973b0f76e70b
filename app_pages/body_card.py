"""«Карточка органа»: one executive body with its head and institutions — composite and block scores, the
weekly chart, rank history, every N/A reason and the recommendations; the body's own Excel workbook."""
import polars as pl
import streamlit as st

from app_pages import _shared, _rating_tables
from core.config import region_tz
from core.labels import metric_delta, number_ru
from core.text import plain
from reports.figures import block_bars, rank_history, weekly_posts_chart
from reports.rating_workbook import file_name, rating_workbook
from reports.pdf_report import body_pdf, file_name as pdf_file_name
from core.calendar import local_today
from scoring.screens import body_card, dashes, style_view
from services.style import style_by_page

flt = _shared.filters()
st.title("Карточка органа")
view = _shared.registry_view()
bodies = sorted(view.owners.filter(pl.col("kind") == "executive_body")["owner_name"].to_list())
if not bodies:
    _shared.empty_state("В реестре нет исполнительных органов. Загрузите реестр на экране «Загрузка данных».")
    st.stop()
default = bodies.index(flt.body) if flt.body in bodies else 0
body = st.selectbox("Исполнительный орган", bodies, index=default, key="body_card_body")
rating = _shared.rating(flt.quarter)
history = [(q.label, _shared.rating(q).tables) for q in _shared.data_quarters()[:6][::-1]]
card = body_card(rating.tables, rating.fresh, body, history)
row = card.body_row or {}

st.subheader(f"{plain(body)} — {_shared.quarter_title(flt.quarter)}")
if not rating.has_data:
    st.info(f"За {flt.quarter.label} нет загруженных выгрузок активности — рейтинга нет.", icon=":material/info:")
    st.stop()  # no empty charts of weeks without data and no report buttons: the message says why
elif row and row.get("score") is None:
    st.warning(f"Орган за {flt.quarter.label} не оценивается: {row.get('not_rated_reason') or 'нет данных'}. "
               "Место и зона не присваиваются, пока нет данных о публикациях его страниц.", icon=":material/warning:")
elif row:
    st.caption(row.get("completeness") or "")
cols = st.columns(5)
cols[0].metric("Сводный балл", number_ru(row.get("score"), 1), **metric_delta(row.get("delta_points"), 1))
cols[1].metric("Место", "—" if row.get("rank") is None else f"{row['rank']} из {card.ranked}",
               **metric_delta(row.get("delta_place"), 0))
cols[2].metric("Зона", row.get("zone") or "—")
cols[3].metric("Руководитель", number_ru(row.get("head_score"), 1),
               help=plain(", ".join(card.head_names)) or "нет в реестре")
cols[4].metric("Учреждения", number_ru(row.get("institutions_score"), 1), help=f"{card.institutions} учреждений")
st.download_button("Excel по органу", data=lambda: rating_workbook(rating.tables, region_tz(), row.get("owner_id"), style=style_by_page(
                       _shared.styles(flt.quarter, card.pages["page_id"].to_list()))),
                   file_name=file_name(flt.quarter.code, local_today(region_tz()), body), on_click="ignore",
                   icon=":material/download:", key="body_card_excel", disabled=not row,
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
pdf_quarters = [q for q in _shared.data_quarters()[:6][::-1] if q <= flt.quarter]
pdf_views = [(q.label, _shared.rating(q)) for q in pdf_quarters]  # read here: the callable runs in a worker thread
st.download_button(  # the body's own report (issue 19): what it receives by e-mail each quarter
    "PDF по органу", icon=":material/picture_as_pdf:", on_click="ignore", key="body_card_pdf", disabled=not row,
    data=lambda: body_pdf(rating.tables, row["owner_id"], region_tz(),
                          history=[(label, past.tables) for label, past in pdf_views]),
    file_name=pdf_file_name(flt.quarter.code, local_today(region_tz()), body), mime="application/pdf")

left, right = st.columns(2)
with left:
    _shared.chart(block_bars(row.get("blocks") or {}, rating.tables.methodology_info["blocks"],
                             "Баллы органа по блокам"), key="body_card_blocks")
with right:
    _shared.chart(rank_history(card.history), key="body_card_history")
st.markdown("#### Публикации органа по неделям")
_shared.chart(weekly_posts_chart(card.weekly, card.norm), key="body_card_weekly")

st.markdown("#### Рекомендации")
if card.recommendations:
    st.markdown("\n".join(f"- **{plain(where)}**: {plain(text)}" for where, text in card.recommendations))
else:
    st.success("Замечаний нет.", icon=":material/check_circle:")

st.markdown("#### Стиль публикаций: разговорный или пресс-релиз (Порядок §2 п.8)")
style_summary, style_examples = style_view(card.pages, _shared.styles(flt.quarter, card.pages["page_id"].to_list()),
                                           region_tz().key)
if style_summary.is_empty():
    st.caption("За квартал нет текстов публикаций страниц органа.")
else:
    st.caption("Справочно, в балл не входит. Доля публикаций, написанных как пресс-релиз (длинные предложения, "
               "канцелярские обороты, отглагольные существительные, нет обращения к читателю), и самые типичные из "
               "них: в [квадратных скобках] — обороты, из-за которых текст читается как пресс-релиз.")
    st.dataframe(style_summary, hide_index=True, width="stretch", column_config={
        "title": st.column_config.TextColumn("Страница", width="medium"),
        "posts_rated": st.column_config.NumberColumn("Публикаций с текстом"),
        "press_releases": st.column_config.NumberColumn("Как пресс-релиз"),
        "share": st.column_config.ProgressColumn("Доля", format="percent", min_value=0, max_value=1),
        "recommendation": st.column_config.TextColumn("Рекомендация", width="large")})
    if not style_examples.is_empty():
        st.dataframe(style_examples, hide_index=True, width="stretch", column_config={
            "title": st.column_config.TextColumn("Страница", width="medium"),
            "published_local": st.column_config.DatetimeColumn("Дата", format="DD.MM.YYYY HH:mm"),
            "score": st.column_config.ProgressColumn("Вероятность", format="percent", min_value=0, max_value=1),
            "text": st.column_config.TextColumn("Типичная публикация", width="large")})

st.markdown("#### Руководитель и учреждения")
_rating_tables.ranked_table(rating.tables, "heads", body, height=200)
_rating_tables.ranked_table(rating.tables, "institutions", body, height=360)

st.markdown("#### Показатели страниц органа: значения, баллы и причины «не оценивается»")
if card.pages.is_empty():
    st.caption("У органа и его руководителя нет страниц в реестре за этот квартал.")
else:
    choice = st.selectbox("Страница", card.pages["page_id"].to_list(), key="body_card_page",
                          format_func=dict(zip(card.pages["page_id"].to_list(), card.pages["title"].to_list())).get)
    st.dataframe(dashes(card.indicators.filter(pl.col("page_id") == choice).drop("page_id"),
                        {"value": 2, "points": 1}, ("na_reason", "inputs")), hide_index=True, width="stretch",
                 column_config={"code": st.column_config.TextColumn("Код", width="small"),
                                "title": st.column_config.TextColumn("Показатель", width="medium"),
                                "value": st.column_config.TextColumn("Значение"),
                                "points": st.column_config.TextColumn("Баллы"),
                                "weight": st.column_config.NumberColumn("Вес", format="%d"),
                                "na_reason": st.column_config.TextColumn("Не оценивается, потому что", width="medium"),
                                "inputs": st.column_config.TextColumn("Исходные данные", width="large")})
