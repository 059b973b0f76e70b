"""«Реестр»: owners and their official pages, checklist compliance, missing required platforms; editing (analysts
and admins: app_pages/_registry_edit.py and its forms), the history of each page and owner, and the public registry
as of a day (app_pages/_registry_publish.py). The numbers and tables come from scoring.views.registry."""
import streamlit as st

from app_pages import _data, _registry_edit, _registry_publish, _shared
from app_pages._auth import can
from app_pages._registry_fields import role
from app_pages._table import table
from core.domain import PLATFORMS
from core.labels import PLATFORM_LABELS, label
from reports.figures import platform_coverage
from reports.registry_template import registry_workbook
from scoring.views.registry import registry_screen
from services.registry import may_edit

st.title("Реестр официальных страниц")
view = _data.registry_view()
editing = can("analyst") and may_edit(role())
if view.owners.is_empty() and not editing:
    _shared.empty_state("Реестр пуст. Загрузите реестр страниц на экране «Загрузка данных» "
                        "(шаблон можно скачать ниже) или выполните `python cli.py demo`.")
    st.download_button("Скачать шаблон реестра (xlsx)", registry_workbook(), "Шаблон реестра.xlsx",
                       key="registry_template_empty")
    st.stop()

flt = _shared.filters()
search = st.text_input("Поиск по наименованию владельца", key="registry_search", placeholder="например, здравоохранения")
screen = registry_screen(view, flt.kinds, flt.body, flt.platforms, search)
with st.container(horizontal=True, horizontal_alignment="distribute", gap="medium"):  # wraps, never cuts a title
    for kpi in screen.kpis:
        st.metric(kpi.title, kpi.value, help=kpi.help, width="content")

names = ["Страницы", "Владельцы", "Покрытие платформ"] + (["Изменить"] if editing else []) + [
    "История изменений", "Публикация"]
tabs = dict(zip(names, st.tabs(names)))
with tabs["Страницы"]:
    st.caption("Выполнение чек-листа — доля выполненных требований из известных; пустая ячейка реестра — "
               "«нет сведений», а не «нет». Обложка и виджеты ПОС к Telegram не применяются.")
    table(screen.pages_table, "Нет страниц для выбранных фильтров и поиска.", width="stretch", height=520,
          column_config={
              "owner_name": st.column_config.TextColumn(label("owner_name"), width="large"),
              "kind_label": "Тип",
              "body_name": st.column_config.TextColumn(label("body_name"), width="medium"),
              "platform_label": label("platform_label"),
              "url": st.column_config.LinkColumn(label("url"), display_text=r"https?://(.*)"),
              "registered_on": "Зарегистрирована",
              "checklist_share": st.column_config.ProgressColumn("Чек-лист", format="percent", min_value=0,
                                                                 max_value=1),
              "checklist_missing": st.column_config.TextColumn(label("checklist_missing"), width="medium"),
              "checklist_unknown": st.column_config.TextColumn(label("checklist_unknown"), width="small"),
              "subscribers": st.column_config.NumberColumn(label("subscribers"), format="localized"),
              "as_of": label("checked_on"),
              "closed_on": label("closed_on"),
          })
with tabs["Владельцы"]:
    only_missing = st.toggle("Только без обязательной платформы", key="registry_only_missing")
    table(screen.owners_table(only_missing), "Нет владельцев для выбранных фильтров и поиска.", width="stretch",
          height=520, column_config={
              "owner_name": st.column_config.TextColumn(label("owner_name"), width="large"),
              "kind_label": "Тип", "body_name": label("body_name"),
              **{p: st.column_config.NumberColumn(PLATFORM_LABELS[p], help="Действующих страниц") for p in PLATFORMS},
              "missing_platforms": label("missing_platforms"), "exemption": "Не ведётся на основании"})
with tabs["Покрытие платформ"]:
    _shared.chart(platform_coverage(view.counts), key="registry_coverage_chart")
if editing:
    with tabs["Изменить"]:
        _registry_edit.editor(view, screen.pages_in_force)
with tabs["История изменений"]:
    _registry_edit.history(view)
with tabs["Публикация"]:
    _registry_publish.publish(flt.kinds, flt.body, flt.platforms, search)
