"""«Карточка органа»: one executive body with its head and institutions — composite and block scores, the
weekly chart, rank history, every N/A reason and the recommendations; the body's own Excel workbook and PDF
(scoring.views.body_card builds what is shown)."""
import streamlit as st

from app_pages import _shared, _rating_tables
from app_pages._table import table
from core.calendar import local_today
from core.config import region_tz
from core.text import plain
from reports.figures import block_bars, rank_history, weekly_posts_chart
from reports.pdf_report import body_pdf, file_name as pdf_file_name
from reports.rating_workbook import file_name, rating_workbook
from scoring.views.body_card import body_card, card_style
from scoring.views.registry import executive_bodies
from services.style import style_by_page

flt = _shared.filters()
st.title("Карточка органа")
bodies = executive_bodies(_shared.registry_view().owners)
if not bodies:
    _shared.empty_state("В реестре нет исполнительных органов. Загрузите реестр на экране «Загрузка данных».")
    st.stop()
body = st.selectbox("Исполнительный орган", bodies, index=bodies.index(flt.body) if flt.body in bodies else 0,
                    key="body_card_body")
rating = _shared.rating(flt.quarter)
history = [(q.label, _shared.rating(q).tables) for q in _shared.data_quarters()[:6][::-1]]
card = body_card(rating.tables, rating.fresh, body, history)
row = card.body_row or {}

st.subheader(f"{plain(body)} — {_shared.quarter_title(flt.quarter)}")
if not rating.has_data:
    st.info(f"За {flt.quarter.label} нет загруженных выгрузок активности — рейтинга нет.", icon=":material/info:")
    st.stop()  # no empty charts of weeks without data and no report buttons: the message says why
if card.status and card.status[0] == "warning":
    st.warning(card.status[1], icon=":material/warning:")
elif card.status:
    st.caption(card.status[1])
with st.container(horizontal=True, horizontal_alignment="distribute", gap="medium"):  # wraps, never cuts a value
    for kpi in card.kpis:
        st.metric(kpi.title, kpi.value, help=kpi.help, width="content", **kpi.delta)
page_ids = card.pages["page_id"].to_list()
st.download_button("Excel по органу", data=lambda: rating_workbook(
                       rating.tables, region_tz(), row.get("owner_id"),
                       style=style_by_page(_shared.styles(flt.quarter, page_ids))),
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
style_summary, style_examples = card_style(card.pages, _shared.styles(flt.quarter, page_ids), region_tz().key)
if style_summary.is_empty():
    st.caption("За квартал нет текстов публикаций страниц органа.")
else:
    st.caption("Справочно, в балл не входит. Доля публикаций, написанных как пресс-релиз (длинные предложения, "
               "канцелярские обороты, отглагольные существительные, нет обращения к читателю), и самые типичные из "
               "них: в [квадратных скобках] — обороты, из-за которых текст читается как пресс-релиз.")
    page = st.column_config.TextColumn("Страница", width="medium")
    table(style_summary, "Нет публикаций с текстом.", width="stretch", column_config={
        "title": page, "posts_rated": st.column_config.NumberColumn("Публикаций с текстом"),
        "press_releases": st.column_config.NumberColumn("Как пресс-релиз"),
        "share": st.column_config.ProgressColumn("Доля", format="%.0f %%", min_value=0, max_value=100),
        "recommendation": st.column_config.TextColumn("Рекомендация", width="large")})
    table(style_examples, "Примеров публикаций нет.", width="stretch", column_config={
        "title": page, "published_local": st.column_config.DatetimeColumn("Дата", format="DD.MM.YYYY HH:mm"),
        "score": st.column_config.ProgressColumn("Вероятность", format="%.0f %%", min_value=0, max_value=100),
        "text": st.column_config.TextColumn("Типичная публикация", width="large")})

st.markdown("#### Руководитель и учреждения")
_rating_tables.ranked_table(card.head_rows, card.headers, key=f"rating_table_heads_{body}", height=200)
_rating_tables.ranked_table(card.institution_rows, card.headers, key=f"rating_table_institutions_{body}", height=360)

st.markdown("#### Показатели страниц органа: значения, баллы и причины «не оценивается»")
if card.pages.is_empty():
    st.caption("У органа и его руководителя нет страниц в реестре за этот квартал.")
else:
    choice = st.selectbox("Страница", page_ids, key="body_card_page", format_func=card.page_titles().get)
    table(card.page_indicators(choice), "У страницы нет показателей за этот квартал.", width="stretch",
          column_config={"code": st.column_config.TextColumn("Код", width="small"),
                         "title": st.column_config.TextColumn("Показатель", width="medium"),
                         "value": st.column_config.TextColumn("Значение"),
                         "points": st.column_config.TextColumn("Баллы"),
                         "weight": st.column_config.NumberColumn("Вес", format="%d"),
                         "na_reason": st.column_config.TextColumn("Не оценивается, потому что", width="medium"),
                         "inputs": st.column_config.TextColumn("Исходные данные", width="large")})
