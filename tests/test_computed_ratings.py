"""Computed once, shared everywhere (issue 21), on SQLite and PostgreSQL: a quarter's computation is stored for what
determines it and read back (no second computation for the same data), an upload makes only the quarters its rows
fall in computed again (a registry change all of them, a revert brings back the earlier result), the stored and a
fresh computation give the same payload, an approval freezes the stored one without computing, the scoped view is
cut from the stored full one, and computations of the same quarter at once store one row."""
from datetime import date, datetime, timedelta, timezone

import pytest

from core.calendar import Quarter
from scoring.payload import rating_payload
from scoring.tables import to_payload
from services import quarters
from services.scope import Scope, scope_view
from storage import rating_store
from storage.activity_store import revert_batch
from storage.ingest import ingest_bytes
from tests.factories import registry_xlsx, vk_post, vk_wall
from tests.test_concurrency import at_once

TODAY = date(2026, 11, 30)
Q2, Q3, Q4 = Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4)


def wall(first_id: int, n: int, month: int) -> bytes:
    """`n` posts of the body's VK page, one a day from the 4th day of the quarter holding `month` of 2026 (up to 80
    days: most of the quarter, so that the page is rated; clear of the quarters around it, whose readings take a
    day more at each end — storage.rating_store.quarter_batches)."""
    start = datetime(2026, 3 * ((month - 1) // 3) + 1, 4, 6, tzinfo=timezone.utc)
    return vk_wall([vk_post(i, int((start + timedelta(days=k % 80, hours=k % 7)).timestamp()))
                    for k, i in enumerate(range(first_id, first_id + n))])


@pytest.fixture
def counted(monkeypatch):
    """How many times the quarter service scored a quarter (read the posts and computed)."""
    calls: list[str] = []
    score = quarters.score_quarter

    def counting(data, m, quarter, tz, today):
        calls.append(quarter.code)
        return score(data, m, quarter, tz, today)
    monkeypatch.setattr(quarters, "score_quarter", counting)
    return calls


@pytest.fixture
def loaded(engine):
    ingest_bytes(engine, registry_xlsx(), "реестр.xlsx", user="тест")
    ingest_bytes(engine, wall(1, 90, month=5), "q2.json", user="тест")
    ingest_bytes(engine, wall(1000, 90, month=8), "q3.json", user="тест")
    return engine


def test_a_second_view_reads_the_stored_computation(loaded, counted):
    first = quarters.quarter_view(loaded, Q3, TODAY)
    assert sorted(counted) == ["2026Q2", "2026Q3"]  # the quarter and, for Δ, the previous one (no further back)
    assert [r["quarter"] for r in rating_store.stored_ratings(loaded)] and \
        {r["quarter"] for r in rating_store.stored_ratings(loaded)} == {"2026Q2", "2026Q3"}
    counted.clear()
    second = quarters.quarter_view(loaded, Q3, TODAY)
    assert counted == []  # read back, not computed
    assert to_payload(second.fresh_tables) == to_payload(first.fresh_tables)
    assert second.fresh.grid.equals(first.fresh.grid)
    assert second.fresh.pages.equals(first.fresh.pages)
    # another "process" (the CLI, a second app): the same rows, nothing computed
    assert quarters.computed(loaded, Q2, quarters.methodology_for(Q2.code), TODAY).stored
    assert counted == []


def test_the_stored_and_a_fresh_computation_give_the_same_payload(loaded):
    quarters.quarter_view(loaded, Q3, TODAY)  # stores Q3 and Q2
    stored = quarters.quarter_view(loaded, Q3, TODAY)
    fresh = rating_payload(quarters.fresh_rating(loaded, Q3, today=TODAY))
    stored_payload = to_payload(stored.fresh_tables)
    assert stored_payload == fresh
    assert stored_payload["bodies"][0]["previous_rank"] is not None  # Δ against Q2 is there
    assert list(stored_payload["bodies"][0]) == list(fresh["bodies"][0])  # same fields in the same order
    assert stored_payload["batch_ids"] == [1, 3]  # the registry and the quarter's own upload only
    # the place ranges stored with it are those computed from the shown tables
    ranged = to_payload(quarters.shown_tables(stored))
    assert ranged == to_payload(quarters.with_place_ranges(stored.tables, Q3))
    assert ranged["bodies"][0]["place_range"] == [1, 1]


def test_an_upload_recomputes_only_the_quarter_it_touches(loaded, counted):
    computed = quarters.refresh(loaded, TODAY)
    assert set(computed) >= {Q2, Q3, Q4}
    assert quarters.refresh(loaded, TODAY) == []
    counted.clear()
    batch = ingest_bytes(loaded, wall(2000, 10, month=8), "q3-ещё.json", user="тест")["batch_id"]
    assert not quarters.is_stored(loaded, Q3, quarters.methodology_for(Q3.code), TODAY)
    assert quarters.is_stored(loaded, Q2, quarters.methodology_for(Q2.code), TODAY)
    assert quarters.refresh(loaded, TODAY) == [Q3]
    assert counted == ["2026Q3"]
    assert rating_payload(quarters.fresh_rating(loaded, Q3, today=TODAY, with_movement=False))["batch_ids"] == \
        [1, 3, batch]
    # reverting the upload brings the data back to what was stored before: read back, not computed
    counted.clear()
    revert_batch(loaded, batch, "тест")
    assert quarters.refresh(loaded, TODAY) == []
    assert counted == []
    # a registry upload changes every quarter
    ingest_bytes(loaded, registry_xlsx(), "реестр-2.xlsx", user="тест", as_of=date(2026, 11, 29))
    assert set(quarters.refresh(loaded, TODAY)) >= {Q2, Q3, Q4}


def test_a_running_quarter_is_computed_again_the_next_day(loaded, counted):
    m = quarters.methodology_for(Q4.code)
    quarters.computed(loaded, Q4, m, TODAY)
    assert quarters.computed(loaded, Q4, m, TODAY).stored
    assert not quarters.computed(loaded, Q4, m, date(2026, 12, 1)).stored  # its weeks and warnings move on
    assert counted == ["2026Q4", "2026Q4"]


def test_an_approval_freezes_the_stored_computation_without_computing(loaded, counted):
    view = quarters.quarter_view(loaded, Q3, TODAY)
    counted.clear()
    approved = quarters.approve(loaded, Q3, "аналитик", accept_gaps=True, today=TODAY)
    assert counted == []
    assert approved == rating_store.approved_payload(loaded, Q3.code)  # as it reads back
    frozen = {k: v for k, v in approved.items() if k not in ("approved", "gaps")}
    frozen |= {name: approved.get(name, []) for name in quarters.FROZEN_TABLES}  # an empty list has no rows
    assert frozen == to_payload(view.fresh_tables)
    assert approved["approved"]["batch_ids"] == view.fresh_tables.get("batch_ids")


def test_the_scoped_view_is_cut_from_the_stored_full_one(loaded, counted):
    full = quarters.quarter_view(loaded, Q3, TODAY)
    counted.clear()
    body = "Департамент финансов Томской области"
    scoped = scope_view(quarters.quarter_view(loaded, Q3, TODAY), Scope(body))
    assert counted == []
    assert scoped.tables.bodies["owner"].to_list() == [body]
    assert scoped.tables.get("scope")["ranked"]["bodies"] == full.tables.bodies["rank"].drop_nulls().len()


def test_the_background_refresh_stores_the_changed_quarters(loaded):
    state = quarters.refresh_in_background(loaded)
    thread = state.thread
    if thread is not None:
        thread.join(timeout=600)
    assert not state.running and state.error is None
    today = quarters.calendar.local_today(quarters.region_tz())
    assert all(quarters.is_stored(loaded, q, quarters.methodology_for(q.code), today)
               for q in quarters.screen_quarters(loaded, today))


def test_computations_of_a_quarter_at_once_store_one_row(loaded):
    m = quarters.methodology_for(Q3.code)
    results = at_once(4, lambda i: quarters.computed(loaded, Q3, m, TODAY))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(rating_store.stored_ratings(loaded, Q3.code)) == 1
    payloads = [to_payload(r.tables) for r in results]
    assert all(p == payloads[0] for p in payloads)


def test_a_quarter_keeps_only_its_newest_computations(loaded):
    m = quarters.methodology_for(Q4.code)
    for day in range(1, 6):
        quarters.computed(loaded, Q4, m, date(2026, 12, day))
    assert len(rating_store.stored_ratings(loaded, Q4.code)) == 3
