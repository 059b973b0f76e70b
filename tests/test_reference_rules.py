"""The revised rules (methodology.md §3–4) on tiny hand-computed inputs, asserted on the page-by-page pandas
reference (benchmark/pandas_per_page.py), which the engine is then checked against on the demo.

Quarter I 2026: its 13 weeks are the Mondays 29.12.2025, 05.01, 12.01, 19.01, 26.01, 02.02, 09.02, 16.02, 23.02,
02.03, 09.03, 16.03, 23.03; today = 01.06.2026, so every week has ended. An executive body's norm is 3 posts a
week; a page needs 4 counted weeks to be rated; C and D need 4 posts (the default methodology file).
"""
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from benchmark.pandas_per_page import rate_pandas
from core.calendar import Quarter
from scoring.methodology import load_methodologies
from tests.factories import local_dt, scoring_input

TOMSK = ZoneInfo("Asia/Tomsk")
M = load_methodologies()[0]
Q1 = Quarter(2026, 1)
TODAY = date(2026, 6, 1)
W = Q1.weeks()  # W[0] = 29.12.2025 … W[12] = 23.03.2026
BODY = {"owner_id": 1, "owner_name": "Орган", "kind": "executive_body"}


def page(page_id, owner_id=1, platform="vk"):
    return {"page_id": page_id, "owner_id": owner_id, "platform": platform, "registered_on": date(2023, 1, 1)}


def posts(page_id, week, n, weekday=0):
    """n posts of the page on one day (Monday + weekday) of week W[week], at noon local time."""
    day = W[week] + timedelta(days=weekday)
    return [{"page_id": page_id, "post_id": f"{page_id}-{week}-{weekday}-{k}", "published_at":
             local_dt(day.year, day.month, day.day)} for k in range(n)]


def covered(page_id, first, last):
    return {"page_id": page_id, "data_kind": "posts", "date_from": first, "date_to": last}


def rate(owners, pages, post_rows, coverage, snapshots=()):
    return rate_pandas(scoring_input(owners, pages, post_rows, coverage, snapshots), M, Q1, TOMSK, TODAY)


def row(frame, **key):
    (name, value), = key.items()
    return frame[frame[name] == value].iloc[0]


def test_partial_weeks_count_only_at_the_norm_and_a_covered_empty_week_is_zero():
    coverage = [covered(1, W[0], W[3] + timedelta(days=6)),  # W0–W3: all 7 days covered
                covered(1, W[1] + timedelta(days=2), W[2] + timedelta(days=3)),  # inside the first: the union counts
                covered(1, W[5], W[5] + timedelta(days=2)),  # W5: Mon–Wed covered (3 of 7 days)
                covered(1, W[6], W[6] + timedelta(days=1))]  # W6: Mon–Tue covered (2 of 7 days)
    rows = (posts(1, 0, 3) + posts(1, 1, 3) + posts(1, 2, 3)  # W0–W2: 3 = norm → met
            # W3: fully covered, 0 posts → counted «0 публикаций»
            + posts(1, 4, 5)  # W4: not covered at all → «нет данных», its 5 posts count nowhere
            + posts(1, 5, 2) + posts(1, 5, 1, weekday=4)  # W5: 2 on Mon + 1 on an uncovered Fri = 3 ≥ 3 → met
            + posts(1, 6, 2))  # W6: 2 < 3 on a partly covered week → «неполные данные», not counted
    pages = rate([BODY], [page(1)], rows, coverage)["pages"]
    p = row(pages, page_id=1)
    assert p["weeks"] == 5  # W0, W1, W2, W3, W5
    assert p["weeks_ok"] == 4  # W0, W1, W2, W5
    assert p["posts"] == 12  # 3 + 3 + 3 + 0 + 3
    assert p["weeks_partial"] == 1 and p["weeks_no_data"] == 7  # W6; W4 and W7–W12
    assert p["B1"] == pytest.approx(4 / 5)  # 0.8
    assert p["B2"] == pytest.approx(12 / (3 * 5))  # min(1, 12 / 15) = 0.8
    assert p["rated"] and not pd.isna(p["score"])


def test_three_counted_weeks_leave_the_page_unrated_with_block_a_as_information():
    coverage = [covered(1, W[0], W[2] + timedelta(days=6))]  # W0–W2 covered: 3 counted weeks < 4
    rows = posts(1, 0, 3) + posts(1, 1, 3) + posts(1, 2, 3)
    snapshot = {"page_id": 1, "as_of": date(2026, 1, 1), "status_mark": True, "gospubliki": False,
                "comments_enabled": True, "avatar": True, "cover": False, "pos_widgets": 1, "subscribers": 500}
    result = rate([BODY], [page(1)], rows, coverage, [snapshot])
    p = row(result["pages"], page_id=1)
    assert p["weeks"] == 3 and not p["rated"]
    assert pd.isna(p["score"])  # no page score
    for code in ("B1", "B2", "B3", "C1", "C2", "D1", "D2", "E1", "E2"):
        assert pd.isna(p[code]), code  # N/A
    # block A still computed: A1 = 1 (×6), A2 = 0 (×4), A3 = avatar yes, cover no, the rest unknown → 1/2 (×8),
    # A4 = 1 (×3), A5 = one widget → 0.5 (×4): 100 × (6 + 0 + 4 + 3 + 2) / 25 = 60
    assert (p["A1"], p["A2"], p["A3"], p["A4"], p["A5"]) == (1.0, 0.0, 0.5, 1.0, 0.5)
    assert p["block_A"] == pytest.approx(60.0)
    # the owner has no rated page: not rated (not 0 for its missing ok and telegram pages), no place
    assert pd.isna(row(result["owners"], owner_id=1)["score"])
    body = row(result["tables"]["bodies"], owner_id=1)
    assert pd.isna(body["score"]) and pd.isna(body["rank"])


def marks(*items):
    return [{"page_id": 1, "as_of": day, "batch_id": batch, "subscribers": value} for day, batch, value in items]


@pytest.mark.parametrize("snapshots, expected", [
    # start: the latest mark on or before 01.01 — that day's highest batch (2 → 1200, not 1100);
    # end: the latest mark on or before 01.04 (1800); the 9999 of 02.04 is after the boundary and never used:
    # (1800 − 1200) ÷ 1200 = 0.5
    (marks((date(2025, 12, 20), 1, 1000), (date(2026, 1, 1), 1, 1100), (date(2026, 1, 1), 2, 1200),
           (date(2026, 3, 15), 1, 1500), (date(2026, 4, 1), 1, 1800), (date(2026, 4, 2), 1, 9999)), 0.5),
    # the only mark after the start is after the boundary → no end mark later than the start → N/A
    (marks((date(2026, 1, 1), 1, 1000), (date(2026, 4, 5), 1, 2000)), None),
    # no mark on or before the quarter's first day (no fallback to the earliest inside the quarter) → N/A
    (marks((date(2026, 1, 10), 1, 1000), (date(2026, 3, 31), 1, 2000)), None),
    # a start of 0 subscribers → N/A
    (marks((date(2025, 12, 31), 1, 0), (date(2026, 3, 31), 1, 2000)), None),
], ids=["latest-batch-and-boundary", "later-mark-unused", "no-start-mark", "zero-start"])
def test_c2_uses_the_marks_in_force_on_the_boundaries_and_never_a_later_one(snapshots, expected):
    coverage = [covered(1, W[0], W[12] + timedelta(days=6))]  # the whole quarter: 13 counted weeks
    rows = [p for week in range(13) for p in posts(1, week, 3)]  # 39 posts ≥ 4: C applies
    p = row(rate([BODY], [page(1)], rows, coverage, snapshots)["pages"], page_id=1)
    if expected is None:
        assert pd.isna(p["C2_raw"]) and pd.isna(p["C2"])
    else:
        assert p["C2_raw"] == pytest.approx(expected)
        assert p["C2"] == 1.0  # a peer group of one


def test_unrated_pages_do_not_lift_their_owner_and_owners_without_rated_pages_are_not_rated():
    head = {"owner_id": 2, "owner_name": "Руководитель", "kind": "head", "parent_id": 1}
    body_b = {"owner_id": 3, "owner_name": "Орган Б", "kind": "executive_body"}
    head_b = {"owner_id": 4, "owner_name": "Руководитель Б", "kind": "head", "parent_id": 3}
    whole = (W[0], W[12] + timedelta(days=6))
    coverage = [covered(1, *whole),  # body's vk page: 13 counted weeks
                covered(2, W[0], W[1] + timedelta(days=6)),  # body's ok page: 2 counted weeks → unrated
                covered(3, W[0], W[2] + timedelta(days=6)),  # head's vk page: 3 counted weeks → unrated
                covered(4, W[0], W[0] + timedelta(days=6)),  # body Б's vk page: 1 counted week → unrated
                covered(5, *whole)]  # head Б's vk page: 13 counted weeks
    rows = [p for pid in (1, 5) for week in range(13) for p in posts(pid, week, 3)]
    rows += posts(2, 0, 3) + posts(2, 1, 3) + posts(3, 0, 3) + posts(3, 1, 3) + posts(3, 2, 3) + posts(4, 0, 3)
    # the ok page has a perfect design (block A = 100): under the old rules it scored 100 on that alone
    perfect = {"page_id": 2, "as_of": date(2026, 1, 1), "status_mark": True, "gospubliki": True,
               "comments_enabled": True, "avatar": True, "cover": True, "description": True, "contacts": True,
               "moderation_rules": True, "unified_style": True, "pos_widgets": 2}
    result = rate([BODY, head, body_b, head_b],
                  [page(1), page(2, platform="ok"), page(3, owner_id=2), page(4, owner_id=3), page(5, owner_id=4)],
                  rows, coverage, [perfect])
    pages, owners, tables = result["pages"], result["owners"], result["tables"]
    # rated vk pages: no snapshot, views or comment data → A, C, D, E N/A; B1 = 13/13, B2 = min(1, 39/39) = 1;
    # B3 (executive body, no stream) = 0: 100 × (20 + 5 + 0) / (20 + 5 + 5) = 83.33…
    assert row(pages, page_id=1)["score"] == pytest.approx(250 / 3)
    # head Б (not an executive body): B3 N/A → 100 × (20 + 5) / 25 = 100
    assert row(pages, page_id=5)["score"] == pytest.approx(100.0)
    assert row(pages, page_id=2)["block_A"] == pytest.approx(100.0) and not row(pages, page_id=2)["rated"]
    # body: vk 83.33; ok left out (its only page is unrated); telegram missing → 0: (83.33 + 0) / 2 = 41.67
    assert row(owners, owner_id=1)["score"] == pytest.approx(250 / 6)
    # head: its only page is unrated → not rated, although its missing ok/telegram would count 0
    assert pd.isna(row(owners, owner_id=2)["score"])
    # head Б: vk 100, ok 0, telegram 0 → 33.33
    assert row(owners, owner_id=4)["score"] == pytest.approx(100 / 3)
    # body Б: no rated page → not rated; its composite is not rated even though its head is
    assert pd.isna(row(owners, owner_id=3)["score"])
    bodies = tables["bodies"]
    # body composite: the head is not rated and there are no institutions → the body's own 41.67, renormalised
    assert row(bodies, owner_id=1)["score"] == pytest.approx(250 / 6) and row(bodies, owner_id=1)["rank"] == 1
    assert pd.isna(row(bodies, owner_id=3)["score"])
    assert pd.isna(row(bodies, owner_id=3)["rank"])
    heads = tables["heads"]
    assert row(heads, owner_id=4)["rank"] == 1 and pd.isna(row(heads, owner_id=2)["rank"])
