"""«Карточка органа»: one executive body with its head and institutions."""
import polars as pl
import streamlit as st

from app_pages import _shared

flt = _shared.filters()
st.title("Карточка органа")
view = _shared.registry_view()
bodies = sorted(view.owners.filter(pl.col("kind") == "executive_body")["owner_name"].to_list())
if not bodies:
    _shared.empty_state("В реестре нет исполнительных органов. Загрузите реестр на экране «Загрузка данных».")
    st.stop()
default = bodies.index(flt.body) if flt.body in bodies else 0
body = st.selectbox("Исполнительный орган", bodies, index=default, key="body_card_body")
family = view.pages.filter(pl.col("body_name") == body)
members = view.owners.filter(pl.col("body_name") == body)
head = members.filter(pl.col("kind") == "head")["owner_name"].to_list()
cols = st.columns(3)
cols[0].metric("Страниц органа", family.filter(pl.col("owner_name") == body).height)
cols[1].metric("Руководитель", head[0] if head else "нет в реестре")
cols[2].metric("Учреждений", members.filter(pl.col("kind") == "institution").height)
st.markdown("#### Страницы органа, руководителя и учреждений")
st.dataframe(family.select("owner_name", "kind_label", "platform_label", "url", "checklist_share",
                           "checklist_missing"), hide_index=True, width="stretch",
             column_config={"owner_name": st.column_config.TextColumn("Владелец", width="large"),
                            "kind_label": "Тип", "platform_label": "Платформа",
                            "url": st.column_config.LinkColumn("Ссылка"),
                            "checklist_share": st.column_config.ProgressColumn("Чек-лист", format="percent",
                                                                               min_value=0, max_value=1),
                            "checklist_missing": "Не выполнено"})
st.info("Оценки по блокам, недельный график, история мест и рекомендации появятся после расчёта рейтинга — "
        "раздел в разработке.", icon=":material/construction:")
