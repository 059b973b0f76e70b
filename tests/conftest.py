import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from storage.db import make_engine
from tests.environment import missing

PG_URL = os.environ.get("GOSPABLIKI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def pg_url():
    """A fresh schema in the real PostgreSQL server; on CI an unreachable server fails the test."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        admin.dispose()
        missing(f"PostgreSQL недоступен ({PG_URL}): {exc.orig}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The demo's files, written once and reused by every session (under data/demo, git-ignored, as `cli.py demo`
    uses them): a folder per generator (the fingerprint of its source), made when the generator changes."""
    from core.config import DEMO_DIR
    from demo.build import write_demo
    return write_demo(DEMO_DIR)[0]


@pytest.fixture(scope="session")
def demo_db_url(demo_dir, tmp_path_factory) -> str:
    """A SQLite database with the demo loaded once per test session."""
    from demo.build import load_demo
    url = f"sqlite:///{tmp_path_factory.mktemp('demo_db') / 'demo.sqlite3'}"
    engine = make_engine(url)
    load_demo(engine, demo_dir)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def inputs(demo_db_url):
    """What the reports of the demo's III кв. 2026 are built from (services.reports.report_inputs, with the body
    history), as on 24.11.2026: the PDF and the delivery tests."""
    from datetime import date

    from core.calendar import Quarter
    from services import reports
    engine = make_engine(demo_db_url)
    result = reports.report_inputs(engine, Quarter(2026, 3), today=date(2026, 11, 24), with_history=True)
    engine.dispose()
    return result
