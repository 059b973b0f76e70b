"""Indicators A1–E2 of methodology.md §3 as small Polars expressions over one row per page, the gates, the
percentiles within peer groups, and the page score with N/A re-weighting.

Each indicator yields three columns: `<code>` (value in [0, 1], null when N/A), `<code>_na` (the reason, in
Russian, when N/A) and, for the relative ones, `<code>_raw` (the measured rate before the percentile).
Every number (weights, norms, thresholds, gates) comes from the methodology file.
The indicators, gates and percentiles extend one lazy plan (scoring.rating.score_pages collects it once): an
expression used twice (the gated raw rate in both quantiles and the clip, a group's count) is then computed once.
"""
from __future__ import annotations

import math
from typing import Callable

import polars as pl

from core.domain import KIND_PLURAL_LABELS, NOT_ON_PLATFORM
from core.schemas import CHECKLIST_ITEMS
from scoring.methodology import Methodology

CHECKLIST = (*CHECKLIST_ITEMS, "design_pct")  # the order's items (core.schemas) and the Госпаблики «Оформление»
NA_NO_WEEKS = "нет учтённых недель: за квартал не загружено данных о публикациях"
NA_TELEGRAM_VIEWS = "нет просмотров: Telegram Desktop не выгружает просмотры"


def on_platform(item: str) -> pl.Expr:
    """False where the platform has no such element (cover and ПОС widget on Telegram)."""
    absent = [platform for platform, items in NOT_ON_PLATFORM.items() if item in items]
    return ~pl.col("platform").is_in(absent) if absent else pl.lit(True)


def _flag(code: str, item: str, missing: str) -> list[pl.Expr]:
    return [pl.col(item).cast(pl.Float64).alias(code),
            pl.when(pl.col(item).is_null()).then(pl.lit(missing)).alias(f"{code}_na")]


def design_share(items: list[str]) -> pl.Expr:
    """A3: share of the applicable checklist items present among those known; the «Оформление (%)» of the
    Госпаблики export when no item is known."""
    present = pl.sum_horizontal((pl.col(i).fill_null(False) & on_platform(i)).cast(pl.Int32) for i in items)
    known = pl.sum_horizontal((pl.col(i).is_not_null() & on_platform(i)).cast(pl.Int32) for i in items)
    return (pl.when(known > 0).then(present / known)
            .otherwise((pl.col("design_pct") / 100).clip(0, 1)))


def widgets_value(values: dict[int, float]) -> pl.Expr:
    """A5: the value of the number of ПОС widgets (0 → 0, 1 → 0.5, ≥ 2 → 1 by default)."""
    top = max(values)
    mapping = {k: float(v) for k, v in values.items()}
    return pl.col("pos_widgets").clip(0, top).replace_strict(mapping, default=None, return_dtype=pl.Float64)


def block_a(m: Methodology) -> list[pl.Expr]:
    spec = m.indicators
    items = list(spec["A3"].items) if "A3" in spec else []
    status_missing = (pl.when(pl.col("platform") == "telegram").then(pl.lit("нет данных о верификации канала"))
                      .otherwise(pl.lit("нет данных об отметке «Госорганизация»")))
    return [
        pl.col("status_mark").cast(pl.Float64).alias("A1"),
        pl.when(pl.col("status_mark").is_null()).then(status_missing).alias("A1_na"),
        *_flag("A2", "gospubliki", "нет данных о подключении к «Госпабликам»"),
        design_share(items).alias("A3"),
        pl.when(design_share(items).is_null()).then(pl.lit("нет данных об оформлении страницы")).alias("A3_na"),
        *_flag("A4", "comments_enabled", "нет данных о том, открыты ли комментарии"),
        pl.when(on_platform("pos_widgets")).then(
            widgets_value(spec["A5"].values) if "A5" in spec else pl.lit(None, dtype=pl.Float64)).alias("A5"),
        pl.when(~on_platform("pos_widgets")).then(pl.lit("не применяется: у платформы нет виджетов ПОС"))
        .when(pl.col("pos_widgets").is_null()).then(pl.lit("нет данных о виджетах ПОС")).alias("A5_na"),
    ]


def block_b(m: Methodology) -> list[pl.Expr]:
    stream_kinds = m.norms.live_streams_per_quarter
    needed = pl.col("kind").replace_strict({k: int(v) for k, v in stream_kinds.items()}, default=None,
                                           return_dtype=pl.Int64)
    kinds = ", ".join(KIND_PLURAL_LABELS[k].lower() for k in stream_kinds) or "никого"
    return [
        pl.when(pl.col("weeks") > 0).then(pl.col("weeks_ok") / pl.col("weeks")).alias("B1"),
        pl.when(pl.col("weeks") == 0).then(pl.lit(NA_NO_WEEKS)).alias("B1_na"),
        pl.when(pl.col("weeks") > 0).then(
            pl.min_horizontal(pl.lit(1.0), pl.col("posts") / (pl.col("norm") * pl.col("weeks")))).alias("B2"),
        pl.when(pl.col("weeks") == 0).then(pl.lit(NA_NO_WEEKS)).alias("B2_na"),
        pl.when(needed.is_not_null()).then((pl.col("owner_streams").fill_null(0) >= needed).cast(pl.Float64))
        .alias("B3"),
        pl.when(needed.is_null()).then(pl.lit(f"не применяется: эфир обязателен только для: {kinds}")).alias("B3_na"),
    ]


def block_c() -> list[pl.Expr]:
    no_views = (pl.when(pl.col("platform") == "telegram").then(pl.lit(NA_TELEGRAM_VIEWS))
                .otherwise(pl.lit("нет просмотров в выгрузке")))
    mean_views = pl.col("views") / pl.col("posts_with_views")
    return [
        pl.when(pl.col("posts_with_views") > 0).then(mean_views / pl.col("subscribers")).alias("C1_raw"),
        pl.when(pl.col("posts_with_views").fill_null(0) == 0).then(no_views)
        .when(pl.col("subscribers").fill_null(0) <= 0).then(pl.lit("нет данных о числе подписчиков"))
        .alias("C1_na"),
        ((pl.col("subscribers_end") - pl.col("subscribers_start")) / pl.col("subscribers_start")).alias("C2_raw"),
        pl.when(pl.col("subscribers_start").is_null())
        .then(pl.lit("нет отметки числа подписчиков на начало квартала (на его первый день или раньше)"))
        .when(pl.col("subscribers_end").is_null())
        .then(pl.lit("нет более поздней отметки числа подписчиков к концу квартала"))
        .when(pl.col("subscribers_start") <= 0).then(pl.lit("число подписчиков на начало квартала равно нулю"))
        .alias("C2_na"),
    ]


def block_d() -> list[pl.Expr]:
    no_views = (pl.when(pl.col("platform") == "telegram").then(pl.lit(NA_TELEGRAM_VIEWS))
                .otherwise(pl.lit("нет просмотров в выгрузке")))
    from_comments = pl.col("user_comments") / pl.col("posts")
    from_counters = pl.col("comment_counter") / pl.col("posts_with_comment_counter")
    return [
        pl.when(pl.col("views").fill_null(0) > 0).then(pl.col("engagement") / pl.col("views")).alias("D1_raw"),
        pl.when(pl.col("views").fill_null(0) <= 0).then(no_views).alias("D1_na"),
        pl.when(pl.col("comment_data").fill_null(False)).then(from_comments)
        .when(pl.col("posts_with_comment_counter").fill_null(0) > 0).then(from_counters).alias("D2_raw"),
        pl.when(~pl.col("comment_data").fill_null(False) & (pl.col("posts_with_comment_counter").fill_null(0) == 0))
        .then(pl.lit("нет данных о комментариях")).alias("D2_na"),
    ]


def block_e(m: Methodology) -> list[pl.Expr]:
    if not {"E1", "E2"} <= set(m.indicators):  # E dropped from this version: nothing to compute
        return [pl.lit(None, dtype=pl.Float64).alias(c) for c in ("E1", "E2")] + [
            pl.lit(None, dtype=pl.String).alias(f"{c}_na") for c in ("E1", "E2")]
    e1, e2 = m.indicators["E1"], m.indicators["E2"]
    full_at = float(e1.full_at)
    speed = pl.lit(float(e2.otherwise))
    for step in sorted(e2.steps, key=lambda s: -s.hours):  # the tightest step wins: applied last
        speed = pl.when(pl.col("median_reply_hours") <= step.hours).then(pl.lit(float(step.value))).otherwise(speed)
    return [
        pl.when(pl.col("user_comments") > 0).then(
            pl.min_horizontal(pl.lit(1.0), pl.col("answered") / pl.col("user_comments") / full_at)).alias("E1"),
        pl.when(pl.col("user_comments").fill_null(0) == 0).then(pl.lit("нет комментариев пользователей")).alias("E1_na"),
        # no reply at all: the page is slow without bound, which is a measured 0, not missing data
        pl.when(pl.col("answered") == 0).then(pl.lit(0.0)).otherwise(speed).alias("E2"),
        pl.when(pl.col("user_comments").fill_null(0) == 0).then(pl.lit("нет комментариев пользователей"))
        .alias("E2_na"),
    ]


def wording(count: pl.Expr, below: float, text: Callable[[int], str]) -> pl.Expr:
    """The wording of a count under a gate (`count` < `below`, a count is never negative): one text per possible
    value, built once and looked up, instead of a string formatted for each of the country's pages (null for a
    count at or above the gate, where no wording is shown)."""
    values = range(max(0, math.ceil(below)))
    return count.replace_strict({v: text(v) for v in values}, default=None, return_dtype=pl.String)


def apply_gates(frame: pl.LazyFrame, m: Methodology, codes: list[str]) -> pl.LazyFrame:
    """methodology.md §3 gates, in order of precedence: too few counted weeks (B–E), too few posts (C, D),
    no comment data or too few users' comments (E). A gate replaces the value by null and sets the reason.
    Each gate's condition and wording is computed once, as a column, and shared by the indicators."""
    gates = m.gates
    weeks_gate = pl.col("weeks") < gates.min_counted_weeks
    weeks_reason = wording(pl.col("weeks"), gates.min_counted_weeks, lambda v: (
        f"страница не оценивается: учтено недель с данными {v} (нужно не менее {gates.min_counted_weeks})"))
    posts_gate = pl.col("posts") < gates.min_posts_for_reach
    posts_reason = wording(pl.col("posts"), gates.min_posts_for_reach,
                           lambda v: f"меньше {gates.min_posts_for_reach} публикаций в учтённых неделях ({v})")
    few_comments = pl.col("user_comments").fill_null(0) < gates.min_user_comments
    few_reason = wording(pl.col("user_comments").fill_null(0), gates.min_user_comments,
                         lambda v: f"меньше {gates.min_user_comments} комментариев пользователей за квартал ({v})")
    # the reason the gates give each block (null where none applies), computed once and shared by its indicators
    cd = pl.when(weeks_gate).then(weeks_reason).when(posts_gate).then(posts_reason)
    by_block = {"B": pl.when(weeks_gate).then(weeks_reason), "C": cd, "D": cd,
                "E": pl.when(weeks_gate).then(weeks_reason)
                .when(~pl.col("comment_data").fill_null(False)).then(pl.lit("нет выгрузки комментариев за квартал"))
                .when(few_comments).then(few_reason)}
    column = {"B": "__gate_B", "C": "__gate_CD", "D": "__gate_CD", "E": "__gate_E"}
    gated = [code for code in codes if m.indicators[code].block in column]
    needed = {column[m.indicators[code].block]: by_block[m.indicators[code].block] for code in gated}
    frame = frame.with_columns(expr.alias(name) for name, expr in needed.items())
    return frame.with_columns(
        pl.coalesce(pl.col(column[m.indicators[code].block]), pl.col(f"{code}_na")).alias(f"{code}_na")
        for code in gated).drop(list(needed))


def not_rated_reason(m: Methodology, n_weeks: int, ended: int) -> pl.Expr:
    """methodology.md §3 «Rated or not»: why a page with fewer counted weeks than the gate has no score (null for
    a rated page). The reasons name what is missing: no activity data at all, a page too young or closed too early
    in the quarter, a quarter still running, or data covering too few weeks."""
    need = m.gates.min_counted_weeks
    weeks, partial = pl.col("weeks").fill_null(0), pl.col("weeks_partial").fill_null(0)
    any_data = (pl.col("full_mask").fill_null(0) | pl.col("partial_cover_mask").fill_null(0)) != 0

    def partial_note(p: int) -> str:
        return f"; неполные данные — {p} нед." if p > 0 else ""
    # the texts of the few (weeks, partly covered weeks) pairs a page below the gate can have, built once
    slots = n_weeks + 1  # weeks_partial is 0 … n_weeks
    covers = wording(weeks * slots + partial, need * slots, lambda v: (
        f"нет ни одной недели с полными данными (нужно не менее {need}){partial_note(v % slots)}" if v // slots == 0
        else f"данные покрывают только {v // slots} нед. (нужно не менее {need}){partial_note(v % slots)}"))
    closed_note = pl.format("страница закрыта {}: в квартале меньше {} недель до закрытия",
                            pl.col("closed_on").dt.strftime("%d.%m.%Y"), pl.lit(need))
    return (pl.when(weeks >= need).then(None)
            .when(pl.col("end_week_no") - pl.col("start_week_no") < need).then(
                pl.when(pl.col("end_week_no") < n_weeks).then(closed_note)
                .otherwise(pl.lit(f"зарегистрирована менее {need} недель до конца квартала")))
            .when(pl.lit(ended) - pl.col("start_week_no") < need)
            .then(pl.lit(f"квартал идёт: завершилось меньше {need} недель"))
            .when(~any_data).then(pl.lit("нет данных об активности за квартал"))
            .otherwise(covers))


def percentiles(frame: pl.LazyFrame, m: Methodology, codes: list[str]) -> pl.LazyFrame:
    """Relative indicators: winsorise the raw rate at the methodology's quantiles within the peer group, then
    percentile = (rank − 1) ÷ (n − 1) with average ranks for ties; a group of one scores 1.0."""
    low, high = m.percentiles.winsorize
    # the peer group as one integer: windows over an integer key are far cheaper than over the string columns
    frame = frame.with_columns(pl.struct(list(m.percentiles.peer_group)).rank("dense").alias("__group"))
    group = "__group"
    raw = {code: pl.when(pl.col(f"{code}_na").is_null()).then(pl.col(f"{code}_raw")) for code in codes}
    # nulls (N/A) take no part: quantiles, ranks and counts over the peer group skip them
    frame = frame.with_columns(r.clip(r.quantile(low, "linear").over(group), r.quantile(high, "linear").over(group))
                               .alias(f"__w_{code}") for code, r in raw.items())
    ranked = []
    for code in codes:
        n = pl.col(f"__w_{code}").count().over(group)
        percentile = pl.when(n > 1).then((pl.col(f"__w_{code}").rank("average").over(group) - 1) / (n - 1))
        ranked.append(pl.when(pl.col(f"__w_{code}").is_not_null()).then(percentile.otherwise(1.0)).alias(code))
    return frame.with_columns(ranked).drop("__group", *[f"__w_{code}" for code in codes])


def page_scores(frame: pl.DataFrame, m: Methodology) -> pl.DataFrame:
    """points = value × weight; page score = 100 × Σ points ÷ Σ applicable weights (N/A weights removed);
    the same per block. A page with no applicable indicator has no score."""
    codes = list(m.indicators)
    exprs = []
    for code in codes:
        value = pl.when(pl.col(f"{code}_na").is_null()).then(pl.col(code))
        exprs += [value.alias(code), (value * m.weight(code)).alias(f"{code}_points")]
    frame = frame.with_columns(exprs)

    def score(members: list[str]) -> pl.Expr:
        points = pl.sum_horizontal(pl.col(f"{c}_points").fill_null(0) for c in members)
        weights = pl.sum_horizontal(pl.when(pl.col(c).is_not_null()).then(m.weight(c)).otherwise(0.0)
                                    for c in members)
        return pl.when(weights > 0).then(100 * points / weights)

    blocks = {b: [c for c in codes if m.indicators[c].block == b] for b in m.blocks}
    return frame.with_columns(score(codes).alias("score"),
                              *[score(members).alias(f"block_{b}") for b, members in blocks.items() if members])
