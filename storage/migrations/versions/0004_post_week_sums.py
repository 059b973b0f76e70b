"""Week sums stored at upload (issue 21, national quarter from PostgreSQL): post_week_sums holds each batch's posts
summed per page and local week (storage.post_weeks.week_sums), written with the batch's posts, so a quarter is read
as ≈ 2 M ready rows instead of aggregating 13 M posts. The batches already stored get theirs here, in the region's
zone (core.config.region_tz).

Revision ID: 0004_post_week_sums
Revises: 0003_computed_ratings
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from core.config import region_tz_name
from storage.post_weeks import backfill_week_sums

revision = "0004_post_week_sums"
down_revision = "0003_computed_ratings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "post_week_sums" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "post_week_sums",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("zone", sa.String(64), primary_key=True),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id"), primary_key=True),
        sa.Column("week_start", sa.Date, primary_key=True),
        *[sa.Column(name, sa.BigInteger, nullable=False) for name in (
            "posts", "posts_with_views", "views", "engagement", "posts_with_comment_counter", "comment_counter")])
    op.create_index("ix_post_week_sums_week", "post_week_sums", ["zone", "week_start"])
    backfill_week_sums(op.get_bind(), region_tz_name())


def downgrade() -> None:
    op.drop_index("ix_post_week_sums_week", table_name="post_week_sums")
    op.drop_table("post_week_sums")
