"""The quarters on the screens: which one is shown by default and how it is named, the cached rating of a quarter
(services.quarters) with the tables its Δ is taken against and its places' ranges, and the background
recomputation after a change. Every cache is keyed on the data version and the user's scope (app_pages/_data.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from app_pages._data import current_quarter, engine, scope, version
from core.calendar import Quarter, local_today
from core.config import region_tz
from services.scope import Scope, scope_view

if TYPE_CHECKING:
    from services.quarters import QuarterView


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


@st.cache_resource(show_spinner="Расчёт устойчивости мест…", max_entries=24)
def _shown_tables(version_key: tuple, quarter_code: str, scope_key: str = ""):
    from services.quarters import place_ranges, shown_tables
    ranges = place_ranges(_rating(version_key, quarter_code))  # places among all, whatever the scope
    return shown_tables(_rating(version_key, quarter_code, scope_key), ranges)


def shown_tables(quarter: Quarter):
    """The shown rating as frames (scoring.tables.RatingTables) with each ranked row's range of places when the
    block weights move (cached per data version, like `rating`)."""
    return _shown_tables(version(), quarter.code, scope().key)


@st.cache_resource(show_spinner=False, max_entries=4)
def _data_quarters(version_key: tuple) -> list[Quarter]:
    from services.quarters import data_quarters
    return data_quarters(engine(), region_tz())


def data_quarters() -> list[Quarter]:
    """Quarters with any uploaded publications, newest first."""
    return _data_quarters(version())


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
