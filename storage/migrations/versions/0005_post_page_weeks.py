"""Week sums packed per page (issue 21, national quarter from PostgreSQL < 4 s): post_page_weeks holds each batch's
post_week_sums rows of a page as one row of bytes (storage.post_weeks.pack_weeks), which a quarter is read from —
a national quarter is ≈ 175,000 such rows instead of ≈ 2.1 M rows of nine values. The stored sums get theirs here.

Revision ID: 0005_post_page_weeks
Revises: 0004_post_week_sums
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from storage.post_weeks import backfill_packed

revision = "0005_post_page_weeks"
down_revision = "0004_post_week_sums"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "post_page_weeks" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "post_page_weeks",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("zone", sa.String(64), primary_key=True),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id"), primary_key=True),
        sa.Column("first_week", sa.Date, nullable=False),
        sa.Column("last_week", sa.Date, nullable=False),
        sa.Column("weeks", sa.LargeBinary, nullable=False))
    backfill_packed(op.get_bind())


def downgrade() -> None:
    op.drop_table("post_page_weeks")
