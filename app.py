"""Entry point: page config, auth gate, shared filters, navigation. Nothing else."""
import streamlit as st

from pages import _shared

st.set_page_config(page_title="Госпаблики Томской области", page_icon=":material/analytics:", layout="wide")
_shared.auth_gate()
navigation = st.navigation({
    "Мониторинг": [
        st.Page("pages/overview.py", title="Обзор", icon=":material/dashboard:", url_path="overview", default=True),
        st.Page("pages/weekly.py", title="Публикации по неделям", icon=":material/calendar_view_week:",
                url_path="weekly"),
        st.Page("pages/streams.py", title="Прямые эфиры", icon=":material/live_tv:", url_path="streams"),
        st.Page("pages/rating.py", title="Рейтинг", icon=":material/leaderboard:", url_path="rating"),
        st.Page("pages/body_card.py", title="Карточка органа", icon=":material/account_balance:", url_path="body"),
    ],
    "Данные": [
        st.Page("pages/registry.py", title="Реестр", icon=":material/list_alt:", url_path="registry"),
        st.Page("pages/upload.py", title="Загрузка данных", icon=":material/upload_file:", url_path="upload"),
        st.Page("pages/methodology.py", title="Методика", icon=":material/menu_book:", url_path="methodology"),
    ],
})
_shared.sidebar_filters()
navigation.run()
