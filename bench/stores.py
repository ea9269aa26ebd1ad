"""Benchmark stores: synthetic trusts written through the ordinary import path, built once and copied per run.

Building the national store (hundreds of thousands of items, each validated, hashed and audited) takes
minutes, so a built store is kept under bench/.cache/ keyed by everything that shapes it (the generator's
source, the demo evidence, the schema, the sizes and seed) and copied for each run, which then writes to
its copy only.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pxrules.store
from bench import synth
from pxrules.paths import examples_dir

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
BY = "pxrules bench"
Log = Callable[[str], None]


def _fingerprint(kind: str, sizes: Sequence[int], seed: int) -> str:
    digest = hashlib.sha256(f"{kind}:{seed}:{','.join(map(str, sizes))}".encode())
    # What shapes the data: the generator, its templates, the evidence models and the schema.
    package = Path(pxrules.store.__file__).parent.parent
    sources = [Path(synth.__file__), *sorted((examples_dir() / "demo" / "evidence").glob("*.yaml")),
               *sorted((package / "evidence").glob("*.py")),
               *sorted((package / "store" / "migrations" / "versions").glob("*.py"))]
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build(path: Path, sizes: Sequence[int], seed: int, log: Log) -> None:
    from pxrules.store.db import dispose_engines, init_db, unit_of_work
    from pxrules.store.repo import add_org, store_evidence

    url = f"sqlite:///{path}"
    init_db(url, by=BY)
    layers = max(synth.layers_for(s) for s in sizes)
    with unit_of_work(url) as session:
        store_evidence(synth.benchmarks(layers), session=session, by=BY)
    started = time.perf_counter()
    for i, size in enumerate(sizes, start=1):
        trust = synth.make_trust(i, size, seed)
        with unit_of_work(url) as session:
            add_org(trust.code, f"Synthetic trust {i} (benchmark, not a real trust)", "acute",
                    session=session, by=BY)
            store_evidence(trust.items, session=session, by=BY)
        if i % 25 == 0 or i == len(sizes):
            log(f"  built {i}/{len(sizes)} trusts ({time.perf_counter() - started:.0f} s)")
    dispose_engines()
    with sqlite3.connect(path) as connection:  # fold the WAL in, so the file alone is the store
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def store_copy(kind: str, sizes: Sequence[int], seed: int, dest: Path, log: Log,
               cache_dir: Path = CACHE_DIR) -> str:
    """A fresh copy at `dest` of the store holding trusts of `sizes` (built and cached in `cache_dir` on
    first use); returns its URL."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached = cache_dir / f"{kind}-{_fingerprint(kind, sizes, seed)}.db"
    if not cached.exists():
        log(f"building the {kind} store ({len(sizes)} trusts, {sum(sizes):,} items; cached for later runs)")
        for stale in cache_dir.glob(f"{kind}-*"):
            stale.unlink()
        partial = cached.with_suffix(".partial")
        _build(partial, sizes, seed, log)
        partial.rename(cached)
        for leftover in cache_dir.glob(partial.name + "-*"):  # the emptied -wal and -shm files
            leftover.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    for leftover in dest.parent.glob(dest.name + "*"):
        leftover.unlink()
    shutil.copyfile(cached, dest)
    return f"sqlite:///{dest}"
