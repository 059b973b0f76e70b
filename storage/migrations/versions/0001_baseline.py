"""Baseline: the schema as the product had it when migrations began (issue 18; git 39572c0, storage/schema.py
with the sizes of core/limits.py written out), frozen here — storage/schema.py moves on, this does not.

A database created before migrations existed has no alembic_version: `cli.py migrate` brings it to this baseline
(creates the tables it lacks and the nullable columns an older version did not have — what make_engine used to do
on every start) and stamps it, then upgrades it like any other. On an empty database this creates the baseline.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-30
"""
from alembic import op
from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
                        MetaData, SmallInteger, String, Table, Text, UniqueConstraint, inspect)

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

metadata = MetaData()

owners = Table(
    "owners", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(500), nullable=False),
    Column("name_key", String(500), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # core.domain.OWNER_KINDS
    Column("parent_id", Integer, ForeignKey("owners.id"), nullable=True),
    Column("ogrn", String(15)),
    Column("responsible", String(500)),
    Column("level", String(100)),  # «Уровень» of the Госпаблики export
    Column("spheres", String(500)),
    Column("exemption", Text),  # «Официальная страница не ведется на основании»
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

pages = Table(
    "pages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # NULL owner: a page seen in an activity export but not (yet) in the registry; kept so that its data is
    # not lost, listed on the upload screen, and adopted when the registry or the analyst links it
    Column("owner_id", Integer, ForeignKey("owners.id"), nullable=True),
    Column("platform", String(16), nullable=False),
    Column("page_key", String(200), nullable=False),  # normalised id (loaders.urls)
    Column("platform_id", String(40)),  # what exports carry: VK owner_id, OK group id, Telegram bare id
    Column("url", String(500), nullable=False),
    Column("title", String(500)),  # the name the platform shows (from exports)
    Column("registered_on", Date),
    Column("responsible", String(500)),
    # the day the page was closed (retired from the registry): it keeps its history and past ratings, and is not
    # required in a quarter that starts after it; NULL — the page is kept
    Column("closed_on", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "page_key", name="uq_pages_platform_key"),
    Index("ix_pages_platform_id", "platform", "platform_id"),
    Index("ix_pages_owner", "owner_id"),
)

batches = Table(
    "batches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # registry | activity
    Column("format", String(40), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),  # «сведения на»: local date of `observed_at` (registry: the date stated)
    # «сведения на» moment (UTC): when the file's counters were observed — stated by the analyst, else the file's
    # newest dated item. The current version of a row is the one observed latest (then the higher batch id).
    # NULL only in databases written before the column existed (then the end of `as_of` stands in).
    Column("observed_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False, default="active"),  # active | reverted
    Column("reverted_at", DateTime(timezone=True)),
    Column("reverted_by", String(100)),
    Column("period_from", DateTime(timezone=True)),
    Column("period_to", DateTime(timezone=True)),
    Column("report", JSON),
    Index("ix_batches_sha", "sha256"),
)

page_snapshots = Table(
    "page_snapshots", metadata,  # dated checklist snapshot of a page (registry, Госпаблики, groups.getById)
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("status_mark", Boolean),
    Column("gospubliki", Boolean),
    Column("comments_enabled", Boolean),
    Column("avatar", Boolean),
    Column("cover", Boolean),
    Column("description", Boolean),
    Column("contacts", Boolean),
    Column("moderation_rules", Boolean),
    Column("unified_style", Boolean),
    Column("pos_widgets", SmallInteger),
    Column("subscribers", BigInteger),
    Column("design_pct", Float),
    Column("activity_pct", Float),
    Column("weekly_reach", BigInteger),
    Column("avg_post_reach", BigInteger),
    UniqueConstraint("page_id", "batch_id", name="uq_snapshot_page_batch"),
    Index("ix_snapshots_page_date", "page_id", "as_of"),
)

posts = Table(
    "posts", metadata,
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("post_id", String(64), primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("content_type", String(16)),  # text | photo | video | live | poll | repost | link
    Column("is_repost", Boolean, nullable=False, default=False),
    Column("is_pinned", Boolean),
    Column("is_live", Boolean, nullable=False, default=False),
    Column("text", Text),
    Column("views", BigInteger),
    Column("likes", BigInteger),
    Column("comments", BigInteger),
    Column("reposts", BigInteger),
    Column("reactions", BigInteger),
    Index("ix_posts_batch", "batch_id"),
    Index("ix_posts_published", "published_at"),
)

comments = Table(
    "comments", metadata,
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("comment_id", String(64), primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("post_id", String(64), nullable=False),
    Column("parent_comment_id", String(64)),
    Column("author_id", String(64)),
    Column("author_is_page", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_comments_batch", "batch_id"),
)

live_streams = Table(
    "live_streams", metadata,
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("stream_id", String(64), primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("duration_s", Integer),
    Column("url", String(500)),
    Column("title", String(500)),
    Index("ix_streams_batch", "batch_id"),
)

batch_coverage = Table(
    "batch_coverage", metadata,  # which days of which pages a batch covers: "нет данных" vs "0 публикаций"
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("data_kind", String(10), primary_key=True),  # posts | comments
    Column("date_from", Date, nullable=False),  # local days, inclusive
    Column("date_to", Date, nullable=False),
)

page_links = Table(
    "page_links", metadata,  # other ids under which exports name a registry page (formats.md §10)
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(200), primary_key=True),  # what the export carries: VK owner_id, Telegram id
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=False),
    # NULL: linked by an analyst (remembered for good); else learned from that batch's file (e.g. the
    # screen name next to the id in an extended wall.get) and dropped with it when the batch is reverted
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

registry_changes = Table(
    "registry_changes", metadata,  # before-image of every owner/page row a registry batch inserted or updated
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("table_name", String(20), primary_key=True),  # owners | pages
    Column("row_id", Integer, primary_key=True),
    Column("before", JSON),  # the row as it was before the batch; NULL: the batch inserted it
    Index("ix_registry_changes_row", "table_name", "row_id"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(100), nullable=False),
    Column("action", String(40), nullable=False),  # upload | revert | edit | approve | login | methodology
    Column("object", String(200)),
    Column("details", JSON),
)

methodology_versions = Table(
    "methodology_versions", metadata,
    Column("id", String(100), primary_key=True),
    Column("title", String(500), nullable=False),
    Column("approved_on", Date, nullable=False),
    Column("effective_from", String(6), nullable=False),  # e.g. 2026Q1
    Column("content", Text, nullable=False),  # the TOML file as approved
    Column("sha256", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

rating_approvals = Table(
    "rating_approvals", metadata,
    Column("quarter", String(6), primary_key=True),
    Column("methodology_id", String(100), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", String(100), nullable=False),
    Column("batch_ids", JSON, nullable=False),
    Column("data_timestamp", DateTime(timezone=True)),
)

approved_rows = Table(
    "approved_rows", metadata,  # frozen result rows of an approved quarter, read back unchanged
    Column("quarter", String(6), ForeignKey("rating_approvals.quarter"), primary_key=True),
    Column("table_name", String(40), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("payload", JSON, nullable=False),
)

approval_withdrawals = Table(
    "approval_withdrawals", metadata,  # methodology.md §6: an admin withdraws an approval with a reason (kept)
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quarter", String(6), nullable=False),
    Column("methodology_id", String(100), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Column("approved_by", String(100), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_by", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", JSON, nullable=False),  # the frozen rows as they were approved, for the record
)

users = Table(
    "users", metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),  # viewer | analyst | admin
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def bring_to_baseline(bind) -> list[str]:
    """Create the baseline tables a database lacks and add the nullable columns its tables lack (a database
    written by an older version); what was added, for the report."""
    inspector = inspect(bind)
    present = set(inspector.get_table_names())
    added = [t.name for t in metadata.sorted_tables if t.name not in present]
    metadata.create_all(bind, tables=[t for t in metadata.sorted_tables if t.name not in present])
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in columns and column.nullable:
                kind = column.type.compile(dialect=bind.dialect)
                bind.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                added.append(f"{table.name}.{column.name}")
    return added


def upgrade() -> None:
    bring_to_baseline(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
