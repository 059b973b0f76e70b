"""The posts summed per page and week by PostgreSQL (storage.post_weeks) give the same rating as the raw posts
summed by the engine (scoring.activity.posts_by_week): on a small synthetic scale written into real PostgreSQL,
with a second, newer export of some pages (versions of the same posts with other counters, one moved out of the
quarter's weeks, one new post) and a reverted one; and the same data read raw from SQLite."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from benchmark.database import fill
from benchmark.synthetic import generate
from scoring.activity import WEEK_SUMS_SCHEMA, posts_by_week
from scoring.inputs import QuarterWindow
from scoring.methodology import methodology_for
from scoring.rating import score_quarter
from services.quarters import scoring_input
from storage import post_weeks
from storage.db import make_engine, write_frame
from storage.post_weeks import write_week_sums

TZ = ZoneInfo("Asia/Tomsk")
TODAY = date(2026, 6, 1)


def test_the_database_sums_have_the_engines_schema():
    window = QuarterWindow(generate("tomsk").quarter, TZ)
    empty = generate("tomsk").data.posts.head(0)
    assert post_weeks.WEEK_SUMS == WEEK_SUMS_SCHEMA == dict(posts_by_week(empty, window).collect().schema)


def _second_exports(engine, synthetic) -> None:
    """A newer export (batch 1001) of the first 40 pages holding their posts again with doubled likes and views,
    one post moved out of the quarter's weeks, one post not seen before, one post inside the weeks that was
    outside before; and a reverted export (batch 1002) whose rows must count nowhere."""
    posts = synthetic.data.posts
    pages = posts["page_id"].unique().sort().head(40)
    again = posts.filter(pl.col("page_id").is_in(pages.implode())).sort("page_id", "post_id")
    first = again.row(0, named=True)
    moved = pl.col("post_id") == first["post_id"]
    again = again.with_columns(
        (pl.col("likes") * 2).alias("likes"), (pl.col("views") * 2).alias("views"),
        pl.when(moved & (pl.col("page_id") == first["page_id"]))
        .then(pl.lit(datetime(2026, 5, 1, 12, tzinfo=timezone.utc))).otherwise(pl.col("published_at"))
        .alias("published_at"))
    extra = again.head(1).with_columns(pl.lit("new-in-1001").alias("post_id"),
                                       pl.lit(datetime(2026, 2, 3, 20, 30, tzinfo=timezone.utc)).alias("published_at"))
    # Monday 12.01.2026 00:30 in Tomsk is still Sunday in UTC: its week is the local one
    monday = again.head(1).with_columns(pl.lit("early-monday").alias("post_id"),
                                        pl.lit(datetime(2026, 1, 11, 17, 30, tzinfo=timezone.utc)).alias("published_at"))
    newer = pl.concat([again, extra, monday], how="vertical_relaxed")
    reverted = posts.head(500).with_columns((pl.col("likes") + 1000).alias("likes"))
    stamp = datetime(2026, 4, 20, 9, tzinfo=timezone.utc)
    batches = pl.DataFrame({"id": [1001, 1002], "kind": ["activity"] * 2, "format": ["vk_wall"] * 2,
                            "filename": ["newer.json", "reverted.json"], "as_of": [date(2026, 4, 20)] * 2,
                            "sha256": ["1" * 64, "2" * 64], "size_bytes": [0, 0], "uploaded_by": ["test"] * 2,
                            "uploaded_at": [stamp] * 2, "status": ["active", "reverted"]})

    def rows(frame: pl.DataFrame, batch: int) -> pl.DataFrame:
        return frame.select("page_id", "post_id", pl.lit(batch).alias("batch_id"), "published_at",
                            pl.lit("photo").alias("content_type"), "is_repost", pl.lit(False).alias("is_pinned"),
                            "is_live", pl.lit(None, pl.String).alias("text"), "views", "likes", "comments",
                            "reposts", "reactions")
    with engine.begin() as conn:  # each batch's posts with their week sums, as an upload writes them
        write_frame(conn, "batches", batches)
        for frame, batch in ((newer, 1001), (reverted, 1002)):
            write_frame(conn, "posts", rows(frame, batch))
            write_week_sums(conn, rows(frame, batch), TZ.key)


def _same(a: pl.Series, b: pl.Series) -> bool:
    x, y = a.cast(pl.Float64).to_numpy(), b.cast(pl.Float64).to_numpy()
    return len(x) == len(y) and bool(np.all((np.isnan(x) & np.isnan(y)) | np.isclose(x, y, rtol=0, atol=1e-9)))


def _assert_same_rating(first, second) -> None:
    """Every page and owner column and every ranked table, value by value (numbers within 1e-9, as against the
    pandas references: Polars may sum a group's floats in another order from one run to the next)."""
    for frame, key in (("pages", "page_id"), ("owners", "owner_id")):
        a, b = getattr(first, frame).sort(key), getattr(second, frame).sort(key)
        assert a.columns == b.columns
        for column in a.columns:
            if a[column].dtype.is_numeric():
                assert _same(a[column], b[column]), f"{frame}.{column}"
            else:
                assert a[column].to_list() == b[column].to_list(), f"{frame}.{column}"
    for name in ("bodies", "institutions", "heads"):
        assert_frame_equal(first.tables[name].sort("owner_id"), second.tables[name].sort("owner_id"),
                           check_exact=False, rtol=0, atol=1e-9)


@pytest.mark.postgres
def test_postgresql_sums_give_the_same_rating_as_the_raw_posts(pg_url, sqlite_url):
    synthetic = generate("tomsk")
    m = methodology_for(synthetic.quarter.code)
    ratings, inputs = {}, {}
    for name, url in (("postgresql", pg_url), ("sqlite", sqlite_url)):
        engine = make_engine(url)
        fill(engine, synthetic)
        _second_exports(engine, synthetic)
        for summed in ((True, False) if name == "postgresql" else (False,)):
            data = scoring_input(engine, synthetic.quarter, TZ, summed=summed)
            inputs[name, summed] = data
            ratings[name, summed] = score_quarter(data, m, synthetic.quarter, TZ, TODAY)
        if name == "postgresql":  # the week by the zone's rules (AT TIME ZONE), as for a zone with daylight saving
            window = QuarterWindow(synthetic.quarter, TZ)
            inputs["by_zone"] = post_weeks.posts_by_week(engine, (window.load_from, window.load_to), TZ.key,
                                                         window.first_week, len(window.weeks))
        engine.dispose()
    summed = inputs["postgresql", True]
    assert summed.posts.is_empty() and summed.post_weeks.height > 10_000
    raw = inputs["postgresql", False]
    assert raw.post_weeks is None and raw.posts.height > 50_000
    # the database's rows are the engine's own first step on the raw posts, row by row
    window = QuarterWindow(synthetic.quarter, TZ)
    assert_frame_equal(summed.post_weeks.sort("page_id", "week_no"),
                       posts_by_week(raw.posts, window).collect().sort("page_id", "week_no"), check_exact=True)
    assert_frame_equal(inputs["by_zone"], summed.post_weeks, check_exact=True)
    # the second export counts (doubled likes) and the reverted one does not
    assert ratings["postgresql", True].per_week["engagement"].sum() > posts_by_week(
        synthetic.data.posts, window).collect()["engagement"].sum()
    for other in (("postgresql", False), ("sqlite", False)):
        _assert_same_rating(ratings["postgresql", True], ratings[other])
    # the sums follow the local week: Monday 00:30 in Tomsk (Sunday 17:30 UTC) is in the quarter's third week
    page = int(synthetic.data.posts["page_id"].unique().sort()[0])
    monday = summed.post_weeks.join(posts_by_week(raw.posts.filter(pl.col("post_id") != "early-monday"), window)
                                    .collect(), on=["page_id", "week_no"], how="left", suffix="_without")
    assert monday.filter(pl.col("posts").ne_missing(pl.col("posts_without"))).select("page_id", "week_no").rows() == [(page, 2)]
