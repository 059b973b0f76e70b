"""«Реестр»: the parts that write or look back — the «Изменить» tab (analysts and admins only: a viewer gets no form,
and the service refuses a save from one anyway; the forms are in app_pages/_registry_forms.py) and the history of a
page or an owner. Session keys start with «registry_»."""
from __future__ import annotations

import polars as pl
import streamlit as st

from app_pages import _data, _table
from app_pages._registry_fields import DAY, DONE, pick_owner, pick_page
from app_pages._registry_forms import bulk_form, owner_form, page_form
from core.text import plain
from services import registry as service

MODES = {"page": "Страница", "owner": "Владелец", "new_page": "Новая страница", "new_owner": "Новый владелец",
         "bulk": "Признак для нескольких страниц"}
HISTORY_TITLES = {"pages": "История изменений страницы", "owners": "История изменений владельца"}


def editor(view, pages_in_force: pl.DataFrame) -> None:
    """The «Изменить» tab: one page, one owner, a new page or owner, or one checklist item of several pages."""
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(plain(done), icon=":material/check_circle:")
    mode = st.radio("Что изменить", list(MODES), format_func=MODES.get, horizontal=True, key="registry_edit_mode")
    if mode == "page":
        _edit_existing("pages", pick_page(view.pages, "registry_edit_page"), view)
    elif mode == "owner":
        _edit_existing("owners", pick_owner(view.owners, "registry_edit_owner"), view)
    elif mode == "new_page":
        page_form({"items": {}}, view, new=True)
    elif mode == "new_owner":
        owner_form({}, view, new=True)
    else:
        bulk_form(pages_in_force)


def _edit_existing(table: str, row_id: int | None, view) -> None:
    """The form of the chosen page or owner as it is stored now, and the history of its changes under it."""
    read, form = (service.page_form, page_form) if table == "pages" else (service.owner_form, owner_form)
    record = row_id and read(_data.engine(), row_id)
    if record:
        form(record, view)
        with st.expander(HISTORY_TITLES[table]):
            history_table(table, row_id)


def history(view) -> None:
    """The «История изменений» tab: who changed what and when, per page or per owner."""
    kind = st.radio("Чья история", ["pages", "owners"], horizontal=True, key="registry_history_kind",
                    format_func={"pages": "страницы", "owners": "владельца"}.get)
    if kind == "pages":
        page_id = pick_page(view.pages, "registry_history_page")
        if page_id is not None:
            history_table("pages", page_id)
            facts = service.checklist_history(_data.engine(), page_id)
            st.markdown("**Сведения чек-листа по датам**")
            st.dataframe(facts, hide_index=True, width="stretch", column_config={
                "as_of": st.column_config.DateColumn("Сведения на", format=DAY), "batch": "Пакет",
                "user": "Кем загружено", "facts": st.column_config.TextColumn("Сведения", width="large")})
    else:
        owner_id = pick_owner(view.owners, "registry_history_owner")
        if owner_id is not None:
            history_table("owners", owner_id)


def history_table(table: str, row_id: int) -> None:
    _table.table(service.history(_data.engine(), table, row_id), "Изменений не записано.", width="stretch",
                 column_config={
                     "at": st.column_config.DatetimeColumn("Когда", format="DD.MM.YYYY HH:mm"), "user": "Кто",
                     "batch": st.column_config.TextColumn("Пакет", width="medium"), "status": "Состояние",
                     "field": "Что", "before": st.column_config.TextColumn("Было", width="medium"),
                     "after": st.column_config.TextColumn("Стало", width="medium")})
