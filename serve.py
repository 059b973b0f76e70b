"""`make run`: the Streamlit server, with the work of its first request done while it starts (issue 21: the first
screen after a start). The modules the screens import (Polars, SQLAlchemy, Plotly, the app's own) are imported and
the database's schema is checked before the server listens, so the first request only reads the stored ratings
(services.quarters.computed) and draws. Arguments as for `streamlit run`:

    python serve.py app.py --server.port 8501 --server.address 127.0.0.1
"""
from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def screen_modules() -> list[str]:
    """What app.py and the screens (app_pages/) import, but app_pages itself: its modules declare Streamlit caches,
    which belong to the running server."""
    names = set()
    for path in [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return sorted(n for n in names if n.split(".")[0] != "app_pages")


def warm() -> None:
    """Import what the screens import and check the database (migrations) once, before the first request."""
    sys.path.insert(0, str(ROOT))
    for name in screen_modules():
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 — the screen that needs it reports the error at its request
            continue
    try:
        from storage.db import get_engine
        get_engine()
    except Exception:  # noqa: BLE001 — a database that is not there yet: the first screen says so, as without serve.py
        pass


if __name__ == "__main__":
    warm()
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    sys.exit(cli.main(prog_name="streamlit"))
