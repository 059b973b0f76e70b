"""`cli.py demo` as a user waits for it (issue 21, target < 30 s): `demo_s` of `cli.py bench`.

Each repeat is the command itself in a fresh process — `python cli.py demo --dir …` into a new empty SQLite
database (and once into a new PostgreSQL database when the server answers): Python's start, the imports, the
migrations, reading all 1,413 files through the upload's loaders and writing each as its own batch (100 files
to a transaction, each in its own savepoint: demo/build.py). The files are the demo's cached ones (data/demo,
written once per generator); writing them into an empty folder is timed apart, once (`demo_files_s`: a fresh
clone's first `make run` waits for both). A run whose stored counts differ from the demo's is an error, not a
figure. Medians of the repeats; wall-clock seconds and the CPU seconds of the
process and its reading workers (on a busy machine the wall clock is the CPU time stretched by the others).
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from benchmark.big_ingest import fresh_postgres
from core.config import DEMO_DIR, ROOT

TARGETS = {"demo_s": 30.0}
PG_DATABASE = "gospabliki_demo_bench"  # dropped and made again for each run; never the app's database
EXPECTED = {"owners": 473, "posts": 176_705, "batches": 1_413}  # what the demo holds (tests/test_cli.py too)

Log = Callable[[str], None]


def _timed(command: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the process and its children) and stdout of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])}: {done.stderr.strip()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done.stdout


def run_once(url: str, directory: Path) -> tuple[float, float]:
    env = {**os.environ, "GOSPABLIKI_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    seconds, cpu, _ = _timed([sys.executable, "cli.py", "demo", "--dir", str(directory)], env)
    stats = json.loads(_timed([sys.executable, "cli.py", "stats", "--json"], env)[2])
    found = {"owners": stats["owners"], "posts": stats["posts"], "batches": stats["batches"]}
    if found != EXPECTED:
        raise RuntimeError(f"демо загружено не полностью: {found}, ожидалось {EXPECTED}")
    return seconds, cpu


def measure(repeat: int, log: Log, postgres: bool = True) -> dict:
    result: dict = {}
    with tempfile.TemporaryDirectory() as work:
        log("  файлы демо в пустую папку (1 раз)…")
        seconds, cpu, _ = _timed([sys.executable, "-c", "import sys; from pathlib import Path; "
                                  "from demo.build import write_demo; write_demo(Path(sys.argv[1]))",
                                  f"{work}/files"], {**os.environ, "PYTHONPATH": str(ROOT)})
        result["demo_files_s"], result["demo_files_cpu_s"] = seconds, cpu
        directory = DEMO_DIR
        from demo.build import write_demo
        write_demo(directory)  # the cached files every run reads (made now if the generator changed)
        runs = []
        for number in range(repeat):
            log(f"  cli.py demo в пустую базу SQLite ({number + 1} из {repeat})…")
            runs.append(run_once(f"sqlite:///{work}/demo_{number}.sqlite3", directory))
        result["demo_s"] = statistics.median(s for s, _ in runs)
        result["demo_cpu_s"] = statistics.median(c for _, c in runs)
        result["demo_repeat"] = repeat
        if postgres:
            url = fresh_postgres(PG_DATABASE)
            if url is None:
                log("  postgresql: нет подключения; пропущено")
            else:
                log("  cli.py demo в пустую базу PostgreSQL (1 раз)…")
                result["demo_pg_s"], result["demo_pg_cpu_s"] = run_once(url, directory)
    return result


def report_rows(result: dict, num: Callable[[float, int], str], ok: Callable[[bool], str]) -> list[tuple]:
    if "demo_s" not in result:
        return []
    rows = [(f"`cli.py demo` в пустую базу SQLite (файлы готовы; процессорное время {num(result['demo_cpu_s'], 1)} с)",
             f"{num(result['demo_s'], 1)} с", "< 30 с", ok(result["demo_s"] < TARGETS["demo_s"]))]
    if result.get("demo_pg_s") is not None:
        rows.append(("  то же в PostgreSQL (1 раз)", f"{num(result['demo_pg_s'], 1)} с", "", ""))
    rows.append(("  файлы демо в пустую папку (первый запуск, 1 раз)", f"{num(result['demo_files_s'], 1)} с", "", ""))
    return rows
