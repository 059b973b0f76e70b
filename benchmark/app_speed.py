"""Where people wait (issue 21): server time of the app on the demo database with the quarters' ratings stored
(services.quarters.computed — as after `make run` or an upload), each figure the median of `repeat` fresh processes:

- first_screen_s: the first screen («Обзор», the default quarter) in a process that has just started as `make run`
  starts the server (serve.py: the screens' modules imported and the schema checked before it listens; Streamlit's
  component registry loaded), with empty process caches;
- quarter_switch_s: in that process, «Рейтинг» switched to a quarter not shown yet (median over those quarters);
- new_session_screen_s: afterwards, each screen opened in a new session (new_session_screens_s), the slowest;
- approve_s: approving the last ended quarter (services.quarters.approve, its rating stored), then withdrawn.

The demo database is built once by `cli.py demo` (data/bench/demo-app-<demo code>.sqlite3) and copied for the run.

    python -m benchmark.app_speed [--repeat N]          # the figures as JSON
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from core.config import DATA_DIR, ROOT

WORK_DIR = DATA_DIR / "bench"
SCREENS = ("overview", "rating", "weekly", "streams", "body_card")
TARGETS = {"first_screen_s": 2.0, "new_session_screen_s": 1.0, "quarter_switch_s": 0.5, "approve_s": 1.0}
Log = Callable[[str], None]


def demo_database(log: Log = lambda _: None) -> Path:
    """The demo loaded into SQLite once per version of the demo's code (demo/*.py)."""
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((ROOT / "demo").glob("*.py")))).hexdigest()[:10]
    path = WORK_DIR / f"demo-app-{digest}.sqlite3"
    if path.exists():
        return path
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    log("  загрузка демо в SQLite (один раз)…")
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "demo.sqlite3"
        subprocess.run([sys.executable, "cli.py", "demo", "--dir", str(Path(work) / "files")], cwd=ROOT, check=True,
                       capture_output=True, env={**os.environ, "GOSPABLIKI_DATABASE_URL": f"sqlite:///{target}"})
        shutil.move(target, path)
    return path


def _python(*args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True, text=True,
                          env={**os.environ, "GOSPABLIKI_DATABASE_URL": url})


def measure(repeat: int = 3, log: Log = lambda _: None) -> dict:
    """The figures (medians of `repeat` fresh processes) on a copy of the demo database with its ratings stored."""
    source = demo_database(log)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "demo.sqlite3"
        shutil.copy(source, path)
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        _python("cli.py", "refresh", url=url)  # what make run and an upload do: the ratings stored
        refresh_s = time.perf_counter() - started
        runs = []
        for index in range(max(1, repeat)):
            log(f"  процесс {index + 1} из {repeat}…")
            runs.append(json.loads(_python("-m", "benchmark.app_speed", "--child", url=url).stdout.splitlines()[-1]))
    screens = {name: statistics.median(r["screens"][name] for r in runs) for name in SCREENS}
    return {"first_screen_s": statistics.median(r["first_screen_s"] for r in runs),
            "new_session_screen_s": max(screens.values()), "new_session_screens_s": screens,
            "quarter_switch_s": statistics.median(r["quarter_switch_s"] for r in runs),
            "approve_s": statistics.median(r["approve_s"] for r in runs),
            "app_speed_repeat": len(runs), "refresh_s": refresh_s}


def report_rows(result: dict, num: Callable, ok: Callable) -> list[tuple]:
    """The rows of `cli.py bench`'s table (benchmark.run.report)."""
    rows = []
    for key, label, target in (("first_screen_s", "Демо: первый экран после запуска сервера («Обзор»)", "< 2 с"),
                               ("new_session_screen_s", "Демо: экран в новом сеансе (самый медленный)", "< 1 с"),
                               ("quarter_switch_s", "Демо: смена квартала («Рейтинг»)", "< 0,5 с"),
                               ("approve_s", "Демо: утверждение рейтинга", "< 1 с")):
        if result.get(key) is not None:
            rows.append((label, f"{num(result[key], 2)} с", target, ok(result[key] < TARGETS[key])))
    for name, seconds in (result.get("new_session_screens_s") or {}).items():
        rows.append((f"Демо: экран {name} в новом сеансе", f"{num(seconds, 2)} с", "", ""))
    return rows


def child() -> dict:
    """One process: first screen, quarter switches, new sessions, an approval (see the module's description)."""
    import logging

    from streamlit.testing.v1 import AppTest
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)  # AppTest's "missing ScriptRunContext" noise
    AppTest.from_string("import streamlit as st\nst.write('')").run()  # the server's own start: component registry
    import serve
    serve.warm()  # what serve.py does before the server listens

    def timed(at: AppTest) -> float:
        started = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return seconds

    def session() -> AppTest:
        return AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)

    result: dict = {"first_screen_s": timed(session())}
    from core.calendar import local_today
    from core.config import region_tz
    from services import quarters
    from storage.db import get_engine
    today = local_today(region_tz())
    default = quarters.last_ended_quarter(today)
    shown = {default, default.previous()}  # the overview showed these two
    others = [q for q in quarters.screen_quarters(get_engine(), today) if q not in shown]
    at = session()
    at.run()
    at.switch_page("app_pages/rating.py")
    timed(at)
    switches = []
    for quarter in others:
        at.selectbox(key="filter_quarter").set_value(quarter)
        switches.append(timed(at))
    result["quarter_switch_s"] = statistics.median(switches) if switches else None
    result["screens"] = {}
    for name in SCREENS:
        at = session()
        at.run()
        if name != "overview":
            at.switch_page(f"app_pages/{name}.py")
        result["screens"][name] = timed(at)
    engine = get_engine()
    if quarters.rating_store.approved_payload(engine, default.code) is not None:
        quarters.unapprove(engine, default, "замер", "замер утверждения")
    started = time.perf_counter()
    quarters.approve(engine, default, "замер", accept_gaps=True, today=today)
    result["approve_s"] = time.perf_counter() - started
    quarters.unapprove(engine, default, "замер", "замер утверждения")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child()))
    else:
        print(json.dumps(measure(args.repeat, lambda line: print(line, file=sys.stderr)), ensure_ascii=False))


if __name__ == "__main__":
    main()
