"""The methodology written straightforwardly in pandas, the way the rules read: page by page.

The posts are split by page once (groupby), then each page's indicators are computed from its own rows in a
Python loop; owners and bodies likewise. This is the "straightforward pandas implementation" of product.md
that `cli.py bench` compares the engine with (`pandas_s`); benchmark/pandas_scoring.py is the same rules
hand-vectorised (`pandas_vectorised_s`). Both are checked against the engine: `tests/test_scoring_reference.py`
on the demo data, the bench on the synthetic quarter. Shares no code with `scoring/` beyond the methodology
file and the quarter calendar.

The rules as revised (methodology.md §3–4): a page's posts coverage is the union of its coverage intervals; a
week counts when all seven days are covered, or when some are and the page already met the norm in it (else
«неполные данные»); a page with fewer counted weeks than the gate is not rated (no score, B–E N/A, block A
shown), takes no part in the percentiles and does not enter its owner's score; an owner with no rated page is
not rated, and neither is a body whose own owner score is not; ranks only among rated rows. C2 uses the
subscriber marks in force on the quarter's first day and on the next quarter's first day, never a later mark.
"""
from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from scoring.inputs import ScoringInput
from scoring.methodology import Methodology

if TYPE_CHECKING:  # only the annotations name it (the calendar module is moving from scoring/ to core/)
    from core.calendar import Quarter

ITEMS = ["status_mark", "gospubliki", "comments_enabled", "avatar", "cover", "description", "contacts",
         "moderation_rules", "unified_style", "pos_widgets", "design_pct", "subscribers"]
NOT_ON = {"telegram": {"cover", "pos_widgets"}}



def _file(m: Methodology) -> dict:
    """The methodology file's TOML tables, read here on their own rather than through the typed values of
    scoring.methodology: the reference then also checks that loader (a value it mistypes shows as a difference)."""
    return tomllib.loads(m.source)

def _pandas(frame) -> pd.DataFrame:
    """A Polars frame in pandas, with dates as datetime.date objects (what an analyst compares with)."""
    out = frame.to_pandas()
    for name, dtype in zip(frame.columns, frame.dtypes):
        if str(dtype) == "Date":
            out[name] = [None if pd.isna(v) else v.date() for v in out[name]]
    return out


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _utc(day: date, tz: ZoneInfo) -> pd.Timestamp:
    return pd.Timestamp(datetime(day.year, day.month, day.day, tzinfo=tz)).tz_convert("UTC")


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value is not pd.NA


def _snapshot_values(snapshots: pd.DataFrame, boundary: date) -> dict[int, dict]:
    result: dict[int, dict] = {}
    for page_id, rows in snapshots.sort_values(["as_of", "batch_id"]).groupby("page_id"):
        per_day = []
        for as_of, day_rows in rows.groupby("as_of", sort=True):
            values = {}
            for item in ITEMS:
                known = [v for v in day_rows[item].tolist() if _present(v)]
                values[item] = known[-1] if known else None
            per_day.append((as_of, values))
        before = sorted([d for d in per_day if d[0] <= boundary], key=lambda d: d[0], reverse=True)
        after = sorted([d for d in per_day if d[0] > boundary], key=lambda d: d[0])
        chosen = {}
        for item in ITEMS:
            chosen[item] = next((v[item] for _, v in before + after if v[item] is not None), None)
        marks = sorted((d, v["subscribers"]) for d, v in per_day if v["subscribers"] is not None)
        result[page_id] = chosen | {"marks": marks}
    return result


def _subscriber_marks(marks: list, first_day: date, boundary: date):
    """C2's start and end: the latest mark on or before the quarter's first day and the latest on or before the
    next quarter's first day; None unless both exist, the end is later than the start and the start is > 0."""
    start = [mk for mk in marks if mk[0] <= first_day]
    end = [mk for mk in marks if mk[0] <= boundary]
    if not start or not end:
        return None, None
    start, end = start[-1], end[-1]
    if end[0] <= start[0] or not start[1] > 0:
        return None, None
    return start[1], end[1]


def _covered_weeks(coverage: pd.DataFrame, kind: str, first_week: date, last_day: date) -> dict[int, set]:
    """Pages with a `kind` coverage span touching the quarter's weeks, and the weeks touched."""
    weeks: dict[int, set] = {}
    for row in coverage[coverage["data_kind"] == kind].itertuples():
        if row.date_to < first_week or row.date_from > last_day:
            continue
        week = _monday(max(row.date_from, first_week))
        while week <= _monday(min(row.date_to, last_day)):
            weeks.setdefault(row.page_id, set()).add(week)
            week += timedelta(days=7)
    return weeks


def _union(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Union of inclusive date intervals as disjoint intervals, in order."""
    merged: list[list[date]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


def _days_covered(spans: list[tuple[date, date]], week: date) -> int:
    """How many of the week's seven days fall inside the (disjoint) intervals."""
    last = week + timedelta(days=6)
    return sum(max(0, (min(hi, last) - max(lo, week)).days + 1) for lo, hi in spans)


def week_statuses(page_weeks: list[date], start: date, today: date, spans: list[tuple[date, date]],
                  counts: dict[date, int], norm: int, closed: date | None = None) -> dict[date, str]:
    """Each of the quarter's weeks of one page: before_registration, closed (the week of its closing day and
    after), not_ended, no_data, partial (some days covered, below the norm: «неполные данные»), or counted as
    met / below / zero."""
    statuses = {}
    for week in page_weeks:
        posts = counts.get(week, 0)
        covered = _days_covered(spans, week)
        if week < start:
            statuses[week] = "before_registration"
        elif closed is not None and closed < week + timedelta(days=7):
            statuses[week] = "closed"
        elif week + timedelta(days=7) > today:
            statuses[week] = "not_ended"
        elif covered == 0:
            statuses[week] = "no_data"
        elif posts >= norm:  # fully covered or not: the norm is met
            statuses[week] = "met"
        elif covered < 7:
            statuses[week] = "partial"
        else:
            statuses[week] = "zero" if posts == 0 else "below"
    return statuses


COUNTED = ("met", "below", "zero")


def score_pages_pandas(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date) -> pd.DataFrame:
    spec = _file(m)
    weeks = quarter.weeks()
    first_week, week_end = weeks[0], weeks[-1] + timedelta(days=7)
    owners = _pandas(data.owners)
    pages = _pandas(data.pages)
    # a page closed before the quarter, or registered after it, is not the owner's page in it
    pages = pages[[(not _present(c) or c >= quarter.first_day) and (not _present(r) or r <= quarter.last_day)
                   for c, r in zip(pages["closed_on"], pages["registered_on"])]]
    pages = pages.merge(owners[["owner_id", "owner_name", "kind", "parent_id", "exemption"]],
                                         on="owner_id")
    norms = {k: int(v) for k, v in spec["norms"]["posts_per_week"].items()}
    posts = data.posts.to_pandas()
    posts["week"] = posts["published_at"].dt.tz_convert(tz.key).dt.tz_localize(None).dt.to_period("W-SUN") \
        .dt.start_time.dt.date
    posts = posts[(posts["week"] >= first_week) & (posts["week"] <= weeks[-1])]
    counts_of: dict[int, dict[date, int]] = {}
    for (page_id, week), n in posts.groupby(["page_id", "week"]).size().items():
        counts_of.setdefault(page_id, {})[week] = n
    posts_of = dict(tuple(posts.groupby("page_id")))
    coverage = _pandas(data.coverage)
    spans_of: dict[int, list] = {}
    for row in coverage[coverage["data_kind"] == "posts"].itertuples():
        spans_of.setdefault(row.page_id, []).append((row.date_from, row.date_to))
    spans_of = {page_id: _union(spans) for page_id, spans in spans_of.items()}
    comment_pages = set(_covered_weeks(coverage, "comments", first_week, week_end - timedelta(days=1)))
    snaps = _snapshot_values(_pandas(data.snapshots), quarter.next().first_day)

    streams = data.streams.to_pandas().merge(pages[["page_id", "owner_id"]], on="page_id")
    streams["day"] = streams["started_at"].dt.tz_convert(tz.key).dt.date
    streams = streams[(streams["day"] >= quarter.first_day) & (streams["day"] <= quarter.last_day)]
    owner_streams = streams.groupby("owner_id").size().to_dict()

    comments = data.comments.to_pandas()
    replies = comments[comments["author_is_page"] & comments["parent_comment_id"].notna()] \
        .groupby(["page_id", "parent_comment_id"])["created_at"].min()
    users = comments[(~comments["author_is_page"]) & (comments["created_at"] >= _utc(first_week, tz))
                     & (comments["created_at"] < _utc(week_end, tz))].copy()
    users["replied_at"] = [replies.get((p, c)) for p, c in zip(users["page_id"], users["comment_id"])]
    users["hours"] = [None if pd.isna(r) else max(0.0, (r - t).total_seconds() / 3600)
                      for r, t in zip(users["replied_at"], users["created_at"])]
    users_of = dict(tuple(users.groupby("page_id")))

    gates = spec["gates"]
    stream_norms = spec["norms"].get("live_streams_per_quarter", {})
    rows = []
    for page in pages.itertuples():
        norm = norms[page.kind]
        registered = page.registered_on if _present(page.registered_on) else None
        start = first_week
        if registered is not None:
            start = max(start, registered + timedelta(days=(7 - registered.weekday()) % 7))
        counts = counts_of.get(page.page_id, {})
        closed = page.closed_on if _present(page.closed_on) else None
        statuses = week_statuses(weeks, start, today, spans_of.get(page.page_id, []), counts, norm, closed)
        counted = [w for w in weeks if statuses[w] in COUNTED]
        n_weeks = len(counted)
        weeks_ok = sum(1 for w in counted if statuses[w] == "met")
        n_posts = sum(counts.get(w, 0) for w in counted)
        rated = n_weeks >= gates["min_counted_weeks"]
        mine = posts_of.get(page.page_id, posts.iloc[:0])
        mine = mine[mine["week"].isin(counted)]
        with_views = mine[mine["views"].notna()]
        views = with_views["views"].sum()
        engagement = with_views[["likes", "comments", "reposts", "reactions"]].fillna(0).sum().sum()
        counters = mine["comments"].dropna()
        snap = snaps.get(page.page_id, {item: None for item in ITEMS} | {"marks": []})
        r = {"page_id": page.page_id, "owner_id": page.owner_id, "kind": page.kind, "platform": page.platform,
             "weeks": n_weeks, "weeks_ok": weeks_ok, "posts": n_posts, "rated": rated,
             "weeks_partial": sum(1 for w in weeks if statuses[w] == "partial"),
             "weeks_no_data": sum(1 for w in weeks if statuses[w] == "no_data")}
        # A (also for a page that is not rated: shown as information)
        r["A1"] = None if snap["status_mark"] is None else float(snap["status_mark"])
        r["A2"] = None if snap["gospubliki"] is None else float(snap["gospubliki"])
        applicable = [i for i in spec["indicators"]["A3"]["items"] if i not in NOT_ON.get(page.platform, set())]
        known = [snap[i] for i in applicable if snap[i] is not None]
        if known:
            r["A3"] = sum(1 for v in known if v) / len(known)
        elif snap["design_pct"] is not None:
            r["A3"] = min(1.0, max(0.0, snap["design_pct"] / 100))
        else:
            r["A3"] = None
        r["A4"] = None if snap["comments_enabled"] is None else float(snap["comments_enabled"])
        values = {int(k): float(v) for k, v in spec["indicators"]["A5"]["values"].items()}
        r["A5"] = None if "pos_widgets" in NOT_ON.get(page.platform, set()) or snap["pos_widgets"] is None else \
            values[min(max(int(snap["pos_widgets"]), 0), max(values))]
        if not rated:  # «не оценивается»: B–E N/A, no percentile, no score
            for code in ("B1", "B2", "B3", "E1", "E2", "C1_raw", "C2_raw", "D1_raw", "D2_raw"):
                r[code] = None
            rows.append(r)
            continue
        # B
        r["B1"] = weeks_ok / n_weeks
        r["B2"] = min(1.0, n_posts / (norm * n_weeks)) if norm > 0 else 1.0
        r["B3"] = float(owner_streams.get(page.owner_id, 0) >= stream_norms[page.kind]) \
            if page.kind in stream_norms else None
        # C, D raw
        subscribers = snap["subscribers"]
        r["C1_raw"] = (views / len(with_views)) / subscribers if len(with_views) and subscribers else None
        s0, s1 = _subscriber_marks(snap["marks"], quarter.first_day, quarter.next().first_day)
        r["C2_raw"] = (s1 - s0) / s0 if s0 is not None else None
        r["D1_raw"] = engagement / views if len(with_views) and views > 0 else None
        mine_users = users_of.get(page.page_id, users.iloc[:0])
        has_comments = page.page_id in comment_pages
        if has_comments:
            r["D2_raw"] = len(mine_users) / n_posts if n_posts else None
        else:
            r["D2_raw"] = counters.sum() / len(counters) if len(counters) else None
        # E
        if has_comments and len(mine_users) >= gates["min_user_comments"] and len(mine_users) > 0:
            answered = mine_users["hours"].dropna()
            r["E1"] = min(1.0, len(answered) / len(mine_users) / spec["indicators"]["E1"]["full_at"])
            if len(answered) == 0:
                r["E2"] = 0.0
            else:
                median = float(np.median(answered.astype(float)))
                r["E2"] = spec["indicators"]["E2"]["otherwise"]
                for step in sorted(spec["indicators"]["E2"]["steps"], key=lambda s: s["hours"]):
                    if median <= step["hours"]:
                        r["E2"] = step["value"]
                        break
        else:
            r["E1"] = r["E2"] = None
        if n_posts < gates["min_posts_for_reach"]:
            r["C1_raw"] = r["C2_raw"] = r["D1_raw"] = r["D2_raw"] = None
        rows.append(r)
    frame = pd.DataFrame(rows)
    group = list(spec["percentiles"]["peer_group"])
    low, high = spec["percentiles"]["winsorize"]
    for code in ("C1", "C2", "D1", "D2"):  # within the peer group, over rated pages with a value only
        frame[code] = np.nan
        valid = frame[frame["rated"] & frame[f"{code}_raw"].notna()].copy()
        for _, members in valid.groupby(group):
            raw = members[f"{code}_raw"].astype(float)
            clipped = raw.clip(raw.quantile(low), raw.quantile(high))
            ranks = clipped.rank(method="average")
            n = len(members)
            frame.loc[members.index, code] = (ranks - 1) / (n - 1) if n > 1 else 1.0
    codes = list(spec["indicators"])
    weight_of = {c: float(spec["indicators"][c]["weight"]) for c in codes}
    scores, block_scores = [], {b: [] for b in spec["blocks"]}
    for _, r in frame.iterrows():
        applicable = [c for c in codes if pd.notna(r[c])]
        total = sum(weight_of[c] for c in applicable)
        scores.append(100 * sum(r[c] * weight_of[c] for c in applicable) / total if r["rated"] and total else None)
        for b in block_scores:
            inside = [c for c in applicable if spec["indicators"][c]["block"] == b]
            weight = sum(weight_of[c] for c in inside)
            block_scores[b].append(100 * sum(r[c] * weight_of[c] for c in inside) / weight if weight else None)
    frame["score"] = pd.array(scores, dtype="Float64").astype(float)
    for b, values in block_scores.items():
        frame[f"block_{b}"] = pd.array(values, dtype="Float64").astype(float)
    return frame


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def owner_scores(pages: pd.DataFrame, owners: pd.DataFrame, m: Methodology) -> pd.DataFrame:
    """Per owner, over the required platforms: the mean of its rated page scores on each platform; a required
    platform with no registered page counts 0 unless the owner is exempt; a platform whose pages are all unrated
    is left out. No rated page → not rated (score None). B1 and the block scores: means of the per-platform means
    of the rated pages (platforms without a rated page left out)."""
    spec = _file(m)
    required = list(spec["required_platforms"])
    blocks = [f"block_{b}" for b in spec["blocks"]]
    pages_of: dict[int, list[dict]] = {}
    for page in pages[["owner_id", "platform", "rated", "score", "B1", *blocks]].to_dict("records"):
        pages_of.setdefault(page["owner_id"], []).append(page)
    rows = []
    for owner in owners.itertuples():
        mine = pages_of.get(owner.owner_id, [])
        per_platform, columns, rated_pages, missing = [], {c: [] for c in ["B1", *blocks]}, 0, []
        for platform in required:
            on = [p for p in mine if p["platform"] == platform]
            rated = [p for p in on if p["rated"]]
            rated_pages += len(rated)
            if not on:
                if not _present(owner.exemption):
                    per_platform.append(0.0)
                    missing.append(platform)
            elif rated:
                per_platform.append(float(np.mean([p["score"] for p in rated])))
                for c in columns:
                    known = [p[c] for p in rated if _present(p[c])]
                    if known:
                        columns[c].append(float(np.mean(known)))
        scored = rated_pages > 0
        rows.append({"owner_id": owner.owner_id, "owner_name": owner.owner_name, "kind": owner.kind,
                     "parent_id": owner.parent_id, "rated_pages": rated_pages,
                     "pages": sum(1 for p in mine if p["platform"] in required), "missing_platforms": missing,
                     "score": _mean(per_platform) if scored else None,
                     **{c: _mean(v) if scored else None for c, v in columns.items()}})
    frame = pd.DataFrame(rows)
    for c in ["score", "B1", *blocks]:
        frame[c] = frame[c].astype(float)
    return frame


TIE_DIGITS = 9  # scores (and B1, block A) equal to 9 decimals are ties: float noise never decides a place


def tie_keys(table: pd.DataFrame, m: Methodology) -> tuple[list[str], list[bool]]:
    """The ranking keys of both references: the score, then the methodology file's tie order (B1, block A, name;
    a key the table lacks is skipped), each descending but the name; and whether each is ascending."""
    keys, ascending = ["score"], [False]
    for key in _file(m)["ties"]["order"]:
        column = {"name": "owner_name"}.get(key, key if key in table.columns else f"block_{key}")
        if column in table.columns:
            keys.append(column)
            ascending.append(column == "owner_name")
    return keys, ascending


def rank_rows(table: pd.DataFrame, m: Methodology) -> pd.DataFrame:
    """Rank 1… among rows with a score (higher first; ties by the methodology's order: B1, block A, name);
    rows without a score get no rank. Numbers are compared rounded to TIE_DIGITS decimals: two scores equal in
    exact arithmetic may differ in the last bit depending on the order of the additions."""
    keys, ascending = tie_keys(table, m)
    records = [(index, row) for index, row in zip(table.index, table[keys].to_dict("records"))
               if _present(row["score"])]
    records.sort(key=lambda item: _sort_key(item[1], keys, ascending))
    ranks = pd.Series(np.nan, index=table.index)
    for place, (index, _) in enumerate(records, start=1):
        ranks[index] = place
    return table.assign(rank=ranks)


def _sort_key(row: dict, keys: list[str], ascending: list[bool]) -> tuple:
    """Sort key: each numeric key descending unless ascending; missing values last."""
    key = []
    for column, up in zip(keys, ascending):
        value = row[column]
        missing = not _present(value)
        if isinstance(value, str):
            key.append((missing, value))
        else:
            value = 0.0 if missing else round(float(value), TIE_DIGITS)
            key.append((missing, value if up else -value))
    return tuple(key)


def rate_pandas(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date) -> dict:
    """Page scores, owner scores, the body composite and the three ranked tables in pandas."""
    spec = _file(m)
    pages = score_pages_pandas(data, m, quarter, tz, today)
    owners = _pandas(data.owners)
    owner_frame = owner_scores(pages, owners, m)
    weights = spec["composite"]
    bodies = []
    children_of: dict[int, list[dict]] = {}
    for child in owner_frame[owner_frame["score"].notna()][["parent_id", "kind", "score"]].to_dict("records"):
        if _present(child["parent_id"]):
            children_of.setdefault(int(child["parent_id"]), []).append(child)
    for body in owner_frame[owner_frame["kind"] == "executive_body"].itertuples():
        row = {"owner_id": body.owner_id, "owner_name": body.owner_name, "B1": body.B1, "block_A": body.block_A,
               "body_score": body.score, "head_score": None, "institutions_score": None, "score": None}
        if _present(body.score):  # a body whose own score is not rated is not rated
            children = children_of.get(body.owner_id, [])
            heads = [c["score"] for c in children if c["kind"] == "head"]  # rated children only
            institutions = [c["score"] for c in children if c["kind"] == "institution"]
            row["head_score"] = float(np.mean(heads)) if heads else None
            row["institutions_score"] = float(np.mean(institutions)) if institutions else None
            parts = [(body.score, weights["body"]), (row["head_score"], weights["head"]),
                     (row["institutions_score"], weights["institutions"])]
            parts = [(s, w) for s, w in parts if s is not None]
            row["score"] = sum(s * w for s, w in parts) / sum(w for _, w in parts)
        bodies.append(row)
    body_frame = pd.DataFrame(bodies)
    for c in ("B1", "block_A", "body_score", "head_score", "institutions_score", "score"):
        body_frame[c] = body_frame[c].astype(float)
    tables = {"bodies": rank_rows(body_frame, m),
              "institutions": rank_rows(owner_frame[owner_frame["kind"] == "institution"], m),
              "heads": rank_rows(owner_frame[owner_frame["kind"] == "head"], m)}
    return {"pages": pages, "owners": owner_frame, "bodies": tables["bodies"], "tables": tables}
