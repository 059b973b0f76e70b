"""Configuration from the environment: one place for the database URL, the region's zone and paths."""
from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
TEMPLATES_DIR = DATA_DIR / "templates"
METHODOLOGY_DIR = DATA_DIR / "methodology"

DEFAULT_TZ = "Asia/Tomsk"
# Largest upload accepted by any loader; a bigger file is refused before it is read.
MAX_UPLOAD_BYTES = int(os.environ.get("GOSPABLIKI_MAX_UPLOAD_MB", "300")) * 1024 * 1024
# Largest uncompressed size of an xlsx (a zip): protects against "zip bombs".
MAX_XLSX_UNPACKED_BYTES = int(os.environ.get("GOSPABLIKI_MAX_XLSX_UNPACKED_MB", "500")) * 1024 * 1024


def database_url() -> str:
    """`GOSPABLIKI_DATABASE_URL`, or the embedded SQLite file under data/."""
    url = os.environ.get("GOSPABLIKI_DATABASE_URL", "").strip()
    return url or f"sqlite:///{DATA_DIR / 'gospabliki.sqlite3'}"


def region_tz_name() -> str:
    return os.environ.get("GOSPABLIKI_TZ", "").strip() or DEFAULT_TZ


def region_tz() -> ZoneInfo:
    """The region's time zone (Asia/Tomsk by default): weeks, quarters and local dates use it."""
    return ZoneInfo(region_tz_name())


def current_user() -> str:
    """Who acts from the command line (audit log), cut to the length the database keeps."""
    from core.limits import USERNAME, fit
    return fit(os.environ.get("GOSPABLIKI_USER") or os.environ.get("USER") or "cli", USERNAME)
