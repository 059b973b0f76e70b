"""«Администрирование» (admins only): users, roles, the body a «body» user is bound to, disabling and passwords;
the audit log with filters and export."""
from datetime import timedelta

import polars as pl
import streamlit as st

from app_pages import _data
from app_pages._auth import can, current_user
from app_pages._table import table
from core.calendar import local_today
from core.config import region_tz
from core.text import plain
from scoring.views.registry import executive_bodies
from services import admin
from storage.users import ROLE_LABELS, ROLES, AccountError, PasswordPolicyError, set_password, set_user

st.title("Администрирование")
if not can("admin"):  # the page is in the navigation of admins only; a demoted admin stops here
    st.warning("Экран доступен администраторам.")
    st.stop()
tz = region_tz()
bodies = executive_bodies(_data.registry_view().owners)


def _done(action) -> None:
    """Run a change; a refusal is shown in Russian, a success reruns the screen."""
    try:
        action()
    except (AccountError, PasswordPolicyError, admin.AdminError, ValueError) as error:
        st.error(plain(str(error)), icon=":material/error:")
    else:
        st.rerun()


users_tab, new_tab, log_tab = st.tabs(["Пользователи", "Новый пользователь", "Журнал действий"])
with users_tab:
    view = admin.users_view(_data.engine(), tz)
    table(view.table, "Пользователей пока нет: добавьте их на вкладке «Новый пользователь».", width="stretch",
          column_config={
              "username": "Пользователь", "role_label": "Роль",  # every column within the page's width, none cut
              "body": st.column_config.TextColumn("Исполнительный орган", width="medium",
                                                  help="Только для роли «исполнительный орган»"),
              "state": "Состояние", "login": "Вход",
              "created_at": st.column_config.DatetimeColumn("Создан", format="DD.MM.YYYY HH:mm"),
              "password_changed_at": st.column_config.DatetimeColumn("Пароль изменён", format="DD.MM.YYYY HH:mm"),
              "sessions": st.column_config.NumberColumn("Открытых сеансов")})
    if view.names:
        chosen = st.selectbox("Пользователь", view.names, key="admin_user")
        row = view.table.filter(pl.col("username") == chosen).row(0, named=True)
        role_col, body_col = st.columns([1, 2])
        role = role_col.selectbox("Роль", ROLES, format_func=ROLE_LABELS.get, key=f"admin_role_{chosen}",
                                  index=[ROLE_LABELS[r] for r in ROLES].index(row["role_label"]))
        body = body_col.selectbox("Исполнительный орган", bodies, key=f"admin_body_{chosen}",
                                  index=bodies.index(row["body"]) if row["body"] in bodies else None,
                                  disabled=role != "body", placeholder="только для роли «исполнительный орган»")
        save, toggle, _ = st.columns([1, 1, 2])
        if save.button("Сохранить роль", key="admin_save_role", type="primary"):
            _done(lambda: admin.change_role(_data.engine(), chosen, role, body, current_user()))
        disabled = row["state"] == "отключён"
        if toggle.button("Включить" if disabled else "Отключить", key="admin_toggle"):
            _done(lambda: admin.change_disabled(_data.engine(), chosen, not disabled, current_user()))
        with st.form("admin_password", clear_on_submit=True):
            password = st.text_input("Новый пароль (не короче 10 символов; сеансы пользователя завершатся)",
                                     type="password")
            if st.form_submit_button("Сменить пароль"):
                _done(lambda: set_password(_data.engine(), chosen, password, current_user()))

with new_tab:
    with st.form("admin_new_user", clear_on_submit=True):
        name_col, role_col = st.columns(2)
        username = name_col.text_input("Имя пользователя (для входа через OIDC — e-mail)")
        role = role_col.selectbox("Роль", ROLES, format_func=ROLE_LABELS.get, index=ROLES.index("viewer"))
        body = st.selectbox("Исполнительный орган (для роли «исполнительный орган»)", bodies, index=None,
                            placeholder="выберите орган")
        oidc = st.checkbox("Вход только через единую учётную запись (OIDC), без пароля")
        password = st.text_input("Пароль (не короче 10 символов, не только цифры, не имя пользователя)",
                                 type="password")
        if st.form_submit_button("Создать", type="primary"):
            _done(lambda: set_user(_data.engine(), username.strip(), None if oidc else password, role,
                                   current_user(), body=body if role == "body" else None, oidc=oidc))

with log_tab:
    users_list, actions = admin.audit_choices(_data.engine())
    today = local_today(tz)
    period_col, who_col, what_col = st.columns([2, 2, 3])
    period = period_col.date_input("Период", value=(today - timedelta(days=30), today), format="DD.MM.YYYY",
                                   key="admin_log_period")
    who = who_col.multiselect("Пользователи", users_list, key="admin_log_users", placeholder="все")
    what = what_col.multiselect("Действия", actions, key="admin_log_actions", placeholder="все",
                                format_func=lambda a: admin.ACTION_LABELS.get(a, a))
    start, end = (tuple(period) + (None, None))[:2] if isinstance(period, (tuple, list)) else (period, period)
    log = admin.audit_view(_data.engine(), tz, start, end or start, who, what)
    st.caption(f"Записей: {log.height}" + (" (показаны последние 50 000)" if log.height >= 50_000 else ""))
    st.download_button("Скачать журнал (csv)", data=lambda: admin.audit_csv(log), file_name="Журнал действий.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:", key="admin_log_csv")
    table(log.drop("action"), "За выбранный период записей нет.", width="stretch", height=520, column_config={
        "at": st.column_config.DatetimeColumn("Когда", format="DD.MM.YYYY HH:mm:ss"), "user": "Кто",
        "action_label": "Действие", "object": "Объект",
        "details": st.column_config.TextColumn("Подробности", width="large")})
