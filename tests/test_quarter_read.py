"""A quarter's reading takes the same rows as the plain queries (storage.rating_store.read_quarter, issue 21 part
4): rows of the active batches by the snapshot's list of their ids instead of a join with `batches`; on PostgreSQL
page, batch and a comment's «от имени страницы» packed in one number and the checklist's yes/no items in another
(the driver's cost is per value); the snapshots unordered (scoring sorts them). Checked on SQLite and PostgreSQL
against the rows read one by one through SQLAlchemy, with a comment in two active batches, a reverted batch and
checklist items yes, no and unknown."""
from datetime import date, datetime, timezone

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import select

from benchmark.database import fill
from benchmark.synthetic import generate
from storage import schema
from storage.activity_store import IDS, TABLES, _unpacked_ids, batch_order, current_versions
from storage.db import make_engine, read_snapshot, write_frame
from storage.queries import FLAGS, SNAPSHOT_SCHEMA, coverage_frame, snapshots_frame, unpacked_flags

STAMP = datetime(2026, 4, 20, 9, tzinfo=timezone.utc)


def _more_batches(engine, synthetic) -> None:
    """A newer export of some comments (moved moments, the page's own flag flipped, one new), a reverted one, and
    a registry batch whose snapshots hold yes, no and unknown in every item."""
    comments = synthetic.data.comments.sort("page_id", "comment_id").head(300)
    newer = comments.with_columns(pl.col("created_at") + pl.duration(hours=1), ~pl.col("author_is_page"))
    newer = pl.concat([newer, newer.head(1).with_columns(pl.lit("new-in-2001").alias("comment_id"))])
    batches = pl.DataFrame({"id": [2001, 2002, 2003], "kind": ["activity", "activity", "registry"],
                            "format": ["vk_comments", "vk_comments", "registry_xlsx"],
                            "filename": ["newer.json", "reverted.json", "реестр.xlsx"],
                            "as_of": [date(2026, 4, 20)] * 3, "sha256": ["1" * 64, "2" * 64, "3" * 64],
                            "size_bytes": [0] * 3, "uploaded_by": ["test"] * 3, "uploaded_at": [STAMP] * 3,
                            "status": ["active", "reverted", "active"]})

    def rows(frame: pl.DataFrame, batch: int) -> pl.DataFrame:
        return frame.select("page_id", "comment_id", pl.lit(batch).alias("batch_id"), "post_id", "parent_comment_id",
                            pl.lit(None, pl.String).alias("author_id"), "author_is_page", "created_at")
    pages = synthetic.data.pages["page_id"].sort().head(9).to_list()
    states = [True, False, None]
    flags = {name: [states[(i + k) % 3] for i in range(len(pages))]
             for k, name in enumerate(n for n, t in SNAPSHOT_SCHEMA.items() if t == pl.Boolean)}
    snapshots = pl.DataFrame({"page_id": pages, "batch_id": [2003] * len(pages), "as_of": [date(2026, 4, 20)] * 9,
                              **flags, "pos_widgets": [0, 1, 2, None, 0, 1, 2, None, 0],
                              "subscribers": [None, 5, 6, 7, 8, 9, 10, 11, 12]},
                             schema_overrides={"pos_widgets": pl.Int16})
    with engine.begin() as conn:
        write_frame(conn, "batches", batches)
        write_frame(conn, "comments", rows(newer, 2001))
        write_frame(conn, "comments", rows(comments.head(50), 2002))
        write_frame(conn, "page_snapshots", snapshots)


@pytest.fixture
def filled(db_url):
    engine = make_engine(db_url)
    synthetic = generate("tomsk")
    fill(engine, synthetic)
    _more_batches(engine, synthetic)
    yield engine
    engine.dispose()


def _plain_current(engine, name: str) -> pl.DataFrame:
    """The current versions read row by row through SQLAlchemy: the rows of active batches (a join), the version
    of the batch observed latest."""
    table, key, values = TABLES[name]
    b = schema.batches
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.page_id, table.c[key], table.c.batch_id, *[table.c[v] for v in values])
                            .join(b, b.c.id == table.c.batch_id).where(b.c.status == "active")).all()
    frame = pl.DataFrame([tuple(r) for r in rows], orient="row",
                         schema=["page_id", key, "batch_id", *values], infer_schema_length=None)
    frame = frame.with_columns(  # moments UTC-aware (SQLite gives them naive)
        (pl.col(c).dt.replace_time_zone("UTC") if t.time_zone is None else pl.col(c).dt.convert_time_zone("UTC"))
        for c, t in frame.schema.items() if isinstance(t, pl.Datetime))
    order = batch_order(engine).select("batch_id", "batch_rank")
    return (frame.join(order, on="batch_id").sort("batch_rank", descending=True)
            .unique(["page_id", key], keep="first").drop("batch_rank"))


def test_the_quarter_reading_takes_the_same_rows_as_the_plain_queries(filled):
    with read_snapshot(filled) as snapshot:
        b = schema.batches
        active = tuple(snapshot.execute(select(b.c.id).where(b.c.status == "active")).scalars())
        read = {name: current_versions(snapshot, name, active=active) for name in TABLES}
        snapshots = snapshots_frame(snapshot, ordered=False, active=active)
        coverage = coverage_frame(snapshot, active)
    assert 2001 in active and 2002 not in active
    for name, frame in read.items():
        key = TABLES[name][1]
        plain = _plain_current(filled, name)
        assert frame.height == plain.height > 0
        assert_frame_equal(frame.sort("page_id", key), plain.select(frame.columns).sort("page_id", key),
                           check_dtypes=False, check_exact=True)
    comments = read["comments"]
    assert set(comments.filter(pl.col("batch_id") == 2001)["comment_id"]) >= {"new-in-2001"}
    # what an upload reads (its transaction's connection) is the same too
    with filled.connect() as conn:
        assert_frame_equal(current_versions(conn, "comments").sort("page_id", "comment_id"),
                           comments.sort("page_id", "comment_id"), check_exact=True)
    every = coverage.columns
    assert coverage.height > 0
    assert_frame_equal(coverage.sort(every), coverage_frame(filled).sort(every), check_exact=True)
    ordered = snapshots_frame(filled)
    assert snapshots.schema == ordered.schema == pl.Schema(SNAPSHOT_SCHEMA)
    assert_frame_equal(snapshots.sort("page_id", "as_of", "batch_id"), ordered, check_exact=True)
    s = schema.page_snapshots
    with filled.connect() as conn:
        rows = conn.execute(select(*[s.c[c] for c in SNAPSHOT_SCHEMA]).join(b, b.c.id == s.c.batch_id)
                            .where(b.c.status == "active").order_by(s.c.page_id, s.c.as_of, s.c.batch_id)).all()
    assert_frame_equal(ordered, pl.DataFrame([tuple(r) for r in rows], schema=SNAPSHOT_SCHEMA, orient="row"),
                       check_exact=True)
    items = ordered.filter(pl.col("batch_id") == 2003)
    assert all(set(items[n].to_list()) == {True, False, None} for n, t in SNAPSHOT_SCHEMA.items() if t == pl.Boolean)


def test_packed_numbers_come_back_whole():
    """The ids' number holds any int4 page id, a batch id up to 2³¹ − 1 and the flag; two bits per yes/no item."""
    pages, batches, flags = [-2**31, -1, 0, 1, 2**31 - 1], [0, 1, 7, 2**30, 2**31 - 1], [True, False, True, False, True]
    packed = pl.DataFrame({IDS: [p * 2**32 + b * 2 + f for p, b, f in zip(pages, batches, flags)]})
    assert _unpacked_ids(packed, "author_is_page").to_dict(as_series=False) == {
        "page_id": pages, "batch_id": batches, "author_is_page": flags}
    assert _unpacked_ids(packed.with_columns(pl.col(IDS) - pl.Series(flags).cast(pl.Int64)), None).columns == [
        "page_id", "batch_id"]
    names = [f"f{i}" for i in range(15)]
    values = [[True, False, None][(i + row) % 3] for row in range(3) for i in range(15)]
    codes = [sum({True: 2, False: 1, None: 0}[values[row * 15 + i]] << (2 * i) for i in range(15)) for row in range(3)]
    back = unpacked_flags(pl.DataFrame({FLAGS: codes}, schema={FLAGS: pl.Int32}), names)
    assert [v for row in back.rows() for v in row] == values
