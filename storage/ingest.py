"""One upload: detect the format from the content, load it, write it in one transaction, report.

The CLI, the upload page and the demo loader all go through `ingest_bytes`.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from core.config import region_tz
from scoring import calendar
from loaders.errors import LoadError, fail
from loaders.registry import load_registry
from loaders.tabular import check_size
from storage.registry_store import apply_registry, known_owner_kinds

def local_today() -> date:
    """Today in the region's zone (the one calendar: scoring.calendar)."""
    return calendar.local_today(region_tz())


def ingest_bytes(engine: Engine, content: bytes, filename: str, *, user: str, as_of: date | None = None) -> dict:
    """Load one file and write it; raises LoadError (Russian, located) and writes nothing on bad input."""
    check_size(content, filename)
    as_of = as_of or local_today()
    data = load_registry(content, filename, known_owner_kinds(engine), today=local_today())
    return apply_registry(engine, data, filename=filename, content=content, user=user, as_of=as_of)


def ingest_path(engine: Engine, path: Path, *, user: str, as_of: date | None = None) -> dict:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise fail("файл не найден", str(path)) from None
    except IsADirectoryError:
        raise fail("указана папка, а не файл", str(path)) from None
    return ingest_bytes(engine, content, path.name, user=user, as_of=as_of)


def error_report(filename: str, error: LoadError) -> dict:
    return {"batch_id": None, "filename": filename, "errors": [i.as_dict() for i in error.issues],
            "message": str(error)}
