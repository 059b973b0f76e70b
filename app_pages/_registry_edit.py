"""«Реестр»: the parts that write or look back — editing (analysts and admins only: a viewer gets no form, and
the service refuses a save from one anyway), the history of a page or an owner, and the public registry as of a
day. Values and rules live in services.registry; this module draws the forms and shows each message the service
returns under the field it is about. Session keys start with «registry_»."""
from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from app_pages import _shared
from app_pages._auth import current_user
from core.calendar import local_today
from core.config import region_tz
from core.domain import KIND_LABELS, OWNER_KINDS, PLATFORM_LABELS, PLATFORMS
from core.labels import label
from core.text import plain
from reports.registry_export import file_name, registry_csv, registry_html, registry_xlsx
from reports.registry_template import registry_workbook
from scoring.registry_view import CHECKLIST_ITEMS, filter_rows
from services import registry as service

REFUSED, DONE = "registry_edit_refused", "registry_edit_done"  # the last save: refused (form → cells) or done
MODES = {"page": "Страница", "owner": "Владелец", "new_page": "Новая страница", "new_owner": "Новый владелец",
         "bulk": "Признак для нескольких страниц"}
FLAG_TEXT = {None: "нет сведений", True: "да", False: "нет"}
DAY = "DD.MM.YYYY"
EARLIEST = date(2000, 1, 1)


def role() -> str | None:
    """The signed-in user's role as the session holds it (storage.users roles); None when unknown — then the
    service refuses every save."""
    return st.session_state.get("auth_role")


def editor(view, pages: pl.DataFrame) -> None:
    """The «Изменить» tab: one page, one owner, a new page or owner, or one checklist item of several pages."""
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(plain(done), icon=":material/check_circle:")
    mode = st.radio("Что изменить", list(MODES), format_func=MODES.get, horizontal=True, key="registry_edit_mode")
    if mode == "page":
        page_id = _pick_page(view.pages, "registry_edit_page")
        record = page_id and service.page_form(_shared.engine(), page_id)
        if record:
            _page_form(record, view)
            with st.expander("История изменений страницы"):
                history_table("pages", page_id)
    elif mode == "owner":
        owner_id = _pick_owner(view.owners, "registry_edit_owner")
        record = owner_id and service.owner_form(_shared.engine(), owner_id)
        if record:
            _owner_form(record, view)
            with st.expander("История изменений владельца"):
                history_table("owners", owner_id)
    elif mode == "new_page":
        _page_form({"items": {}}, view, new=True)
    elif mode == "new_owner":
        _owner_form({}, view, new=True)
    else:
        _bulk(pages.filter(pl.col("is_open")))


def _pick(label_text: str, names: dict[int, str], key: str, placeholder: str) -> int | None:
    """A page or an owner chosen from the registry. The widget is made anew with every data version (a browser
    keeps showing an option's old text after a save renamed it) and keeps the choice across versions."""
    chosen = st.session_state.get(key)
    value = st.selectbox(label_text, list(names), format_func=names.get, placeholder=placeholder,
                         index=list(names).index(chosen) if chosen in names else None,
                         key=f"{key}_{abs(hash(_shared.version()))}")
    st.session_state[key] = value
    return value


def _pick_page(pages: pl.DataFrame, key: str) -> int | None:
    return _pick("Страница", dict(zip(pages["page_id"], _page_names(pages))), key,
                 "начните вводить владельца или адрес страницы")


def _page_names(pages: pl.DataFrame) -> list[str]:
    return [f"{o} · {p} · {u}" + (f" (закрыта {c:%d.%m.%Y})" if c else "") for o, p, u, c in
            pages.select("owner_name", "platform_label", "url", "closed_on").iter_rows()]


def _pick_owner(owners: pl.DataFrame, key: str, label_text: str = "Владелец") -> int | None:
    names = [f"{n} ({k})" for n, k in owners.select("owner_name", "kind_label").iter_rows()]
    return _pick(label_text, dict(zip(owners["owner_id"], names)), key, "начните вводить наименование")


def _errors(form_key: str, field: str) -> None:
    """The refused save's messages for one field, right under it."""
    refused = st.session_state.get(REFUSED) or {}
    if refused.get("form") == form_key:
        for message in refused["cells"].get(service.HEADER.get(field, field), []):
            st.error(plain(message), icon=":material/error:")


def _summary(form_key: str) -> None:
    refused = st.session_state.get(REFUSED) or {}
    if refused.get("form") == form_key:
        st.error(plain(refused["message"]), icon=":material/block:")
        for message in refused["cells"].get("", []):
            st.error(plain(message))


def _save(form_key: str, action) -> None:
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
        _shared.refresh_ratings()  # a registry change changes every quarter: computed again in the background
    st.rerun()


def _page_form(record: dict, view, new: bool = False) -> None:
    key = f"registry_page_{record.get('page_id') or 'new'}_{record.get('version', '')}"
    today = local_today(region_tz())
    items, as_of = record.get("items", {}), record.get("items_as_of", {})
    _summary(key)
    with st.form(key):
        owner_id = record.get("owner_id")
        if new:
            owner_id = _pick_owner(view.owners, f"{key}_owner", "Владелец страницы")
        else:
            st.markdown(f"**{plain(record['owner_name'])}**")
        _errors(key, "owner")
        left, right = st.columns(2)
        with left:
            platform = st.selectbox("Платформа", PLATFORMS, format_func=PLATFORM_LABELS.get, key=f"{key}_platform",
                                    index=PLATFORMS.index(record["platform"]) if record.get("platform") else 0)
            _errors(key, "platform")
            url = st.text_input("Ссылка", value=record.get("url") or "", key=f"{key}_url")
            _errors(key, "url")
            platform_id = st.text_input("ID на платформе", value=record.get("platform_id") or "",
                                        key=f"{key}_platform_id", help="ID сообщества ВКонтакте, группы Одноклассников "
                                                                       "или канала Telegram (как в выгрузке)")
            _errors(key, "platform_id")
        with right:
            registered = st.date_input("Дата регистрации", value=record.get("registered_on"), format=DAY,
                                       min_value=EARLIEST, max_value=today, key=f"{key}_registered")
            _errors(key, "registered_on")
            responsible = st.text_input("Ответственный", value=record.get("responsible") or "",
                                        key=f"{key}_responsible")
            _errors(key, "responsible")
            closed = st.date_input("Закрыта с (пусто — страница действует)", value=record.get("closed_on"),
                                   format=DAY, min_value=EARLIEST, max_value=today, key=f"{key}_closed")
            _errors(key, "closed_on")
        st.markdown("**Чек-лист** · пусто — «нет сведений»; обложка и виджеты ПОС к Telegram не применяются")
        facts = _checklist_inputs(key, items, as_of)
        checked = st.date_input("Сведения чек-листа проверены", value=today, format=DAY, min_value=EARLIEST,
                                max_value=today, key=f"{key}_checked")
        _errors(key, "checked_on")
        submitted = st.form_submit_button("Добавить страницу" if new else "Сохранить", type="primary")
    if submitted:
        form = {"owner_id": owner_id, "platform": platform, "url": url.strip(), "platform_id": platform_id.strip(),
                "registered_on": registered, "responsible": responsible.strip(), "closed_on": closed,
                "checked_on": checked, "items": facts}
        _save(key, lambda: service.save_page(_shared.engine(), record.get("page_id"), form, None if new else record,
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
                                           format_func=lambda v: FLAG_TEXT[v] if v is None or isinstance(v, bool)
                                           else str(v))
            _errors(key, item)
    return facts


def _owner_form(record: dict, view, new: bool = False) -> None:
    key = f"registry_owner_{record.get('owner_id') or 'new'}_{record.get('version', '')}"
    bodies = sorted(n for n, k, i in view.owners.select("owner_name", "kind", "owner_id").iter_rows()
                    if k == "executive_body" and i != record.get("owner_id"))
    parent = record.get("parent")
    _summary(key)
    with st.form(key):
        name = st.text_input("Наименование владельца", value=record.get("name") or "", key=f"{key}_name")
        _errors(key, "owner")
        kind = st.selectbox("Тип владельца", OWNER_KINDS, format_func=KIND_LABELS.get, key=f"{key}_kind",
                            index=OWNER_KINDS.index(record["kind"]) if record.get("kind") else 3)
        _errors(key, "kind")
        options = [None, *bodies] + ([parent] if parent and parent not in bodies else [])
        parent = st.selectbox("Вышестоящий орган (для руководителя и учреждения)", options,
                              index=options.index(parent) if parent in options else 0, accept_new_options=True,
                              format_func=lambda b: "—" if b is None else b, key=f"{key}_parent")
        _errors(key, "parent")
        ogrn = st.text_input("ОГРН", value=record.get("ogrn") or "", key=f"{key}_ogrn")
        _errors(key, "ogrn")
        exemption = st.text_area("Страница не ведётся на основании (если страниц нет по закону)",
                                 value=record.get("exemption") or "", key=f"{key}_exemption", height=80)
        _errors(key, "exemption")
        submitted = st.form_submit_button("Добавить владельца" if new else "Сохранить", type="primary")
    if submitted:
        form = {"name": name, "kind": kind, "parent": parent, "ogrn": ogrn.strip(), "exemption": exemption.strip()}
        _save(key, lambda: service.save_owner(_shared.engine(), record.get("owner_id"), form,
                                              None if new else record, user=current_user(), role=role()))


def _bulk(pages: pl.DataFrame) -> None:
    """One checklist item set for the chosen pages (the screen's filters narrow the list)."""
    key = "registry_bulk"
    everything = st.checkbox(f"Все действующие страницы по фильтрам экрана ({pages.height})", key=f"{key}_all")
    if everything:
        chosen = pages["page_id"].to_list()
    else:
        names = dict(zip(pages["page_id"], _page_names(pages)))
        chosen = st.multiselect("Страницы", list(names), format_func=names.get, key=f"{key}_pages",
                                placeholder="выберите страницы")
    item = st.selectbox("Признак чек-листа", CHECKLIST_ITEMS, format_func=label, key=f"{key}_item")
    _summary(key)
    with st.form(key):
        options = (0, 1, 2) if item == "pos_widgets" else (True, False)
        value = st.selectbox("Значение", options, key=f"{key}_value_{item}",
                             format_func=lambda v: FLAG_TEXT[v] if isinstance(v, bool) else str(v))
        _errors(key, item)
        checked = st.date_input("Сведения проверены", value=local_today(region_tz()), format=DAY, min_value=EARLIEST,
                                max_value=local_today(region_tz()), key=f"{key}_checked")
        _errors(key, "checked_on")
        submitted = st.form_submit_button(f"Отметить для выбранных страниц ({len(chosen)})", type="primary")
    if submitted:
        _save(key, lambda: service.set_checklist_item(_shared.engine(), chosen, item, value, checked,
                                                      user=current_user(), role=role()))


def history(view) -> None:
    """The «История изменений» tab: who changed what and when, per page or per owner."""
    kind = st.radio("Чья история", ["pages", "owners"], horizontal=True, key="registry_history_kind",
                    format_func={"pages": "страницы", "owners": "владельца"}.get)
    if kind == "pages":
        page_id = _pick_page(view.pages, "registry_history_page")
        if page_id is not None:
            history_table("pages", page_id)
            facts = service.checklist_history(_shared.engine(), page_id)
            st.markdown("**Сведения чек-листа по датам**")
            st.dataframe(facts, hide_index=True, width="stretch", column_config={
                "as_of": st.column_config.DateColumn("Сведения на", format=DAY), "batch": "Пакет",
                "user": "Кем загружено", "facts": st.column_config.TextColumn("Сведения", width="large")})
    else:
        owner_id = _pick_owner(view.owners, "registry_history_owner")
        if owner_id is not None:
            history_table("owners", owner_id)


def history_table(table: str, row_id: int) -> None:
    frame = service.history(_shared.engine(), table, row_id)
    if frame.is_empty():
        _shared.empty_state("Изменений не записано.")
        return
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "at": st.column_config.DatetimeColumn("Когда", format="DD.MM.YYYY HH:mm"), "user": "Кто",
        "batch": st.column_config.TextColumn("Пакет", width="medium"), "status": "Состояние", "field": "Что",
        "before": st.column_config.TextColumn("Было", width="medium"),
        "after": st.column_config.TextColumn("Стало", width="medium")})


@st.cache_data(show_spinner="Реестр на дату…", max_entries=8)
def _public(version_key: tuple, day: date, scope_key: str) -> pl.DataFrame:
    pages = service.public_pages(_shared.engine(), day)
    return pages.filter(pl.col("body_name") == scope_key) if scope_key else pages  # a «body» user: its own rows


def publish(view, kinds: list[str], body: str | None, platforms: list[str], search: str) -> None:
    """The «Публикация» tab: the public registry as of a chosen day, filtered as the screen is."""
    today = local_today(region_tz())
    st.caption("Публичный реестр официальных страниц (распоряжение № 132-р, п. 2.2) на выбранную дату: владелец, тип, "
               "вышестоящий орган, платформа, ссылка и отметка «Госорганизация»; закрытые к этой дате страницы не "
               "входят. Фильтры экрана действуют и здесь.")
    day = st.date_input("Реестр на дату", value=today, min_value=EARLIEST, max_value=today, format=DAY,
                        key="registry_publish_day")
    # today's registry is the screen's own (cached) view; another day is rebuilt from the batches once per version
    public = (view.pages.filter(pl.col("is_open")) if day == today
              else _public(_shared.version(), day, _shared.scope().key))
    pages = filter_rows(public, kinds, body, platforms, search)
    st.metric(f"Страниц на {day:%d.%m.%Y}", f"{pages.height:,}".replace(",", " "))
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
