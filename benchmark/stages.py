"""Where the scoring time goes: each stage of scoring.rating.score_quarter timed alone, by the wall clock and by the
process's CPU time (all its threads), the median of `repeat` runs. The CPU time is the figure to compare on a shared
machine: other processes stretch the wall clock, not the work done (`cli.py bench` reports both)."""
from __future__ import annotations

import statistics
import time
from datetime import date
from typing import Callable
from zoneinfo import ZoneInfo

import polars as pl

from core.calendar import Quarter
from scoring import activity, rating
from scoring.inputs import QuarterWindow, ScoringInput
from scoring.methodology import Methodology


def wall_and_cpu(action: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall seconds, median CPU seconds of the process (every thread) over `repeat` runs, the last result."""
    return alternating({"action": action}, repeat)["action"]


def alternating(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float, object]]:
    """Median wall and CPU seconds of each of several actions run in turn (a, b, a, b, …), and its last result: a
    ratio of two of them then compares runs made under the same conditions, even when the machine's speed drifts
    during the measure (a shared virtual machine was seen to slow down 1.6 times within half an hour)."""
    walls: dict[str, list[float]] = {name: [] for name in actions}
    cpus: dict[str, list[float]] = {name: [] for name in actions}
    results: dict[str, object] = {}
    for _ in range(max(1, repeat)):
        for name, action in actions.items():
            cpu, wall = time.process_time(), time.perf_counter()
            results[name] = action()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name]), results[name]) for name in actions}


def stage_seconds(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date,
                  repeat: int) -> dict[str, dict[str, float]]:
    """{stage: {"wall_s", "cpu_s"}} for the stages of score_quarter, each run on its own (the first four are
    scoring.rating.first_steps, `first_steps` all four one after another — scoring runs the last three beside the
    page weeks; `score_pages` holds them, the week masks and the indicators)."""
    window = QuarterWindow(quarter, tz)
    owners = data.owners.select("owner_id", "owner_name", "kind", "parent_id", "parent_name", "exemption")
    pages = (data.pages.filter(pl.col("owner_id").is_not_null()).join(owners, on="owner_id")
             .join(rating.norms_frame(m), on="kind", how="left"))
    steps = rating.first_steps(data, pages, window)
    result: dict[str, dict[str, float]] = {}

    def timed(name: str, action: Callable[[], object]) -> object:
        wall, cpu, out = wall_and_cpu(action, repeat)
        result[name] = {"wall_s": wall, "cpu_s": cpu}
        return out

    for name, step in steps.items():
        timed(name, step)
    per_week = timed("first_steps", lambda: [step() for step in steps.values()])[0]
    timed("page_weeks", lambda: activity.page_weeks(pages, per_week, data.coverage, window, today))
    page_frame, _ = timed("score_pages", lambda: rating.score_pages(data, m, window, today))
    owner_table = timed("owner_scores", lambda: rating.owner_scores(page_frame, owners, m))

    def tables() -> None:
        rating.rank_table(rating._composite(owner_table, m), m)
        for name in ("institutions", "heads"):
            rating.rank_table(owner_table.filter(pl.col("kind") == rating.TABLE_KINDS[name]), m)
    timed("tables", tables)
    timed("score_quarter", lambda: rating.score_quarter(data, m, quarter, tz, today))
    return result
