"""Deterministic synthetic data of a given scale, as the canonical frames scoring reads (no export files): the
large scales of `cli.py bench` are generated this way and kept as parquet.

Scales (product.md, "Performance targets"): tomsk ≈ 1,300 pages and ≈ 60,000 posts a quarter; region10 ten times
that; national ≈ 175,000 pages and ≈ 13 million posts a quarter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from core.calendar import Quarter
from core.schemas import CHECKLIST_FLAGS
from scoring.inputs import COMMENT_COLUMNS, POST_COLUMNS, STREAM_COLUMNS, ScoringInput
from storage.queries import COVERAGE_SCHEMA, OWNER_SCHEMA, PAGE_SCHEMA, SNAPSHOT_SCHEMA

# pages and mean posts per page and week: ≈ 60,000 posts a quarter for Tomsk, ≈ 13 million for the country
SCALES = {"tomsk": (1_300, 3.6), "region10": (13_000, 3.6), "national": (175_000, 5.7)}
QUARTER = Quarter(2026, 1)
FRAMES = ("owners", "pages", "snapshots", "posts", "streams", "comments", "coverage")


@dataclass(frozen=True)
class Synthetic:
    data: ScoringInput
    quarter: Quarter


def generate(scale: str, seed: int = 7, tz: ZoneInfo = ZoneInfo("Asia/Tomsk")) -> Synthetic:
    rng = np.random.default_rng(seed)
    n_pages, posts_per_week = SCALES[scale]
    # owners: governor, administration, bodies (≈ 3 %), one head per body, institutions; ≈ 2.5 pages an owner
    n_owners = max(8, int(n_pages / 2.5))
    n_bodies = max(3, n_owners // 12)
    kinds = ["governor", "administration"] + ["executive_body"] * n_bodies + ["head"] * n_bodies
    kinds += ["institution"] * (n_owners - len(kinds))
    owner_ids = np.arange(1, n_owners + 1)
    parent = np.full(n_owners, -1)
    body_ids = owner_ids[2:2 + n_bodies]
    parent[2 + n_bodies:2 + 2 * n_bodies] = body_ids
    parent[2 + 2 * n_bodies:] = rng.choice(body_ids, n_owners - 2 - 2 * n_bodies)
    names = [f"Владелец {i}" for i in owner_ids]
    owners = pl.DataFrame({"owner_id": owner_ids, "owner_name": names, "kind": kinds,
                           "parent_id": np.where(parent > 0, parent, None).tolist(),
                           "parent_name": [names[p - 1] if p > 0 else None for p in parent],
                           "ogrn": None, "responsible": None, "exemption": None}, schema=OWNER_SCHEMA)
    # pages: each owner gets one to three of the platforms
    page_owner = np.concatenate([owner_ids, rng.choice(owner_ids, n_pages - n_owners)])[:n_pages]
    page_owner.sort()
    platforms = np.array(["vk", "ok", "telegram"])[rng.integers(0, 3, n_pages)]
    page_ids = np.arange(1, n_pages + 1)
    registered = [date(2023, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 1200, n_pages)]
    pages = pl.DataFrame({"page_id": page_ids, "owner_id": page_owner, "platform": platforms,
                          "page_key": [f"p{i}" for i in page_ids], "platform_id": [str(-i) for i in page_ids],
                          "url": [f"https://vk.com/p{i}" for i in page_ids], "title": None,
                          "registered_on": registered, "page_responsible": None, "closed_on": None},
                         schema=PAGE_SCHEMA)
    flags = {c: rng.random(n_pages) < 0.8 for c in CHECKLIST_FLAGS}
    subscribers = rng.integers(100, 50_000, n_pages)
    snapshot_rows = {"page_id": np.concatenate([page_ids, page_ids]),
                     "as_of": [date(2025, 12, 31)] * n_pages + [date(2026, 4, 1)] * n_pages,
                     "batch_id": [1] * n_pages + [2] * n_pages,
                     "subscribers": np.concatenate([subscribers, subscribers + rng.integers(-50, 500, n_pages)])}
    for c, v in flags.items():
        snapshot_rows[c] = np.concatenate([v, v])
    snapshot_rows["pos_widgets"] = np.concatenate([rng.integers(0, 3, n_pages)] * 2)
    snapshots = pl.DataFrame(snapshot_rows).with_columns(
        [pl.lit(None).cast(SNAPSHOT_SCHEMA[c]).alias(c) for c in SNAPSHOT_SCHEMA if c not in snapshot_rows]
    ).select(list(SNAPSHOT_SCHEMA)).cast(SNAPSHOT_SCHEMA)
    # posts: Poisson per page and week; moments spread over the week in local time
    weeks = QUARTER.weeks()
    start = datetime(weeks[0].year, weeks[0].month, weeks[0].day, tzinfo=tz).timestamp()
    rate = rng.gamma(2.0, posts_per_week / 2.0, n_pages)
    per_page = rng.poisson(rate * len(weeks))
    post_page = np.repeat(page_ids, per_page)
    n_posts = len(post_page)
    seconds = start + rng.integers(0, len(weeks) * 7 * 86400, n_posts)
    is_telegram = np.repeat(platforms == "telegram", per_page)
    views = rng.integers(50, 20_000, n_posts)
    posts = pl.DataFrame({
        "page_id": post_page, "post_id": np.arange(n_posts).astype(str),
        "published_at": (seconds * 1_000_000).astype("int64"), "is_repost": rng.random(n_posts) < 0.05,
        "is_live": np.zeros(n_posts, dtype=bool),
        "views": pl.Series(views).set(pl.Series(is_telegram), None) if is_telegram.any() else views,
        "likes": rng.integers(0, 300, n_posts), "comments": rng.integers(0, 20, n_posts),
        "reposts": rng.integers(0, 30, n_posts), "reactions": None,
    }).with_columns(pl.col("published_at").cast(pl.Datetime("us", "UTC"))).cast(POST_COLUMNS)
    # streams: about two thirds of the bodies hold one
    stream_pages = pages.filter(pl.col("owner_id").is_in(body_ids[rng.random(n_bodies) < 0.66].tolist()))
    stream_pages = stream_pages.group_by("owner_id", maintain_order=True).agg(pl.col("page_id").first())["page_id"].to_numpy()
    streams = pl.DataFrame({"page_id": stream_pages, "stream_id": [f"s{i}" for i in stream_pages],
                            "started_at": ((start + rng.integers(0, 80 * 86400, len(stream_pages))) * 1e6)
                            .astype("int64"), "duration_s": 1800, "url": None, "title": None}).with_columns(
        pl.col("started_at").cast(pl.Datetime("us", "UTC"))).cast(STREAM_COLUMNS)
    # comments on a third of the pages: users' comments, about 70 % answered by the page within 1–40 h
    commented = page_ids[rng.random(n_pages) < 0.33]
    counts = rng.poisson(15, len(commented))
    c_page = np.repeat(commented, counts)
    n_comments = len(c_page)
    c_time = start + rng.integers(0, len(weeks) * 7 * 86400, n_comments)
    answered = rng.random(n_comments) < 0.7
    users = pl.DataFrame({"page_id": c_page, "comment_id": [f"u{i}" for i in range(n_comments)], "post_id": "p",
                          "parent_comment_id": None, "author_is_page": False,
                          "created_at": (c_time * 1e6).astype("int64")})
    replies = pl.DataFrame({"page_id": c_page[answered], "comment_id": [f"r{i}" for i in np.flatnonzero(answered)],
                            "post_id": "p", "parent_comment_id": [f"u{i}" for i in np.flatnonzero(answered)],
                            "author_is_page": True,
                            "created_at": ((c_time[answered] + rng.integers(3600, 40 * 3600, answered.sum()))
                                           * 1e6).astype("int64")})
    comments = pl.concat([users, replies], how="vertical_relaxed").with_columns(
        pl.col("created_at").cast(pl.Datetime("us", "UTC"))).cast(COMMENT_COLUMNS)
    # coverage: the whole quarter for 95 % of the pages (the rest: January and February only)
    full = rng.random(n_pages) < 0.95
    coverage = pl.DataFrame({"page_id": np.concatenate([page_ids, commented]),
                             "data_kind": ["posts"] * n_pages + ["comments"] * len(commented),
                             "date_from": [QUARTER.first_day] * (n_pages + len(commented)),
                             "date_to": [QUARTER.last_day if f else date(2026, 2, 28) for f in full]
                             + [QUARTER.last_day] * len(commented),
                             "batch_id": 1}, schema=COVERAGE_SCHEMA)
    return Synthetic(ScoringInput(owners, pages, snapshots, posts, streams, comments, coverage), QUARTER)


def write_parquet(synthetic: Synthetic, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in FRAMES:
        getattr(synthetic.data, name).write_parquet(directory / f"{name}.parquet")


def read_parquet(directory: Path) -> Synthetic:
    frames = {name: pl.read_parquet(directory / f"{name}.parquet") for name in FRAMES}
    return Synthetic(ScoringInput(**frames), QUARTER)
