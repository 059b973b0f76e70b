"""The scoring engine, one small hand-computed case per rule (methodology.md §3–4); arithmetic in the test."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from core.calendar import Quarter
from scoring.methodology import load_methodologies
from scoring.rating import score_quarter
from tests.factories import local_dt, scoring_input

TOMSK = ZoneInfo("Asia/Tomsk")
Q1 = Quarter(2026, 1)
WEEKS = Q1.weeks()  # 29.12.2025 … 23.03.2026: 13 Mondays (Thursday rule)
AFTER = date(2026, 6, 1)
M = load_methodologies()[0]

BODY = {"owner_id": 1, "owner_name": "Департамент А", "kind": "executive_body"}
FULL_CHECKLIST = {"page_id": 1, "as_of": date(2026, 1, 1), "status_mark": True, "gospubliki": True,
                  "comments_enabled": True, "avatar": True, "cover": True, "description": True, "contacts": True,
                  "moderation_rules": True, "unified_style": True, "pos_widgets": 2, "subscribers": 1000}


def vk_page(page_id=1, owner_id=1, platform="vk", registered_on=date(2023, 1, 1)):
    return {"page_id": page_id, "owner_id": owner_id, "platform": platform, "registered_on": registered_on,
            "url": f"https://vk.com/p{page_id}"}


def weekly_posts(page_id: int, counts: list[int], views: int | None = 100) -> list[dict]:
    """`counts[i]` posts in week i of the quarter, Tuesday to Thursday noon local time."""
    posts = []
    for week, n in zip(WEEKS, counts):
        for k in range(n):
            posts.append({"page_id": page_id, "post_id": f"{week}-{k}", "published_at": local_dt(
                week.year, week.month, week.day, 12) + timedelta(days=1 + k % 3), "views": views, "likes": 5,
                "comments": 1, "reposts": 1, "reactions": None})
    return posts


def covered(page_id: int, start=date(2025, 12, 29), end=date(2026, 3, 31), kind="posts") -> dict:
    return {"page_id": page_id, "data_kind": kind, "date_from": start, "date_to": end}


def rate(data, today=AFTER, m=M):
    return score_quarter(data, m, Q1, TOMSK, today)


def page(rating, page_id=1) -> dict:
    return rating.pages.filter(pl.col("page_id") == page_id).row(0, named=True)


def test_quarter_weeks_follow_the_thursday_rule():
    assert (len(WEEKS), WEEKS[0], WEEKS[-1]) == (13, date(2025, 12, 29), date(2026, 3, 23))


def test_b1_b2_weekly_norm_and_volume():
    # 10 weeks with 3 posts, 3 weeks with 2: B1 = 10/13; posts 36 of 3 × 13 = 39: B2 = 36/39
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 10 + [2] * 3), [covered(1)], [FULL_CHECKLIST])
    row = page(rate(data))
    assert (row["weeks"], row["weeks_ok"], row["posts"]) == (13, 10, 36)
    assert row["B1"] == pytest.approx(10 / 13) and row["B2"] == pytest.approx(36 / 39)
    assert row["B1_points"] == pytest.approx(20 * 10 / 13)


def test_week_without_uploaded_data_is_not_zero_posts():
    # data only for Jan–Feb: the 4 March weeks are «нет данных», left out of B1/B2 (not counted as 0 posts)
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 9), [covered(1, end=date(2026, 2, 28))],
                         [FULL_CHECKLIST])
    rating = rate(data)
    row = page(rating)
    assert (row["weeks"], row["weeks_ok"], row["weeks_no_data"]) == (9, 9, 4)
    assert row["B1"] == 1.0 and row["B2"] == 1.0
    statuses = rating.grid.filter(pl.col("page_id") == 1)["status"].to_list()
    # the week of 23.02 is covered Monday–Saturday only, but its 3 posts already meet the norm: counted
    assert statuses == ["met"] * 9 + ["no_data"] * 4
    assert rating.grid.filter(pl.col("status") == "no_data")["posts"].null_count() == 4  # unknown, not 0


def test_counted_weeks_start_with_the_first_full_week_after_registration():
    # registered Wednesday 14.01.2026 → first full week 19.01 → weeks 19.01 … 23.03 = 10
    data = scoring_input([BODY], [vk_page(registered_on=date(2026, 1, 14))], weekly_posts(1, [3] * 13),
                         [covered(1)], [FULL_CHECKLIST])
    row = page(rate(data))
    assert row["weeks"] == 10 and row["B2"] == 1.0
    monday = scoring_input([BODY], [vk_page(registered_on=date(2026, 1, 12))], weekly_posts(1, [3] * 13),
                           [covered(1)], [FULL_CHECKLIST])
    assert page(rate(monday))["weeks"] == 11  # registered on a Monday: that week is already full


def test_running_quarter_counts_only_ended_weeks():
    # today Wednesday 04.02.2026: weeks 29.12 … 26.01 have ended (5), the week of 02.02 is running
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 6), [covered(1, end=date(2026, 2, 3))],
                         [FULL_CHECKLIST])
    rating = rate(data, today=date(2026, 2, 4))
    assert page(rating)["weeks"] == 5
    assert rating.grid.filter(pl.col("week") == date(2026, 2, 2))["status"].item() == "not_ended"


def test_gate_fewer_than_four_counted_weeks_leaves_only_block_a():
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 3), [covered(1, end=date(2026, 1, 18))],
                         [FULL_CHECKLIST])
    row = page(rate(data))
    assert row["weeks"] == 3
    for code in ("B1", "B2", "B3", "C1", "C2", "D1", "D2", "E1", "E2"):
        assert row[code] is None and "не оценивается" in row[f"{code}_na"]
    # methodology.md §3 «Rated or not»: no page score at all; block A (25 of 25) stays visible as information
    assert row["score"] is None and row["rated"] is False
    assert row["not_rated_reason"] == "данные покрывают только 3 нед. (нужно не менее 4)"
    assert row["block_A"] == pytest.approx(100.0) and row["A1"] == 1.0


def test_block_a_checklist_telegram_items_and_widgets():
    telegram = vk_page(platform="telegram")
    snapshot = {"page_id": 1, "as_of": date(2026, 1, 1), "status_mark": False, "gospubliki": True,
                "comments_enabled": None, "avatar": True, "cover": None, "description": True, "contacts": False,
                "moderation_rules": False, "unified_style": None, "pos_widgets": None}
    row = page(rate(scoring_input([BODY], [telegram], snapshots=[snapshot])))
    # cover does not exist on Telegram, unified style unknown: present 2 (avatar, description) of known 4
    assert row["A1"] == 0.0 and row["A2"] == 1.0 and row["A3"] == pytest.approx(2 / 4)
    assert row["A4"] is None and "открыты" in row["A4_na"]  # unknown, never 0
    assert row["A5"] is None and "не применяется" in row["A5_na"]
    vk = page(rate(scoring_input([BODY], [vk_page()], snapshots=[FULL_CHECKLIST | {"pos_widgets": 1}])))
    assert vk["A5"] == 0.5
    # Block A (information): A1 0 + A2 4 + A3 8 × 0.5 over weights 6 + 4 + 8 = 18 → 8/18; without activity data
    # the page is not rated — a design alone never makes a score
    assert row["block_A"] == pytest.approx(100 * (0 + 4 + 4) / 18)
    assert row["score"] is None and row["not_rated_reason"] == "нет данных об активности за квартал"


def test_checklist_in_force_is_the_latest_known_by_the_quarters_end_item_by_item():
    early = FULL_CHECKLIST | {"as_of": date(2026, 1, 10), "avatar": False, "subscribers": 900}
    late = {"page_id": 1, "as_of": date(2026, 3, 20), "batch_id": 2, "avatar": True}  # other items unknown here
    after = {"page_id": 1, "as_of": date(2026, 7, 1), "batch_id": 3, "avatar": False, "status_mark": False}
    row = page(rate(scoring_input([BODY], [vk_page()], snapshots=[early, late, after])))
    assert row["avatar"] is True and row["status_mark"] is True and row["subscribers"] == 900


def test_b3_live_stream_on_any_page_of_an_executive_body_counts_for_all_its_pages():
    pages = [vk_page(1), vk_page(2, platform="ok")]
    stream = {"page_id": 2, "stream_id": "s", "started_at": local_dt(2026, 2, 10)}
    posts = weekly_posts(1, [3] * 13) + weekly_posts(2, [3] * 13)
    data = scoring_input([BODY], pages, posts, [covered(1), covered(2)], streams=[stream])
    rating = rate(data)
    assert page(rating, 1)["B3"] == 1.0 and page(rating, 2)["B3"] == 1.0
    none = rate(scoring_input([BODY], pages, posts, [covered(1), covered(2)]))
    assert page(none, 1)["B3"] == 0.0
    institution = {"owner_id": 1, "owner_name": "ОГКУ", "kind": "institution", "parent_id": None}
    row = page(rate(scoring_input([institution], [vk_page()], posts, [covered(1)])))
    assert row["B3"] is None and "не применяется" in row["B3_na"]


def test_percentiles_winsorised_average_ranks_within_the_peer_group():
    # five VK pages of executive bodies, 4 posts of 100·k views over 1000 subscribers: VR = 0.1, 0.2, 0.2, 0.3, 1.0
    owners, pages, posts, cov, snaps = [], [], [], [], []
    for i, views in enumerate([100, 200, 200, 300, 1000], start=1):
        owners.append({"owner_id": i, "owner_name": f"Орган {i}", "kind": "executive_body"})
        pages.append(vk_page(i, i))
        posts += weekly_posts(i, [1] * 4 + [0] * 9, views=views)
        cov.append(covered(i))
        snaps.append(FULL_CHECKLIST | {"page_id": i})
    rating = rate(scoring_input(owners, pages, posts, cov, snaps))
    # winsorise at the 5th/95th percentile (linear): q05 = 0.1 + 0.2 × 0.1 = 0.12; q95 = 0.3 + 0.8 × 0.7 = 0.86
    # clipped 0.12, 0.2, 0.2, 0.3, 0.86 → average ranks 1, 2.5, 2.5, 4, 5 → (rank − 1) / 4
    assert rating.pages.sort("page_id")["C1"].to_list() == pytest.approx([0, 0.375, 0.375, 0.75, 1.0])
    assert page(rating, 5)["C1_raw"] == pytest.approx(1.0)
    single = rate(scoring_input(owners[:1], pages[:1], posts[:4], cov[:1], snaps[:1]))
    assert page(single)["C1"] == 1.0  # a group of one scores 1.0


def test_c_and_d_need_four_posts_and_views():
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [1] * 3 + [0] * 10), [covered(1)], [FULL_CHECKLIST])
    row = page(rate(data))
    assert row["C1"] is None and "меньше 4 публикаций" in row["C1_na"] and row["D1"] is None
    tg = scoring_input([BODY], [vk_page(platform="telegram")], weekly_posts(1, [3] * 13, views=None), [covered(1)],
                       [FULL_CHECKLIST])
    row = page(rate(tg))
    assert row["C1"] is None and "Telegram" in row["C1_na"] and row["D1"] is None  # never 0 for missing views


def test_c2_subscriber_growth_from_two_marks():
    start = FULL_CHECKLIST | {"as_of": date(2025, 12, 20), "subscribers": 1000}
    end = {"page_id": 1, "as_of": date(2026, 4, 1), "batch_id": 2, "subscribers": 1100}
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 13), [covered(1)], [start, end])
    row = page(rate(data))
    assert row["C2_raw"] == pytest.approx((1100 - 1000) / 1000) and row["C2"] == 1.0
    one_mark = page(rate(scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 13), [covered(1)], [start])))
    assert one_mark["C2"] is None and "более поздней отметки" in one_mark["C2_na"]
    # a mark after the quarter's end never stands in for its end: 02.04 is after the boundary (01.04)
    later = end | {"as_of": date(2026, 4, 2)}
    row = page(rate(scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 13), [covered(1)], [start, later])))
    assert row["C2"] is None and "более поздней отметки" in row["C2_na"]
    # nor does a mark inside the quarter stand in for its start
    inside = start | {"as_of": date(2026, 1, 15)}
    row = page(rate(scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 13), [covered(1)], [inside, end])))
    assert row["C2"] is None and "на начало квартала" in row["C2_na"]


def test_c2_marks_of_several_pages_never_mix():
    # the marks of pages 1–3 sorted together: each page's start and end are its own, never a neighbour's (each
    # page also has the 1000 of FULL_CHECKLIST on 01.01, the quarter's first day: its start); page 2 has no later
    # mark (N/A), page 3 ends on a mark inside the quarter; of two uploads of one day the latest batch counts
    def mark(page_id, day, subscribers, batch=1):
        return {"page_id": page_id, "as_of": day, "batch_id": batch, "subscribers": subscribers}
    snapshots = [FULL_CHECKLIST | {"page_id": p} for p in (1, 2, 3)] + [
        mark(1, date(2025, 12, 30), 200), mark(1, date(2026, 3, 31), 250), mark(1, date(2026, 3, 31), 300, batch=2),
        mark(2, date(2025, 12, 31), 400),
        mark(3, date(2026, 2, 1), 10), mark(3, date(2026, 3, 1), 20)]
    pages = [vk_page(p) for p in (1, 2, 3)]
    posts = [post for p in (1, 2, 3) for post in weekly_posts(p, [3] * 13)]
    rating = rate(scoring_input([BODY], pages, posts, [covered(p) for p in (1, 2, 3)], snapshots))
    # page 1: 01.01 (1000) is later than 30.12 (200) and starts; 31.03 ends with batch 2's 300, not batch 1's 250
    assert page(rating, 1)["C2_raw"] == pytest.approx((300 - 1000) / 1000)
    assert page(rating, 2)["C2_raw"] is None and "более поздней отметки" in page(rating, 2)["C2_na"]
    assert page(rating, 3)["C2_raw"] == pytest.approx((20 - 1000) / 1000)


def test_d1_engagement_over_views_and_d2_talk_rate():
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 13), [covered(1)], [FULL_CHECKLIST])
    row = page(rate(data))
    # each post: likes 5 + comments 1 + reposts 1 (reactions unknown) over 100 views
    assert row["D1_raw"] == pytest.approx(7 * 39 / (100 * 39))
    assert row["D2_raw"] == pytest.approx(1.0)  # no comment export: the posts' comment counters, 39 / 39


def _comment(cid, when, page_author=False, parent=None):
    return {"page_id": 1, "comment_id": cid, "post_id": "p", "parent_comment_id": parent,
            "author_is_page": page_author, "created_at": when}


def test_e1_reply_rate_and_e2_median_reply_time():
    t = datetime(2026, 2, 2, 3, tzinfo=timezone.utc)
    comments = [_comment("u1", t), _comment("u2", t), _comment("u3", t), _comment("u4", t),
                _comment("r1", t + timedelta(hours=2), True, "u1"), _comment("r2", t + timedelta(hours=10), True, "u2"),
                _comment("r3", t + timedelta(hours=30), True, "u3"),
                _comment("r3b", t + timedelta(hours=40), True, "u3")]  # only the first reply counts
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 13), [covered(1), covered(1, kind="comments")],
                         [FULL_CHECKLIST], comments=comments)
    row = page(rate(data))
    # 3 of 4 answered: rate 0.75, full at 0.9 → 0.75 / 0.9; delays 2, 10, 30 h → median 10 h → 0.5 (≤ 24 h)
    assert (row["user_comments"], row["answered"]) == (4, 3)
    assert row["E1"] == pytest.approx(0.75 / 0.9) and row["median_reply_hours"] == pytest.approx(10)
    assert row["E2"] == 0.5
    assert row["D2_raw"] == pytest.approx(4 / 39)  # comment export present: users' comments per post


def test_e_is_na_without_comment_data_or_with_fewer_than_two_user_comments():
    t = datetime(2026, 2, 2, 3, tzinfo=timezone.utc)
    base = ([BODY], [vk_page()], weekly_posts(1, [3] * 13))
    row = page(rate(scoring_input(*base, [covered(1)], [FULL_CHECKLIST])))
    assert row["E1"] is None and "нет выгрузки комментариев" in row["E1_na"]
    one = scoring_input(*base, [covered(1), covered(1, kind="comments")], [FULL_CHECKLIST],
                        comments=[_comment("u1", t)])
    row = page(rate(one))
    assert row["E1"] is None and "меньше 2 комментариев" in row["E1_na"]
    silent = scoring_input(*base, [covered(1), covered(1, kind="comments")], [FULL_CHECKLIST],
                           comments=[_comment("u1", t), _comment("u2", t)])
    row = page(rate(silent))
    assert row["E1"] == 0.0 and row["E2"] == 0.0  # measured: the page never replied


def test_page_score_reweights_na_indicators():
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3] * 10 + [2] * 3), [covered(1)], [FULL_CHECKLIST])
    row = page(rate(data))
    # applicable: A (25), B1 20, B2 5, B3 5 (no stream → 0), C1 10 (group of one → 1), D1 10, D2 5 (→ 1);
    # N/A: C2 (one mark), E1, E2 (no comment export). Points: 25 + 20·10/13 + 5·36/39 + 0 + 10 + 10 + 5
    points = 25 + 20 * 10 / 13 + 5 * 36 / 39 + 0 + 10 + 10 + 5
    assert row["score"] == pytest.approx(100 * points / (25 + 30 + 10 + 15))
    assert row["block_B"] == pytest.approx(100 * (20 * 10 / 13 + 5 * 36 / 39) / 30)


def test_owner_score_missing_required_platform_counts_zero_and_body_composite():
    from scoring.rating import _composite, owner_scores
    pages = pl.DataFrame({"page_id": [1, 2, 3, 4, 5], "owner_id": [1, 1, 2, 3, 4],
                          "platform": ["vk", "ok", "vk", "vk", "vk"], "score": [90.0, 60.0, 60.0, 70.0, 50.0],
                          "B1": [1.0, 0.5, 0.5, 0.5, 0.5], "block_A": [100.0, 100.0, 50.0, 50.0, 50.0],
                          "rated": [True] * 5, "not_rated_reason": [None] * 5})
    owners = pl.DataFrame({"owner_id": [1, 2, 3, 4, 5], "owner_name": ["Орган", "Руководитель", "Учр 1", "Учр 2",
                                                                        "Учр 3"],
                           "kind": ["executive_body", "head", "institution", "institution", "institution"],
                           "parent_id": [None, 1, 1, 1, 1], "parent_name": [None, "Орган", "Орган", "Орган", "Орган"],
                           "exemption": [None, None, None, None, "Федеральный закон"]})
    scores = owner_scores(pages, owners, M).sort("owner_id")
    # body: vk 90, ok 60, telegram missing → 0: (90 + 60 + 0) / 3 = 50; head: (60 + 0 + 0) / 3 = 20
    assert scores["score"].to_list()[:4] == pytest.approx([50.0, 20.0, 70 / 3, 50 / 3])
    assert scores["missing_platforms"].to_list()[0] == ["telegram"]
    assert scores["score"].to_list()[4] is None  # exempt and without pages: nothing to score
    body = _composite(scores, M).row(0, named=True)
    # 0.5 × 50 + 0.25 × 20 + 0.25 × mean(70/3, 50/3) = 25 + 5 + 5
    assert body["score"] == pytest.approx(35.0)
    no_head = _composite(scores.filter(pl.col("kind") != "head"), M).row(0, named=True)
    assert no_head["score"] == pytest.approx((0.5 * 50 + 0.25 * 20) / 0.75)  # renormalised


def test_ranks_ties_zones_and_movement():
    from scoring.rating import add_movement, rank_table
    table = pl.DataFrame({"owner_id": [1, 2, 3, 4], "owner_name": ["Б", "А", "В", "Г"],
                          "score": [80.0, 80.0, 59.99, None], "B1": [0.5, 0.9, 1.0, None],
                          "block_A": [100.0, 10.0, 0.0, None]})
    ranked = rank_table(table, M)
    assert ranked["owner_id"].to_list() == [2, 1, 3, 4]  # tie at 80 broken by B1
    assert ranked["rank"].to_list() == [1, 2, 3, None] and ranked["zone"].to_list() == [
        "высокий", "высокий", "низкий", None]
    previous = pl.DataFrame({"owner_id": [1, 2, 3], "rank": [1, 3, 2], "score": [70.0, 60.0, 65.0]})
    moved = add_movement(ranked, previous).sort("owner_id")
    assert moved["delta_place"].to_list() == [-1, 2, -1, None]
    assert moved["delta_points"].to_list()[:3] == pytest.approx([10.0, 20.0, -5.01])


def test_changing_a_weight_in_a_copied_methodology_changes_the_ranking(tmp_path):
    from scoring.methodology import parse_methodology
    owners = [{"owner_id": 1, "owner_name": "Орган 1", "kind": "executive_body"},
              {"owner_id": 2, "owner_name": "Орган 2", "kind": "executive_body"}]
    pages = [vk_page(1, 1), vk_page(2, 2)]
    snaps = [FULL_CHECKLIST | {"page_id": 1, "gospubliki": False}, FULL_CHECKLIST | {"page_id": 2}]
    posts = weekly_posts(1, [3] * 13) + weekly_posts(2, [3] * 6 + [1] * 7)  # page 2 posts less
    data = scoring_input(owners, pages, posts, [covered(1), covered(2)], snaps)
    default = rate(data).tables["bodies"]["owner_name"].to_list()
    text = Path(M.filename if Path(M.filename).is_absolute() else Path("data/methodology") / M.filename).read_text(
        encoding="utf-8")
    # move weight from B1 to A2 (Госпаблики): still 100 in total
    changed = text.replace("[indicators.A2]\nblock = \"A\"\nweight = 4", "[indicators.A2]\nblock = \"A\"\nweight = 22")
    changed = changed.replace("[indicators.B1]\nblock = \"B\"\nweight = 20", "[indicators.B1]\nblock = \"B\"\nweight = 2")
    assert changed != text
    other = parse_methodology(changed, "copy.toml")
    assert default == ["Орган 1", "Орган 2"]
    assert rate(data, m=other).tables["bodies"]["owner_name"].to_list() == ["Орган 2", "Орган 1"]


def test_early_warning_in_a_running_quarter():
    from scoring.payload import warning_payload
    # today Wednesday 04.02.2026: 5 weeks ended (two with 2 posts: 3 of 5 < 0.8 at the norm), this week 1 post
    # so far, no live stream
    data = scoring_input([BODY], [vk_page()], weekly_posts(1, [3, 3, 2, 2, 3, 1]), [covered(1, end=date(2026, 2, 4))],
                         [FULL_CHECKLIST])
    rating = rate(data, today=date(2026, 2, 4))
    warning = warning_payload(rating, date(2026, 2, 4))
    norm = warning["weekly_norm"][0]
    # 8 weeks not ended (02.02 … 23.03); best reachable B1 = (3 + 8) / (5 + 8)
    assert (norm["weeks_met"], norm["weeks_counted"], norm["weeks_left"]) == (3, 5, 8)
    assert norm["posts_this_week"] == 1 and norm["posts_needed"] == 2
    assert norm["best_B1"] == pytest.approx(11 / 13)
    on_course = scoring_input([BODY], [vk_page()], weekly_posts(1, [3, 3, 2, 3, 3, 1]),
                              [covered(1, end=date(2026, 2, 4))], [FULL_CHECKLIST])
    assert warning_payload(rate(on_course, today=date(2026, 2, 4)), date(2026, 2, 4))["weekly_norm"] == []
    assert warning["live_stream"] == [{"owner": "Департамент А", "streams": 0, "needed": 1,
                                       "days_left": (date(2026, 3, 31) - date(2026, 2, 4)).days + 1}]
    assert warning_payload(rate(data), AFTER) is None  # a finished quarter has no early warning


def test_fixed_offset_weeks_equal_the_time_zone_conversion():
    from scoring.activity import fixed_offset, local_week, window_week
    from scoring.inputs import QuarterWindow
    moments = pl.DataFrame({"t": [datetime(2026, 1, 4, 16, 59, tzinfo=timezone.utc),  # Sunday 23:59 in Tomsk
                                  datetime(2026, 1, 4, 17, 0, tzinfo=timezone.utc),  # Monday 00:00 in Tomsk
                                  datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)]})
    for zone in ("Asia/Tomsk", "Europe/Berlin"):  # Berlin changes to summer time on 29.03.2026: no fixed offset
        window = QuarterWindow(Q1, ZoneInfo(zone))
        assert (fixed_offset(window) is None) == (zone == "Europe/Berlin")
        fast = moments.select(window_week("t", window))["t"].to_list()
        assert fast == moments.select(local_week("t", zone))["t"].to_list()
    assert moments.select(window_week("t", QuarterWindow(Q1, TOMSK)))["t"].to_list()[:2] == [date(2025, 12, 29),
                                                                                             date(2026, 1, 5)]


# --- methodology.md §3–4 revised: counted weeks, rated or not, owners, quarters without data ---

def test_partly_covered_week_counts_only_at_the_norm_otherwise_incomplete_data():
    # coverage 29.12 … 11.03 (Wednesday): the week of 09.03 is covered Mon–Wed. With 1 post it is below the norm
    # → «неполные данные», not «ниже нормы» and not in B1; with 3 posts it already meets the norm → counted, met
    one = weekly_posts(1, [3] * 10 + [1])
    rating = rate(scoring_input([BODY], [vk_page()], one, [covered(1, end=date(2026, 3, 11))], [FULL_CHECKLIST]))
    row = page(rating)
    assert (row["weeks"], row["weeks_ok"], row["weeks_partial"], row["weeks_no_data"]) == (10, 10, 1, 2)
    assert row["B1"] == 1.0 and row["posts"] == 30  # the partial week's post is not in B2 either
    statuses = rating.grid.filter(pl.col("page_id") == 1)["status"].to_list()
    assert statuses == ["met"] * 10 + ["partial", "no_data", "no_data"]
    assert rating.grid.filter(pl.col("status") == "partial")["norm_met"].to_list() == [None]
    three = weekly_posts(1, [3] * 11)
    row = page(rate(scoring_input([BODY], [vk_page()], three, [covered(1, end=date(2026, 3, 11))], [FULL_CHECKLIST])))
    assert (row["weeks"], row["weeks_ok"], row["weeks_partial"]) == (11, 11, 0)


def test_two_exports_meeting_mid_week_cover_it_together_and_silence_is_zero():
    # exports 29.12 … 14.01 (Wednesday) and 15.01 … 31.03: together every day is covered; no posts at all in the
    # week of 12.01 is proven silence → «0 публикаций», counted, below the norm
    posts = weekly_posts(1, [3, 3, 0] + [3] * 10)
    cov = [covered(1, end=date(2026, 1, 14)), covered(1, start=date(2026, 1, 15))]
    rating = rate(scoring_input([BODY], [vk_page()], posts, cov, [FULL_CHECKLIST]))
    row = page(rating)
    assert (row["weeks"], row["weeks_ok"], row["weeks_partial"]) == (13, 12, 0)
    assert rating.grid.filter(pl.col("week") == date(2026, 1, 12))[["status", "posts"]].row(0) == ("zero", 0)


def test_norm_of_zero_meets_every_counted_week_on_every_output():
    from scoring.methodology import parse_methodology
    text = Path(M.filename if Path(M.filename).is_absolute() else Path("data/methodology") / M.filename).read_text(
        encoding="utf-8").replace("executive_body = 3,", "executive_body = 0,")
    m0 = parse_methodology(text, "zero.toml")
    rating = rate(scoring_input([BODY], [vk_page()], [], [covered(1)], [FULL_CHECKLIST]), m=m0)
    assert page(rating)["B1"] == 1.0
    assert set(rating.grid["status"].to_list()) == {"met"}  # the heatmap and Excel read this status


def test_page_without_data_does_not_lift_its_owner_and_owner_without_rated_page_is_not_rated():
    owners = [BODY, {"owner_id": 2, "owner_name": "Учреждение", "kind": "institution", "parent_id": 1,
                     "parent_name": "Департамент А"}]
    pages = [vk_page(1, 1), vk_page(2, 1, platform="ok"), vk_page(3, 2)]  # page 2: perfect design, no data
    posts = weekly_posts(1, [3] * 13)
    snaps = [FULL_CHECKLIST | {"page_id": p} for p in (1, 2, 3)]
    rating = rate(scoring_input(owners, pages, posts, [covered(1)], snaps))
    vk = page(rating, 1)["score"]
    assert page(rating, 2)["score"] is None and page(rating, 2)["block_A"] == pytest.approx(100.0)
    body = rating.tables["bodies"].row(0, named=True)
    # vk rated, ok not rated (left out), telegram missing (0): (vk + 0) / 2
    assert body["body_score"] == pytest.approx(vk / 2) and (body["rated_pages"], body["pages_total"]) == (1, 2)
    # the institution has no rated page: not rated, listed without a place; the composite drops it
    inst = rating.tables["institutions"].row(0, named=True)
    assert inst["score"] is None and inst["rank"] is None and inst["not_rated_reason"].startswith("нет оценённых страниц (")
    assert body["score"] == pytest.approx(vk / 2) and body["missing_parts"] == ["head", "institutions"]


def test_body_whose_own_pages_are_not_rated_is_not_rated_even_with_a_rated_institution():
    owners = [BODY, {"owner_id": 2, "owner_name": "Учреждение", "kind": "institution", "parent_id": 1,
                     "parent_name": "Департамент А"}]
    pages = [vk_page(1, 1), vk_page(2, 2)]
    rating = rate(scoring_input(owners, pages, weekly_posts(2, [3] * 13), [covered(2)], [FULL_CHECKLIST]))
    body = rating.tables["bodies"].row(0, named=True)
    assert body["score"] is None and body["rank"] is None and body["zone"] is None
    assert rating.tables["institutions"].row(0, named=True)["rank"] == 1


def test_percentiles_are_taken_over_rated_pages_only():
    # three VK bodies with VR 0.1, 0.3, 0.5; the third has only 3 counted weeks → not rated, out of the group
    owners, pages, posts, cov = [], [], [], []
    for i, views in enumerate([100, 300, 500], start=1):
        owners.append({"owner_id": i, "owner_name": f"Орган {i}", "kind": "executive_body"})
        pages.append(vk_page(i, i))
        posts += weekly_posts(i, [3] * 13, views=views)
        cov.append(covered(i) if i < 3 else covered(i, end=date(2026, 1, 18)))
    rating = rate(scoring_input(owners, pages, posts, cov, [FULL_CHECKLIST | {"page_id": i} for i in (1, 2, 3)]))
    assert rating.pages.sort("page_id")["C1"].to_list() == [0.0, 1.0, None]


def test_a_quarter_without_uploaded_activity_has_no_rating():
    rating = rate(scoring_input([BODY], [vk_page()], [], [], [FULL_CHECKLIST]))
    assert rating.has_data is False
    assert rating.tables["bodies"]["rank"].to_list() == [None]
    assert rating.tables["bodies"]["zone"].to_list() == [None]


def test_weeks_from_the_closing_day_on_are_closed_not_missing():
    # closed Wednesday 04.03.2026 (week 10 of 13: 02.03): weeks 29.12 … 23.02 (9) are its weeks, the rest
    # «страница закрыта» — neither counted nor a data gap, even though no export covers them
    data = scoring_input([BODY], [vk_page() | {"closed_on": date(2026, 3, 4)}], weekly_posts(1, [3] * 9),
                         [covered(1, end=date(2026, 3, 1))], [FULL_CHECKLIST])
    rating = rate(data)
    row = page(rating)
    assert (row["weeks"], row["weeks_no_data"], row["weeks_partial"], row["rated"]) == (9, 0, 0, True)
    assert row["B1"] == 1.0 and row["B2"] == 1.0
    statuses = rating.grid.sort("week")["status"].to_list()
    assert statuses == ["met"] * 9 + ["closed"] * 4
    # closed on a Monday: the week starting that day is already not its week
    monday = rate(scoring_input([BODY], [vk_page() | {"closed_on": date(2026, 3, 2)}], weekly_posts(1, [3] * 9),
                                [covered(1, end=date(2026, 3, 1))], [FULL_CHECKLIST]))
    assert page(monday)["weeks"] == 9 and monday.grid.sort("week")["status"].to_list()[9] == "closed"


def test_a_page_closed_early_in_the_quarter_is_not_rated_and_says_why():
    # closed Tuesday 20.01.2026: only weeks 29.12, 05.01, 12.01 are its weeks (3 < 4)
    data = scoring_input([BODY], [vk_page() | {"closed_on": date(2026, 1, 20)}], weekly_posts(1, [3] * 3),
                         [covered(1, end=date(2026, 1, 18))], [FULL_CHECKLIST])
    row = page(rate(data))
    assert row["weeks"] == 3 and row["rated"] is False and row["score"] is None
    assert row["not_rated_reason"] == "страница закрыта 20.01.2026: в квартале меньше 4 недель до закрытия"
    # its missing weeks after the closing are no data gap of the quarter
    assert row["weeks_no_data"] == 0


def test_closed_weeks_agree_with_both_pandas_references():
    from benchmark import pandas_per_page, pandas_scoring
    data = scoring_input([BODY], [vk_page() | {"closed_on": date(2026, 3, 4)},
                                  vk_page(2, platform="telegram") | {"closed_on": date(2025, 12, 1)},
                                  vk_page(3, platform="ok")],
                         weekly_posts(1, [3] * 9) + weekly_posts(3, [3, 2, 1, 0] * 3 + [3]),
                         [covered(1, end=date(2026, 3, 1)), covered(3)],
                         [FULL_CHECKLIST, FULL_CHECKLIST | {"page_id": 3}])
    ours = rate(data).pages.sort("page_id")
    assert ours["page_id"].to_list() == [1, 3]  # closed before the quarter: not its page in it
    for reference in (pandas_per_page.score_pages_pandas(data, M, Q1, TOMSK, AFTER),
                      pandas_scoring.score_pages_pandas(data, M, Q1, TOMSK, AFTER)):
        reference = reference.sort_values("page_id")
        assert reference["page_id"].tolist() == [1, 3]
        weeks_column = "weeks" if "weeks" in reference else "n_weeks"
        assert reference[weeks_column].astype(int).tolist() == ours["weeks"].to_list() == [9, 13]


def test_a_page_registered_after_the_quarter_is_no_page_of_it():
    # the Telegram channel registered on 10.04.2026 does not excuse I кв. 2026 without one: Telegram is missing (0)
    pages = [vk_page(), vk_page(2, platform="telegram", registered_on=date(2026, 4, 10)),
             vk_page(3, platform="ok")]
    data = scoring_input([BODY], pages, weekly_posts(1, [3] * 13) + weekly_posts(3, [3] * 13),
                         [covered(1), covered(3)], [FULL_CHECKLIST, FULL_CHECKLIST | {"page_id": 3}])
    rating = rate(data)
    assert rating.pages["page_id"].to_list() == [1, 3]
    owner = rating.owners.row(0, named=True)
    assert owner["missing_platforms"] == ["telegram"]
    # registered on the quarter's last day: a page of the quarter (too young to be rated, left out, not missing)
    pages[1]["registered_on"] = date(2026, 3, 31)
    late = rate(scoring_input([BODY], pages, weekly_posts(1, [3] * 13) + weekly_posts(3, [3] * 13),
                              [covered(1), covered(3)], [FULL_CHECKLIST, FULL_CHECKLIST | {"page_id": 3}]))
    assert page(late, 2)["rated"] is False and late.owners.row(0, named=True)["missing_platforms"] == []


def test_row_positions_dense_table_and_hash_join_agree():
    import numpy as np
    from scoring.activity import row_positions
    ids = np.array([7, 3, 11])
    wanted = np.array([3, 3, 11, 5, 7, 12])
    assert row_positions(ids, wanted).tolist() == [1, 1, 2, -1, 0, -1]  # a direct-address table
    sparse = ids * 10**12
    assert row_positions(sparse, wanted * 10**12).tolist() == [1, 1, 2, -1, 0, -1]  # too sparse: a hash join
    assert row_positions(np.array([-4, 2]), np.array([2, -4, 9])).tolist() == [1, 0, -1]
    assert row_positions(ids, np.array([], dtype=np.int64)).tolist() == []
    assert row_positions(np.array([], dtype=np.int64), wanted).tolist() == [-1] * 6


def test_week_sums_do_not_depend_on_how_page_ids_are_spread():
    # the same pages numbered 1, 2, 3 and 10¹², 2·10¹², 3·10¹² (a hash join instead of a table of ids): equal scores;
    # page 2 has a partly covered week below the norm, page 3 was closed before the quarter but has posts in it
    def data(scale: int):
        pages = [vk_page(1), vk_page(2, platform="telegram"), vk_page(3, platform="ok") | {"closed_on": date(2025, 12, 1)}]
        posts = weekly_posts(1, [3, 4, 0, 5] * 3 + [3]) + weekly_posts(2, [3] * 10 + [1], views=None) + weekly_posts(3, [3] * 13)
        coverage = [covered(1), covered(2, end=date(2026, 3, 11)), covered(3)]
        checklists = [FULL_CHECKLIST | {"page_id": p} for p in (1, 2, 3)]
        for row in (*pages, *posts, *coverage, *checklists):
            row["page_id"] *= scale
        return scoring_input([BODY], pages, posts, coverage, checklists)
    dense, sparse = rate(data(1)).pages, rate(data(10**12)).pages
    assert sparse["page_id"].to_list() == [10**12, 2 * 10**12]
    assert dense.drop("page_id", "url").equals(sparse.drop("page_id", "url"))
    first, second = dense.row(0, named=True), dense.row(1, named=True)
    assert (first["weeks"], first["weeks_ok"], first["posts"]) == (13, 10, 39)
    assert (second["weeks"], second["weeks_partial"], second["posts"], second["posts_with_views"]) == (10, 1, 30, 0)
