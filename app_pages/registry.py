"""«Реестр»: owners and their official pages, checklist compliance, missing required platforms."""
import polars as pl
import streamlit as st

from core.domain import PLATFORM_LABELS
from app_pages import _shared
from reports.figures import platform_coverage
from core.config import region_tz
from reports.registry_export import file_name as export_name
from reports.registry_export import registry_csv as public_csv
from reports.registry_export import registry_xlsx as public_xlsx
from reports.registry_template import registry_workbook
from core.calendar import local_today
from scoring.registry_view import filter_rows

st.title("Реестр официальных страниц")
view = _shared.registry_view()
if view.owners.is_empty():
    _shared.empty_state("Реестр пуст. Загрузите реестр страниц на экране «Загрузка данных» "
                        "(шаблон можно скачать ниже) или выполните `python cli.py demo`.")
    st.download_button("Скачать шаблон реестра (xlsx)", registry_workbook(), "Шаблон реестра.xlsx",
                       key="registry_template_empty")
    st.stop()

flt = _shared.filters()
search = st.text_input("Поиск по наименованию владельца", key="registry_search", placeholder="например, здравоохранения")
pages = filter_rows(view.pages, flt.kinds, flt.body, flt.platforms, search)
owners = filter_rows(view.owners, flt.kinds, flt.body, None, search)

cols = st.columns(6)
cols[0].metric("Владельцев", f"{owners.height:,}".replace(",", " "))
cols[1].metric("Страниц", f"{pages.height:,}".replace(",", " "))
for col, platform in zip(cols[2:5], ("vk", "ok", "telegram")):
    col.metric(PLATFORM_LABELS[platform], pages.filter(pl.col("platform") == platform).height)
cols[5].metric("Без обязательной платформы", owners.filter(pl.col("missing_count") > 0).height,
               help="Владельцы, у которых нет страницы хотя бы на одной обязательной платформе (Порядок §1 п.2)")

tab_pages, tab_owners, tab_coverage = st.tabs(["Страницы", "Владельцы", "Покрытие платформ"])
with tab_pages:
    st.caption("Выполнение чек-листа — доля выполненных требований из известных; пустая ячейка реестра — "
               "«нет сведений», а не «нет». Обложка и виджеты ПОС к Telegram не применяются.")
    st.dataframe(
        pages.select("owner_name", "kind_label", "body_name", "platform_label", "url", "registered_on",
                     "checklist_share", "checklist_missing", "checklist_unknown", "subscribers", "as_of"),
        hide_index=True, width="stretch", height=520,
        column_config={
            "owner_name": st.column_config.TextColumn("Владелец", width="large"),
            "kind_label": "Тип",
            "body_name": st.column_config.TextColumn("Исполнительный орган", width="medium"),
            "platform_label": "Платформа",
            "url": st.column_config.LinkColumn("Ссылка", display_text=r"https?://(.*)"),
            "registered_on": st.column_config.DateColumn("Зарегистрирована", format="DD.MM.YYYY"),
            "checklist_share": st.column_config.ProgressColumn("Чек-лист", format="percent", min_value=0,
                                                               max_value=1),
            "checklist_missing": st.column_config.TextColumn("Не выполнено", width="medium"),
            "checklist_unknown": st.column_config.TextColumn("Нет сведений", width="small"),
            "subscribers": st.column_config.NumberColumn("Подписчики", format="localized"),
            "as_of": st.column_config.DateColumn("Сведения на", format="DD.MM.YYYY"),
        })
with tab_owners:
    only_missing = st.toggle("Только без обязательной платформы", key="registry_only_missing")
    shown = owners.filter(pl.col("missing_count") > 0) if only_missing else owners
    st.dataframe(
        shown.select("owner_name", "kind_label", "body_name", "vk", "ok", "telegram", "missing_platforms",
                     pl.col("exemption").fill_null("")),
        hide_index=True, width="stretch", height=520,
        column_config={"owner_name": st.column_config.TextColumn("Владелец", width="large"),
                       "kind_label": "Тип", "body_name": "Исполнительный орган",
                       "vk": st.column_config.NumberColumn("ВКонтакте", help="Страниц"),
                       "ok": st.column_config.NumberColumn("Одноклассники", help="Страниц"),
                       "telegram": st.column_config.NumberColumn("Telegram", help="Страниц"),
                       "missing_platforms": "Нет страниц на платформах",
                       "exemption": "Не ведётся на основании"})
with tab_coverage:
    _shared.chart(platform_coverage(view.counts), key="registry_coverage_chart")

st.markdown("#### Публикация реестра")
st.caption("Публичный реестр официальных страниц (Порядок §2.2): владельцы и их страницы с учётом фильтров экрана.")
day = local_today(region_tz())
xlsx_col, csv_col, template_col = st.columns(3)
xlsx_col.download_button("Реестр (xlsx)", data=lambda: public_xlsx(pages), file_name=export_name(day, "xlsx"),
                         on_click="ignore", icon=":material/download:", key="registry_public_xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
csv_col.download_button("Реестр (csv)", data=lambda: public_csv(pages), file_name=export_name(day, "csv"),
                        on_click="ignore", icon=":material/download:", key="registry_public_csv", mime="text/csv")
template_col.download_button("Шаблон реестра (xlsx)", registry_workbook(), "Шаблон реестра.xlsx",
                             key="registry_template")
