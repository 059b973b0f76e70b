"""The synthetic data of a scale written into a database the way the product stores it (registry, two dated
registry snapshots, one activity batch with its coverage and the page × week sums of its posts), for the database read figures and the screens of
`cli.py bench`, with the bulk writer uploads use (storage.db.write_frame)."""
from __future__ import annotations

from datetime import datetime, timezone

import polars as pl
from sqlalchemy import Engine, text

from benchmark.synthetic import Synthetic
from core.config import region_tz_name
from storage import schema
from storage.db import write_frame
from storage.post_weeks import write_week_sums

STAMP = datetime(2026, 4, 2, 9, 0, tzinfo=timezone.utc)  # when the synthetic batches were "uploaded"


def _tables(synthetic: Synthetic, activity_filename: str) -> dict[str, pl.DataFrame]:
    data = synthetic.data
    owners = data.owners.select(
        pl.col("owner_id").alias("id"), pl.col("owner_name").alias("name"),
        pl.col("owner_name").str.to_lowercase().alias("name_key"), "kind", "parent_id", "ogrn", "responsible",
        pl.lit(None, pl.String).alias("level"), pl.lit(None, pl.String).alias("spheres"), "exemption",
        pl.lit(STAMP).alias("created_at"), pl.lit(STAMP).alias("updated_at"))
    pages = data.pages.select(
        pl.col("page_id").alias("id"), "owner_id", "platform", "page_key", "platform_id", "url", "title",
        "registered_on", pl.col("page_responsible").alias("responsible"),
        pl.lit(STAMP).alias("created_at"), pl.lit(STAMP).alias("updated_at"))
    activity_batch = int(data.snapshots["batch_id"].max()) + 1
    registry = data.snapshots.group_by("batch_id").agg(pl.col("as_of").max()).sort("batch_id")
    batches = pl.concat([
        registry.select(pl.col("batch_id").alias("id"), pl.lit("registry").alias("kind"),
                        pl.lit("registry_xlsx").alias("format"),
                        pl.format("реестр {}.xlsx", pl.col("batch_id")).alias("filename"), "as_of"),
        pl.DataFrame({"id": [activity_batch], "kind": ["activity"], "format": ["vk_wall"],
                      "filename": [activity_filename], "as_of": [synthetic.quarter.next().first_day]}),
    ], how="vertical_relaxed").with_columns(
        pl.lit("0" * 64).alias("sha256"), pl.lit(0, pl.Int64).alias("size_bytes"),
        pl.lit("bench").alias("uploaded_by"), pl.lit(STAMP).alias("uploaded_at"), pl.lit("active").alias("status"))
    snapshot_columns = [c.name for c in schema.page_snapshots.columns if c.name != "id"]
    snapshots = data.snapshots.select([c for c in snapshot_columns if c in data.snapshots.columns])
    batch = pl.lit(activity_batch).alias("batch_id")
    posts = data.posts.select("page_id", "post_id", batch, "published_at",
                              pl.lit("photo").alias("content_type"), "is_repost", pl.lit(False).alias("is_pinned"),
                              "is_live", pl.lit(None, pl.String).alias("text"), "views", "likes", "comments",
                              "reposts", "reactions")
    comments = data.comments.select("page_id", "comment_id", batch, "post_id", "parent_comment_id",
                                    pl.lit(None, pl.String).alias("author_id"), "author_is_page", "created_at")
    streams = data.streams.select("page_id", "stream_id", batch, "started_at", "duration_s", "url", "title")
    coverage = data.coverage.select(batch, "page_id", "data_kind", "date_from", "date_to")
    return {"owners": owners, "pages": pages, "batches": batches, "page_snapshots": snapshots, "posts": posts,
            "comments": comments, "live_streams": streams, "batch_coverage": coverage}


def fill(engine: Engine, synthetic: Synthetic, activity_filename: str = "synthetic.json") -> None:
    """Write the synthetic data into an empty database (schema already created); the activity batch is named
    `activity_filename` (how the bench recognises what a database holds)."""
    with engine.begin() as conn:
        for name, frame in _tables(synthetic, activity_filename).items():
            write_frame(conn, name, frame)
            if name == "posts":  # with their page × week sums, as an upload writes them (storage.post_weeks)
                write_week_sums(conn, frame, region_tz_name())
        if engine.dialect.name == "postgresql":  # the serial sequences continue after the ids written here
            for name in ("owners", "pages", "batches", "page_snapshots"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def reset(engine: Engine) -> None:
    """Empty every table (the bench database is rebuilt when the synthetic data change)."""
    schema.metadata.drop_all(engine)
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("PRAGMA optimize"))
