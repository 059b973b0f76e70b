"""Peak memory of scoring one quarter, measured in a fresh process: `python -m benchmark.peak DIR` reads the
synthetic frames of DIR (parquet), scores the quarter once and prints JSON: the resident memory once the data
are loaded, the peak while scoring (the whole process, data included; on Linux the high-water mark is reset
after loading, so a transient peak of the parquet reader does not hide the scoring's own) and the process's
overall peak."""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # macOS: bytes; Linux: kilobytes


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_high_water_mark() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux ≥ 4.0: VmHWM := VmRSS
        return True
    except OSError:
        return False


def main(directory: str) -> None:
    from benchmark.run import TODAY, TZ
    from benchmark.synthetic import read_parquet
    from scoring.methodology import methodology_for
    from scoring.rating import score_quarter

    synthetic = read_parquet(Path(directory))
    m = methodology_for(synthetic.quarter.code)
    loaded = _status_mb("VmRSS") or _rss_mb()
    reset = _reset_high_water_mark()
    started = time.perf_counter()
    score_quarter(synthetic.data, m, synthetic.quarter, TZ, TODAY)
    seconds = time.perf_counter() - started
    scoring_peak = _status_mb("VmHWM") if reset else None
    print(json.dumps({"loaded_mb": round(loaded), "peak_mb": round(scoring_peak or _rss_mb()),
                      "process_peak_mb": round(_rss_mb()), "seconds": round(seconds, 3)}))


if __name__ == "__main__":
    main(sys.argv[1])
