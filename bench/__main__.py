"""`python -m bench [--quick] [--dry-run]`: run the benchmarks, print the figures against their targets and
baselines, and write them to bench/results.json.

--quick runs every scenario at reduced size (a national set of 24 trusts) in under two minutes once its
stores are cached; --dry-run runs them at tiny sizes to prove the harness works. Stores are built through
the ordinary import path and cached under bench/.cache/ (see bench/stores.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import scenarios, synth
from bench.stores import CACHE_DIR

RESULTS = Path(__file__).resolve().parent / "results.json"
PRESETS = {
    "full": scenarios.Config("full"),
    "quick": scenarios.Config("quick", national_trusts=24, repeats=9, cli_repeats=3, zen_trusts=3,
                              jobs1_trusts=4),
    "dry-run": scenarios.Config("dry-run", one_size=0, national_trusts=3, dates=synth.QUARTERS[-2:], repeats=2,
                                cli_repeats=1, zen_subs=4, zen_trusts=1, jobs1_trusts=1),
}
# (key, label, unit, target, baseline key or None, lower is better)
ROWS: list[tuple[str, str, str, float | None, str | None]] = [
    ("assess_one_ms", "one assessment, 2,000-item trust, in-process", "ms", 50, "assess_one_reference_ms"),
    ("assess_one_cli_s", "the same as a whole command", "s", 1.0, "assess_startup_s"),
    ("help_s", "pxrules --help", "s", 0.3, None),
    ("assess_startup_s", "pxrules assess start-up (imports, rules, engine)", "s", None, None),
    ("batch_s", "national batch, --jobs 2", "s", 60, None),
    ("batch_assessments", "assessments saved (= trusts x dates)", "", None, "batch_expected"),
    ("batch_per_assessment_ms", "batch time per assessment", "ms", None, "batch_jobs1_per_assessment_ms"),
    ("batch_peak_rss_mb", "batch peak RSS (parent + workers)", "MB", 500, None),
    ("batch_worker_rss_growth_mb", "worker RSS growth after warm-up", "MB", None, "batch_worker_peak_rss_mb"),
    ("durable_over_reference", "durable / reference evaluator (assessment)", "x", 3.0, None),
    ("rules_durable_over_reference", "durable / reference (rules only)", "x", 3.0, None),
    ("zen_over_reference", "zen-engine tables / reference (subset)", "x", None, None),
    ("durable_subset_over_reference", "durable / reference (same subset)", "x", None, None),
]


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms", "MB"):
        return f"{value:,.1f} {unit}"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.0f}"


def print_table(results: dict[str, Any]) -> None:
    print(f"\npxrules benchmarks ({results['preset']}, medians, {results['machine']}, load average "
          f"{results['load_average_at_start']:.1f} at start, {results['load_average_at_end']:.1f} at end)")
    print(f"{'figure':<52} {'value':>12} {'target':>10} {'met':>4}  baseline (ratio)")
    for key, label, unit, target, base in ROWS:
        value = results.get(key)
        if value is None:
            continue
        met = "" if target is None else ("yes" if value <= target else "NO")
        baseline = ""
        if base and results.get(base):
            baseline = f"{base} {_fmt(results[base], unit)} ({value / results[base]:.2f}x)"
        print(f"{label:<52} {_fmt(value, unit):>12} {_fmt(target, unit) if target else '':>10} {met:>4}  {baseline}")
    print(f"zen-engine agreed with the reference on {results['zen_fact_sets'] - results['zen_disagreements']} of "
          f"{results['zen_fact_sets']} fact sets; batch store held {results['batch_in_store']} assessments.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes (under two minutes)")
    parser.add_argument("--dry-run", action="store_true", help="tiny sizes: check the harness works")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file (default bench/results.json)")
    parser.add_argument("--work", type=Path, help="folder for the stores' working copies (default: temporary)")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR, help="where built stores are kept (bench/.cache)")
    args = parser.parse_args(argv)
    preset = "dry-run" if args.dry_run else "quick" if args.quick else "full"
    cfg = PRESETS[preset]
    if not cfg.one_size:
        cfg = dataclasses.replace(cfg, one_size=sum(map(len, synth.templates())))
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {"preset": preset, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
                               "load_average_at_start": os.getloadavg()[0],
                               "config": {k: str(v) for k, v in dataclasses.asdict(cfg).items()}}
    with tempfile.TemporaryDirectory(prefix="pxrules-bench-") as tmp:
        work = args.work or Path(tmp)
        one_url, national_url = scenarios.stores(cfg, work, args.cache, log)
        results.update(scenarios.one_trust(cfg, one_url, log))
        results.update(scenarios.commands(cfg, one_url, log))
        results.update(scenarios.zen_baseline(cfg, log))
        results.update(scenarios.national(cfg, national_url, work, log))
    results["bench_seconds"] = time.perf_counter() - started
    # The machine is shared: how busy it was says how far to trust the absolute figures (ratios travel better).
    results["load_average_at_end"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nwritten to {args.out} ({results['bench_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
