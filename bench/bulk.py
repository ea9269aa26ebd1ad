"""Timing `org import` and `export scores` for every organisation in the KO41a file (279), medians of runs.

    python -m bench.bulk [--runs 5]

Builds a fresh SQLite store in a temporary folder, registers the 279 organisations of the shipped KO41a
2024-25 file from a CSV (timed, each run in a new store), imports KO41a for all of them, assesses every
organisation once (not timed: setup), then times `pxrules export scores` to CSV and JSON. Each timing is a
whole `pxrules` process, as a user runs it. Prints the medians and writes bench/bulk-results.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pxrules.importers.common import shipped_file

TYPES = (("ambulance", "ambulance"), ("mental health", "mental-health"), ("care trust", "mental-health"),
         ("community", "community"), ("acute", "acute"))


def org_csv(path: Path) -> int:
    """The KO41a file's organisations as code,name,type."""
    with shipped_file("ko41a-2024-25-org-level.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "type"])
        for row in rows:
            kind = row["Organisation_Type"].lower()
            org_type = next((t for word, t in TYPES if word in kind), "other")
            writer.writerow([row["Organisation_Code"], row["Organisation_Name"], org_type])
    return len(rows)


def _run(*args: str, cwd: Path) -> float:
    exe = Path(sys.executable).with_name("pxrules")
    start = time.perf_counter()
    subprocess.run([str(exe), *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        count = org_csv(folder / "orgs.csv")
        imports = []
        for i in range(runs):
            store = folder / f"import-{i}"
            store.mkdir()
            _run("init", cwd=store)
            imports.append(_run("org", "import", str(folder / "orgs.csv"), cwd=store))
        store = folder / "import-0"
        _run("import", "ko41a", str(shipped_file("ko41a-2024-25-org-level.csv")), "--all", cwd=store)
        setup = _run("assess", "--all", "--as-of", "2025-06-30", "--jobs", "2", cwd=store)
        exports: dict[str, list[float]] = {"csv": [], "json": []}
        for i in range(runs):
            for fmt in exports:
                exports[fmt].append(_run("export", "scores", "--format", fmt, "-o", str(folder / f"s{i}.{fmt}"),
                                         cwd=store))
    result = {
        "organisations": count, "runs": runs,
        "org_import_median_s": round(statistics.median(imports), 3),
        "export_csv_median_s": round(statistics.median(exports["csv"]), 3),
        "export_json_median_s": round(statistics.median(exports["json"]), 3),
        "assess_all_setup_s": round(setup, 3),
        "org_import_runs_s": [round(t, 3) for t in imports],
        "export_csv_runs_s": [round(t, 3) for t in exports["csv"]],
        "export_json_runs_s": [round(t, 3) for t in exports["json"]],
    }
    print(json.dumps(result, indent=2))
    Path(__file__).with_name("bulk-results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
