"""«Реестр», the «Публикация» tab: the public registry as of a chosen day (распоряжение № 132-р, п. 2.2), filtered
as the screen is, with its downloads. Session keys start with «registry_»."""
from __future__ import annotations

import streamlit as st

from app_pages import _data
from app_pages._registry_fields import DAY, EARLIEST
from core.calendar import local_today
from core.config import region_tz
from core.labels import number_ru
from reports.registry_export import file_name, registry_csv, registry_html, registry_xlsx
from reports.registry_template import registry_workbook
from scoring.registry_view import filter_rows


def publish(kinds: list[str], body: str | None, platforms: list[str], search: str) -> None:
    today = local_today(region_tz())
    st.caption("Публичный реестр официальных страниц (распоряжение № 132-р, п. 2.2) на выбранную дату: владелец, тип, "
               "вышестоящий орган, платформа, ссылка и отметка «Госорганизация»; закрытые к этой дате страницы не "
               "входят. Фильтры экрана действуют и здесь.")
    day = st.date_input("Реестр на дату", value=today, min_value=EARLIEST, max_value=today, format=DAY,
                        key="registry_publish_day")
    pages = filter_rows(_data.public_pages(day), kinds, body, platforms, search)
    st.metric(f"Страниц на {day:%d.%m.%Y}", number_ru(pages.height))
    xlsx_col, csv_col, html_col, template_col = st.columns(4)
    xlsx_col.download_button("Реестр (xlsx)", data=lambda: registry_xlsx(pages), file_name=file_name(day, "xlsx"),
                             on_click="ignore", icon=":material/download:", key="registry_public_xlsx",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    csv_col.download_button("Реестр (csv)", data=lambda: registry_csv(pages), file_name=file_name(day, "csv"),
                            on_click="ignore", icon=":material/download:", key="registry_public_csv", mime="text/csv")
    html_col.download_button("Страница для сайта (html)", data=lambda: registry_html(pages, day),
                             file_name=file_name(day, "html"), on_click="ignore", icon=":material/language:",
                             key="registry_public_html", mime="text/html")
    template_col.download_button("Шаблон реестра (xlsx)", registry_workbook(), "Шаблон реестра.xlsx",
                                 key="registry_template")
