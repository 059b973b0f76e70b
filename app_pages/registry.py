"""«Реестр»: owners and their official pages, checklist compliance, missing required platforms; editing (analysts
and admins), the history of each page and owner, and the public registry as of a day (app_pages/_registry_edit)."""
import polars as pl
import streamlit as st

from app_pages import _registry_edit, _shared
from app_pages._auth import can
from core.labels import PLATFORM_LABELS, number_ru
from reports.figures import platform_coverage
from reports.registry_template import registry_workbook
from scoring.registry_view import filter_rows
from services.registry import may_edit

st.title("Реестр официальных страниц")
view = _shared.registry_view()
editing = can("analyst") and may_edit(_registry_edit.role())
if view.owners.is_empty() and not editing:
    _shared.empty_state("Реестр пуст. Загрузите реестр страниц на экране «Загрузка данных» "
                        "(шаблон можно скачать ниже) или выполните `python cli.py demo`.")
    st.download_button("Скачать шаблон реестра (xlsx)", registry_workbook(), "Шаблон реестра.xlsx",
                       key="registry_template_empty")
    st.stop()

flt = _shared.filters()
search = st.text_input("Поиск по наименованию владельца", key="registry_search", placeholder="например, здравоохранения")
pages = filter_rows(view.pages, flt.kinds, flt.body, flt.platforms, search)
owners = filter_rows(view.owners, flt.kinds, flt.body, None, search)
in_force = pages.filter(pl.col("is_open"))

cols = st.columns(6)
cols[0].metric("Владельцев", number_ru(owners.height))
cols[1].metric("Страниц", number_ru(in_force.height),
               help="Действующие страницы; закрытые остаются в реестре со своей историей")
for col, platform in zip(cols[2:5], ("vk", "ok", "telegram")):
    col.metric(PLATFORM_LABELS[platform], in_force.filter(pl.col("platform") == platform).height)
cols[5].metric("Без обязательной платформы", owners.filter(pl.col("missing_count") > 0).height,
               help="Владельцы, у которых нет действующей страницы хотя бы на одной обязательной платформе "
                    "(Порядок §1 п.2)")

names = ["Страницы", "Владельцы", "Покрытие платформ"] + (["Изменить"] if editing else []) + [
    "История изменений", "Публикация"]
tabs = dict(zip(names, st.tabs(names)))
with tabs["Страницы"]:
    st.caption("Выполнение чек-листа — доля выполненных требований из известных; пустая ячейка реестра — "
               "«нет сведений», а не «нет». Обложка и виджеты ПОС к Telegram не применяются.")
    st.dataframe(
        pages.select("owner_name", "kind_label", "body_name", "platform_label", "url", "registered_on",
                     "checklist_share", "checklist_missing", "checklist_unknown", "subscribers", "as_of",
                     "closed_on"),
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
            "closed_on": st.column_config.DateColumn("Закрыта с", format="DD.MM.YYYY"),
        })
with tabs["Владельцы"]:
    only_missing = st.toggle("Только без обязательной платформы", key="registry_only_missing")
    shown = owners.filter(pl.col("missing_count") > 0) if only_missing else owners
    st.dataframe(
        shown.select("owner_name", "kind_label", "body_name", "vk", "ok", "telegram", "missing_platforms",
                     pl.col("exemption").fill_null("")),
        hide_index=True, width="stretch", height=520,
        column_config={"owner_name": st.column_config.TextColumn("Владелец", width="large"),
                       "kind_label": "Тип", "body_name": "Исполнительный орган",
                       **{p: st.column_config.NumberColumn(PLATFORM_LABELS[p], help="Действующих страниц")
                          for p in ("vk", "ok", "telegram")},
                       "missing_platforms": "Нет страниц на платформах",
                       "exemption": "Не ведётся на основании"})
with tabs["Покрытие платформ"]:
    _shared.chart(platform_coverage(view.counts), key="registry_coverage_chart")
if editing:
    with tabs["Изменить"]:
        _registry_edit.editor(view, pages)
with tabs["История изменений"]:
    _registry_edit.history(view)
with tabs["Публикация"]:
    _registry_edit.publish(view, flt.kinds, flt.body, flt.platforms, search)
