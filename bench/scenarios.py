"""The benchmark scenarios: one trust in-process and as a command, start-up, the national batch with its
memory, and the zen-engine baseline. Each returns plain numbers."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import synth, timing
from bench.stores import store_copy

AS_OF = dt.date(2026, 3, 31)
Log = Callable[[str], None]


@dataclass(frozen=True)
class Config:
    """Sizes and repeat counts of one benchmark run."""

    name: str
    one_size: int = 2000
    national_trusts: int = 250
    dates: tuple[dt.date, ...] = synth.QUARTERS
    jobs: int = 2
    repeats: int = 15
    cli_repeats: int = 5
    zen_subs: int = 12
    zen_trusts: int = 6
    jobs1_trusts: int = 12
    seed: int = 7


def _load(url: str, code: str) -> list[Any]:
    from pxrules.store.db import unit_of_work
    from pxrules.store.repo import load_evidence_hashed

    with unit_of_work(url) as session:
        return load_evidence_hashed(code, session=session)[0]


def one_trust(cfg: Config, url: str, log: Log) -> dict[str, float]:
    """One assessment of the one-trust store, in-process: load, assess (durable and reference), rules only."""
    from pxrules.measures import compute_measures
    from pxrules.rules.pack import default_rulepack
    from pxrules.scoring.assess import assess, evaluate

    pack = default_rulepack()
    code = synth.org_code(1)
    evidence = _load(url, code)
    log(f"one trust: {len(evidence)} items in-process")
    out: dict[str, float] = {"one_trust_items": len(evidence)}
    out["load_one_ms"] = timing.median_ms(lambda: _load(url, code), cfg.repeats)
    out["assess_one_ms"] = timing.median_ms(lambda: assess(code, AS_OF, evidence, pack=pack), cfg.repeats)
    out["assess_one_reference_ms"] = timing.median_ms(
        lambda: assess(code, AS_OF, evidence, pack=pack, evaluator="reference"), cfg.repeats)
    facts = {k: v.value for k, v in compute_measures(code, AS_OF, evidence, names=pack.measures_used()).items()}
    loops = 20
    out["rules_durable_ms"] = timing.median_ms(
        lambda: [evaluate(pack, facts, "durable") for _ in range(loops)], cfg.repeats) / loops
    out["rules_reference_ms"] = timing.median_ms(
        lambda: [evaluate(pack, facts, "reference") for _ in range(loops)], cfg.repeats) / loops
    out["durable_over_reference"] = out["assess_one_ms"] / out["assess_one_reference_ms"]
    out["rules_durable_over_reference"] = out["rules_durable_ms"] / out["rules_reference_ms"]
    return out


def commands(cfg: Config, url: str, log: Log) -> dict[str, float]:
    """Whole commands in fresh processes: `pxrules --help`, start-up, and one assessment."""
    px = timing.pxrules_command()
    code = synth.org_code(1)
    log("commands: pxrules --help, start-up, assess")
    out: dict[str, float] = {}
    out["help_s"] = timing.median_command_s([*px, "--help"], cfg.cli_repeats * 2)
    out["assess_help_s"] = timing.median_command_s([*px, "assess", "--help"], cfg.cli_repeats)
    startup = ("import pxrules.scoring.stored, pxrules.rules.engine as e, pxrules.rules.pack as r; "
               "p = r.default_rulepack(); e.get_engine(p.hash, p.rules)")
    out["assess_startup_s"] = timing.median_command_s([sys.executable, "-c", startup], cfg.cli_repeats)
    assess = [*px, "--db", url, "assess", "--org", code, "--as-of", AS_OF.isoformat(), "--json"]
    out["assess_one_cli_s"] = timing.median_command_s(assess, cfg.cli_repeats)
    return out


def national(cfg: Config, url: str, work: Path, log: Log) -> dict[str, Any]:
    """`pxrules assess --all` over every trust and date with --jobs, its memory, and a 1-process baseline."""
    from pxrules.scoring.batch import run_batch
    from pxrules.store.db import dispose_engines

    px = timing.pxrules_command()
    dates = [f"--as-of={d.isoformat()}" for d in cfg.dates]
    command = [*px, "--db", url, "assess", "--all", *dates, "--jobs", str(cfg.jobs), "--json"]
    log(f"national batch: {cfg.national_trusts} trusts x {len(cfg.dates)} dates, --jobs {cfg.jobs}")
    seconds, stdout, trace = timing.run_sampled(command)
    summary = json.loads(stdout)
    stored = _count_assessments(url)
    if not summary["complete"] or stored != cfg.national_trusts * len(cfg.dates):
        raise RuntimeError(f"batch lost assessments: summary {summary}, {stored} in the store")
    out: dict[str, Any] = {
        "batch_assessments": summary["saved"], "batch_expected": summary["expected"],
        "batch_in_store": stored, "batch_s": seconds, "batch_library_s": summary["seconds"],
        "batch_per_assessment_ms": 1000 * seconds / summary["saved"],
        "batch_peak_rss_mb": trace.peak_total, "batch_parent_peak_rss_mb": max(trace.parent, default=0.0),
        "batch_worker_peak_rss_mb": max(trace.largest_child, default=0.0),
        "batch_worker_rss_growth_mb": trace.growth_after_warmup(trace.largest_child),
        "batch_parent_rss_growth_mb": trace.growth_after_warmup(trace.parent),
    }
    subset = [synth.org_code(i) for i in range(1, cfg.jobs1_trusts + 1)]
    log(f"baseline: one process, {len(subset)} trusts x {len(cfg.dates)} dates")
    single = run_batch(url, cfg.dates, by="bench", jobs=1, orgs=subset)
    dispose_engines()
    out["batch_jobs1_per_assessment_ms"] = 1000 * single.seconds / single.saved
    out["batch_parallel_speedup"] = out["batch_jobs1_per_assessment_ms"] / out["batch_per_assessment_ms"]
    out["memory_trace"] = {"t": [round(t, 2) for t in trace.times], "parent": [round(p) for p in trace.parent],
                           "children": [round(c) for c in trace.children]}
    return out


def _count_assessments(url: str) -> int:
    from sqlalchemy import func, select

    from pxrules.store.db import unit_of_work
    from pxrules.store.tables import Assessment

    with unit_of_work(url) as session:
        return int(session.execute(select(func.count()).select_from(Assessment)).scalar_one())


def zen_baseline(cfg: Config, log: Log) -> dict[str, Any]:
    """The same scoring of a subset of sub-requirements by zen-engine decision tables, durable and reference."""
    from bench.zen_tables import ZenScorer, pick_subset, raw_levels
    from pxrules.measures import compute_measures
    from pxrules.rules.pack import default_rulepack
    from pxrules.scoring.assess import evaluate

    pack = default_rulepack()
    subs = pick_subset(pack, cfg.zen_subs)
    log(f"zen-engine baseline: {len(subs)} sub-requirements ({', '.join(subs)})")
    scorer = ZenScorer(pack, subs)
    shared = synth.benchmarks(synth.layers_for(cfg.one_size))
    fact_sets = []
    for i in range(1, cfg.zen_trusts + 1):
        trust = synth.make_trust(100 + i, cfg.one_size, cfg.seed)
        for day in cfg.dates[::3]:
            values = compute_measures(trust.code, day, trust.items + shared, names=pack.measures_used())
            fact_sets.append({k: v.value for k, v in values.items()})
    disagree = sum(raw_levels(evaluate(pack, f, "reference", only=subs), subs) != scorer.levels(scorer.context(f))
                   for f in fact_sets)
    contexts = [scorer.context(f) for f in fact_sets]

    def each(fn: Callable[[int], Any]) -> Callable[[], None]:
        def run_all() -> None:
            for k in range(len(fact_sets)):
                fn(k)

        return run_all

    per = len(fact_sets)
    ref = timing.median_ms(each(lambda k: evaluate(pack, fact_sets[k], "reference", only=subs)), cfg.repeats) / per
    dur = timing.median_ms(each(lambda k: evaluate(pack, fact_sets[k], "durable", only=subs)), cfg.repeats) / per
    zen = timing.median_ms(each(lambda k: scorer.levels(contexts[k])), cfg.repeats) / per
    return {
        "zen_subset": subs, "zen_fact_sets": per, "zen_disagreements": disagree,
        "zen_subset_reference_ms": ref, "zen_subset_durable_ms": dur, "zen_subset_zen_ms": zen,
        "zen_over_reference": zen / ref, "durable_subset_over_reference": dur / ref,
    }


def stores(cfg: Config, work: Path, cache_dir: Path, log: Log) -> tuple[str, str]:
    """(one-trust store URL, national store URL), fresh copies in `work` of stores cached in `cache_dir`."""
    one = store_copy(f"one-{cfg.one_size}", [cfg.one_size], cfg.seed, work / "one.db", log, cache_dir)
    sizes = synth.trust_sizes(cfg.national_trusts, cfg.seed)
    national_url = store_copy(f"national-{cfg.name}", sizes, cfg.seed, work / "national.db", log, cache_dir)
    return one, national_url
