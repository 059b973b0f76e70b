"""A quarter's rating: page scores → owner scores → the body composite → three ranked tables with zones
(methodology.md §3–4). Pure: frames and the methodology in, frames out."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import polars as pl

from scoring import activity, indicators, snapshots
from core.calendar import Quarter
from scoring.inputs import QuarterWindow, ScoringInput
from scoring.methodology import Methodology

TABLES = ("bodies", "institutions", "heads")
TABLE_KINDS = {"bodies": "executive_body", "institutions": "institution", "heads": "head"}
TIE_DECIMALS = 9  # scores, B1 and block A are compared at this precision when ranking
REFERENCE_KINDS = ("governor", "administration")  # shown for reference, not ranked (methodology.md §4)


@dataclass(frozen=True)
class QuarterRating:
    quarter: Quarter
    methodology: Methodology
    pages: pl.DataFrame  # one row per registered page: identity, inputs, indicators, points, score, blocks
    per_week: pl.DataFrame  # page × week with posts: the posts and their sums (activity.posts_by_week)
    owners: pl.DataFrame  # one row per owner: score, blocks, B1, missing platforms
    tables: dict[str, pl.DataFrame]  # bodies, institutions, heads (ranked), reference (not ranked)
    streams: pl.DataFrame  # the quarter's live streams with their owners
    batch_ids: tuple[int, ...] = ()
    data_timestamp: datetime | None = None
    today: date | None = None
    window: QuarterWindow | None = None
    extra: dict = field(default_factory=dict)

    @cached_property
    def grid(self) -> pl.DataFrame:
        """Page × week: status, posts, norm, norm met. Built on first use (the weekly screens, the body card,
        Excel, the early warning): the scores themselves need only the week masks of `pages`."""
        return activity.weekly_grid(self.pages, self.per_week, self.window, self.today)

    @property
    def codes(self) -> list[str]:
        return list(self.methodology.indicators)

    @property
    def has_data(self) -> bool:
        """methodology.md §4: a quarter with no uploaded activity data has no rating (no leaders, zones, means)."""
        return bool(self.extra.get("has_data", True))


def norms_frame(m: Methodology) -> pl.DataFrame:
    norms = m.norms.posts_per_week
    return pl.DataFrame({"kind": list(norms), "norm": [int(v) for v in norms.values()]},
                        schema={"kind": pl.String, "norm": pl.Int64})


def first_steps(data: ScoringInput, pages: pl.DataFrame, window: QuarterWindow) -> dict[str, Callable[[], pl.DataFrame]]:
    """The first steps of scoring, each read straight from the quarter's inputs, in the order score_pages runs
    them: the posts per page and week (the one pass over the posts), the comment metrics, the owners' streams, the
    checklist and subscriber marks in force. The posts pass runs alone, on every core (on two cores running the
    steps at once with collect_all was slower); score_pages then runs the other three beside the page weeks, which
    leave a core idle. The snapshots' sorts and first values run faster on the in-memory engine."""
    boundary = window.quarter.next().first_day
    return {"posts_pass": lambda: activity.week_sums(data.posts, window, data.post_weeks).collect(),
            "comments": lambda: activity.comment_metrics(data.comments, data.coverage, window).collect(),
            "streams": lambda: activity.owner_streams(data.streams, pages, window).collect(),
            "snapshots": lambda: snapshots.in_force(data.snapshots, window.quarter.first_day, boundary)
            .collect(engine="in-memory")}


def score_pages(data: ScoringInput, m: Methodology, window: QuarterWindow, today: date) -> tuple[pl.DataFrame,
                                                                                                 pl.DataFrame]:
    """Every registered page with its inputs, indicator values, N/A reasons, points, score and block scores;
    and the posts per page and week (activity.posts_by_week), from which QuarterRating.grid is built."""
    owners = data.owners.select("owner_id", "owner_name", "kind", "parent_id", "parent_name", "exemption")
    # a page closed before the quarter's first day, or registered after its last, is not a page of that quarter
    # (its platform then counts as missing only if the owner has no other page there): a page opened later must
    # not excuse a quarter without it; the quarters before its closing keep it
    still_open = pl.col("closed_on").is_null() | (pl.col("closed_on") >= window.quarter.first_day)
    registered = pl.col("registered_on").is_null() | (pl.col("registered_on") <= window.quarter.last_day)
    # in page order from here on (the joins keep the left order): the wide frame is never re-sorted
    pages = (data.pages.filter(pl.col("owner_id").is_not_null(), still_open, registered).sort("page_id")
             .join(owners, on="owner_id", how="inner", maintain_order="left")
             .join(norms_frame(m), on="kind", how="left", maintain_order="left"))
    steps = first_steps(data, pages, window)
    per_week = steps.pop("posts_pass")()
    # the page weeks beside the other first steps: the posts pass keeps both cores busy, the page weeks do not (their
    # scatter-add and small frames run on one core), and the comments, streams and snapshots fill the other
    with ThreadPoolExecutor(1) as pool:
        rest = pool.submit(lambda: [step() for step in steps.values()])
        weeks = activity.page_weeks(pages, per_week, data.coverage, window, today)
        comments, streams, snapshot_values = rest.result()
    frame = (pages.hstack(weeks.drop("page_id"))
             .join(comments, on="page_id", how="left", maintain_order="left")
             .join(streams, on="owner_id", how="left", maintain_order="left")
             .join(snapshot_values, on="page_id", how="left", maintain_order="left"))
    codes = list(m.indicators)
    relative = [c for c in codes if m.indicators[c].percentile]
    # one lazy plan from the indicators to the percentiles, collected once (common subexpressions computed once);
    # the scores after it eagerly, in the order of operations the stored ratings were computed with (the same bits)
    plan = frame.lazy().with_columns(indicators.block_a(m) + indicators.block_b(m) + indicators.block_c()
                                     + indicators.block_d() + indicators.block_e(m))
    plan = indicators.apply_gates(plan, m, codes)
    frame = indicators.percentiles(plan, m, relative).collect()
    frame = indicators.page_scores(frame, m)
    # methodology.md §3 «Rated or not»: too few counted weeks → no page score at all (block A stays as information)
    frame = frame.with_columns(indicators.not_rated_reason(m, len(window.weeks),
                                                           activity.ended_weeks(window, today)).alias("not_rated_reason"))
    rated = pl.col("not_rated_reason").is_null()
    frame = frame.with_columns(rated.alias("rated"), pl.when(rated).then(pl.col("score")).alias("score"))
    return frame, per_week


def owner_scores(pages: pl.DataFrame, owners: pl.DataFrame, m: Methodology) -> pl.DataFrame:
    """methodology.md §4: owner score = mean over the required platforms of its rated page scores there; a required
    platform with no registered page counts 0 («нет страницы») unless the owner is exempt from keeping pages; a
    platform whose pages are all «не оценивается» is left out. An owner without a rated page is not rated. The
    completeness («оценено 2 из 3 страниц») goes with the row."""
    required = list(m.required_platforms)
    blocks = [c for c in pages.columns if c.startswith("block_")]
    rated = pl.col("rated")
    means = ("score", "B1", *blocks)
    # one integer key per owner × required platform (its place in the methodology's list), the columns masked first
    # and plain aggregations after (a filter inside an aggregation runs group by group)
    slots = len(required)
    slot = pl.col("platform").replace_strict({p: i for i, p in enumerate(required)}, default=None,
                                             return_dtype=pl.Int64)
    key = pl.col("owner_id") * slots + pl.col("__slot")
    per_platform = (pages.lazy().select("owner_id", slot.alias("__slot"),
                                        *[pl.when(rated).then(pl.col(c)).alias(c) for c in means],
                                        rated.cast(pl.Int64).alias("rated_pages"),
                                        pl.when(~rated).then(pl.col("not_rated_reason")).alias("page_reason"))
                    .filter(pl.col("__slot").is_not_null())
                    .group_by(key.alias("__key")).agg(
                        *[pl.col(c).mean() for c in means],
                        pl.col("rated_pages").sum(), pl.len().cast(pl.Int64).alias("pages_total"),
                        pl.col("page_reason").first(ignore_nulls=True))
                    # the owner's platforms in the methodology's order: its first reason is that of the first platform
                    .sort("__key")
                    .with_columns((pl.col("__key") // slots).alias("owner_id"),
                                  pl.lit(2, dtype=pl.Int64).pow(pl.col("__key") % slots).alias("__bit")))
    per_owner = per_platform.group_by("owner_id").agg(
        pl.col("score").sum().alias("__sum"), pl.col("score").count().alias("__counted"),
        *[pl.col(c).mean() for c in means if c != "score"],
        pl.col("__bit").sum().alias("__present"), pl.len().alias("pages"),
        pl.col("rated_pages").sum(), pl.col("pages_total").sum(), pl.col("page_reason").first(ignore_nulls=True))
    # a required platform without a page: 0 points in the owner's mean unless the owner is exempt, and named in
    # missing_platforms (in the methodology's order) — the missing ones as a bit mask, its list looked up in a table
    # of every mask (a list built for each of 70,000 owners costs ten times more)
    missing = pl.when(pl.col("exemption").is_null()).then((1 << slots) - 1 - pl.col("__present").fill_null(0))
    missing = missing.otherwise(0).alias("__missing")
    lists = pl.LazyFrame({"__missing": range(1 << slots), "missing_platforms": [
        [p for i, p in enumerate(required) if mask >> i & 1] for mask in range(1 << slots)]},
        schema={"__missing": pl.Int64, "missing_platforms": pl.List(pl.String)})
    divisor = pl.col("__counted").fill_null(0) + pl.col("__missing").bitwise_count_ones().cast(pl.Int64)
    table = (owners.lazy().join(per_owner, on="owner_id", how="left", maintain_order="left").with_columns(missing)
             .join(lists, on="__missing", how="left", maintain_order="left").with_columns(
        pl.when(divisor > 0).then(pl.col("__sum").fill_null(0.0) / divisor).alias("score"),
        pl.col("pages").fill_null(0), pl.col("rated_pages").fill_null(0), pl.col("pages_total").fill_null(0)))
    is_rated = pl.col("rated_pages") > 0
    reason = (pl.when(pl.col("pages_total") == 0).then(pl.lit("нет официальных страниц в реестре"))
              .otherwise(pl.format("нет оценённых страниц ({})", pl.col("page_reason"))))
    return table.with_columns(
        *[pl.when(is_rated).then(pl.col(c)).alias(c) for c in means],
        pl.when(~is_rated).then(reason).alias("not_rated_reason")).select(
        *owners.columns, *means, "missing_platforms", "pages", "rated_pages", "pages_total",
        "not_rated_reason").collect()


def _composite(owners: pl.DataFrame, m: Methodology) -> pl.DataFrame:
    """Body composite = body × body score + head × its head's + institutions × the mean of its rated institutions
    (the methodology's [composite] shares, 0.50 / 0.25 / 0.25 by default); missing or unrated
    parts are dropped and the rest renormalised (weights from the methodology file). A body whose own owner score
    is not rated is not rated (methodology.md §4)."""
    composite = m.composite
    children = owners.filter(pl.col("kind").is_in(["head", "institution"]))
    rated = pl.col("score").is_not_null()
    institution = pl.col("kind") == "institution"
    parts = children.group_by("parent_id").agg(
        pl.col("score").filter((pl.col("kind") == "head") & rated).mean().alias("head_score"),
        pl.col("score").filter(institution & rated).mean().alias("institutions_score"),
        (institution & rated).sum().cast(pl.Int64).alias("institutions_count"),
        institution.sum().cast(pl.Int64).alias("institutions_total"),
        (pl.col("kind") == "head").any().alias("has_head"))
    bodies = (owners.filter(pl.col("kind") == "executive_body").rename({"score": "body_score"})
              .join(parts, left_on="owner_id", right_on="parent_id", how="left"))
    terms = [("body_score", composite.body), ("head_score", composite.head),
             ("institutions_score", composite.institutions)]
    numerator = pl.sum_horizontal(pl.col(c).fill_null(0) * w for c, w in terms)
    denominator = pl.sum_horizontal(pl.when(pl.col(c).is_not_null()).then(w).otherwise(0.0) for c, w in terms)
    missing_parts = pl.concat_list(
        pl.when(pl.col("head_score").is_null()).then(pl.lit("head")).otherwise(None),
        pl.when(pl.col("institutions_score").is_null()).then(pl.lit("institutions")).otherwise(None)).list.drop_nulls()
    return bodies.with_columns(
        pl.when(pl.col("body_score").is_not_null() & (denominator > 0)).then(numerator / denominator).alias("score"),
        pl.col("institutions_count").fill_null(0), pl.col("institutions_total").fill_null(0),
        pl.col("has_head").fill_null(False), missing_parts.alias("missing_parts"))


def zone_expr(m: Methodology) -> pl.Expr:
    zone = pl.lit(None, dtype=pl.String)
    for z in sorted(m.zones, key=lambda z: z.min):  # the highest threshold reached wins: applied last
        zone = pl.when(pl.col("score") >= z.min).then(pl.lit(z.name)).otherwise(zone)
    return pl.when(pl.col("score").is_not_null()).then(zone).alias("zone")


def rank_table(table: pl.DataFrame, m: Methodology) -> pl.DataFrame:
    """Rank by score; ties break by the methodology's order (B1, then block A, then name)."""
    columns = ["score"]
    for key in m.ties:
        column = {"name": "owner_name"}.get(key, key if key in table.columns else f"block_{key}")
        if column in table.columns:
            columns.append(column)
    # scores equal but for the last bits of a floating-point sum are a tie (the order of summation must not
    # decide a place): numeric keys compared at 9 decimals, the next key breaks the tie
    keys = [pl.col(c) if c == "owner_name" else pl.col(c).round(TIE_DECIMALS) for c in columns]
    descending = [c != "owner_name" for c in columns]
    ranked = table.filter(pl.col("score").is_not_null()).sort(keys, descending=descending, nulls_last=True)
    ranked = ranked.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    unranked = table.filter(pl.col("score").is_null()).with_columns(pl.lit(None, dtype=pl.Int64).alias("rank"))
    return pl.concat([ranked, unranked.select(ranked.columns)], how="vertical_relaxed").with_columns(zone_expr(m))


def score_quarter(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date) -> QuarterRating:
    window = QuarterWindow(quarter, tz)
    pages, per_week = score_pages(data, m, window, today)
    owner_table = owner_scores(pages, data.owners.select("owner_id", "owner_name", "kind", "parent_id",
                                                          "parent_name", "exemption"), m)
    bodies = _composite(owner_table, m)
    tables = {"bodies": rank_table(bodies, m)}
    for name in ("institutions", "heads"):
        tables[name] = rank_table(owner_table.filter(pl.col("kind") == TABLE_KINDS[name]), m)
    tables["reference"] = owner_table.filter(pl.col("kind").is_in(REFERENCE_KINDS)).with_columns(
        zone_expr(m)).sort("kind", "owner_name")
    local_day = pl.col("started_at").dt.convert_time_zone(tz.key).dt.date()
    streams = (data.streams.filter(local_day.is_between(quarter.first_day, quarter.last_day))
               .join(pages.select("page_id", "owner_id", "owner_name", "kind", "platform", "parent_name"),
                     on="page_id").sort("started_at"))
    has_data = bool(per_week.height) or bool(
        pages.select((pl.col("full_mask") | pl.col("partial_cover_mask")).fill_null(0).max()).item() or 0)
    return QuarterRating(quarter, m, pages, per_week, owner_table, tables, streams, data.batch_ids,
                         data.data_timestamp, today, window, extra={"has_data": has_data})


def add_movement(current: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """Δ points and Δ place against the previous quarter (positive Δ place = moved up)."""
    if previous is None or previous.is_empty():
        return current.with_columns(pl.lit(None, dtype=pl.Float64).alias("delta_points"),
                                    pl.lit(None, dtype=pl.Int64).alias("delta_place"),
                                    pl.lit(None, dtype=pl.Int64).alias("previous_rank"),
                                    pl.lit(None, dtype=pl.Float64).alias("previous_score"))
    before = previous.select("owner_id", pl.col("rank").cast(pl.Int64).alias("previous_rank"),
                             pl.col("score").cast(pl.Float64).alias("previous_score"))
    return current.join(before, on="owner_id", how="left").with_columns(
        (pl.col("score") - pl.col("previous_score")).alias("delta_points"),
        (pl.col("previous_rank") - pl.col("rank")).alias("delta_place"))
