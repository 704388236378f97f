"""How long `tellonce seed` takes to build the full synthetic borough.

Seeds the default borough (57,000 children) into a fresh SQLite database under a
temporary VAR directory, so the demo database is never touched, and writes the figures
to bench/results/seed.json: children, rows written to each table, seconds, rows per
second, and the machine it ran on. The target is under two minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import machine, measured_now, results_write

RESULTS = Path(__file__).resolve().parent / "results" / "seed.json"
TARGET_SECONDS = 120


def _tellonce(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tellonce.cli", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True)


def run(children: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tellonce-seed-bench-") as var_dir:
        env = {**os.environ, "TELLONCE_ENV": "demo", "TELLONCE_VAR_DIR": var_dir}
        # A fresh SQLite database under the temporary directory, whatever the caller uses.
        env.pop("DATABASE_URL", None)
        _tellonce("migrate", "--noinput", "-v", "0", env=env)
        started = time.perf_counter()
        _tellonce("seed", "--children", str(children), "--seed", str(seed), env=env)
        seconds = time.perf_counter() - started
        summary = json.loads((Path(var_dir) / "seed" / "summary.json").read_text())
    rows = summary["rows"]
    total = sum(rows.values())
    return {
        "benchmark": "tellonce seed",
        "database": "sqlite",
        "children": summary["children"],
        "adults": summary["adults"],
        "agency_records": summary["agency_records"],
        "seed": seed,
        "seconds": round(seconds, 1),
        "target_seconds": TARGET_SECONDS,
        "within_target": seconds < TARGET_SECONDS,
        "rows_written": rows,
        "rows_total": total,
        "rows_per_second": round(total / seconds),
        # ru_maxrss is in kilobytes on Linux: the largest child, i.e. the seed itself.
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "machine": machine(),
        "measured_on": measured_now(),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=57_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    result = run(options.children, options.seed)
    results_write(RESULTS, result)
    print(
        f"seed: {result['children']:,} children, {result['rows_total']:,} rows in"
        f" {result['seconds']} s ({result['rows_per_second']:,} rows/s) -> {RESULTS}"
    )
    return result


if __name__ == "__main__":
    main()
