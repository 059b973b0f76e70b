"""«Реестр», editing: the forms of one page (with its checklist), one owner, and one checklist item for several
pages. Values and rules live in services.registry; each message it returns is shown under its field
(app_pages/_registry_fields.py). Session keys start with «registry_»."""
from __future__ import annotations

import polars as pl
import streamlit as st

from app_pages import _data
from app_pages._auth import current_user
from app_pages._registry_fields import DAY, EARLIEST, errors, flag_text, pick_owner, role, save, summary
from core.calendar import local_today
from core.config import region_tz
from core.domain import KIND_LABELS, OWNER_KINDS, PLATFORM_LABELS, PLATFORMS
from core.labels import label, number_ru
from core.text import plain
from scoring.registry_view import CHECKLIST_ITEMS
from scoring.views.registry import executive_bodies, page_choices
from services import registry as service


def page_form(record: dict, view, new: bool = False) -> None:
    key = f"registry_page_{record.get('page_id') or 'new'}_{record.get('version', '')}"
    today = local_today(region_tz())
    summary(key)
    with st.form(key):
        owner_id = record.get("owner_id")
        if new:
            owner_id = pick_owner(view.owners, f"{key}_owner", "Владелец страницы")
        else:
            st.markdown(f"**{plain(record['owner_name'])}**")
        errors(key, "owner")
        left, right = st.columns(2)
        with left:
            platform = st.selectbox("Платформа", PLATFORMS, format_func=PLATFORM_LABELS.get, key=f"{key}_platform",
                                    index=PLATFORMS.index(record["platform"]) if record.get("platform") else 0)
            errors(key, "platform")
            url = st.text_input("Ссылка", value=record.get("url") or "", key=f"{key}_url")
            errors(key, "url")
            platform_id = st.text_input("ID на платформе", value=record.get("platform_id") or "",
                                        key=f"{key}_platform_id", help="ID сообщества ВКонтакте, группы Одноклассников "
                                                                       "или канала Telegram (как в выгрузке)")
            errors(key, "platform_id")
        with right:
            registered = st.date_input("Дата регистрации", value=record.get("registered_on"), format=DAY,
                                       min_value=EARLIEST, max_value=today, key=f"{key}_registered")
            errors(key, "registered_on")
            responsible = st.text_input("Ответственный", value=record.get("responsible") or "",
                                        key=f"{key}_responsible")
            errors(key, "responsible")
            closed = st.date_input("Закрыта с (пусто — страница действует)", value=record.get("closed_on"),
                                   format=DAY, min_value=EARLIEST, max_value=today, key=f"{key}_closed")
            errors(key, "closed_on")
        st.markdown("**Чек-лист** · пусто — «нет сведений»; обложка и виджеты ПОС к Telegram не применяются")
        facts = _checklist_inputs(key, record.get("items", {}), record.get("items_as_of", {}))
        checked = st.date_input("Сведения чек-листа проверены", value=today, format=DAY, min_value=EARLIEST,
                                max_value=today, key=f"{key}_checked")
        errors(key, "checked_on")
        submitted = st.form_submit_button("Добавить страницу" if new else "Сохранить", type="primary")
    if submitted:
        form = {"owner_id": owner_id, "platform": platform, "url": url.strip(), "platform_id": platform_id.strip(),
                "registered_on": registered, "responsible": responsible.strip(), "closed_on": closed,
                "checked_on": checked, "items": facts}
        save(key, lambda: service.save_page(_data.engine(), record.get("page_id"), form, None if new else record,
                                            user=current_user(), role=role()))


def _checklist_inputs(key: str, items: dict, as_of: dict) -> dict:
    columns = st.columns(4)
    facts = {}
    for n, item in enumerate((*CHECKLIST_ITEMS, "subscribers")):
        with columns[n % 4]:
            known = as_of.get(item)
            hint = f"сведения на {known:%d.%m.%Y}" if known else "сведений нет"
            if item == "subscribers":
                value = items.get(item)
                facts[item] = st.text_input(label(item), value="" if value is None else str(value), help=hint,
                                            key=f"{key}_{item}")
            else:
                options = (None, 0, 1, 2) if item == "pos_widgets" else (None, True, False)
                current = items.get(item)
                facts[item] = st.selectbox(label(item), options, help=hint, key=f"{key}_{item}",
                                           index=options.index(current) if current in options else 0,
                                           format_func=flag_text)
            errors(key, item)
    return facts


def owner_form(record: dict, view, new: bool = False) -> None:
    key = f"registry_owner_{record.get('owner_id') or 'new'}_{record.get('version', '')}"
    bodies = executive_bodies(view.owners, but=record.get("owner_id"))
    parent = record.get("parent")
    summary(key)
    with st.form(key):
        name = st.text_input("Наименование владельца", value=record.get("name") or "", key=f"{key}_name")
        errors(key, "owner")
        kind = st.selectbox("Тип владельца", OWNER_KINDS, format_func=KIND_LABELS.get, key=f"{key}_kind",
                            index=OWNER_KINDS.index(record["kind"]) if record.get("kind") else 3)
        errors(key, "kind")
        options = [None, *bodies] + ([parent] if parent and parent not in bodies else [])
        parent = st.selectbox("Вышестоящий орган (для руководителя и учреждения)", options,
                              index=options.index(parent) if parent in options else 0, accept_new_options=True,
                              format_func=lambda b: "—" if b is None else b, key=f"{key}_parent")
        errors(key, "parent")
        ogrn = st.text_input("ОГРН", value=record.get("ogrn") or "", key=f"{key}_ogrn")
        errors(key, "ogrn")
        exemption = st.text_area("Страница не ведётся на основании (если страниц нет по закону)",
                                 value=record.get("exemption") or "", key=f"{key}_exemption", height=80)
        errors(key, "exemption")
        submitted = st.form_submit_button("Добавить владельца" if new else "Сохранить", type="primary")
    if submitted:
        form = {"name": name, "kind": kind, "parent": parent, "ogrn": ogrn.strip(), "exemption": exemption.strip()}
        save(key, lambda: service.save_owner(_data.engine(), record.get("owner_id"), form,
                                             None if new else record, user=current_user(), role=role()))


def bulk_form(pages: pl.DataFrame) -> None:
    """One checklist item set for the chosen pages in force (the screen's filters narrow the list)."""
    key = "registry_bulk"
    everything = st.checkbox(f"Все действующие страницы по фильтрам экрана ({number_ru(pages.height)})", key=f"{key}_all")
    if everything:
        chosen = pages["page_id"].to_list()
    else:
        names = page_choices(pages)
        chosen = st.multiselect("Страницы", list(names), format_func=names.get, key=f"{key}_pages",
                                placeholder="выберите страницы")
    item = st.selectbox("Признак чек-листа", CHECKLIST_ITEMS, format_func=label, key=f"{key}_item")
    summary(key)
    with st.form(key):
        options = (0, 1, 2) if item == "pos_widgets" else (True, False)
        value = st.selectbox("Значение", options, key=f"{key}_value_{item}", format_func=flag_text)
        errors(key, item)
        checked = st.date_input("Сведения проверены", value=local_today(region_tz()), format=DAY, min_value=EARLIEST,
                                max_value=local_today(region_tz()), key=f"{key}_checked")
        errors(key, "checked_on")
        submitted = st.form_submit_button(f"Отметить для выбранных страниц ({number_ru(len(chosen))})", type="primary")
    if submitted:
        save(key, lambda: service.set_checklist_item(_data.engine(), chosen, item, value, checked,
                                                     user=current_user(), role=role()))
