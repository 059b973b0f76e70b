"""Entry point: page config, auth gate, shared filters, navigation. Nothing else."""
import streamlit as st

from app_pages import _shared
from app_pages._auth import can

st.set_page_config(page_title="Госпаблики Томской области", page_icon=":material/analytics:", layout="wide")
_shared.auth_gate()
navigation = st.navigation({
    "Мониторинг": [
        st.Page("app_pages/overview.py", title="Обзор", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("app_pages/weekly.py", title="Публикации по неделям", icon=":material/calendar_view_week:",
                url_path="weekly"),
        st.Page("app_pages/streams.py", title="Прямые эфиры", icon=":material/live_tv:", url_path="streams"),
        st.Page("app_pages/rating.py", title="Рейтинг", icon=":material/leaderboard:", url_path="rating"),
        st.Page("app_pages/body_card.py", title="Карточка органа", icon=":material/account_balance:", url_path="body"),
    ],
    "Данные": [
        st.Page("app_pages/registry.py", title="Реестр", icon=":material/list_alt:", url_path="registry"),
        *([st.Page("app_pages/upload.py", title="Загрузка данных", icon=":material/upload_file:", url_path="upload")]
          if can("analyst") else []),  # the role is read at every request: a demoted analyst loses it at once
        st.Page("app_pages/methodology.py", title="Методика", icon=":material/menu_book:", url_path="methodology"),
    ],
    **({"Администрирование": [st.Page("app_pages/admin.py", title="Администрирование",
                                      icon=":material/admin_panel_settings:", url_path="admin")]}
       if can("admin") else {}),
})
_shared.sidebar_filters()
navigation.run()
