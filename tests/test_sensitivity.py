"""Weight sensitivity (scoring/sensitivity.py): the place ranges when every block weight moves by ±step points."""
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from benchmark.synthetic import generate
from scoring import sensitivity
from scoring.methodology import methodology_for, parse_methodology
from scoring.rating import score_quarter
from scoring.tables import from_payload, from_rating, rows_of, to_payload, with_place_ranges
from tests.test_methodology import DEFAULT, _edit
from tests.test_rating_cli import _rate, rated_db  # noqa: F401 (a fixture)

M = methodology_for("2026Q1")


@pytest.fixture(scope="module")
def synthetic_tables():
    data = generate("tomsk")
    return from_rating(score_quarter(data.data, M, data.quarter, ZoneInfo("Asia/Tomsk"), date(2026, 6, 1)))


def _info(required=("vk",)) -> dict:
    return {"blocks": dict(M.blocks), "composite": M.composite.as_dict(),
            "required_platforms": list(required),
            "indicators": {c: {"block": s.block, "weight": s.weight, "title": s.title}
                           for c, s in M.indicators.items()}}


def _page(page_id: int, owner_id: int, values: dict[str, float | None]) -> dict:
    """A rated page whose score is Σ points ÷ Σ applicable weights (methodology.md §3)."""
    indicators = {c: {"value": values.get(c), "weight": M.weight(c)} for c in M.indicators}
    points = sum(v["value"] * v["weight"] for v in indicators.values() if v["value"] is not None)
    weights = sum(v["weight"] for v in indicators.values() if v["value"] is not None)
    return {"page_id": page_id, "owner_id": owner_id, "platform": "vk", "score": 100 * points / weights,
            "indicators": indicators}


def _two_bodies() -> dict:
    """Body 1 is strong on regularity (B), body 2 on reach and engagement (C, D); their scores are close, so
    which comes first depends on the weights of those blocks. In the payload's shape (scoring.tables.from_payload
    makes the frames the functions read)."""
    strong_b = {c: 0.5 for c in M.indicators} | {"B1": 1.0, "B2": 1.0, "B3": 1.0, "C1": 0.2, "C2": 0.2,
                                                  "D1": 0.2, "D2": 0.2}
    strong_cd = {c: 0.5 for c in M.indicators} | {"B1": 0.62, "B2": 0.62, "B3": 0.62, "C1": 0.55, "C2": 0.55,
                                                   "D1": 0.55, "D2": 0.55}
    pages = [_page(1, 1, strong_b), _page(2, 2, strong_cd), _page(3, 3, {c: 0.1 for c in M.indicators})]
    rows = [{"owner_id": p["owner_id"], "owner": f"Орган {p['owner_id']}", "score": p["score"], "B1": 0.5,
             "blocks": {"A": 50.0}, "missing_platforms": []} for p in pages]
    rows.sort(key=lambda r: -r["score"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {"methodology_info": _info(), "has_data": True, "pages": pages, "bodies": rows, "institutions": [],
            "heads": [], "reference": []}


def test_unmoved_weights_reproduce_every_score_of_the_real_rating(synthetic_tables):
    factors = sensitivity.block_factors({"A": 25, "B": 30, "C": 15, "D": 15, "E": 15}, [0.0])
    owners, scores = sensitivity.owner_scores(synthetic_tables, factors)
    for name in sensitivity.TABLES:
        rows = [r for r in rows_of(synthetic_tables.table(name)) if r.get("rank") is not None]
        assert rows
        recomputed = sensitivity.table_scores(synthetic_tables, name, owners, scores)[:, 0]
        assert np.allclose(recomputed, [r["score"] for r in rows], rtol=0, atol=1e-9)


def test_every_place_lies_in_its_range_and_unranked_rows_have_none(synthetic_tables):
    shown = to_payload(with_place_ranges(synthetic_tables, sensitivity.place_ranges(synthetic_tables, M)))
    assert shown["sensitivity"] == {"step": 5.0, "grid_points": 3, "combinations": 243, "unstable_places": 3}
    for name in sensitivity.TABLES:
        for row in shown[name]:
            if row["rank"] is None:
                assert row["place_range"] is None and row["place_unstable"] is None
            else:
                low, high = row["place_range"]
                assert 1 <= low <= row["rank"] <= high <= sum(1 for r in shown[name] if r["rank"])
                assert row["place_unstable"] == (high - low >= 3)
    widths = [r["place_range"][1] - r["place_range"][0] for r in shown["institutions"] if r["rank"]]
    assert max(widths) > 0  # the synthetic quarter has rows whose place depends on the weights


def test_no_move_no_range():
    payload = _two_bodies()
    ranges = sensitivity.place_ranges(from_payload(payload), M, step=0)
    assert ranges["settings"]["combinations"] == 1
    assert all(ranges["bodies"][r["owner_id"]] == (r["rank"], r["rank"]) for r in payload["bodies"])


def test_ranges_widen_when_a_decisive_block_moves():
    payload = _two_bodies()
    assert payload["bodies"][0]["owner_id"] == 1 and payload["bodies"][1]["owner_id"] == 2  # B-strong body first
    ranges = sensitivity.place_ranges(from_payload(payload), M)
    # +5 on C and D, −5 on B puts the C/D-strong body first: both can take places 1–2; the weak body stays 3rd
    assert ranges["bodies"][1] == (1, 2) and ranges["bodies"][2] == (1, 2) and ranges["bodies"][3] == (3, 3)
    # a methodology whose grid does not move the weights leaves every place as it is
    still = parse_methodology(_edit("grid_points = 3", "grid_points = 1"), "copy.toml")
    assert sensitivity.place_ranges(from_payload(payload), still)["bodies"][1] == (1, 1)


def test_body_composite_moves_with_its_head_and_institutions():
    payload = _two_bodies()
    head = _page(4, 4, {c: 1.0 for c in M.indicators})
    payload["pages"].append(head)
    payload["heads"] = [{"owner_id": 4, "owner": "Руководитель", "parent_name": "Орган 3", "score": head["score"],
                         "rank": 1, "B1": 1.0, "blocks": {}, "missing_platforms": []}]
    tables = from_payload(payload)
    owners, scores = sensitivity.owner_scores(tables, sensitivity.block_factors({"A": 25, "B": 30, "C": 15,
                                                                                 "D": 15, "E": 15}, [0.0]))
    bodies = sensitivity.table_scores(tables, "bodies", owners, scores)[:, 0]
    body3 = next(p["score"] for p in payload["pages"] if p["owner_id"] == 3)
    assert bodies[2] == pytest.approx((0.5 * body3 + 0.25 * 100) / 0.75)  # no institutions: renormalised


def test_missing_required_platform_counts_zero():
    payload = _two_bodies()
    payload["methodology_info"]["required_platforms"] = ["vk", "ok"]
    payload["bodies"][0]["missing_platforms"] = ["ok"]
    owners, scores = sensitivity.owner_scores(from_payload(payload), np.ones((1, 5)))
    first = payload["bodies"][0]
    page = next(p for p in payload["pages"] if p["owner_id"] == first["owner_id"])
    assert scores[owners[first["owner_id"]], 0] == pytest.approx(page["score"] / 2)


def test_place_text():
    assert sensitivity.place_text(5, [4, 7]) == "5 (4–7)"
    assert sensitivity.place_text(5, [5, 5]) == "5" and sensitivity.place_text(None, None) == "—"


@pytest.mark.parametrize("old, new, message", [
    ("step = 5\n", "step = -1\n", "step должен быть числом баллов"),
    ("grid_points = 3", "grid_points = 4", "grid_points должен быть нечётным"),
    ("unstable_places = 3", "unstable_places = 0", "unstable_places должен быть целым"),
    ("unstable_places = 3", "", "в разделе «sensitivity» нет параметра unstable_places"),
])
def test_sensitivity_section_is_validated(old, new, message):
    with pytest.raises(ValueError, match=message):
        parse_methodology(DEFAULT.replace(old, new, 1), "копия.toml")


def test_rate_sensitivity_json_adds_place_range_per_ranked_row(rated_db):
    payload = _rate(rated_db, "--sensitivity")
    assert payload["sensitivity"]["combinations"] == 243
    ranked = [r for name in sensitivity.TABLES for r in payload[name] if r["rank"] is not None]
    assert ranked and all(r["place_range"][0] <= r["rank"] <= r["place_range"][1] for r in ranked)
    assert all(r["place_range"] is None for name in sensitivity.TABLES for r in payload[name] if r["rank"] is None)
    assert "place_range" not in _rate(rated_db)["bodies"][0]  # only when asked for
