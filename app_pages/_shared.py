"""The edge between the app and the pure modules: cached data access keyed on the data version, the shared
sidebar filters, the auth gate. Page-local session keys are prefixed with the page name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
import streamlit as st

from core.config import region_tz
from core.domain import KIND_LABELS, OWNER_KINDS, PLATFORM_LABELS, PLATFORMS
from core.calendar import Quarter, local_today
from scoring.methodology import methodology_for
from scoring.registry_view import RegistryView, build_registry_view
from services.scope import Scope, body_scope, scope_batches, scope_page_ids, scope_registry, scope_view
from storage import queries
from storage.db import data_version, get_engine

if TYPE_CHECKING:
    from services.quarters import QuarterView


def engine():
    return get_engine()  # one engine per database URL per process (storage.db)


def scope() -> Scope:
    """What this request's user may see (services.scope): a «body» user their executive body's family, others
    everything. Every cached reader below takes `scope().key` as an argument, so it is part of the cache key."""
    from app_pages._auth import current_body
    body = current_body()
    return _body_scope(version(), body) if body else Scope()


@st.cache_data(show_spinner=False, max_entries=16)
def _body_scope(version_key: tuple, body: str) -> Scope:
    """The body's scope with the other names it has had in the registry (services.scope.body_scope)."""
    return body_scope(engine(), body)


def version() -> tuple:
    """The data version: the first argument of every cached reader below. It must be hashed (a parameter whose
    name starts with "_" is left out of Streamlit's cache key), so an upload or a revert shows at once."""
    return data_version(engine())


@st.cache_data(show_spinner=False, max_entries=8)
def _registry_view(version_key: tuple, quarter: str, today, scope_key: str = "") -> RegistryView:
    if scope_key:
        return scope_registry(_registry_view(version_key, quarter, today), Scope.from_key(scope_key))
    methodology = methodology_for(quarter)
    e = engine()
    return build_registry_view(queries.owners_frame(e), queries.pages_frame(e), queries.snapshots_frame(e),
                               methodology.required_platforms, today=today)


def registry_view() -> RegistryView:
    """The current registry; a page closed on or before today is listed but no longer counts for its owner."""
    return _registry_view(version(), current_quarter().code, local_today(region_tz()), scope().key)


@st.cache_data(show_spinner=False, max_entries=4)
def _batches(version_key: tuple, scope_key: str) -> pl.DataFrame:
    return scope_batches(queries.batches_frame(engine()), Scope.from_key(scope_key))


def batches() -> pl.DataFrame:
    return _batches(version(), scope().key)


@st.cache_data(show_spinner=False, max_entries=2)
def _unregistered(version_key: tuple, scope_key: str) -> list[dict]:
    return [] if scope_key else queries.unregistered_pages(engine())  # pages of no owner: nobody's family


def unregistered_pages() -> list[dict]:
    return _unregistered(version(), scope().key)


@st.cache_data(show_spinner=False, max_entries=4)
def _month_coverage(version_key: tuple, kind: str, start, end, scope_key: str) -> pl.DataFrame:
    from scoring.coverage import month_coverage
    return month_coverage(queries.coverage_frame(engine()), registry_view().pages["page_id"], start, end, kind)


def month_coverage(kind: str, start, end) -> pl.DataFrame:
    return _month_coverage(version(), kind, start, end, scope().key)


def current_quarter() -> Quarter:
    return Quarter.of(local_today(region_tz()))


def default_quarter() -> Quarter:
    """The last ended quarter: the one whose rating is final (the running quarter is one click away)."""
    from services.quarters import last_ended_quarter
    return last_ended_quarter(local_today(region_tz()))


def quarter_label(quarter: Quarter) -> str:
    return f"{quarter.label} (идёт)" if quarter == current_quarter() else quarter.label


def quarter_title(quarter: Quarter) -> str:
    """The quarter in a screen's title: a quarter that has not ended is marked preliminary (its rating will change
    with every upload until the quarter is over and approved)."""
    from services.quarters import is_ended
    return quarter.label if is_ended(quarter, local_today(region_tz())) else \
        f"{quarter.label} (предварительно: квартал идёт)"


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
        bodies = sorted(view.owners.filter(pl.col("kind") == "executive_body")["owner_name"].to_list())
        st.selectbox("Исполнительный орган", [None, *bodies], format_func=lambda b: "все органы" if b is None else b,
                     key="filter_body")
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


@st.cache_resource(show_spinner="Расчёт рейтинга…", max_entries=12)
def _previous_tables(version_key: tuple, quarter_code: str) -> dict:
    """The ranked tables a quarter's Δ is taken against: its approved rows, else its own computation without
    movement — never a chain back to the first quarter."""
    from services.quarters import comparison_tables
    return comparison_tables(engine(), Quarter.parse(quarter_code), local_today(region_tz()))


@st.cache_resource(show_spinner="Расчёт рейтинга…", max_entries=24)
def _rating(version_key: tuple, quarter_code: str, scope_key: str = "") -> "QuarterView":
    if scope_key:  # computed once for everybody, then restricted (services.scope)
        return scope_view(_rating(version_key, quarter_code), Scope.from_key(scope_key))
    from services.quarters import quarter_view
    quarter = Quarter.parse(quarter_code)
    previous = quarter.previous()
    earlier = _previous_tables(version_key, previous.code) if previous in data_quarters() else {}
    return quarter_view(engine(), quarter, local_today(region_tz()), previous_tables=earlier)


def rating(quarter: Quarter) -> "QuarterView":
    """Cached per data version: an upload, a revert or an approval shows at once; other clicks cost nothing. Under
    the process cache the quarter's computation is stored in the database (services.quarters.computed): a restart,
    another app process or the CLI read it back instead of computing it again."""
    return _rating(version(), quarter.code, scope().key)


def refresh_ratings() -> None:
    """After an upload, a revert, a link or a registry edit has committed: the quarters it changed are computed
    again in a background thread of this process (services.quarters.refresh_in_background)."""
    from services.quarters import refresh_in_background
    refresh_in_background(engine())


def refresh_status() -> None:
    """«Пересчёт рейтинга: II кв. 2026 (1 из 3)…» while the background recomputation runs, checked every second;
    the page is drawn again when it ends."""
    from services.quarters import REFRESHING
    if not REFRESHING.running:
        return

    @st.fragment(run_every=1.0)
    def status() -> None:
        text = REFRESHING.text
        if text is None:
            st.rerun(scope="app")
        st.info(text, icon=":material/sync:")
    status()


@st.cache_resource(show_spinner=False, max_entries=4)
def _data_quarters(version_key: tuple) -> list[Quarter]:
    from services.quarters import data_quarters
    return data_quarters(engine(), region_tz())


def data_quarters() -> list[Quarter]:
    """Quarters with any uploaded publications, newest first."""
    return _data_quarters(version())



def _allowed_pages(version_key: tuple, scope_key: str) -> set[int] | None:
    """The pages a scope may read posts and styles of (None: all)."""
    if not scope_key:
        return None
    full = _registry_view(version_key, current_quarter().code, local_today(region_tz()))
    return scope_page_ids(full, Scope.from_key(scope_key))


@st.cache_data(show_spinner=False, max_entries=32)
def _page_posts(version_key: tuple, page_id: int, quarter_code: str, scope_key: str) -> pl.DataFrame:
    from services.quarters import POSTS_SCHEMA, page_posts as read
    allowed = _allowed_pages(version_key, scope_key)
    if allowed is not None and page_id not in allowed:
        return pl.DataFrame(schema=POSTS_SCHEMA)
    return read(engine(), page_id, Quarter.parse(quarter_code), region_tz())


def page_posts(page_id: int, quarter: Quarter) -> pl.DataFrame:
    """The current posts of one page in the quarter's weeks (drill-down); none outside the user's scope."""
    return _page_posts(version(), page_id, quarter.code, scope().key)


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


@st.cache_resource(show_spinner="Расчёт устойчивости мест…", max_entries=24)
def _shown_tables(version_key: tuple, quarter_code: str, scope_key: str = ""):
    from services.quarters import place_ranges, shown_tables
    ranges = place_ranges(_rating(version_key, quarter_code))  # places among all, whatever the scope
    return shown_tables(_rating(version_key, quarter_code, scope_key), ranges)


def shown_tables(quarter: Quarter):
    """The shown rating as frames (scoring.tables.RatingTables) with each ranked row's range of places when the
    block weights move (cached per data version, like `rating`)."""
    return _shown_tables(version(), quarter.code, scope().key)


@st.cache_data(show_spinner="Анализ стиля публикаций…", max_entries=32)
def _styles(version_key: tuple, quarter_code: str, page_ids: tuple[int, ...] | None, scope_key: str) -> pl.DataFrame:
    from services.style import quarter_styles
    allowed = _allowed_pages(version_key, scope_key)
    if allowed is not None:  # a body user: the family's pages only, whatever was asked
        page_ids = tuple(sorted(allowed if page_ids is None else set(page_ids) & allowed))
    return quarter_styles(engine(), Quarter.parse(quarter_code), None if page_ids is None else list(page_ids),
                          region_tz())


def styles(quarter: Quarter, page_ids: list[int] | None = None) -> pl.DataFrame:
    """The style of the quarter's publications per page (all pages, or `page_ids`), cached per data version."""
    return _styles(version(), quarter.code, None if page_ids is None else tuple(sorted(page_ids)), scope().key)
