"""The methodology written straightforwardly in pandas, the way the rules read: page by page.

The posts are split by page once (groupby), then each page's indicators are computed from its own rows in a
Python loop; owners and bodies likewise. This is the "straightforward pandas implementation" of product.md
that `cli.py bench` compares the engine with (`pandas_s`); benchmark/pandas_scoring.py is the same rules
hand-vectorised (`pandas_vectorised_s`). Both are checked against the engine: `tests/test_scoring_reference.py`
on the demo data, the bench on the synthetic quarter. Shares no code with `scoring/` beyond the methodology
file and the quarter calendar.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from scoring.calendar import Quarter
from scoring.inputs import ScoringInput
from scoring.methodology import Methodology

ITEMS = ["status_mark", "gospubliki", "comments_enabled", "avatar", "cover", "description", "contacts",
         "moderation_rules", "unified_style", "pos_widgets", "design_pct", "subscribers"]
NOT_ON = {"telegram": {"cover", "pos_widgets"}}


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
    start = [m for m in marks if m[0] <= first_day]
    start = start[-1] if start else next((m for m in marks if first_day < m[0] < boundary), None)
    if start is None:
        return None, None
    later = [m for m in marks if m[0] > start[0]]
    end = [m for m in later if m[0] <= boundary]
    end = end[-1] if end else (later[0] if later else None)
    return start[1], (end[1] if end else None)


def _covered_weeks(coverage: pd.DataFrame, kind: str, first_week: date, last_day: date) -> dict[int, set]:
    weeks: dict[int, set] = {}
    for row in coverage[coverage["data_kind"] == kind].itertuples():
        if row.date_to < first_week or row.date_from > last_day:
            continue
        week = _monday(max(row.date_from, first_week))
        while week <= _monday(min(row.date_to, last_day)):
            weeks.setdefault(row.page_id, set()).add(week)
            week += timedelta(days=7)
    return weeks


def score_pages_pandas(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date) -> pd.DataFrame:
    weeks = quarter.weeks()
    first_week, week_end = weeks[0], weeks[-1] + timedelta(days=7)
    owners = _pandas(data.owners)
    pages = _pandas(data.pages).merge(owners[["owner_id", "owner_name", "kind", "parent_id", "exemption"]],
                                         on="owner_id")
    norms = {k: int(v) for k, v in m.raw["norms"]["posts_per_week"].items()}
    posts = data.posts.to_pandas()
    posts["week"] = posts["published_at"].dt.tz_convert(tz.key).dt.tz_localize(None).dt.to_period("W-SUN") \
        .dt.start_time.dt.date
    posts = posts[(posts["week"] >= first_week) & (posts["week"] <= weeks[-1])]
    counts = posts.groupby(["page_id", "week"]).size().to_dict()
    posts_of = dict(tuple(posts.groupby("page_id")))
    covered = _covered_weeks(_pandas(data.coverage), "posts", first_week, week_end - timedelta(days=1))
    comment_pages = set(_covered_weeks(_pandas(data.coverage), "comments", first_week,
                                       week_end - timedelta(days=1)))
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

    gates = m.raw["gates"]
    stream_norms = m.raw["norms"].get("live_streams_per_quarter", {})
    rows = []
    for page in pages.itertuples():
        norm = norms[page.kind]
        registered = page.registered_on if _present(page.registered_on) else None
        start = first_week
        if registered is not None:
            monday = registered + timedelta(days=(7 - registered.weekday()) % 7)
            start = max(start, monday)
        counted = [w for w in weeks if w >= start and w + timedelta(days=7) <= today and w in covered.get(page.page_id, ())]
        n_weeks = len(counted)
        per_week = [counts.get((page.page_id, w), 0) for w in counted]
        n_posts = sum(per_week)
        weeks_ok = sum(1 for n in per_week if n >= norm)
        mine = posts_of.get(page.page_id, posts.iloc[:0])
        mine = mine[mine["week"].isin(counted)]
        with_views = mine[mine["views"].notna()]
        views = with_views["views"].sum()
        engagement = with_views[["likes", "comments", "reposts", "reactions"]].fillna(0).sum().sum()
        counters = mine["comments"].dropna()
        snap = snaps.get(page.page_id, {item: None for item in ITEMS} | {"marks": []})
        r = {"page_id": page.page_id, "owner_id": page.owner_id, "kind": page.kind, "platform": page.platform}
        # A
        r["A1"] = None if snap["status_mark"] is None else float(snap["status_mark"])
        r["A2"] = None if snap["gospubliki"] is None else float(snap["gospubliki"])
        applicable = [i for i in m.indicators["A3"]["items"] if i not in NOT_ON.get(page.platform, set())]
        known = [snap[i] for i in applicable if snap[i] is not None]
        if known:
            r["A3"] = sum(1 for v in known if v) / len(known)
        elif snap["design_pct"] is not None:
            r["A3"] = min(1.0, max(0.0, snap["design_pct"] / 100))
        else:
            r["A3"] = None
        r["A4"] = None if snap["comments_enabled"] is None else float(snap["comments_enabled"])
        values = {int(k): float(v) for k, v in m.indicators["A5"]["values"].items()}
        r["A5"] = None if "pos_widgets" in NOT_ON.get(page.platform, set()) or snap["pos_widgets"] is None else \
            values[min(max(int(snap["pos_widgets"]), 0), max(values))]
        # B
        r["B1"] = weeks_ok / n_weeks if n_weeks else None
        r["B2"] = min(1.0, n_posts / (norm * n_weeks)) if n_weeks else None
        r["B3"] = float(owner_streams.get(page.owner_id, 0) >= stream_norms[page.kind]) \
            if page.kind in stream_norms else None
        # C, D raw
        subscribers = snap["subscribers"]
        r["C1_raw"] = (views / len(with_views)) / subscribers if len(with_views) and subscribers else None
        s0, s1 = _subscriber_marks(snap["marks"], quarter.first_day, quarter.next().first_day)
        r["C2_raw"] = (s1 - s0) / s0 if s0 and s1 is not None else None
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
            r["E1"] = min(1.0, len(answered) / len(mine_users) / m.indicators["E1"]["full_at"])
            if len(answered) == 0:
                r["E2"] = 0.0
            else:
                median = float(np.median(answered.astype(float)))
                r["E2"] = m.indicators["E2"]["otherwise"]
                for step in sorted(m.indicators["E2"]["steps"], key=lambda s: s["hours"]):
                    if median <= step["hours"]:
                        r["E2"] = step["value"]
                        break
        else:
            r["E1"] = r["E2"] = None
        # gates
        if n_weeks < gates["min_counted_weeks"]:
            for code in ("B1", "B2", "B3", "E1", "E2"):
                r[code] = None
            r["C1_raw"] = r["C2_raw"] = r["D1_raw"] = r["D2_raw"] = None
        if n_posts < gates["min_posts_for_reach"]:
            r["C1_raw"] = r["C2_raw"] = r["D1_raw"] = r["D2_raw"] = None
        rows.append(r)
    frame = pd.DataFrame(rows)
    group = list(m.raw["percentiles"]["peer_group"])
    low, high = m.raw["percentiles"]["winsorize"]
    for code in ("C1", "C2", "D1", "D2"):
        frame[code] = np.nan
        valid = frame[frame[f"{code}_raw"].notna()].copy()
        for _, members in valid.groupby(group):
            raw = members[f"{code}_raw"].astype(float)
            clipped = raw.clip(raw.quantile(low), raw.quantile(high))
            ranks = clipped.rank(method="average")
            n = len(members)
            frame.loc[members.index, code] = (ranks - 1) / (n - 1) if n > 1 else 1.0
    codes = list(m.indicators)
    scores, block_scores = [], {b: [] for b in m.raw["blocks"]}
    for _, r in frame.iterrows():
        applicable = [c for c in codes if pd.notna(r[c])]
        total = sum(m.weight(c) for c in applicable)
        scores.append(100 * sum(r[c] * m.weight(c) for c in applicable) / total if total else None)
        for b in block_scores:
            inside = [c for c in applicable if m.indicators[c]["block"] == b]
            weight = sum(m.weight(c) for c in inside)
            block_scores[b].append(100 * sum(r[c] * m.weight(c) for c in inside) / weight if weight else None)
    frame["score"] = scores
    for b, values in block_scores.items():
        frame[f"block_{b}"] = values
    return frame


def rate_pandas(data: ScoringInput, m: Methodology, quarter: Quarter, tz: ZoneInfo, today: date) -> dict:
    """Page scores, owner scores and the body composite in pandas."""
    pages = score_pages_pandas(data, m, quarter, tz, today)
    owners = _pandas(data.owners)
    required = list(m.required_platforms)
    owner_rows = []
    pages_of = dict(tuple(pages.groupby("owner_id")))
    for owner in owners.itertuples():
        mine = pages_of.get(owner.owner_id, pages.iloc[:0])
        per_platform = []
        for platform in required:
            on = mine[mine["platform"] == platform]
            if len(on) == 0:
                if not _present(owner.exemption):
                    per_platform.append(0.0)
            elif on["score"].notna().any():
                per_platform.append(on["score"].dropna().mean())
        owner_rows.append({"owner_id": owner.owner_id, "kind": owner.kind, "parent_id": owner.parent_id,
                           "score": float(np.mean(per_platform)) if per_platform else None})
    owner_frame = pd.DataFrame(owner_rows)
    weights = m.raw["composite"]
    bodies = []
    children_of = dict(tuple(owner_frame[owner_frame["score"].notna()].groupby("parent_id")))
    for body in owner_frame[owner_frame["kind"] == "executive_body"].itertuples():
        children = children_of.get(body.owner_id, owner_frame.iloc[:0])
        parts = [(body.score, weights["body"]),
                 (children[children["kind"] == "head"]["score"].mean(), weights["head"]),
                 (children[children["kind"] == "institution"]["score"].mean(), weights["institutions"])]
        parts = [(s, w) for s, w in parts if s is not None and not np.isnan(s)]
        total = sum(w for _, w in parts)
        bodies.append({"owner_id": body.owner_id, "score": sum(s * w for s, w in parts) / total if total else None})
    return {"pages": pages, "owners": owner_frame, "bodies": pd.DataFrame(bodies)}
