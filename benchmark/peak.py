"""Peak memory of scoring one quarter, measured in a fresh process: `python -m benchmark.peak DIR` reads the
synthetic frames of DIR (parquet), scores the quarter once and prints JSON with the process's resident memory
after reading and at its peak (getrusage: the high-water mark of the whole process, data included)."""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main(directory: str) -> None:
    from benchmark.run import TODAY, TZ
    from benchmark.synthetic import read_parquet
    from scoring.methodology import methodology_for
    from scoring.rating import score_quarter

    synthetic = read_parquet(Path(directory))
    m = methodology_for(synthetic.quarter.code)
    loaded = _rss_mb()
    started = time.perf_counter()
    score_quarter(synthetic.data, m, synthetic.quarter, TZ, TODAY)
    print(json.dumps({"loaded_mb": round(loaded), "peak_mb": round(_rss_mb()),
                      "seconds": round(time.perf_counter() - started, 3)}))


if __name__ == "__main__":
    main(sys.argv[1])
