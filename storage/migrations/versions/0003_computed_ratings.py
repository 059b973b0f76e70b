"""Computed ratings (issue 21): computed_ratings keeps a quarter's computed rating for what determines it, so a
restart, a second app process and the CLI reuse it; batch_spans the moments each batch's rows fall in (which
quarters it changes). Both are caches: dropping them loses nothing but time.

Revision ID: 0003_computed_ratings
Revises: 0002_accounts
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_computed_ratings"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "computed_ratings" not in tables:
        op.create_table(
            "computed_ratings",
            sa.Column("quarter", sa.String(6), primary_key=True),
            sa.Column("inputs_key", sa.String(64), primary_key=True),
            sa.Column("methodology_id", sa.String(100), nullable=False),
            sa.Column("inputs", sa.JSON, nullable=False),
            sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("payload", sa.LargeBinary, nullable=False),
            sa.Column("frames", sa.LargeBinary, nullable=False))
    if "batch_spans" not in tables:
        op.create_table(
            "batch_spans",
            sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
            sa.Column("first_at", sa.DateTime(timezone=True)),
            sa.Column("last_at", sa.DateTime(timezone=True)),
            sa.Column("comments_first_at", sa.DateTime(timezone=True)),
            sa.Column("comments_last_at", sa.DateTime(timezone=True)),
            sa.Column("every_quarter", sa.Boolean, nullable=False))


def downgrade() -> None:
    op.drop_table("batch_spans")
    op.drop_table("computed_ratings")
