"""Engine from one URL; the schema is created on first use. Also the shape of every transaction under
concurrency: a write takes its locks first (`writing`), a reading of many tables sees one moment of the database
(`read_snapshot`), and a write that collided with another is retried (`retrying`)."""
from __future__ import annotations

import functools
import hashlib
import io
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from typing import TypeVar

import polars as pl
from sqlalchemy import (BigInteger, Connection, Engine, Integer, Select, Table, cast, create_engine, event, func,
                        select, text)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.config import DATA_DIR, database_url
from storage import schema


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_engine(url: str | None = None, migrate: bool = True) -> Engine:
    """An engine on the URL; with `migrate`, the database is brought to the schema's head revision first (an empty
    one created, an older one upgraded: storage/migrate.py)."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            DATA_DIR.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if migrate:
        from storage.migrate import ensure_schema
        ensure_schema(engine)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (the app and the CLI share it)."""
    return _engine_for(url or database_url())


@functools.lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.owners)).scalar_one() == 0


# audit lines that change no data a screen shows: a login of one user must not empty everybody's caches
NOT_DATA_ACTIONS = ("login", "logout", "session_end", "user", "user_role", "user_password", "user_disable",
                    "user_enable", "edit_refused", "report_send", "report_send_failed")


def data_version(engine: Engine) -> tuple:
    """Changes with every batch, revert, registry edit and approval: the app's cache key. The last audit line
    that is about data is found from the newest backwards (the primary key's order), so logins cost nothing."""
    a = schema.audit_log.c
    with engine.connect() as conn:
        last_batch = conn.execute(select(func.max(schema.batches.c.id), func.count(schema.batches.c.reverted_at))).one()
        last_audit = conn.execute(select(a.id).where(a.action.not_in(NOT_DATA_ACTIONS)).order_by(a.id.desc())
                                  .limit(1)).scalar()
    return (engine.url.render_as_string(hide_password=True), *last_batch, last_audit)


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory lock key (signed 64-bit) for a name such as `upload:<sha256>`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def writing(engine: Engine, *locks: str) -> Iterator[Connection]:
    """One write transaction that takes its locks before anything else. PostgreSQL: transaction-level advisory
    locks on the names given (in one order, so two writers never wait for each other crosswise) — what must not
    run twice at once (the same content uploaded twice, two approvals of a quarter) runs one after the other, and
    the second sees what the first committed. SQLite: BEGIN IMMEDIATE — the one writer's lock is taken at the
    start, so a second writer waits for the first instead of failing when it tries to write."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        lock(conn, *locks)
        yield conn


def lock(conn: Connection, *names: str) -> None:
    """Take the named locks inside the connection's write transaction (PostgreSQL's advisory locks, held to its
    end; SQLite's one writer lock is the transaction's own, taken by `writing`)."""
    if conn.dialect.name == "postgresql":
        for key in sorted({advisory_key(name) for name in names}):
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


class Contention(ValueError):
    """A write kept colliding with concurrent writes after its retries; the message is Russian."""

    def __init__(self, message: str = "база данных занята одновременными изменениями других пользователей; "
                                      "ничего не записано — повторите действие через минуту"):
        super().__init__(message)


T = TypeVar("T")
# PostgreSQL: serialization failure, deadlock, unique violation (a concurrent insert of the same key), lock timeout
_TRANSIENT_STATES = {"40001", "40P01", "23505", "55P03"}


def _transient(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None)
    if state is not None:
        return state in _TRANSIENT_STATES
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


def retrying(operation: Callable[[], T], attempts: int = 5) -> T:
    """Run a whole write transaction again when it collided with a concurrent one (it rolled back, so running it
    again is safe); Contention when it still collides after `attempts`."""
    for attempt in range(attempts):
        try:
            return operation()
        except DBAPIError as error:
            if not _transient(error):
                raise
            if attempt == attempts - 1:
                raise Contention() from error
            time.sleep(0.05 * 2 ** attempt * (1 + random.random()))
    raise AssertionError("unreachable")


def insert_or_nothing(conn: Connection, table: Table, values: dict, keys: tuple[str, ...]):
    """INSERT … ON CONFLICT (keys) DO NOTHING: a row a concurrent transaction inserted first is left as it is (the
    caller reads it back) instead of failing the whole transaction. Returns the inserted row's primary key, or
    None when the row was there."""
    statement = (postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    primary = list(table.primary_key.columns)
    row = conn.execute(statement.returning(*primary)).first()
    return None if row is None else (row[0] if len(primary) == 1 else tuple(row))


class ReadSnapshot:
    """One moment of the database for a reading of many tables (a quarter: posts, streams, comments, owners, pages,
    snapshots, coverage and the batch list), so that no upload committed in between is half seen. It reads like an
    Engine: `connect()` gives its one connection, in a transaction at REPEATABLE READ on PostgreSQL (a read
    transaction on SQLite, whose WAL keeps its moment). On PostgreSQL the columnar reads (ADBC, `read_frame`) run on
    their own connection that imports the same snapshot (`pg_export_snapshot`)."""

    def __init__(self, engine: Engine, conn: Connection, snapshot_id: str | None):
        self.engine, self.conn, self.snapshot_id = engine, conn, snapshot_id
        self.dialect = engine.dialect
        self._adbc = None

    def connect(self):
        return nullcontext(self.conn)

    def execute(self, *args, **kwargs):
        return self.conn.execute(*args, **kwargs)

    def adbc(self):
        """The columnar connection, in a REPEATABLE READ transaction on this snapshot (opened on first use)."""
        if self._adbc is None:
            import adbc_driver_postgresql.dbapi as adbc
            uri = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._adbc = adbc.connect(uri)  # not autocommit: the first statement opens the transaction
            with self._adbc.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{self.snapshot_id}'")
        return self._adbc

    def close(self) -> None:
        if self._adbc is not None:
            self._adbc.rollback()
            self._adbc.close()
            self._adbc = None


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[ReadSnapshot]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        else:
            conn.begin()
            conn.exec_driver_sql("BEGIN")  # pysqlite opens no transaction for reads by itself
            snapshot_id = None
        snapshot = ReadSnapshot(engine, conn, snapshot_id)
        try:
            yield snapshot
        finally:
            snapshot.close()
            conn.rollback()


def read_frame(source: Connection | Engine | ReadSnapshot, query: Select, schema: dict[str, pl.DataType]
               ) -> pl.DataFrame:
    """A query's rows as a Polars frame without a Python object per value. `schema` names the query's columns
    in order; moments come back UTC-aware. On PostgreSQL query parameters are rendered as literals: only
    numbers, dates and fixed words go into these queries, never user text.

    An Engine (committed data, e.g. a quarter for scoring) on PostgreSQL is read by the ADBC driver: libpq's
    binary COPY straight into Arrow, the columnar path that keeps 13 million posts in seconds. A Connection is
    read inside its transaction (an upload comparing with what is stored): PostgreSQL by `COPY (query) TO
    STDOUT` as CSV parsed by Polars, SQLite from the driver's tuples (of the query with its parameters bound)
    with text moments parsed by Polars."""
    if isinstance(source, ReadSnapshot):
        if source.dialect.name == "postgresql":
            return _read_adbc(source.engine, query, schema, source.adbc())
        return read_frame(source.conn, query, schema)
    if isinstance(source, Engine):
        if source.dialect.name == "postgresql":
            return _read_adbc(source, query, schema)
        with source.connect() as conn:
            return read_frame(conn, query, schema)
    conn = source
    inner = query.subquery("q")
    names = list(schema)
    if conn.dialect.name == "postgresql":
        columns, csv_schema = [], {}
        for name, dtype in schema.items():
            column = inner.c[name]
            if isinstance(dtype, pl.Datetime):
                columns.append(cast(func.extract("epoch", column) * 1_000_000, BigInteger).label(name))
                csv_schema[name] = pl.Int64
            elif dtype == pl.Boolean:
                columns.append(cast(column, Integer).label(name))
                csv_schema[name] = pl.Int8
            else:
                columns.append(column)
                csv_schema[name] = dtype
        sql = _literal_sql(conn, select(*columns))
        buffer = io.BytesIO()
        with conn.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for chunk in copy:
                    buffer.write(chunk)
        frame = (pl.read_csv(buffer.getvalue(), has_header=False, new_columns=names, schema=csv_schema)
                 if buffer.tell() else pl.DataFrame(schema=csv_schema))
        return frame.with_columns(
            [pl.from_epoch(pl.col(n), "us").dt.replace_time_zone("UTC") for n, t in schema.items()
             if isinstance(t, pl.Datetime)]
            + [pl.col(n).cast(pl.Boolean) for n, t in schema.items() if t == pl.Boolean])
    # bound parameters, not literals: SQLAlchemy compiles the query once per shape (an upload runs the same few
    # queries for every file), and the driver's tuples are taken from its cursor as they are
    result = conn.execute(select(*inner.c))
    try:
        rows = result.cursor.fetchall() if result.cursor is not None else []
    finally:
        result.close()
    text_schema = {n: pl.String if isinstance(t, pl.Datetime) or t == pl.Date else
                   (pl.Int8 if t == pl.Boolean else t) for n, t in schema.items()}
    frame = pl.DataFrame(rows, schema=text_schema, orient="row") if rows else pl.DataFrame(schema=text_schema)
    return frame.with_columns(
        [pl.col(n).str.to_datetime(time_zone="UTC", time_unit="us") for n, t in schema.items()
         if isinstance(t, pl.Datetime)]
        + [pl.col(n).str.to_date("%Y-%m-%d") for n, t in schema.items() if t == pl.Date]
        + [pl.col(n).cast(pl.Boolean) for n, t in schema.items() if t == pl.Boolean])


def _literal_sql(bind: Connection | Engine, query: Select) -> str:
    """The query as SQL text with its parameters inlined, for drivers that run it without parameters (COPY,
    ADBC, a raw cursor): "%%" is how a pyformat dialect escapes "%" for parameter substitution, which is undone."""
    sql = str(query.compile(bind, compile_kwargs={"literal_binds": True}))
    return sql.replace("%%", "%") if bind.dialect.paramstyle in ("format", "pyformat") else sql


def _read_adbc(engine: Engine, query: Select, schema: dict[str, pl.DataType], connection=None) -> pl.DataFrame:
    """A query through ADBC: on its own connection, or on `connection` (a ReadSnapshot's, inside its snapshot)."""
    import adbc_driver_postgresql.dbapi as adbc

    sql = _literal_sql(engine, query)
    if connection is not None:
        frame = pl.read_database(sql, connection)
    else:
        uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with adbc.connect(uri) as conn:
            frame = pl.read_database(sql, conn)
    frame.columns = list(schema)
    return frame.with_columns(pl.col(n).dt.convert_time_zone("UTC").dt.cast_time_unit("us") if isinstance(t, pl.Datetime)
                              else pl.col(n).cast(t) for n, t in schema.items())


def write_frame(conn: Connection, table: str, frame: pl.DataFrame) -> None:
    """Append a frame's rows to a table on the caller's connection (inside its transaction), the columns named
    as in the table: COPY … FROM STDIN as CSV on PostgreSQL, the driver's executemany on SQLite (moments as
    the naive UTC text SQLAlchemy keeps there). Per row, no Python object beyond the driver's tuple."""
    if frame.is_empty():
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    cursor = conn.connection.driver_connection.cursor()
    try:
        frame = frame.with_columns(pl.col(c).dt.convert_time_zone("UTC") for c, t in frame.schema.items()
                                   if isinstance(t, pl.Datetime) and t.time_zone is not None)
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                for chunk in frame.iter_slices(50_000):  # some MB of CSV at a time
                    buffer = io.BytesIO()
                    chunk.write_csv(buffer, include_header=False, datetime_format="%Y-%m-%d %H:%M:%S%.6f+00",
                                    null_value="")
                    copy.write(buffer.getbuffer())
            return
        frame = frame.with_columns(
            [pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S.%6f") for c, t in frame.schema.items()
             if isinstance(t, pl.Datetime)]
            + [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in frame.schema.items() if t == pl.Date])
        statement = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in frame.columns)})"
        if frame.height <= ROWS_APART:
            cursor.executemany(statement, frame.rows())
        else:
            cursor.executemany(statement, _rows_made_apart(frame))
    finally:
        cursor.close()


ROWS_APART = 20_000  # the rows of a bigger frame are made into tuples in a thread, this many at a time


def _rows_made_apart(frame: pl.DataFrame) -> Iterator[tuple]:
    """The frame's rows as tuples, each slice of ROWS_APART made in a thread while SQLite stores the previous
    one (the driver lets the GIL go while SQLite works on a row): at most three slices of Python tuples at once."""
    slices: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand(item) -> bool:
        """Put the item for the writer; False when the writer has stopped (nobody would take it)."""
        while not stop.is_set():
            try:
                slices.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        try:
            for chunk in frame.iter_slices(ROWS_APART):
                if not hand(chunk.rows()):
                    return
            hand(None)
        except BaseException as error:  # noqa: BLE001 — handed to the writing thread, raised there
            hand(error)

    maker = threading.Thread(target=make, name="write_frame rows", daemon=True)
    maker.start()
    try:
        while (rows := slices.get()) is not None:
            if isinstance(rows, BaseException):
                raise rows
            yield from rows
    finally:  # the writer stopped early (an error from SQLite): the maker is told to end, not left waiting
        stop.set()
        maker.join()
