"""The same methodology written the way a competent analyst would in pandas: whole-frame groupby / merge / rank.

Kept in the benchmark (not in the product) as the reference the Polars engine is checked and timed against:
`tests/test_scoring_reference.py` asserts both give the same numbers on the demo data, and `cli.py bench`
reports the speed ratio. It follows methodology.md literally and shares no code with `scoring/` beyond the
methodology file and the quarter calendar.

Style: each rule is a vectorised step over a whole frame, never a Python loop over pages. The posts are read
once and summed per page and local week (groupby); every later step works on page × week rows, per-page
aggregates joined by merge, snapshots reduced with groupby first/last, peer-group percentiles with
groupby + rank (winsorising with a per-group transform), the owner scores as a groupby mean over an owner ×
required-platform grid, and the body composite from a pivot_table of the children's scores.
The only Python loops left run over the methodology's items, indicator codes, blocks and E2 steps.

The rules as revised (methodology.md §3–4), the same as benchmark/pandas_per_page.py: the posts coverage of a page
is the union of its coverage intervals (merged per page with a running maximum, then the covered days of each
week by interval overlap); a week counts when all seven days are covered, or some are and the norm is met in it;
fewer counted weeks than the gate → not rated (no score, B–E N/A, block A kept, out of the percentiles and of its
owner's score); owners with no rated page and bodies whose own score is not rated are not rated; ranks among rated
rows only; C2 between the subscriber marks in force on the two quarter boundaries, never a later mark.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from benchmark.pandas_per_page import _file, tie_keys  # the TOML read on its own, the ranking keys
from scoring.inputs import ScoringInput
from scoring.methodology import Methodology

if TYPE_CHECKING:  # only the annotations name it (the calendar module is moving from scoring/ to core/)
    from core.calendar import Quarter

ITEMS = ["status_mark", "gospubliki", "comments_enabled", "avatar", "cover", "description", "contacts",
         "moderation_rules", "unified_style", "pos_widgets", "design_pct", "subscribers"]
NOT_ON = {"telegram": {"cover", "pos_widgets"}}
RAW = ["C1_raw", "C2_raw", "D1_raw", "D2_raw"]



def _day(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _utc(day: date, tz: ZoneInfo) -> pd.Timestamp:
    return pd.Timestamp(datetime(day.year, day.month, day.day, tzinfo=tz)).tz_convert("UTC")


def _monday(days: pd.Series) -> pd.Series:
    """The Monday of each (tz-naive) day's week."""
    days = days.dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def _local(moments: pd.Series, tz: ZoneInfo) -> pd.Series:
    """UTC moments as the region's wall-clock time (tz-naive)."""
    return moments.dt.tz_convert(tz.key).dt.tz_localize(None)


def _covered_weeks(coverage: pd.DataFrame, kind: str, weeks: pd.DataFrame) -> pd.DataFrame:
    """(page_id, week) for the quarter's weeks that at least one coverage span of `kind` touches."""
    first_week, last_day = weeks["week"].min(), weeks["week"].max() + pd.Timedelta(days=6)
    spans = coverage.loc[coverage["data_kind"] == kind, ["page_id", "date_from", "date_to"]]
    spans = spans.assign(lo=_monday(spans["date_from"].clip(lower=first_week)),
                         hi=_monday(spans["date_to"].clip(upper=last_day)))
    pairs = spans.merge(weeks, how="cross")
    pairs = pairs[(pairs["week"] >= pairs["lo"]) & (pairs["week"] <= pairs["hi"])]
    return pairs[["page_id", "week"]].drop_duplicates()


def _covered_days(coverage: pd.DataFrame, kind: str, weeks: pd.DataFrame) -> pd.DataFrame:
    """(page_id, week, days): how many of each quarter week's seven days the union of the page's `kind` coverage
    intervals holds (weeks with none left out)."""
    first_week, last_day = weeks["week"].min(), weeks["week"].max() + pd.Timedelta(days=6)
    spans = coverage.loc[coverage["data_kind"] == kind, ["page_id", "date_from", "date_to"]]
    spans = spans[(spans["date_to"] >= first_week) & (spans["date_from"] <= last_day)]
    spans = spans.assign(date_from=spans["date_from"].clip(lower=first_week),
                         date_to=spans["date_to"].clip(upper=last_day)).sort_values(["page_id", "date_from"])
    # union: an interval starts a new run unless it begins within the furthest end reached so far (or next day)
    reach = spans.groupby("page_id")["date_to"].cummax()
    before = reach.groupby(spans["page_id"]).shift()
    starts = before.isna() | (spans["date_from"] > before + pd.Timedelta(days=1))
    merged = (spans.assign(run=starts.cumsum()).groupby(["page_id", "run"], as_index=False)
              .agg(date_from=("date_from", "min"), date_to=("date_to", "max")))
    pairs = merged.merge(weeks, how="cross")
    lo = pairs["date_from"].where(pairs["date_from"] > pairs["week"], pairs["week"])
    week_last = pairs["week"] + pd.Timedelta(days=6)
    hi = pairs["date_to"].where(pairs["date_to"] < week_last, week_last)
    pairs["days"] = ((hi - lo).dt.days + 1).clip(lower=0)
    days = pairs.groupby(["page_id", "week"], as_index=False)["days"].sum()
    return days[days["days"] > 0]


def _snapshot_values(snapshots: pd.DataFrame, first_day: date, boundary: date) -> pd.DataFrame:
    """Per page: each item's value in force (the latest known on or before `boundary`, else the earliest known
    after it; an empty cell is unknown) and the two subscriber marks of C2."""
    snaps = snapshots[["page_id", "as_of", "batch_id", *ITEMS]].copy()
    for item in ITEMS:  # booleans (possibly with gaps) and counts as floats: 1.0 / 0.0 / NaN
        snaps[item] = snaps[item].astype(float)
    # one row per page and day: of several uploads of one day the latest batch wins, item by item
    daily = (snaps.sort_values(["page_id", "as_of", "batch_id"], kind="stable")
             .groupby(["page_id", "as_of"])[ITEMS].last().reset_index())
    boundary, first_day = _day(boundary), _day(first_day)
    before = daily[daily["as_of"] <= boundary].groupby("page_id")[ITEMS].last()
    after = daily[daily["as_of"] > boundary].groupby("page_id")[ITEMS].first()
    values = before.combine_first(after)

    # C2: the latest subscriber mark on or before the quarter's first day and on or before the next quarter's
    # first day (a day's mark: its latest batch with a count); never a mark after the boundary
    marks = daily.loc[daily["subscribers"].notna(), ["page_id", "as_of", "subscribers"]]
    start = marks[marks["as_of"] <= first_day].groupby("page_id").last()
    end = marks[marks["as_of"] <= boundary].groupby("page_id").last()
    usable = start.join(end, lsuffix="_0", rsuffix="_1", how="inner")
    usable = usable[(usable["as_of_1"] > usable["as_of_0"]) & (usable["subscribers_0"] > 0)]
    values["s0"] = usable["subscribers_0"]
    values["s1"] = usable["subscribers_1"]
    return values.rename_axis("page_id").reset_index()


def _comment_stats(comments: pd.DataFrame, first_week: pd.Timestamp, week_end: pd.Timestamp) -> pd.DataFrame:
    """Per page: users' comments in the quarter's weeks, those the page answered, the median reply hours."""
    is_page = comments["author_is_page"].astype(bool)
    replies = (comments[is_page & comments["parent_comment_id"].notna()]
               .groupby(["page_id", "parent_comment_id"], as_index=False)["created_at"].min()
               .rename(columns={"parent_comment_id": "comment_id", "created_at": "replied_at"}))
    users = comments[~is_page & (comments["created_at"] >= first_week) & (comments["created_at"] < week_end)]
    users = users[["page_id", "comment_id", "created_at"]].merge(replies, on=["page_id", "comment_id"], how="left")
    users["hours"] = ((users["replied_at"] - users["created_at"]).dt.total_seconds() / 3600).clip(lower=0.0)
    return users.groupby("page_id", as_index=False).agg(n_users=("comment_id", "size"),
                                                        n_answered=("hours", "count"),
                                                        median_hours=("hours", "median"))


def _percentile(frame: pd.DataFrame, raw: str, group: list[str], low: float, high: float) -> pd.Series:
    """Average-rank percentile of the winsorised raw value within its peer group (1.0 for a group of one)."""
    valid = frame.loc[frame[raw].notna(), [*group, raw]]
    by_group = valid.groupby(group)[raw]
    clipped = by_group.transform(lambda s: s.clip(s.quantile(low), s.quantile(high)))
    ranks = clipped.groupby([valid[g] for g in group]).rank(method="average")
    n = by_group.transform("size")
    percentile = ((ranks - 1) / (n - 1)).mask(n == 1, 1.0)
    return percentile.reindex(frame.index)


def _weighted_mean(values: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Row-wise weighted mean over the known (non-null) values, re-weighted over them; NaN when none."""
    total = values.notna().mul(weights).sum(axis=1)
    return values.mul(weights).sum(axis=1).div(total.where(total > 0))


def score_pages_pandas(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date) -> pd.DataFrame:
    spec = _file(m)
    quarter_weeks = quarter.weeks()
    weeks = pd.DataFrame({"week": pd.to_datetime(quarter_weeks)})
    first_week, last_week = _day(quarter_weeks[0]), _day(quarter_weeks[-1])
    week_end = quarter_weeks[-1] + timedelta(days=7)
    gates = spec["gates"]
    norms = {k: int(v) for k, v in spec["norms"]["posts_per_week"].items()}
    stream_norms = spec["norms"].get("live_streams_per_quarter", {})

    owners = data.owners.to_pandas()
    pages = data.pages.to_pandas()[["page_id", "owner_id", "platform", "registered_on", "closed_on"]].merge(
        owners[["owner_id", "kind"]], on="owner_id")
    # a page closed before the quarter is not the owner's page in it; in its closing quarter, its weeks end with
    # the last one it existed through (the week holding the closing day is not its week)
    pages = pages[(pages["closed_on"].isna() | (pages["closed_on"] >= _day(quarter.first_day)))
                  & (pages["registered_on"].isna() | (pages["registered_on"] <= _day(quarter.last_day)))]
    pages["norm"] = pages["kind"].map(norms).astype(float)
    coverage = data.coverage.to_pandas()

    # the one pass over the posts: per page and local week, the counts and sums the indicators need
    posts = data.posts.to_pandas()
    posts["week"] = _monday(_local(posts["published_at"], tz))
    posts = posts[(posts["week"] >= first_week) & (posts["week"] <= last_week)]
    has_views = posts["views"].notna()
    posts["engagement"] = posts[["likes", "comments", "reposts", "reactions"]].fillna(0).sum(axis=1).where(has_views, 0)
    per_week = posts.groupby(["page_id", "week"], as_index=False).agg(
        posts=("page_id", "size"), posts_with_views=("views", "count"), views=("views", "sum"),
        engagement=("engagement", "sum"), posts_with_counter=("comments", "count"),
        comment_counter=("comments", "sum"))
    sums = ["posts", "posts_with_views", "views", "engagement", "posts_with_counter", "comment_counter"]

    # page × week: from the first full week after registration, ended; the days covered and the posts decide
    registered = pages["registered_on"]
    first_full = registered + pd.to_timedelta((7 - registered.dt.day_of_week) % 7, unit="D")
    pages["start"] = first_full.where(first_full > first_week, first_week)
    grid = pages[["page_id", "start", "closed_on", "norm"]].merge(weeks, how="cross")
    grid = grid[(grid["week"] >= grid["start"]) & (grid["week"] + pd.Timedelta(days=7) <= _day(today))
                & (grid["closed_on"].isna() | (grid["week"] + pd.Timedelta(days=7) <= grid["closed_on"]))]
    grid = (grid.merge(_covered_days(coverage, "posts", weeks), on=["page_id", "week"], how="left")
            .merge(per_week, on=["page_id", "week"], how="left"))
    grid[["days", *sums]] = grid[["days", *sums]].fillna(0).astype(float)
    at_norm = grid["posts"] >= grid["norm"]
    grid["counted"] = (grid["days"] == 7) | ((grid["days"] > 0) & at_norm)  # else «неполные данные» / нет данных
    grid["week_ok"] = grid["counted"] & at_norm
    counted = grid[grid["counted"]]
    activity = counted.groupby("page_id", as_index=False).agg(n_weeks=("week", "size"), weeks_ok=("week_ok", "sum"),
                                              n_posts=("posts", "sum"), **{c: (c, "sum") for c in sums[1:]})

    # live streams of each owner in the calendar quarter (local days; any of the owner's pages counts)
    streams = data.streams.to_pandas().merge(pages[["page_id", "owner_id"]], on="page_id")
    day = _local(streams["started_at"], tz).dt.normalize()
    streams = streams[(day >= _day(quarter.first_day)) & (day <= _day(quarter.last_day))]
    owner_streams = streams.groupby("owner_id", as_index=False).agg(owner_streams=("page_id", "size"))

    comment_pages = _covered_weeks(coverage, "comments", weeks)["page_id"].unique()
    comments = _comment_stats(data.comments.to_pandas(), _utc(quarter_weeks[0], tz), _utc(week_end, tz))
    snaps = _snapshot_values(data.snapshots.to_pandas(), quarter.first_day, quarter.next().first_day)

    frame = (pages.merge(activity, on="page_id", how="left").merge(owner_streams, on="owner_id", how="left")
             .merge(comments, on="page_id", how="left").merge(snaps, on="page_id", how="left"))
    counts = ["n_weeks", "weeks_ok", "n_posts", *sums[1:], "owner_streams", "n_users", "n_answered"]
    frame[counts] = frame[counts].fillna(0)
    frame["has_comments"] = frame["page_id"].isin(comment_pages)
    for platform, items in NOT_ON.items():  # items a platform does not have are not applicable there
        frame.loc[frame["platform"] == platform, sorted(items)] = np.nan

    # A: checklist
    frame["A1"] = frame["status_mark"]
    frame["A2"] = frame["gospubliki"]
    design = frame[spec["indicators"]["A3"]["items"]]
    known = design.notna().sum(axis=1)
    frame["A3"] = (design.sum(axis=1) / known).where(known > 0, (frame["design_pct"] / 100).clip(0.0, 1.0))
    frame["A4"] = frame["comments_enabled"]
    values = {float(k): float(v) for k, v in spec["indicators"]["A5"]["values"].items()}
    frame["A5"] = frame["pos_widgets"].clip(0, max(values)).map(values)
    # B: regularity
    weeks_known = frame["n_weeks"].where(frame["n_weeks"] > 0)
    frame["B1"] = frame["weeks_ok"] / weeks_known
    frame["B2"] = (frame["n_posts"] / (frame["norm"] * weeks_known)).clip(upper=1.0).mask(frame["norm"] == 0, 1.0)
    stream_norm = frame["kind"].map(stream_norms).astype(float)
    frame["B3"] = (frame["owner_streams"] >= stream_norm).astype(float).where(stream_norm.notna())
    # C, D raw values (percentiles below)
    with_views = frame["posts_with_views"] > 0
    subscribers = frame["subscribers"].where(frame["subscribers"] != 0)
    frame["C1_raw"] = (frame["views"] / frame["posts_with_views"] / subscribers).where(with_views)
    frame["C2_raw"] = ((frame["s1"] - frame["s0"]) / frame["s0"]).where(frame["s0"] != 0)
    frame["D1_raw"] = (frame["engagement"] / frame["views"]).where(with_views & (frame["views"] > 0))
    per_post = frame["n_users"] / frame["n_posts"].where(frame["n_posts"] > 0)
    per_counter = frame["comment_counter"] / frame["posts_with_counter"].where(frame["posts_with_counter"] > 0)
    frame["D2_raw"] = per_post.where(frame["has_comments"], per_counter)
    # E: replies to users' comments
    enough = frame["has_comments"] & (frame["n_users"] >= gates["min_user_comments"]) & (frame["n_users"] > 0)
    frame["E1"] = (frame["n_answered"] / frame["n_users"] / spec["indicators"]["E1"]["full_at"]).clip(upper=1.0) \
        .where(enough)
    e2 = pd.Series(float(spec["indicators"]["E2"]["otherwise"]), index=frame.index)
    for step in sorted(spec["indicators"]["E2"]["steps"], key=lambda s: -s["hours"]):  # the smallest step wins
        e2 = e2.mask(frame["median_hours"] <= step["hours"], float(step["value"]))
    frame["E2"] = e2.where(frame["n_answered"] > 0, 0.0).where(enough)
    # gates
    frame["rated"] = frame["n_weeks"] >= gates["min_counted_weeks"]  # else «не оценивается»: B–E N/A, no score
    frame.loc[~frame["rated"], ["B1", "B2", "B3", "E1", "E2", *RAW]] = np.nan
    frame.loc[frame["n_posts"] < gates["min_posts_for_reach"], RAW] = np.nan

    group = list(spec["percentiles"]["peer_group"])
    low, high = spec["percentiles"]["winsorize"]
    for code in ("C1", "C2", "D1", "D2"):
        frame[code] = _percentile(frame, f"{code}_raw", group, low, high)

    codes = list(spec["indicators"])
    weights = pd.Series({c: float(spec["indicators"][c]["weight"]) for c in codes})
    frame["score"] = (100 * _weighted_mean(frame[codes], weights)).where(frame["rated"])
    for block in spec["blocks"]:
        inside = [c for c in codes if spec["indicators"][c]["block"] == block]
        frame[f"block_{block}"] = 100 * _weighted_mean(frame[inside], weights[inside])
    frame = frame.rename(columns={"n_weeks": "weeks"})
    frame["weeks"] = frame["weeks"].astype(int)
    frame["weeks_ok"] = frame["weeks_ok"].astype(int)
    columns = ["page_id", "owner_id", "kind", "platform", "weeks", "weeks_ok", "rated", *[c for c in codes if c not in ("C1", "C2", "D1", "D2")],
               *RAW, "C1", "C2", "D1", "D2", "score", *[f"block_{b}" for b in spec["blocks"]]]
    return frame[columns]


def _rank(table: pd.DataFrame, m: Methodology) -> pd.DataFrame:
    """Rank 1… among the rows with a score: higher first, ties by the methodology's order (B1, block A, name;
    a missing tie value last); rows without a score get no rank. Numbers are compared rounded to 9 decimals
    (equal in exact arithmetic may differ in the last bit, depending on the order of the additions)."""
    keys, ascending = tie_keys(table, m)
    rated = table[table["score"].notna()]
    rounded = rated[keys].apply(lambda column: column if column.name == "owner_name" else column.round(9))
    order = rounded.sort_values(keys, ascending=ascending, na_position="last", kind="stable").index
    rank = pd.Series(np.arange(1, len(order) + 1, dtype=float), index=order)
    return table.assign(rank=rank.reindex(table.index))


def rate_pandas(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date) -> dict:
    """Page scores, owner scores, the body composite and the three ranked tables in pandas."""
    spec = _file(m)
    pages = score_pages_pandas(data, m, quarter, tz, today)
    owners = data.owners.to_pandas()[["owner_id", "owner_name", "kind", "parent_id", "exemption"]]
    blocks = [f"block_{b}" for b in spec["blocks"]]
    means = ["score", "B1", *blocks]

    # owner score: over the required platforms, the mean of the owner's rated page scores on each; a required
    # platform with no registered page counts 0 unless the owner is exempt; one with no rated page is left out.
    # No rated page at all → not rated. B1 and the blocks: the same per-platform means, missing platforms left out.
    required = pd.DataFrame({"platform": list(spec["required_platforms"])})
    mine = pages[pages["platform"].isin(required["platform"])]
    present = mine.groupby(["owner_id", "platform"], as_index=False).agg(n_pages=("page_id", "size"))
    rated = (mine[mine["rated"]].groupby(["owner_id", "platform"], as_index=False)
             .agg(rated_pages=("page_id", "size"), **{c: (c, "mean") for c in means}))
    grid = (owners.merge(required, how="cross").merge(present, on=["owner_id", "platform"], how="left")
            .merge(rated, on=["owner_id", "platform"], how="left"))
    no_page = grid["n_pages"].isna()
    grid["score"] = grid["score"].where(~no_page, np.where(grid["exemption"].isna(), 0.0, np.nan))
    per_owner = grid.groupby("owner_id", as_index=False).agg(rated_pages=("rated_pages", "sum"),
                                                             **{c: (c, "mean") for c in means})
    owner_frame = owners.drop(columns="exemption").merge(per_owner, on="owner_id", how="left")
    owner_frame.loc[owner_frame["rated_pages"] == 0, means] = np.nan

    # body composite: not rated without its own score; else the body, the mean of its rated head(s), the mean of
    # its rated institutions, re-weighted over the parts present
    weights = spec["composite"]
    children = (owner_frame[owner_frame["score"].notna()]
                .pivot_table(index="parent_id", columns="kind", values="score", aggfunc="mean"))
    bodies = owner_frame.loc[owner_frame["kind"] == "executive_body",
                             ["owner_id", "owner_name", "score", "B1", "block_A"]].reset_index(drop=True)
    parts = pd.DataFrame({"body": bodies["score"],
                          "head": bodies["owner_id"].map(children.get("head", pd.Series(dtype=float))),
                          "institutions": bodies["owner_id"].map(children.get("institution", pd.Series(dtype=float)))})
    composite = _weighted_mean(parts, pd.Series({k: float(weights[k]) for k in parts.columns}))
    body_frame = bodies.rename(columns={"score": "body_score"}).assign(
        head_score=parts["head"], institutions_score=parts["institutions"],
        score=composite.where(bodies["score"].notna()))
    tables = {"bodies": _rank(body_frame, m),
              "institutions": _rank(owner_frame[owner_frame["kind"] == "institution"], m),
              "heads": _rank(owner_frame[owner_frame["kind"] == "head"], m)}
    return {"pages": pages, "owners": owner_frame, "bodies": tables["bodies"], "tables": tables}
