"""Check one folder of the rule pack while the rest is being written: validate, run its cases, demo scores.

    python -m pxrules.scoring.devcheck 1-leadership [--demo] [--reference]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from pxrules.evidence import parse_evidence
from pxrules.measures import compute_measures
from pxrules.paths import examples_dir
from pxrules.rules.pack import load_rulepack
from pxrules.scoring.assess import Evaluator, score_facts
from pxrules.scoring.rule_cases import collect_cases, run_case

DEMO_ORG = "ZZ9"
DEMO_DATES = (dt.date(2025, 3, 31), dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 9, 30))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pxrules.scoring.devcheck")
    parser.add_argument("folder")
    parser.add_argument("--demo", action="store_true", help="print demo-trust scores on the demo dates")
    parser.add_argument("--reference", action="store_true", help="use the plain-Python evaluator")
    args = parser.parse_args(argv)
    evaluator: Evaluator = "reference" if args.reference else "durable"
    pack = load_rulepack(subdir=args.folder)
    print(f"{len(pack.files)} rule files valid in {args.folder}: {', '.join(pack.files)}")
    cases, missing = collect_cases(pack)
    failed = 0
    reached: dict[str, set[int]] = {s: set() for s in pack.files}
    for case in cases:
        result = run_case(pack, case, evaluator)
        if result.passed:
            reached[case.sub_requirement].add(result.got)
        else:
            failed += 1
            print(f"FAIL {case.label}: expected {case.expect}, got {result.got}: {' | '.join(result.because)}")
    print(f"{len(cases)} cases, {failed} failed; no case file: {missing or 'none'}")
    for sub, got in reached.items():
        gaps = sorted(set(range(6)) - got)
        if gaps:
            print(f"  {sub}: levels reached by no passing case: {gaps}")
    if args.demo:
        import yaml

        items = []
        for path in sorted((examples_dir() / "demo" / "evidence").glob("*.yaml")):
            for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                items.append(parse_evidence(raw))
        print("demo scores  " + "  ".join(d.isoformat() for d in DEMO_DATES))
        rows: dict[str, list[str]] = {s: [] for s in pack.files}
        for day in DEMO_DATES:
            facts = compute_measures(DEMO_ORG, day, items, names=pack.measures_used())
            for score in score_facts(pack, facts, evaluator, only=list(pack.files)):
                rows[score.id].append(f"{score.suggested}{'*' if score.caps else ' '}")
        for sub, values in rows.items():
            print(f"  {sub:<4} " + "          ".join(values))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
