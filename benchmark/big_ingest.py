"""Ingest of a ~200 MB export built from genuine messages (issue 21, «Big files»): `ingest_mb_per_s` and
`ingest_peak_ratio` of `cli.py bench`.

The files (benchmark/bigfile.py: a Telegram Desktop channel export and a VK wall.get) are written once into
data/bench/ with the counts they hold. Each repeat is a fresh process (`python -m benchmark.big_ingest FILE URL`)
that makes an empty database, then reads the file and ingests it as `cli.py ingest` does (storage.ingest:
read_path + ingest_bytes — detect, parse, check, compare, write in one transaction) and prints the seconds of
that (not Python's start nor the imports), the CPU seconds of the process (all threads) and its memory
high-water mark (everything: Python, Polars, the file). The speed is the file's size over the seconds (and over
the CPU seconds: a busy machine stretches the first, not the second); the memory ratio is the peak over the file's size;
medians of the repeats, the worse of the two formats as the headline figure. A run whose posts differ from the
written counts is an error, not a figure.
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

from core.config import DATA_DIR, ROOT

WORK_DIR = DATA_DIR / "bench"
BIG_MB = float(os.environ.get("GOSPABLIKI_BENCH_BIG_MB", "200"))
FILE_VERSION = 1  # of benchmark/bigfile.py's output: bump when it changes, so the files are written again
KINDS = ("telegram", "vk")
TARGETS = {"ingest_mb_per_s": 50.0, "ingest_peak_ratio": 2.0}
PG_ADMIN_URL = os.environ.get("GOSPABLIKI_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "gospabliki_ingest_bench"  # dropped and made again for each run; never the app's database

Log = Callable[[str], None]


def big_file(kind: str, megabytes: float | None = None) -> tuple[Path, dict]:
    """The file of `kind` (written on first use) and the counts it holds."""
    from benchmark import bigfile
    megabytes = megabytes or BIG_MB
    path = WORK_DIR / f"{kind}_{megabytes:g}mb_v{FILE_VERSION}.json"
    counts = path.with_name(path.stem + ".counts.json")
    if not (path.exists() and counts.exists()):
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        writer = bigfile.telegram_export if kind == "telegram" else bigfile.vk_wall
        expected = writer(int(megabytes * 2**20), path)
        counts.write_text(json.dumps(expected.__dict__))
    return path, json.loads(counts.read_text())


def fresh_postgres(database: str = PG_DATABASE) -> str | None:
    """A new empty database of that name (a bench's own: dropped first) for one run, or None when PostgreSQL is
    not reachable."""
    try:
        import psycopg
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database}")
            conn.execute(f"CREATE DATABASE {database}")
    except Exception:  # noqa: BLE001 — no server, no rights: the figure is left out
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + database


def run_once(path: Path, url: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "benchmark.big_ingest", str(path), url], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise RuntimeError(f"замер загрузки большого файла {path.name}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _runs(path: Path, counts: dict, repeat: int, url: Callable[[], str | None]) -> list[dict] | None:
    runs = []
    for _ in range(repeat):
        target = url()
        if target is None:
            return None
        run = run_once(path, target)
        if run["posts_added"] != counts["posts"]:
            raise RuntimeError(f"{path.name}: записано публикаций {run['posts_added']}, в файле {counts['posts']}")
        runs.append(run)
    return runs


def _figures(runs: list[dict]) -> dict:
    return {"mb_per_s": statistics.median(r["size"] / 1e6 / r["seconds"] for r in runs),
            "peak_ratio": statistics.median(r["peak_bytes"] / r["size"] for r in runs),
            "seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_mb_per_s": statistics.median(r["size"] / 1e6 / r["cpu_seconds"] for r in runs),
            "peak_mb": statistics.median(r["peak_bytes"] / 1e6 for r in runs),
            "size_mb": runs[0]["size"] / 1e6, "posts": runs[0]["posts_added"], "repeat": len(runs)}


def measure(repeat: int, log: Log, kinds: tuple[str, ...] = KINDS, postgres: bool = True) -> dict:
    """The figures of each format into SQLite (and the Telegram file once into PostgreSQL), and the headline
    keys: the slower speed and the higher memory ratio of the formats."""
    result: dict = {"big_ingest": {}}
    with tempfile.TemporaryDirectory() as directory:
        for kind in kinds:
            path, counts = big_file(kind)
            log(f"  {kind}: {path.stat().st_size / 1e6:.0f} МБ в SQLite, {repeat} раз(а)…")
            number = iter(range(repeat))
            runs = _runs(path, counts, repeat, lambda: f"sqlite:///{directory}/ingest_{kind}_{next(number)}.sqlite3")
            result["big_ingest"][kind] = _figures(runs)
        if postgres and "telegram" in kinds:
            path, counts = big_file("telegram")
            log("  telegram: в PostgreSQL, 1 раз…")
            runs = _runs(path, counts, 1, fresh_postgres)
            if runs is None:
                log("  postgresql: нет подключения; пропущено")
            else:
                result["big_ingest"]["telegram_postgresql"] = _figures(runs)
    figures = [result["big_ingest"][k] for k in kinds]
    result["ingest_mb_per_s"] = min(f["mb_per_s"] for f in figures)
    result["ingest_peak_ratio"] = max(f["peak_ratio"] for f in figures)
    # the same over the process's CPU time (all its threads): what the machine's load does not change
    result["ingest_cpu_mb_per_s"] = min(f["cpu_mb_per_s"] for f in figures)
    return result


def report_rows(result: dict, num: Callable[[float, int], str], ok: Callable[[bool], str]) -> list[tuple]:
    """The rows of the bench table (Russian)."""
    rows = []
    labels = {"telegram": "Telegram", "vk": "ВКонтакте", "telegram_postgresql": "Telegram в PostgreSQL"}
    for kind, f in result.get("big_ingest", {}).items():
        headline = kind in KINDS
        rows.append((f"Загрузка большого файла: {labels[kind]}, {num(f['size_mb'], 0)} МБ, "
                     f"{num(f['posts'], 0)} публ.", f"{num(f['mb_per_s'], 1)} МБ/с ({num(f['seconds'], 1)} с; по "
                     f"времени процессора {num(f['cpu_mb_per_s'], 1)} МБ/с)",
                     "≥ 50 МБ/с" if headline else "", ok(f["mb_per_s"] >= TARGETS["ingest_mb_per_s"]) if headline
                     else ""))
        rows.append((f"  пик памяти процесса ({labels[kind]})", f"{num(f['peak_mb'], 0)} МБ = "
                     f"{num(f['peak_ratio'], 2)} × файла", "≤ 2 × файла" if headline else "",
                     ok(f["peak_ratio"] <= TARGETS["ingest_peak_ratio"]) if headline else ""))
    return rows


def peak_bytes() -> int:
    """This process's memory high-water mark. Linux: VmHWM of /proc/self/status, the peak of this program's own
    memory; getrusage's ru_maxrss survives exec and reports the parent's size at the fork when the parent was
    bigger (a bench process holding a quarter's frames: 977 MB for a 200 MB ingest that peaks far lower)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def main(path: str, url: str) -> None:
    from storage.db import make_engine
    from storage.ingest import ingest_bytes, read_path
    file = Path(path)
    engine = make_engine(url)  # an empty database, migrated
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest_bytes(engine, read_path(file), file.name, user="bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_bytes": peak_bytes(), "size": file.stat().st_size,
                      "posts_added": report.get("posts_added")}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
