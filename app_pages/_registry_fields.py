"""«Реестр», editing: what every registry form shares — the user's role, the choice of a page or an owner, the
service's messages shown under the field they are about, and the save itself (services.registry decides; this
module only keeps the last refusal for the next run). Session keys start with «registry_»."""
from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from app_pages import _data, _quarters
from core.text import plain
from scoring.views.registry import owner_choices, page_choices
from services import registry as service

REFUSED, DONE = "registry_edit_refused", "registry_edit_done"  # the last save: refused (form → cells) or done
FLAG_TEXT = {None: "нет сведений", True: "да", False: "нет"}
DAY = "DD.MM.YYYY"
EARLIEST = date(2000, 1, 1)


def role() -> str | None:
    """The signed-in user's role as the session holds it (storage.users roles); None when unknown — then the
    service refuses every save."""
    return st.session_state.get("auth_role")


def flag_text(value) -> str:
    """A checklist value as the forms show it: «да», «нет», «нет сведений», or the number of POS widgets."""
    return FLAG_TEXT[value] if value is None or isinstance(value, bool) else str(value)


def _pick(label_text: str, names: dict[int, str], key: str, placeholder: str) -> int | None:
    """A page or an owner chosen from the registry. The widget is made anew with every data version (a browser
    keeps showing an option's old text after a save renamed it) and keeps the choice across versions."""
    chosen = st.session_state.get(key)
    value = st.selectbox(label_text, list(names), format_func=names.get, placeholder=placeholder,
                         index=list(names).index(chosen) if chosen in names else None,
                         key=f"{key}_{abs(hash(_data.version()))}")
    st.session_state[key] = value
    return value


def pick_page(pages: pl.DataFrame, key: str) -> int | None:
    return _pick("Страница", page_choices(pages), key, "начните вводить владельца или адрес страницы")


def pick_owner(owners: pl.DataFrame, key: str, label_text: str = "Владелец") -> int | None:
    return _pick(label_text, owner_choices(owners), key, "начните вводить наименование")


def errors(form_key: str, field: str) -> None:
    """The refused save's messages for one field, right under it."""
    refused = st.session_state.get(REFUSED) or {}
    if refused.get("form") == form_key:
        for message in refused["cells"].get(service.HEADER.get(field, field), []):
            st.error(plain(message), icon=":material/error:")


def summary(form_key: str) -> None:
    refused = st.session_state.get(REFUSED) or {}
    if refused.get("form") == form_key:
        st.error(plain(refused["message"]), icon=":material/block:")
        for message in refused["cells"].get("", []):
            st.error(plain(message))


def save(form_key: str, action) -> None:
    """Run a save; on refusal keep its messages per cell for the next run, on success its message."""
    try:
        report = action()
    except service.EditRefused as refused:
        cells: dict[str, list[str]] = {}
        for issue in refused.issues:
            cells.setdefault(issue.column or "", []).append(issue.message)
        st.session_state[REFUSED] = {"form": form_key, "message": str(refused), "cells": cells}
    else:
        st.session_state.pop(REFUSED, None)
        st.session_state[DONE] = report["message"]
        _quarters.refresh_ratings()  # a registry change changes every quarter: computed again in the background
    st.rerun()
