"""Reading a quarter from PostgreSQL (issue 21, part 4: `pg_national_read_s`, the target < 4 s for the national
quarter): `services.quarters.scoring_input` timed by the wall clock, by the process's CPU time and by the CPU time
of the PostgreSQL server processes, the median of `repeat` runs, and the rating scored from what was read compared
with the same quarter scored from the parquet files, column by column (`pg_results_identical`).

    python -m benchmark.pg_read --scale national --repeat 3 [--parts] [--json]

`cli.py bench` runs the same measure (`measure_postgresql`). `--parts` also times each read of scoring_input
on its own (in one snapshot, as it reads them): the week sums, comments, streams, registry, snapshots,
coverage. The server's CPU time twice (ServerClock): of every `postgres` process of this machine
(`pg_read_server_cpu_s`: another client of the same server counts too — an upper bound on a shared machine) and
of the backends of the bench database only, sampled while reading (`pg_read_database_cpu_s`: a lower bound).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from typing import Callable

from benchmark.synthetic import read_parquet

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _postgres_times(database: str | None = None) -> tuple[dict[int, float], float]:
    """CPU seconds of each live `postgres` process (of `database` only: the backends whose title names it) and the
    seconds of the postmasters' reaped children."""
    live, reaped = {}, 0.0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
            if not stat[stat.index("(") + 1:stat.rindex(")")].startswith("postgres"):
                continue
            if database is not None:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if f" {database} " not in handle.read().decode(errors="replace"):
                        continue
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # fields from the state on: [11] utime, [12] stime, [13] cutime, [14] cstime (proc(5))
        live[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
        reaped += (int(fields[13]) + int(fields[14])) / TICK
    return live, reaped


class ServerClock:
    """CPU seconds the PostgreSQL server spent since it was started: `seconds()` of every `postgres` process of this
    machine (the backends alive at the end and those ended since, through the postmaster's reaped children: another
    client of the same server counts too — an upper bound on a shared machine); `database_seconds()` of the backends
    of `database` only, sampled every SAMPLE_S while the clock runs (a backend's last moments before it ends may be
    missed: a lower bound)."""
    SAMPLE_S = 0.1

    def __init__(self, database: str | None = None) -> None:
        self.database, self.seen = database, {}
        self.live, self.reaped = _postgres_times()
        self.start = _postgres_times(database)[0] if database else {}
        self.stop = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True) if database else None
        if self.sampler is not None:
            self.sampler.start()

    def _sample(self) -> None:
        while True:
            for pid, seconds in _postgres_times(self.database)[0].items():
                self.seen[pid] = max(seconds, self.seen.get(pid, 0.0))
            if self.stop.wait(self.SAMPLE_S):
                return

    def seconds(self) -> float:
        live, reaped = _postgres_times()
        ended = sum(t for pid, t in self.live.items() if pid not in live)  # counted again in the reaped time
        return (sum(t - self.live.get(pid, 0.0) for pid, t in live.items()) + (reaped - self.reaped) - ended)

    def database_seconds(self) -> float:
        self.stop.set()
        if self.sampler is not None:
            self.sampler.join()
        return sum(t - self.start.get(pid, 0.0) for pid, t in self.seen.items())


def timed(action: Callable[[], object], repeat: int, database: str | None = None
          ) -> tuple[dict[str, float], object]:
    """Median wall, process CPU and server CPU seconds (of every server process, and of `database`'s backends:
    ServerClock) of `repeat` runs, and the last result."""
    walls, cpus, servers, ours, result = [], [], [], [], None
    for _ in range(max(1, repeat)):
        server, cpu, wall = ServerClock(database), time.process_time(), time.perf_counter()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        servers.append(server.seconds())
        ours.append(server.database_seconds())
    times = {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus),
             "server_cpu_s": statistics.median(servers)}
    return times | ({"database_cpu_s": statistics.median(ours)} if database else {}), result


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def read_parts(engine, quarter, tz, repeat: int, database: str | None = None) -> dict[str, dict[str, float]]:
    """Each read of scoring_input on its own, in one snapshot as rating_store.read_quarter reads them."""
    from scoring.activity import fixed_offset
    from scoring.inputs import COMMENT_COLUMNS, STREAM_COLUMNS, QuarterWindow
    from sqlalchemy import select

    from storage import post_weeks, queries, schema
    from storage.activity_store import current_versions
    from storage.db import read_snapshot

    window = QuarterWindow(quarter, tz)
    origin = window.utc(window.first_week) if fixed_offset(window) is not None else None
    span = (window.load_from, window.load_to)
    parts = {
        "week_sums": lambda s, _: post_weeks.posts_by_week(s, span, tz.key, window.first_week, len(window.weeks),
                                                           origin),
        "comments": lambda s, active: current_versions(s, "comments", window=span, columns=tuple(COMMENT_COLUMNS),
                                                       active=active),
        "streams": lambda s, active: current_versions(s, "streams", window=span, columns=tuple(STREAM_COLUMNS),
                                                      active=active),
        "owners": lambda s, _: queries.owners_frame(s), "pages": lambda s, _: queries.pages_frame(s),
        "snapshots": lambda s, active: queries.snapshots_frame(s, ordered=False, active=active),
        "coverage": lambda s, active: queries.coverage_frame(s, active),
    }
    result = {}
    for name, part in parts.items():
        def once(part=part):
            with read_snapshot(engine) as snapshot:
                snapshot.adbc()  # the columnar connection opened before the clock (as after the first part)
                b = schema.batches  # the active batches, as rating_store.read_quarter reads them first
                active = tuple(snapshot.execute(select(b.c.id).where(b.c.status == "active")).scalars())
                return part(snapshot, active)
        result[name], frame = timed(once, repeat, database)
        result[name]["rows"] = frame.height
    return result


def measure_postgresql(scale: str, repeat: int, expected, log: Callable[[str], None] = lambda _: None,
                       parts: bool = False, rows: bool = True) -> dict:
    """Reading the quarter from PostgreSQL the way the app does (services.quarters.scoring_input: the posts' sums
    per page and local week stored with each batch, storage.post_weeks — `pg_week_sums_stored`,
    `pg_recounted_pages`; comments, streams, registry, snapshots, coverage), the median of `repeat` by the wall
    clock (`pg_read_s`), the process's CPU (`pg_read_cpu_s`) and the server's (`pg_read_server_cpu_s`); the former
    path (every post as a row) once (`rows`), for comparison; and the rating scored from what was read against
    `expected` (the same quarter scored from the parquet files), column by column."""
    from sqlalchemy.exc import OperationalError

    from benchmark.run import PG_URL, TODAY, TZ, bench_engine, rating_differences
    from core.calendar import Quarter
    from scoring.activity import fixed_offset
    from scoring.inputs import QuarterWindow
    from scoring.rating import score_quarter
    from services.quarters import scoring_input
    from storage import post_weeks
    try:
        engine = bench_engine(PG_URL, scale, log)
    except OperationalError as error:
        log(f"  postgresql: нет подключения ({str(error).splitlines()[0]}); пропущено")
        return {}
    quarter = Quarter(2026, 1)
    load = load_average()
    database = engine.url.database
    times, data = timed(lambda: scoring_input(engine, quarter, TZ), repeat, database)
    result = {"pg_read_s": times["wall_s"], "pg_read_cpu_s": times["cpu_s"],
              "pg_read_server_cpu_s": times["server_cpu_s"], "pg_read_database_cpu_s": times["database_cpu_s"],
              "pg_read_load": load}
    if rows:
        result["pg_read_rows_s"] = timed(lambda: scoring_input(engine, quarter, TZ, summed=False), 1)[0]["wall_s"]
    if parts:
        result["pg_read_parts"] = read_parts(engine, quarter, TZ, repeat, database)
    # how the week sums were read: the stored ones (post_week_sums) or the aggregate over the posts, and the pages
    # summed again from their current versions (posts of one page in several active batches)
    window = QuarterWindow(quarter, TZ)
    origin = window.utc(window.first_week) if fixed_offset(window) is not None else None
    stats: dict = {}
    post_weeks.posts_by_week(engine, (window.load_from, window.load_to), TZ.key, window.first_week,
                             len(window.weeks), origin, stats)
    engine.dispose()
    found = rating_differences(score_quarter(data, expected.methodology, quarter, TZ, TODAY), expected)
    result |= {"pg_week_rows": data.post_weeks.height, "pg_week_sums_stored": stats["stored"],
               "pg_recounted_pages": stats["recounted_pages"], "pg_results_identical": not found,
               "pg_differences": found}
    if scale == "national":
        result["pg_national_read_s"] = result["pg_read_s"]
    return result


def main(argv: list[str] | None = None) -> int:
    from benchmark.run import TODAY, TZ, synthetic_dir
    from scoring.methodology import methodology_for
    from scoring.rating import score_quarter

    parser = argparse.ArgumentParser(description="чтение квартала из PostgreSQL (scoring_input), медиана повторов")
    parser.add_argument("--scale", choices=("tomsk", "region10", "national"), default="national")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", action="store_true", help="и каждое чтение по отдельности")
    parser.add_argument("--no-rows", action="store_true", help="без чтения публикаций строками")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)
    synthetic = read_parquet(synthetic_dir(args.scale))
    expected = score_quarter(synthetic.data, methodology_for(synthetic.quarter.code), synthetic.quarter, TZ, TODAY)
    del synthetic
    result = measure_postgresql(args.scale, args.repeat, expected, log, parts=args.parts, rows=not args.no_rows)
    result["load_after"] = load_average()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    for key, value in result.items():
        if key == "pg_read_parts":
            for name, part in value.items():
                print(f"  {name:10} " + "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                               for k, v in part.items()))
        else:
            print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
