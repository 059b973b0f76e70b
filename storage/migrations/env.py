"""Alembic's environment: the target is storage.schema.metadata; the connection is the one storage.migrate passes
(inside its locked transaction), else an engine on the configured URL (`alembic …` from the command line).
SQLite alters tables in batch mode (copy and move), since it cannot ALTER most things in place."""
from alembic import context
from sqlalchemy import create_engine

from core.config import database_url
from storage import schema

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=schema.metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.begin() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("миграции выполняются только на подключённой базе: python cli.py migrate")
run_migrations_online()
