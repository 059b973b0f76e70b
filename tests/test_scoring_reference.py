"""The Polars engine against the two pandas re-implementations (benchmark/pandas_per_page.py, page by page;
benchmark/pandas_scoring.py, vectorised) on the demo data, and property tests of the rules."""
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark.pandas_per_page import rate_pandas as per_page
from benchmark.pandas_scoring import rate_pandas as vectorised
from benchmark.run import differences
from core.calendar import Quarter
from scoring.methodology import load_methodologies
from scoring.rating import score_quarter
from storage.db import make_engine
from services.quarters import scoring_input
from tests.factories import local_dt
from tests.factories import scoring_input as build_input

TOMSK = ZoneInfo("Asia/Tomsk")
M = load_methodologies()[0]


@pytest.mark.parametrize("code, today", [("2026Q3", date(2026, 11, 24)), ("2026Q4", date(2026, 11, 24))])
@pytest.mark.parametrize("reference", [per_page, vectorised], ids=["per_page", "vectorised"])
def test_engine_agrees_with_pandas_on_the_demo(demo_db_url, code, today, reference):
    engine = make_engine(demo_db_url)
    quarter = Quarter.parse(code)
    data = scoring_input(engine, quarter, TOMSK)
    engine.dispose()
    rating = score_quarter(data, M, quarter, TOMSK, today)
    assert rating.pages.height > 1000 and rating.pages["score"].drop_nulls().is_between(0, 100).all()
    assert differences(rating, reference(data, M, quarter, TOMSK, today), M) == []


WEEKS = Quarter(2026, 1).weeks()
BODY = {"owner_id": 1, "owner_name": "Орган", "kind": "executive_body"}
PAGE = {"page_id": 1, "owner_id": 1, "platform": "vk", "registered_on": date(2023, 1, 1)}
OTHER = {"owner_id": 2, "owner_name": "Орган 2", "kind": "executive_body"}


def _posts(counts, views):
    posts = []
    for index, (week, n) in enumerate(zip(WEEKS, counts)):
        for k in range(n):
            posts.append({"page_id": 1, "post_id": f"{index}-{k}", "views": views[(index + k) % len(views)],
                          "published_at": local_dt(week.year, week.month, week.day) + timedelta(days=k % 7),
                          "likes": 3})
    return posts


week_counts = st.lists(st.integers(0, 6), min_size=13, max_size=13)
view_values = st.lists(st.one_of(st.none(), st.integers(0, 5000)), min_size=1, max_size=5)
flags = st.one_of(st.none(), st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=week_counts, views=view_values, status=flags, gospubliki=flags, widgets=st.one_of(st.none(),
                                                                                             st.integers(0, 3)),
       covered_to=st.integers(0, 90), extra_week=st.integers(0, 12))
def test_properties_of_the_page_score(counts, views, status, gospubliki, widgets, covered_to, extra_week):
    coverage = [{"page_id": 1, "data_kind": "posts", "date_from": date(2026, 1, 1),
                 "date_to": date(2026, 1, 1) + timedelta(days=covered_to)}]
    snapshot = {"page_id": 1, "as_of": date(2026, 1, 1), "status_mark": status, "gospubliki": gospubliki,
                "pos_widgets": widgets, "subscribers": 1000}
    data = build_input([BODY], [PAGE], _posts(counts, views), coverage, [snapshot])
    row = score_quarter(data, M, Quarter(2026, 1), TOMSK, date(2026, 6, 1)).pages.row(0, named=True)
    # scores within [0, 100]; every indicator value within [0, 1]
    assert row["score"] is None or 0 <= row["score"] <= 100 + 1e-9
    for code in M.indicators:
        assert row[code] is None or 0 <= row[code] <= 1
        # unknown is never scored 0: a null value always carries a reason
        assert (row[code] is None) == (row[f"{code}_na"] is not None)
    assert (row["A1"] is None) == (status is None) and (row["A5"] is None) == (widgets is None)
    # adding a post never lowers B1 or B2
    more = counts.copy()
    more[extra_week] += 1
    richer = build_input([BODY], [PAGE], _posts(more, views), coverage, [snapshot])
    after = score_quarter(richer, M, Quarter(2026, 1), TOMSK, date(2026, 6, 1)).pages.row(0, named=True)
    for code in ("B1", "B2"):
        if row[code] is not None:
            assert after[code] >= row[code] - 1e-12
