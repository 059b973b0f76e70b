"""How solid each place is (product.md «Beyond the peers»: ranks if the block weights move ±5 points).

Every block weight moves by −step, 0 or +step (the grid of the methodology's `[sensitivity]` section; all
combinations, e.g. 3⁵ = 243 for five blocks), the block weights are renormalised to 100 and the indicators keep
their shares inside their block. For each combination the page scores are recomputed from the per-indicator values
of the rating's frames exactly as methodology.md §3 does (Σ points ÷ Σ applicable weights: an N/A indicator stays
out of both), then the owner scores (§4: mean over the required platforms of the rated pages, a missing platform
0), the body composite and the places (ties as the methodology breaks them). Rated or not, percentiles, gates and
block scores do not depend on the weights, so only the sums move; everything is matrix arithmetic over
pages × combinations. Pure: the rating's frames (scoring.tables.RatingTables: what the screen shows and
`rate --json` prints) in, place ranges out.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from scoring.methodology import Methodology
from scoring.tables import RatingTables

TABLES = ("bodies", "institutions", "heads")


@dataclass(frozen=True)
class SensitivitySettings:
    step: float  # points each block weight moves up and down
    points: int  # grid points per block (odd: −step … 0 … +step)
    unstable_places: int  # a range this wide (max − min places) or wider marks the row as unstable

    @property
    def offsets(self) -> list[float]:
        if self.points <= 1:
            return [0.0]
        return [float(x) for x in np.linspace(-self.step, self.step, self.points)]


def settings(m: Methodology, step: float | None = None) -> SensitivitySettings:
    conf = m.sensitivity
    return SensitivitySettings(float(conf.step if step is None else step), int(conf.grid_points),
                               int(conf.unstable_places))


def block_factors(block_weights: dict[str, float], offsets: list[float]) -> np.ndarray:
    """combinations × blocks: the factor each block's indicator weights are multiplied by — (w + δ) ÷ w,
    renormalised so the block weights sum to 100. A combination that would make a weight negative is skipped;
    a block of weight 0 stays 0."""
    names = list(block_weights)
    base = np.array([block_weights[b] for b in names], dtype=float)
    rows = []
    for deltas in itertools.product(offsets, repeat=len(names)):
        moved = np.where(base > 0, base + np.array(deltas), 0.0)
        if (moved < 0).any() or moved.sum() <= 0:
            continue
        moved = moved * 100.0 / moved.sum()
        rows.append(np.divide(moved, base, out=np.zeros_like(base), where=base > 0))
    return np.unique(np.array(rows), axis=0)


def _group_sum(keys: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Σ of the rows of `values` per key (0 … n_groups − 1): one sort and np.add.reduceat."""
    out = np.zeros((n_groups, values.shape[1]))
    if len(keys) == 0:
        return out
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    out[sorted_keys[starts]] = np.add.reduceat(values[order], starts, axis=0)
    return out


def _block_sums(tables: RatingTables, page_ids: list[int], blocks: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """pages × blocks: Σ points (value × weight) and Σ applicable weights (value not null), as matrix products of
    the pages × indicators values with the indicators × blocks membership."""
    info = tables.methodology_info["indicators"]
    codes = list(info)
    values = np.full((len(page_ids), len(codes)), np.nan)
    if page_ids and not tables.indicators.is_empty():  # scattered into the matrix by row and column index
        dtype = tables.indicators.schema["page_id"]
        found = tables.indicators.filter(pl.col("value").is_not_null()).join(
            pl.DataFrame({"page_id": pl.Series(page_ids, dtype=dtype), "_row": range(len(page_ids))}),
            on="page_id").join(pl.DataFrame({"indicator": codes, "_col": range(len(codes))}), on="indicator")
        values[found["_row"].to_numpy(), found["_col"].to_numpy()] = found["value"].cast(pl.Float64).to_numpy()
    weights = np.array([float(info[code]["weight"]) for code in codes])[None, :]  # the rating's methodology
    membership = np.zeros((len(codes), len(blocks)))
    for i, code in enumerate(codes):
        membership[i, blocks.index(info[code]["block"])] = 1.0
    applicable = ~np.isnan(values)
    points = np.where(applicable, values * weights, 0.0) @ membership
    return points, np.where(applicable, weights, 0.0) @ membership


def _ranked(tables: RatingTables, name: str, columns: list[str]) -> list[tuple]:
    """The ranked rows of a table, as tuples of `columns` (none when the table has no rows)."""
    frame = tables.table(name)
    if frame.is_empty():
        return []
    return frame.filter(pl.col("rank").is_not_null()).select(columns).rows()


def _tie_rows(tables: RatingTables, name: str, order: list[str]) -> list[dict]:
    """The ranked rows with what the tie order reads: the name and each item (an owner column such as B1, else
    a block score)."""
    frame = tables.table(name)
    if frame.is_empty():
        return []
    items = [item for item in order if item != "name"]
    columns = [pl.col("owner")] + [(pl.col(item) if item in frame.columns else pl.col(f"block_{item}")
                                    if f"block_{item}" in frame.columns else pl.lit(None)).alias(item)
                                   for item in items]
    return frame.filter(pl.col("rank").is_not_null()).select(columns).to_dicts()


def owner_scores(tables: RatingTables, factors: np.ndarray) -> tuple[dict[int, int], np.ndarray]:
    """Every owner's score under each combination (owners × combinations; NaN where not rated) and the row index
    of each owner id."""
    info = tables.methodology_info
    blocks = list(info["blocks"])
    required = sorted(info["required_platforms"])
    owners: dict[int, int] = {}
    missing: dict[int, int] = {}
    for name in (*TABLES, "reference"):
        frame = tables.table(name)
        if frame.is_empty():
            continue
        platforms = frame["missing_platforms"].to_list() if "missing_platforms" in frame.columns \
            else [None] * frame.height
        for owner_id, absent in zip(frame["owner_id"].to_list(), platforms):
            owners.setdefault(owner_id, len(owners))
            missing[owner_id] = len(absent or [])
    pages = [] if tables.pages.is_empty() else tables.pages.filter(
        pl.col("score").is_not_null() & pl.col("platform").is_in(required)
        & pl.col("owner_id").is_in(list(owners))).select("page_id", "owner_id", "platform").rows()
    points, weights = _block_sums(tables, [p[0] for p in pages], blocks)
    denominator = weights @ factors.T
    page_scores = 100.0 * (points @ factors.T) / np.where(denominator > 0, denominator, np.nan)
    # methodology.md §4: mean over the required platforms of the platform's mean rated page score; a missing
    # required platform is a slot scoring 0
    slot_of: dict[tuple[int, str], int] = {}
    slots = np.array([slot_of.setdefault((owner_id, platform), len(slot_of)) for _, owner_id, platform in pages],
                     dtype=np.int64)
    per_slot = np.bincount(slots, minlength=len(slot_of)) if len(pages) else np.zeros(0, dtype=np.int64)
    owner_of_slot = np.array([owners[o] for o, _ in slot_of], dtype=np.int64)
    slots_per_owner = np.bincount(owner_of_slot, minlength=len(owners)).astype(float)
    slots_per_owner += np.array([missing[o] for o in owners], dtype=float)
    page_owner = owner_of_slot[slots] if len(pages) else np.zeros(0, dtype=np.int64)
    coefficient = 1.0 / (per_slot[slots] * slots_per_owner[page_owner]) if len(pages) else np.zeros(0)
    totals = _group_sum(page_owner, page_scores * coefficient[:, None], len(owners))
    rated = np.bincount(page_owner, minlength=len(owners)) > 0
    totals[~rated] = np.nan
    return owners, totals


def table_scores(tables: RatingTables, name: str, owners: dict[int, int], scores: np.ndarray) -> np.ndarray:
    """The ranked rows of a table × combinations: the owner score, or for bodies the composite (0.50 body +
    0.25 head + 0.25 mean of rated institutions, missing parts dropped and the rest renormalised)."""
    rows = _ranked(tables, name, ["owner_id", "owner"])
    own = scores[[owners[owner_id] for owner_id, _ in rows]] if rows else np.zeros((0, scores.shape[1]))
    if name != "bodies" or not rows:
        return own
    weights = tables.methodology_info["composite"]
    members: dict[str, dict[str, list[int]]] = {}
    for part, table in (("head", "heads"), ("institutions", "institutions")):
        frame = tables.table(table)
        if frame.is_empty():
            continue
        for owner_id, parent in frame.filter(pl.col("score").is_not_null()).select("owner_id", "parent_name").rows():
            if parent:
                members.setdefault(parent, {}).setdefault(part, []).append(owners[owner_id])
    result = np.empty_like(own)
    for i, (_, owner) in enumerate(rows):
        family = members.get(owner, {})
        numerator, denominator = weights["body"] * own[i], weights["body"]
        for part in ("head", "institutions"):
            if family.get(part):
                numerator = numerator + weights[part] * np.nanmean(scores[family[part]], axis=0)
                denominator += weights[part]
        result[i] = numerator / denominator
    return result


def tie_positions(rows: list[dict], order: list[str]) -> np.ndarray:
    """Each row's position under the methodology's tie order alone (B1, then block A, then name: larger first,
    missing last, names alphabetically)."""
    def key(row: dict) -> tuple:
        parts = []
        for item in order:
            if item == "name":
                parts.append((0, row.get("owner") or ""))
                continue
            value = row.get(item) if item in row else (row.get("blocks") or {}).get(item)
            parts.append((1, 0.0) if value is None else (0, -float(value)))
        return tuple(parts)
    positions = np.empty(len(rows), dtype=np.int64)
    positions[sorted(range(len(rows)), key=lambda i: key(rows[i]))] = np.arange(len(rows))
    return positions


def places(scores: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """rows × combinations: the place of each row in each combination (score descending at 9 decimals, then the
    tie order), all combinations sorted at once."""
    n, k = scores.shape
    if n == 0:
        return np.zeros((0, k), dtype=np.int64)
    keys = np.stack([np.broadcast_to(ties[None, :], (k, n)), -np.round(scores.T, 9)])
    order = np.lexsort(keys, axis=-1)  # combinations × rows, best first
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, n + 1)[None, :].repeat(k, axis=0), axis=-1)
    return ranks.T


def place_ranges(tables: RatingTables, m: Methodology, step: float | None = None) -> dict:
    """{"settings": {...}, "<table>": {owner_id: (min place, max place)}} for the ranked rows of the three tables.
    The shown place always lies in its range (the unmoved weights are one of the combinations)."""
    conf = settings(m, step)
    info = tables.methodology_info
    block_weights = {b: 0.0 for b in info["blocks"]}
    for spec in info["indicators"].values():
        block_weights[spec["block"]] += float(spec["weight"])
    factors = block_factors(block_weights, conf.offsets)
    owners, scores = owner_scores(tables, factors)
    result: dict = {"settings": {"step": conf.step, "grid_points": conf.points, "combinations": int(len(factors)),
                                 "unstable_places": conf.unstable_places}}
    order = list(m.ties)
    for name in TABLES:
        rows = _ranked(tables, name, ["owner_id", "rank"])
        ties = tie_positions(_tie_rows(tables, name, order), order)
        ranks = places(table_scores(tables, name, owners, scores), ties)
        result[name] = {}
        for i, (owner_id, rank) in enumerate(rows):
            shown = int(rank)
            low, high = (int(ranks[i].min()), int(ranks[i].max())) if ranks.shape[1] else (shown, shown)
            result[name][owner_id] = (min(low, shown), max(high, shown))
    return result


def place_text(rank: int | None, place_range: list[int] | None) -> str:
    """«5 (4–7)»; «5» when the place does not move; «—» without a place."""
    if rank is None:
        return "—"
    if not place_range or place_range[0] == place_range[1]:
        return str(rank)
    return f"{rank} ({place_range[0]}–{place_range[1]})"
