"""The frames of one quarter's current data, as storage reads them and scoring takes them: one declaration for both
(storage.rating_store and scoring.inputs name it; storage never imports scoring)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl


@dataclass(frozen=True)
class QuarterFrames:
    """Current data of one quarter: the registry (owners, pages, snapshots, coverage) and the current versions of
    the activity rows (posts, streams, comments) whose moments fall in the quarter's span."""
    owners: pl.DataFrame
    pages: pl.DataFrame
    snapshots: pl.DataFrame
    posts: pl.DataFrame
    streams: pl.DataFrame
    comments: pl.DataFrame
    coverage: pl.DataFrame
    batch_ids: tuple[int, ...] = ()
    data_timestamp: datetime | None = None  # the newest active upload
    # the posts already summed per page and week (scoring.activity.posts_by_week's output, e.g. by PostgreSQL:
    # storage.post_weeks) for pages whose raw posts are not in `posts`; the engine adds the sums of `posts`
    post_weeks: pl.DataFrame | None = None
