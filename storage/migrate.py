"""Schema changes reach existing databases through migrations (Alembic; issue 18). storage/schema.py is the model,
storage/migrations/versions/ the way there: 0001_baseline is the schema as it was when migrations began, every
later change of the model comes with a revision (`alembic revision --autogenerate -m "…"`, then read and edit it),
and tests/test_migrations.py runs `alembic check`, so a model change without one fails the tests.

- an empty database gets the model at once (create_all) and is stamped at the head;
- a database written before migrations existed (tables, no alembic_version) is brought to the baseline (missing
  tables and nullable columns added — what make_engine once did at every start) and stamped `0001_baseline`, then
  upgraded;
- any other database is upgraded to the head; at the head nothing happens (one read).

Migrations run in one transaction that holds the schema lock (storage.db.writing: an advisory lock on PostgreSQL,
BEGIN IMMEDIATE on SQLite), so two app processes starting at once do not migrate twice.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from storage import schema

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001_baseline"


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file; `connection` is used by env.py when given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


@dataclass
class Migration:
    """What `migrate` did, for `cli.py migrate` and init-db."""
    before: str | None
    after: str
    created: bool = False  # an empty database got the whole schema
    stamped: bool = False  # a database of the time before migrations was brought to the baseline and stamped
    added: list[str] = field(default_factory=list)  # tables and columns added to reach the baseline

    @property
    def message(self) -> str:
        if self.created:
            return f"схема базы создана (версия {self.after})"
        if self.before == self.after:
            return f"схема базы актуальна (версия {self.after}): изменений нет"
        text = f"схема базы обновлена: {self.before or 'без версии'} → {self.after}"
        if self.stamped:
            text += f"; база без версии приведена к исходной схеме {BASELINE}"
            if self.added:
                text += " (добавлено: " + ", ".join(self.added) + ")"
        return text


def migrate(engine: Engine) -> Migration:
    """Bring the database to the head revision (see the module's description)."""
    from storage.db import writing
    with writing(engine, "schema-migration") as conn:
        before = current(conn)
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        if before is None and not tables:
            schema.metadata.create_all(conn)
            command.stamp(config(conn), "head")
            return Migration(None, head(), created=True)
        result = Migration(before, head())
        if before is None:
            baseline = ScriptDirectory.from_config(config()).get_revision(BASELINE).module
            result.added = baseline.bring_to_baseline(conn)
            command.stamp(config(conn), BASELINE)
            result.stamped = True
        command.upgrade(config(conn), "head")
        result.after = current(conn)
    return result


def ensure_schema(engine: Engine) -> None:
    """What every new engine does (storage.db.make_engine): nothing at the head, else migrate."""
    with engine.connect() as conn:
        if current(conn) == head():
            return
    migrate(engine)
