"""Accounts (issue 18): users.body / disabled_at / password_changed_at, the sessions table (logins that survive a
reload, revoked on the server) and login_attempts (lockout per user and per address).

Idempotent like the baseline: a database that got these from `create_all` before migrations existed keeps them.

Revision ID: 0002_accounts
Revises: 0001_baseline
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

USERNAME, OWNER_NAME, ADDRESS = 100, 500, 64  # core.limits at this revision


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    columns = {c["name"] for c in inspector.get_columns("users")}
    for name, kind in (("body", sa.String(OWNER_NAME)), ("disabled_at", sa.DateTime(timezone=True)),
                       ("password_changed_at", sa.DateTime(timezone=True))):
        if name not in columns:
            op.add_column("users", sa.Column(name, kind, nullable=True))
    if "sessions" not in tables:
        op.create_table(
            "sessions",
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("username", sa.String(USERNAME), nullable=False),
            sa.Column("method", sa.String(10), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True)),
            sa.Column("revoked_reason", sa.String(40)),
            sa.Column("address", sa.String(ADDRESS)))
        op.create_index("ix_sessions_user", "sessions", ["username"])
    if "login_attempts" not in tables:
        op.create_table(
            "login_attempts",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("username", sa.String(USERNAME), nullable=False),
            sa.Column("address", sa.String(ADDRESS)),
            sa.Column("success", sa.Boolean, nullable=False))
        op.create_index("ix_login_attempts_user", "login_attempts", ["username", "at"])
        op.create_index("ix_login_attempts_address", "login_attempts", ["address", "at"])


def downgrade() -> None:
    op.drop_table("login_attempts")
    op.drop_table("sessions")
    with op.batch_alter_table("users") as batch:
        for name in ("password_changed_at", "disabled_at", "body"):
            batch.drop_column(name)
