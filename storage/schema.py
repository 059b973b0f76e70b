"""The one schema module. Works the same on SQLite (embedded default) and PostgreSQL (shared deployment).

Activity rows (posts, comments, live streams) are stored as *versions*: each batch writes the rows it
brings, keyed by (page, id, batch). The current state of a post is its version from the active batch observed
latest (`batches.observed_at`, then the higher batch id), so reverting a batch restores exactly what it
replaced and an older export uploaded later changes nothing. A registry batch updates owners and pages in place
and keeps their before-images (`registry_changes`), so reverting it restores them.

Every change of this module comes with a migration (storage/migrations/versions/, written with `alembic revision
--autogenerate -m "…"` and read before it is committed): existing deployments get it from `cli.py migrate` (also
run by `init-db`, `make run` and every new engine), and tests/test_migrations.py runs `alembic check`, which fails a
model change without one.
"""
from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
                        LargeBinary, MetaData, SmallInteger, String, Table, Text, UniqueConstraint)

from core import limits

metadata = MetaData()

owners = Table(
    "owners", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(limits.OWNER_NAME), nullable=False),
    Column("name_key", String(limits.OWNER_NAME), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),  # core.domain.OWNER_KINDS
    Column("parent_id", Integer, ForeignKey("owners.id"), nullable=True),
    Column("ogrn", String(limits.OGRN)),
    Column("responsible", String(limits.RESPONSIBLE)),
    Column("level", String(limits.LEVEL)),  # «Уровень» of the Госпаблики export
    Column("spheres", String(limits.SPHERES)),
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
    Column("page_key", String(limits.PAGE_KEY), nullable=False),  # normalised id (loaders.urls)
    Column("platform_id", String(limits.PLATFORM_ID)),  # what exports carry: VK owner_id, OK group id, Telegram bare id
    Column("url", String(limits.URL), nullable=False),
    Column("title", String(limits.TITLE)),  # the name the platform shows (from exports)
    Column("registered_on", Date),
    Column("responsible", String(limits.RESPONSIBLE)),
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
    Column("filename", String(limits.FILENAME), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("uploaded_by", String(limits.USERNAME), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),  # «сведения на дату»: local date of `observed_at` (registry: the date stated)
    # «сведения на» moment (UTC): when the file's counters were observed — stated by the analyst, else the file's
    # newest dated item. The current version of a row is the one observed latest (then the higher batch id).
    # NULL only in databases written before the column existed (then the end of `as_of` stands in).
    Column("observed_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False, default="active"),  # active | reverted
    Column("reverted_at", DateTime(timezone=True)),
    Column("reverted_by", String(limits.USERNAME)),
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
    Column("post_id", String(limits.ITEM_ID), primary_key=True),
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

post_week_sums = Table(
    # the posts of a batch summed per page and local week (storage.post_weeks.week_sums: the scoring engine's first
    # step), written with the batch's posts in the same transaction; a national quarter is read as these ≈ 2 M rows
    # instead of aggregating 13 M posts. `zone`: the IANA zone the weeks were taken in (core.config.region_tz)
    "post_week_sums", metadata,
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("zone", String(64), primary_key=True),
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("week_start", Date, primary_key=True),  # the local Monday
    Column("posts", BigInteger, nullable=False),
    Column("posts_with_views", BigInteger, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("engagement", BigInteger, nullable=False),
    Column("posts_with_comment_counter", BigInteger, nullable=False),
    Column("comment_counter", BigInteger, nullable=False),
    Index("ix_post_week_sums_week", "zone", "week_start"),
)

post_page_weeks = Table(
    # the same sums packed one row per batch, zone and page (storage.post_weeks.pack_weeks: per week with posts, its
    # Monday as days since 1970-01-01 and the six sums, seven little-endian int64): what a quarter is read from —
    # ≈ 175,000 rows of bytes for a national quarter instead of 2.1 M rows of nine values, which cost the server
    # more to send than everything else the quarter reads. `first_week`, `last_week`: the Mondays it spans
    "post_page_weeks", metadata,
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("zone", String(64), primary_key=True),
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("first_week", Date, nullable=False),
    Column("last_week", Date, nullable=False),
    Column("weeks", LargeBinary, nullable=False),
)

comments = Table(
    "comments", metadata,
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("comment_id", String(limits.ITEM_ID), primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("post_id", String(limits.ITEM_ID), nullable=False),
    Column("parent_comment_id", String(limits.ITEM_ID)),
    Column("author_id", String(limits.ITEM_ID)),
    Column("author_is_page", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_comments_batch", "batch_id"),
)

live_streams = Table(
    "live_streams", metadata,
    Column("page_id", Integer, ForeignKey("pages.id"), primary_key=True),
    Column("stream_id", String(limits.ITEM_ID), primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("duration_s", Integer),
    Column("url", String(limits.URL)),
    Column("title", String(limits.TITLE)),
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
    Column("external_id", String(limits.PAGE_KEY), primary_key=True),  # what the export carries: VK owner_id, Telegram id
    Column("page_id", Integer, ForeignKey("pages.id"), nullable=False),
    # NULL: linked by an analyst (remembered for good); else learned from that batch's file (e.g. the
    # screen name next to the id in an extended wall.get) and dropped with it when the batch is reverted
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=True),
    Column("created_by", String(limits.USERNAME), nullable=False),
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
    Column("user", String(limits.USERNAME), nullable=False),
    Column("action", String(40), nullable=False),  # upload | revert | edit | approve | login | methodology
    Column("object", String(limits.AUDIT_OBJECT)),
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
    Column("approved_by", String(limits.USERNAME), nullable=False),
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
    Column("approved_by", String(limits.USERNAME), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_by", String(limits.USERNAME), nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", JSON, nullable=False),  # the frozen rows as they were approved, for the record
)

computed_ratings = Table(
    "computed_ratings", metadata,  # a quarter's computed rating (without Δ), stored once for what determines it
    Column("quarter", String(6), primary_key=True),
    # sha256 of what determines the result (services.quarters.rating_key): the quarter's batches (storage
    # .rating_store.quarter_batches), the last registry edit, the methodology version, the scoring code and, for a
    # quarter not yet over, the day; `inputs` holds them readable
    Column("inputs_key", String(64), primary_key=True),
    Column("methodology_id", String(100), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Column("payload", LargeBinary, nullable=False),  # the payload (scoring.payload), JSON compressed
    Column("frames", LargeBinary, nullable=False),  # the computation's frames (Arrow IPC), for the screens
)

batch_spans = Table(
    "batch_spans", metadata,  # which moments a batch's rows fall in: the quarters it changes (filled on first use)
    Column("batch_id", Integer, ForeignKey("batches.id"), primary_key=True),
    Column("first_at", DateTime(timezone=True)),  # earliest post, stream or covered day (UTC); NULL: none
    Column("last_at", DateTime(timezone=True)),
    Column("comments_first_at", DateTime(timezone=True)),  # comments apart: replies are read after a quarter
    Column("comments_last_at", DateTime(timezone=True)),
    Column("every_quarter", Boolean, nullable=False),  # a registry batch or one with page snapshots: all quarters
)

users = Table(
    "users", metadata,
    Column("username", String(limits.USERNAME), primary_key=True),
    Column("password_hash", String(300), nullable=False),  # argon2id (older: pbkdf2_sha256, rehashed at login)
    Column("role", String(20), nullable=False),  # body | viewer | analyst | admin (storage.users.ROLES)
    Column("created_at", DateTime(timezone=True), nullable=False),
    # role «body»: the executive body (its registry name) whose data alone the user sees (services.scope)
    Column("body", String(limits.OWNER_NAME)),
    Column("disabled_at", DateTime(timezone=True)),  # set: no login, every session ends at its next request
    Column("password_changed_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions", metadata,  # logins that survive a reload (storage.sessions): revoked server-side
    Column("id", String(64), primary_key=True),  # sha256 of the token's secret part, never the token itself
    Column("username", String(limits.USERNAME), nullable=False),
    Column("method", String(10), nullable=False),  # password | oidc
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),  # idle timeout
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", String(40)),  # logout | idle | password | disabled | expired
    Column("address", String(limits.ADDRESS)),
    Index("ix_sessions_user", "username"),
)

login_attempts = Table(
    "login_attempts", metadata,  # failed and successful password logins: lockout per user and per address
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(limits.USERNAME), nullable=False),
    Column("address", String(limits.ADDRESS)),
    Column("success", Boolean, nullable=False),
    Index("ix_login_attempts_user", "username", "at"),
    Index("ix_login_attempts_address", "address", "at"),
)
