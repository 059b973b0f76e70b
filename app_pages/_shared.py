"""The widgets every screen shares: the sidebar filters (rendered by app.py, read by each page), the auth gate, the
empty state, the chart and the Russian texts of Streamlit's own file and date fields. The cached data readers are in
app_pages/_data.py, the quarters' ratings in app_pages/_quarters.py; the names the rating screens read from here are
re-exported below. Page-local session keys are prefixed with the page name."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app_pages._data import current_quarter, registry_view, styles
from app_pages._quarters import data_quarters, default_quarter, quarter_label, quarter_title, rating, shown_tables
from core.calendar import Quarter
from core.domain import KIND_LABELS, OWNER_KINDS, PLATFORM_LABELS, PLATFORMS
from scoring.views.registry import executive_bodies

__all__ = ["Filters", "auth_gate", "chart", "data_quarters", "default_quarter", "empty_state", "filters",
           "quarter_label", "quarter_title", "rating", "registry_view", "russian_file_uploader", "shown_tables",
           "sidebar_filters", "stop_if_no_registry", "styles"]


@dataclass(frozen=True)
class Filters:
    quarter: Quarter
    kinds: list[str]
    body: str | None
    platforms: list[str]


def sidebar_filters() -> None:
    """Shared filters, rendered by app.py on every screen so they keep their values across screens."""
    view = registry_view()
    today_quarter = current_quarter()
    quarters = [today_quarter]
    while len(quarters) < 8:
        quarters.append(quarters[-1].previous())
    with st.sidebar:
        st.html(DATE_PLACEHOLDER_CSS)  # every screen: its date fields read ДД.ММ.ГГГГ
        default = default_quarter()
        st.selectbox("Квартал", quarters, format_func=quarter_label, key="filter_quarter",
                     index=quarters.index(default) if default in quarters else 0)
        st.multiselect("Тип владельца", OWNER_KINDS, format_func=KIND_LABELS.get, key="filter_kinds",
                       placeholder="все типы")
        st.selectbox("Исполнительный орган", [None, *executive_bodies(view.owners)],
                     format_func=lambda b: "все органы" if b is None else b, key="filter_body")
        st.multiselect("Платформа", PLATFORMS, format_func=PLATFORM_LABELS.get, key="filter_platforms",
                       placeholder="все платформы")


def filters() -> Filters:
    state = st.session_state
    return Filters(state.get("filter_quarter") or default_quarter(), list(state.get("filter_kinds") or []),
                   state.get("filter_body"), list(state.get("filter_platforms") or []))


def auth_gate() -> None:
    """Authentication is enabled in a shared deployment (GOSPABLIKI_AUTH=1); see storage/users.py."""
    from app_pages._auth import require_login
    require_login()


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def stop_if_no_registry(message: str) -> None:
    """The empty state of a screen that needs the registry: the message, and nothing more is drawn."""
    if registry_view().owners.is_empty():
        empty_state(message)
        st.stop()


PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}  # the mode bar's tooltips are English-only


def chart(figure, key: str) -> None:
    """A Plotly figure across the page's width, without Plotly's English toolbar."""
    st.plotly_chart(figure, width="stretch", key=key, config=PLOTLY_CONFIG)


# Streamlit's file uploader has no way to set its own texts; these rules show them in Russian.
UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Выбрать файлы"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "или перетащите сюда · до %d МБ на файл · XLSX, CSV, JSON"; font-size: 0.875rem; }
</style>"""


# Streamlit's date fields show English placeholders («dd.mm.yyyy») whatever the format; these rules show ДД.ММ.ГГГГ.
DATE_PLACEHOLDER_CSS = "<style>" + "".join(
    f'[data-testid="stDateInputFieldsScroller"] [data-placeholder="true"][data-type="{part}"] {{ font-size: 0; }}'
    f'[data-testid="stDateInputFieldsScroller"] [data-placeholder="true"][data-type="{part}"]::after '
    f'{{ content: "{text}"; font-size: 14px; }}' for part, text in (("day", "ДД"), ("month", "ММ"), ("year", "ГГГГ"))
) + "</style>"


def russian_file_uploader(max_mb: int) -> None:
    st.html(UPLOADER_CSS % max_mb)
