"""How long `tellonce import` takes for a borough-sized feed (100,000 rows).

In a fresh SQLite database under a temporary VAR directory (the demo database is never
touched): seeds a tiny borough for its partnership, writes a synthetic SystmOne feed of
the community health trust (made-up people, each row a record with an involvement,
dates as DD/MM/YYYY, sex as 1/2/0), and times three imports of it as a user runs them:
the first (every row new), the same file again (every row unchanged), and the file
with one row in ten changed (updated). Writes bench/results/feeds.json. The target is
under a minute for the first import on two cores.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from common import machine, measured_now, results_write

RESULTS = Path(__file__).resolve().parent / "results" / "feeds.json"
TARGET_SECONDS = 60
AGENCY = "RNB"
TEAMS = {"HV": "Health visiting", "SN": "School nursing"}
HEADER = [
    "Patient ID",
    "First Name",
    "Surname",
    "DOB",
    "Gender",
    "NHS Number",
    "Ethnicity",
    "Address Line 1",
    "Postcode",
    "Unit",
    "Service",
    "Referral In",
    "Discharged",
    "Caseload Holder",
    "Lead Professional",
]
MAPPING = """\
agency: RNB
system: SystmOne
required: [family_name, date_of_birth]
record_id: Patient ID
given_name: First Name
family_name: Surname
date_of_birth: {column: DOB, format: "%d/%m/%Y"}
sex: {column: Gender, codes: {"1": M, "2": F, "0": U}}
nhs_number: NHS Number
ethnicity: Ethnicity
address: Address Line 1
postcode: Postcode
team: Unit
capacity: {column: Service, codes: {HV: health_visiting, SN: school_nursing}}
started_on: {column: Referral In, format: "%d/%m/%Y"}
ended_on: {column: Discharged, format: "%d/%m/%Y"}
practitioner: Caseload Holder
lead_professional: Lead Professional
"""
GIVEN = "Aisha Amelia Jack Oliver Mohammed Olivia Noah Isla Leo Ava Yusuf Zara Kai Mia".split()
FAMILY = "Khan Smith Taylor Patel Jones Brown Ahmed Williams Begum Wilson Okafor Nowak".split()
ETHNICITY = ["WBRI", "APKN", "ABAN", "BAFR", "WOTH", "MWBC", "AIND", "CHNE"]


def _nhs_numbers(rng: random.Random) -> Any:
    """Valid NHS numbers in the 999 range kept for tests: modulus 11 check digit."""
    while True:
        body = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 10:
            continue
        yield body + str(0 if check == 11 else check)


def feed_write(path: Path, rows: int, *, changed_every: int = 0, seed: int = 1) -> None:
    rng = random.Random(seed)
    numbers = _nhs_numbers(rng)
    today = date.today()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            born = today - timedelta(days=rng.randrange(30, 17 * 365))
            service = "HV" if n % 2 else "SN"
            started = born + timedelta(days=rng.randrange(1, 25))
            street = rng.choice(["Alder Road", "Keats Lane", "Priory Close", "Mill Street"])
            row = [
                str(500000 + n),
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                f"{born:%d/%m/%Y}",
                rng.choice("120"),
                next(numbers),
                rng.choice(ETHNICITY),
                f"{rng.randrange(1, 200)} {street}",
                f"NB{rng.randrange(1, 9)} {rng.randrange(1, 9)}{rng.choice('ABDEFGHJ')}"
                f"{rng.choice('LNPQRSTUWXYZ')}",
                TEAMS[service],
                service,
                f"{min(started, today):%d/%m/%Y}",
                "",
                "",
                "N",
            ]
            if changed_every and n % changed_every == 0:
                row[7] = "1 Changed Road"  # moved house
            writer.writerow(row)


def _tellonce(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tellonce.cli", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True)


def _timed_import(path: Path, env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    result = _tellonce("import", "--agency", AGENCY, str(path), env=env)
    seconds = time.perf_counter() - started
    summary = result.stdout.strip().splitlines()[-1]
    counts = {
        key: int(value.replace(",", ""))
        for value, key in re.findall(r"([\d,]+) (new|updated|unchanged|skipped)", summary)
    }
    read = int(re.search(r"read ([\d,]+) rows", summary)[1].replace(",", ""))  # type: ignore[index]
    return {"seconds": round(seconds, 1), "rows_per_second": round(read / seconds), **counts}


def run(rows: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tellonce-feeds-bench-") as var_dir:
        env = {**os.environ, "TELLONCE_ENV": "demo", "TELLONCE_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        _tellonce("migrate", "--noinput", "-v", "0", env=env)
        _tellonce("seed", "--children", "10", env=env)
        directory = Path(var_dir)
        feed = directory / "systmone.csv"
        changed = directory / "systmone-changed.csv"
        for path in (feed, changed):
            path.with_suffix(".yaml").write_text(MAPPING, encoding="utf-8")
        feed_write(feed, rows)
        feed_write(changed, rows, changed_every=10)
        first = _timed_import(feed, env)
        again = _timed_import(feed, env)
        updated = _timed_import(changed, env)
    return {
        "benchmark": "tellonce import",
        "database": "sqlite",
        "rows": rows,
        "seconds": first["seconds"],
        "rows_per_second": first["rows_per_second"],
        "target_seconds": TARGET_SECONDS,
        "within_target": first["seconds"] < TARGET_SECONDS,
        "first_import": first,
        "same_file_again": again,
        "one_in_ten_changed": updated,
        "machine": machine(),
        "measured_on": measured_now(),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args(argv)
    result = run(options.rows)
    results_write(RESULTS, result)
    print(
        f"import: {result['rows']:,} rows in {result['seconds']} s"
        f" ({result['rows_per_second']:,} rows/s); again (unchanged)"
        f" {result['same_file_again']['seconds']} s; one in ten changed"
        f" {result['one_in_ten_changed']['seconds']} s -> {RESULTS}"
    )
    return result


if __name__ == "__main__":
    main()
