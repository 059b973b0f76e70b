"""scoring.tables: the rating as frames, and its two JSON edges. `to_payload` must give exactly what
scoring.payload.rating_payload gives (`rate --json`, approval storage and every stored approved quarter stay
byte-compatible), `from_payload` must give an approved payload back unchanged."""
from datetime import date
from zoneinfo import ZoneInfo

import msgspec
import polars as pl
import pytest

from benchmark.synthetic import generate
from core.calendar import Quarter
from scoring import tables
from scoring.payload import rating_payload
from scoring.rating import TABLES, score_quarter
from tests.factories import scoring_input
from tests.test_scoring import BODY, FULL_CHECKLIST, M, Q1, TOMSK, covered, vk_page, weekly_posts


def _json(payload: dict) -> bytes:
    """The payload's JSON with the early warning's pages in one order: scoring.warning sorts them by B1, posts needed
    and owner, so two pages of one owner tie and come in either order from one call to the next."""
    early = payload.get("early_warning")
    if early:
        early = early | {"weekly_norm": sorted(early["weekly_norm"], key=lambda r: r["url"])}
        payload = payload | {"early_warning": early}
    return msgspec.json.encode(payload)


def _same(rating) -> dict:
    """to_payload(from_rating) against rating_payload, byte for byte (key order included); the payload."""
    expected = rating_payload(rating)
    built = tables.from_rating(rating)
    assert _json(tables.to_payload(built)) == _json(expected)
    back = tables.from_bytes(tables.to_bytes(built))  # as services.quarters stores it
    assert _json(tables.to_payload(back)) == _json(expected)
    assert msgspec.json.encode(tables.to_payload(tables.from_payload(expected))) == msgspec.json.encode(expected)
    return expected


INSTITUTION = {"owner_id": 2, "owner_name": "Учреждение Б", "kind": "institution", "parent_id": 1,
               "parent_name": "Департамент А"}
HEAD = {"owner_id": 3, "owner_name": "Руководитель В", "kind": "head", "parent_id": 1, "parent_name": "Департамент А"}
SCENARIOS = {
    "rated body": dict(owners=[BODY], pages=[vk_page()], posts=weekly_posts(1, [3] * 13), coverage=[covered(1)],
                       snapshots=[FULL_CHECKLIST]),
    "family, one page not rated": dict(
        owners=[BODY, INSTITUTION, HEAD], pages=[vk_page(), vk_page(2, 2), vk_page(3, 3, "telegram")],
        posts=weekly_posts(1, [3] * 13) + weekly_posts(2, [1] * 2), coverage=[covered(1), covered(2)],
        snapshots=[FULL_CHECKLIST]),
    "no data": dict(owners=[BODY], pages=[vk_page()]),
    "no pages": dict(owners=[BODY], pages=[]),
}


@pytest.mark.parametrize("today", [date(2026, 6, 1), date(2026, 2, 10)], ids=["ended", "running"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_to_payload_is_rating_payload_on_the_factory_scenarios(name, today):
    _same(score_quarter(scoring_input(**SCENARIOS[name]), M, Q1, TOMSK, today))


def test_to_payload_is_rating_payload_on_a_synthetic_region():
    data = generate("tomsk")
    payload = _same(score_quarter(data.data, M, data.quarter, ZoneInfo("Asia/Tomsk"), date(2026, 6, 1)))
    assert len(payload["pages"]) > 1000 and payload["bodies"]


def test_to_payload_is_rating_payload_on_the_demo(demo_db_url):
    from services.quarters import fresh_rating
    from storage.db import make_engine
    engine = make_engine(demo_db_url)
    for quarter in (Quarter(2026, 3), Quarter(2026, 4)):  # an ended quarter and the running one (with Δ)
        _same(fresh_rating(engine, quarter, today=date(2026, 11, 30)))
    engine.dispose()


def test_frames_carry_the_payload_columns():
    rating = score_quarter(scoring_input(**SCENARIOS["family, one page not rated"]), M, Q1, TOMSK, date(2026, 6, 1))
    built = tables.from_rating(rating)
    assert {"owner", "rank", "score", "kind_label", "completeness", "recommendations", *[f"block_{b}" for b in M.blocks]
            } <= set(built.bodies.columns)
    assert built.indicators.columns == ["page_id", "indicator", "value", "points", "weight", "na_reason", "raw",
                                        "inputs"]
    assert built.indicators.height == built.pages.height * len(M.indicators)
    assert built.weeks.columns == ["page_id", "week", "status", "posts"] and built.weeks.schema["week"] == pl.Date
    assert built.has_data and built.blocks == list(M.blocks)


def test_an_approved_payload_with_its_own_fields_comes_back_unchanged():
    rating = score_quarter(scoring_input(**SCENARIOS["rated body"]), M, Q1, TOMSK, date(2026, 6, 1))
    payload = rating_payload(rating) | {"gaps": {"pages_not_rated": 0}, "approved": {"approved_by": "админ"}}
    del payload["reference"]  # storage reads a table without rows back as no key
    back = tables.from_payload(payload)
    assert back.get("approved") == {"approved_by": "админ"}
    assert msgspec.json.encode(tables.to_payload(back)) == msgspec.json.encode(payload)


def _payload_differences(approved: dict, fresh: dict) -> list[dict]:
    """The differences as they were computed on the payloads before the frames (the reference)."""
    changes = []
    for name in TABLES:
        before = {r["owner_id"]: r for r in approved.get(name, [])}
        for row in fresh.get(name, []):
            old = before.pop(row["owner_id"], None)
            old_score = old.get("score") if old else None
            if old is None or old.get("rank") != row.get("rank") or (
                    (old_score is None) != (row.get("score") is None)
                    or (old_score is not None and abs(old_score - row["score"]) > 1e-9)):
                changes.append({"table": name, "owner": row["owner"], "approved_rank": old and old.get("rank"),
                                "fresh_rank": row.get("rank"), "approved_score": old_score,
                                "fresh_score": row.get("score")})
        for old in before.values():
            changes.append({"table": name, "owner": old["owner"], "approved_rank": old.get("rank"),
                            "fresh_rank": None, "approved_score": old.get("score"), "fresh_score": None})
    return changes


def test_differences_from_frames_are_those_of_the_payloads():
    family = SCENARIOS["family, one page not rated"]
    approved = score_quarter(scoring_input(**family), M, Q1, TOMSK, date(2026, 6, 1))
    # later data: the institution's page rated, the body's weeks thinner; the head gone from the registry
    later = dict(family, owners=[BODY, INSTITUTION], posts=weekly_posts(1, [1] * 13) + weekly_posts(2, [3] * 13))
    fresh = score_quarter(scoring_input(**later), M, Q1, TOMSK, date(2026, 6, 1))
    expected = _payload_differences(rating_payload(approved), rating_payload(fresh))
    assert expected and any(d["fresh_rank"] is None for d in expected)
    assert tables.differences(tables.from_payload(rating_payload(approved)), tables.from_rating(fresh)) == expected
    same = tables.from_rating(fresh)
    assert tables.differences(same, same) == []
