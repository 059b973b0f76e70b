"""Cached data access for the screens: the registry, the upload batches, the month coverage, one page's posts and the
style of the publications, each keyed on the data version and the user's scope. The rating's own caches are in
app_pages/_quarters.py; the shared widgets in app_pages/_shared.py."""
from __future__ import annotations

import polars as pl
import streamlit as st

from core.calendar import Quarter, local_today
from core.config import region_tz
from scoring.methodology import methodology_for
from scoring.registry_view import RegistryView, build_registry_view
from services.scope import Scope, body_scope, scope_batches, scope_page_ids, scope_registry
from storage import queries
from storage.db import data_version, get_engine


def engine():
    return get_engine()  # one engine per database URL per process (storage.db)


def scope() -> Scope:
    """What this request's user may see (services.scope): a «body» user their executive body's family, others
    everything. Every cached reader takes `scope().key` as an argument, so it is part of the cache key."""
    from app_pages._auth import current_body
    body = current_body()
    return _body_scope(version(), body) if body else Scope()


@st.cache_data(show_spinner=False, max_entries=16)
def _body_scope(version_key: tuple, body: str) -> Scope:
    """The body's scope with the other names it has had in the registry (services.scope.body_scope)."""
    return body_scope(engine(), body)


def version() -> tuple:
    """The data version: the first argument of every cached reader. It must be hashed (a parameter whose name starts
    with "_" is left out of Streamlit's cache key), so an upload or a revert shows at once."""
    return data_version(engine())


def current_quarter() -> Quarter:
    return Quarter.of(local_today(region_tz()))


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


@st.cache_data(show_spinner="Реестр на дату…", max_entries=8)
def _public_pages(version_key: tuple, day, scope_key: str) -> pl.DataFrame:
    from services.registry import public_pages
    pages = public_pages(engine(), day)
    if not scope_key:
        return pages
    return pages.filter(pl.col("body_name").is_in(sorted(Scope.from_key(scope_key).names)))  # a «body» user: its own rows,
    # under any name the body has had (the key joins them: equality with it would leave a renamed body nothing)


def public_pages(day) -> pl.DataFrame:
    """The public registry as of a day (the pages in force then): today's is the screen's own cached view, another
    day is rebuilt from the batches once per data version."""
    if day == local_today(region_tz()):
        return registry_view().pages.filter(pl.col("is_open"))
    return _public_pages(version(), day, scope().key)
