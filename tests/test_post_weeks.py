"""The posts summed per page and week by PostgreSQL (storage.post_weeks) give the same rating as the raw posts
summed by the engine (scoring.activity.posts_by_week): on a small synthetic scale written into real PostgreSQL,
with a second, newer export of some pages (versions of the same posts with other counters, one moved out of the
quarter's weeks, one new post) and a reverted one; and the same data read raw from SQLite. The sums are stored
with each batch (post_week_sums): they are the engine's first step, they follow a linked page, a zone they were
not taken in (with daylight saving) is aggregated from the posts, and the demo's quarters come out the same."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sqlalchemy import select, text

from benchmark.database import fill
from benchmark.synthetic import generate
from scoring.activity import WEEK_SUMS_SCHEMA, posts_by_week
from scoring.inputs import QuarterWindow
from scoring.methodology import methodology_for
from scoring.rating import score_quarter
from services.quarters import scoring_input
from storage import post_weeks
from storage import schema
from storage.activity_store import link_page
from storage.db import make_engine, read_frame, write_frame
from storage.post_weeks import unpack_weeks, week_sums, write_week_sums

TZ = ZoneInfo("Asia/Tomsk")
TODAY = date(2026, 6, 1)
DEMO_TODAY = date(2027, 1, 15)  # after the demo's last quarter: every week of each has ended


def test_the_database_sums_have_the_engines_schema():
    window = QuarterWindow(generate("tomsk").quarter, TZ)
    empty = generate("tomsk").data.posts.head(0)
    assert post_weeks.WEEK_SUMS == WEEK_SUMS_SCHEMA == dict(posts_by_week(empty, window).collect().schema)


def _weeks_of(stored: pl.DataFrame, window: QuarterWindow) -> pl.DataFrame:
    """Stored rows (per page and local Monday) as the engine's rows of the window's weeks."""
    week_no = ((pl.col("week_start") - pl.lit(window.first_week)).dt.total_days() // 7).cast(pl.Int32)
    return (stored.with_columns(week_no.alias("week_no")).filter(pl.col("week_no").is_between(0, len(window.weeks) - 1))
            .select(list(WEEK_SUMS_SCHEMA)).sort("page_id", "week_no"))


@pytest.mark.parametrize("zone", ["Asia/Tomsk", "Europe/Berlin"])
def test_the_stored_sums_are_the_engines_first_step(zone):
    """week_sums (what an upload stores) per local Monday is posts_by_week (the engine's first step) for every
    week of the quarter — in Tomsk and in a zone whose offset changes in the quarter (29.03.2026), with posts
    without views or counters and posts at the local midnight of a Monday."""
    synthetic = generate("tomsk")
    tz = ZoneInfo(zone)
    window = QuarterWindow(synthetic.quarter, tz)
    posts = synthetic.data.posts
    edges = posts.head(6).with_columns(
        pl.Series("post_id", [f"edge-{i}" for i in range(6)]),
        pl.Series("published_at", [datetime(2026, 3, 29, 23, 0), datetime(2026, 3, 30, 0, 0),
                                   datetime(2026, 3, 29, 23, 59, 59), datetime(2026, 1, 12, 0, 0),
                                   datetime(2026, 1, 11, 23, 59, 59, 999999), datetime(2026, 3, 29, 2, 30)])
        .dt.replace_time_zone(zone, non_existent="null", ambiguous="earliest").dt.convert_time_zone("UTC"),
        pl.Series("views", [None, 5, None, 7, None, 1], pl.Int64),
        pl.Series("comments", [None, None, 3, 0, None, 2], pl.Int64),
        pl.Series("likes", [None, 1, 2, None, 4, None], pl.Int64)).drop_nulls("published_at")
    posts = pl.concat([posts, edges])
    stored = week_sums(posts, zone)
    assert set(stored["zone"]) == {zone} and (stored["week_start"].dt.weekday() == 1).all()
    assert_frame_equal(_weeks_of(stored, window), posts_by_week(posts, window).collect().sort("page_id", "week_no"),
                       check_exact=True)


def _sums_of_stored_posts(engine) -> None:
    """Every stored row of post_week_sums is the week sums of the stored posts of its batch and page, and every
    batch's posts have theirs."""
    p, s = schema.posts, schema.post_week_sums
    dtypes = {"batch_id": pl.Int64, "page_id": pl.Int64, "published_at": pl.Datetime("us", "UTC"),
              "views": pl.Int64, "likes": pl.Int64, "comments": pl.Int64, "reposts": pl.Int64, "reactions": pl.Int64}
    stored_types = {c.name: (pl.Date if c.name == "week_start" else pl.String if c.name == "zone" else pl.Int64)
                    for c in s.columns}
    with engine.connect() as conn:
        posts = read_frame(conn, select(*[p.c[c] for c in dtypes]), dtypes)
        stored = read_frame(conn, select(*s.columns), stored_types)
    keys = ["batch_id", "page_id", "week_start"]
    assert posts.height > 0 and set(stored["zone"]) == {TZ.key}
    assert_frame_equal(stored.sort(keys), week_sums(posts, TZ.key).select(stored.columns).sort(keys),
                       check_exact=True)
    # the same rows packed per batch, zone and page (post_page_weeks, what a quarter is read from)
    w = schema.post_page_weeks
    packed = read_frame(engine, select(*w.columns), {"batch_id": pl.Int64, "zone": pl.String, "page_id": pl.Int64,
                                                     "first_week": pl.Date, "last_week": pl.Date, "weeks": pl.Binary})
    assert packed.height == stored.select("batch_id", "page_id").n_unique() and set(packed["zone"]) == {TZ.key}
    assert_frame_equal(unpack_weeks(packed).sort(keys), stored.drop("zone").sort(keys), check_exact=True)
    spans = stored.group_by("batch_id", "page_id").agg(pl.col("week_start").min().alias("first_week"),
                                                       pl.col("week_start").max().alias("last_week"))
    assert_frame_equal(packed.select(spans.columns).sort("batch_id", "page_id"),
                       spans.sort("batch_id", "page_id"), check_exact=True)


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
        _sums_of_stored_posts(engine)
        if name == "postgresql":
            window = QuarterWindow(synthetic.quarter, TZ)
            span, weeks = (window.load_from, window.load_to), (window.first_week, len(window.weeks))
            stats = {}  # the stored sums, the 40 pages of the newer export summed again from current versions
            post_weeks.posts_by_week(engine, span, TZ.key, *weeks, window.utc(window.first_week), stats)
            assert stats == {"stored": True, "recounted_pages": 40}
            # the stored sums read without the fixed offset (as for a zone with daylight saving)
            inputs["by_zone"] = post_weeks.posts_by_week(engine, span, TZ.key, *weeks)
            # a zone the sums were not stored in (Berlin: 29.03.2026 in the quarter) — aggregated from the posts
            berlin = ZoneInfo("Europe/Berlin")
            in_berlin = QuarterWindow(synthetic.quarter, berlin)
            stats = {}
            inputs["berlin"] = post_weeks.posts_by_week(engine, (in_berlin.load_from, in_berlin.load_to), berlin.key,
                                                        in_berlin.first_week, len(in_berlin.weeks), None, stats)
            assert stats == {"stored": False, "recounted_pages": 40}
            inputs["berlin_raw"] = scoring_input(engine, synthetic.quarter, berlin, summed=False).posts
            # a batch without its sums (written before they existed, not migrated): all aggregated from the posts
            with engine.begin() as conn:
                conn.execute(schema.post_week_sums.delete().where(schema.post_week_sums.c.batch_id == 1001))
                conn.execute(schema.post_page_weeks.delete().where(schema.post_page_weeks.c.batch_id == 1001))
            stats = {}
            inputs["aggregated"] = post_weeks.posts_by_week(engine, span, TZ.key, *weeks,
                                                            window.utc(window.first_week), stats)
            assert stats == {"stored": False, "recounted_pages": 40}
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
    assert_frame_equal(inputs["aggregated"], summed.post_weeks, check_exact=True)
    in_berlin = QuarterWindow(synthetic.quarter, ZoneInfo("Europe/Berlin"))
    assert_frame_equal(inputs["berlin"], posts_by_week(inputs["berlin_raw"], in_berlin).collect()
                       .sort("page_id", "week_no"), check_exact=True)
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


@pytest.mark.postgres
def test_a_linked_page_takes_its_sums_along(pg_url):
    """An unregistered page whose posts are in the same batch as a registry page's is linked to it
    (storage.activity_store.link_page): the sums of both are merged into the registry page's, in the same
    transaction, and the quarter read from them is the engine's first step on the posts as they now are."""
    synthetic = generate("tomsk")
    engine = make_engine(pg_url)
    fill(engine, synthetic)
    posts = synthetic.data.posts
    target = int(posts["page_id"].mode().sort()[0])
    batch = 1 + int(synthetic.data.snapshots["batch_id"].max())  # the fill's activity batch
    p = schema.pages
    with engine.begin() as conn:
        platform = conn.execute(select(p.c.platform).where(p.c.id == target)).scalar_one()
        source = conn.execute(p.insert().values(
            owner_id=None, platform=platform, page_key="unlinked-copy", url="https://example.org/unlinked",
            created_at=datetime(2026, 4, 2, tzinfo=timezone.utc), updated_at=datetime(2026, 4, 2, tzinfo=timezone.utc))
            .returning(p.c.id)).scalar_one()
        copy = posts.filter(pl.col("page_id") == target).with_columns(
            pl.lit(source, pl.Int64).alias("page_id"), ("copy-" + pl.col("post_id")).alias("post_id"),
            (pl.col("views") + 3).alias("views")).select(
            "page_id", "post_id", pl.lit(batch, pl.Int64).alias("batch_id"), "published_at",
            pl.lit("photo").alias("content_type"), "is_repost", pl.lit(False).alias("is_pinned"), "is_live",
            pl.lit(None, pl.String).alias("text"), "views", "likes", "comments", "reposts", "reactions")
        write_frame(conn, "posts", copy)
        write_week_sums(conn, copy, TZ.key)
    assert link_page(engine, source, target, "test") == {"page_id": target, "linked": source}
    _sums_of_stored_posts(engine)
    with engine.connect() as conn:
        for table in ("post_week_sums", "post_page_weeks"):
            assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE page_id = :p"), {"p": source}).scalar() == 0
    window = QuarterWindow(synthetic.quarter, TZ)
    stats = {}
    summed = post_weeks.posts_by_week(engine, (window.load_from, window.load_to), TZ.key, window.first_week,
                                      len(window.weeks), window.utc(window.first_week), stats)
    assert stats == {"stored": True, "recounted_pages": 0}
    raw = scoring_input(engine, synthetic.quarter, TZ, summed=False).posts
    engine.dispose()
    assert raw.filter(pl.col("page_id") == target).height == 2 * posts.filter(pl.col("page_id") == target).height
    expected = posts_by_week(raw, window).collect().sort("page_id", "week_no")
    assert_frame_equal(summed, expected, check_exact=True)
    assert summed.filter(pl.col("page_id") == target)["posts"].sum() == raw.filter(pl.col("page_id") == target).height


@pytest.mark.postgres
def test_the_demo_quarters_from_stored_sums(pg_url, demo_dir):
    """The demo loaded into PostgreSQL through the upload path (each file a batch, in a savepoint of a shared
    transaction): the stored sums are those of the stored posts, and every quarter of the demo rated from them is
    the rating from the posts, column by column."""
    from demo.build import load_demo
    from services.quarters import data_quarters
    engine = make_engine(pg_url)
    load_demo(engine, demo_dir)
    _sums_of_stored_posts(engine)
    quarters = data_quarters(engine, TZ)
    assert len(quarters) >= 3
    for quarter in quarters:
        m = methodology_for(quarter.code)
        summed, raw = (scoring_input(engine, quarter, TZ, summed=s) for s in (True, False))
        window = QuarterWindow(quarter, TZ)
        stats = {}
        post_weeks.posts_by_week(engine, (window.load_from, window.load_to), TZ.key, window.first_week,
                                 len(window.weeks), None, stats)
        assert stats["stored"]
        assert_frame_equal(summed.post_weeks.sort("page_id", "week_no"),
                           posts_by_week(raw.posts, window).collect().sort("page_id", "week_no"), check_exact=True)
        _assert_same_rating(score_quarter(summed, m, quarter, TZ, DEMO_TODAY),
                            score_quarter(raw, m, quarter, TZ, DEMO_TODAY))
    engine.dispose()


def test_the_demo_upload_stores_the_sums_in_sqlite(demo_db_url):
    engine = make_engine(demo_db_url)
    _sums_of_stored_posts(engine)
    engine.dispose()
