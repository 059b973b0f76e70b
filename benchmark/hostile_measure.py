"""Time and memory of refusing each hostile file of tests/hostile.py through `cli.py ingest` in a fresh process
(issue 16: < 10 s and < 500 MB each). A measurement, not a test: tests never assert a duration."""
from __future__ import annotations

import json

from tests.hostile import CASES, by_name

# --- measuring (python -m benchmark.hostile_measure [NAME…]) ---------------------------------------------------------

# the peak resident memory of the process itself (VmHWM: ru_maxrss would also count the forking parent's)
MEASURED = """
import runpy, sys
sys.argv = ["cli.py", *sys.argv[1:]]
code = 0
try:
    runpy.run_path("cli.py", run_name="__main__")
except SystemExit as exit:
    code = exit.code
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"PEAK {peak}", file=sys.stderr)
sys.exit(code)
"""


def measure(names: list[str] | None = None) -> list[dict]:
    """Each case through `cli.py ingest` in a fresh process on a fresh SQLite file: exit code, seconds (of the
    whole process, about 2 s of it starting Python and importing Polars), peak MB of the process."""
    import os
    import subprocess
    import sys
    import tempfile
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for item in [by_name(n) for n in names] if names else CASES:
            path = Path(folder) / item.filename
            path.write_bytes(item.content)
            env = {**os.environ, "GOSPABLIKI_DATABASE_URL": f"sqlite:///{folder}/db.sqlite3"}
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", MEASURED, "ingest", str(path)], cwd=root, env=env,
                                  capture_output=True, text=True, timeout=600)
            seconds = time.perf_counter() - started
            lines = done.stderr.strip().splitlines()
            peak = next((int(line.split()[1]) / 1024 for line in lines if line.startswith("PEAK ")), None)
            message = next((line for line in lines if not line.startswith("PEAK ")), "")
            results.append({"name": item.name, "bytes": len(item.content), "exit": done.returncode,
                            "seconds": round(seconds, 2), "peak_mb": round(peak or 0), "message": message[:200]})
            path.unlink()
    return results


if __name__ == "__main__":
    import sys
    for row in measure([a for a in sys.argv[1:] if a != "--measure"] or None):
        print(json.dumps(row, ensure_ascii=False))
