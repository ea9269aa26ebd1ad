"""Assess every organisation in the store on one or more dates, on all cores, and prove nothing was lost.

Worker processes (forked, so each has its own durable-rules engine: durable never releases the GIL) load an
organisation's evidence once, assess it on every date (one EvidenceTimeline for all of them), and save its
assessments in one transaction. The rows' canonical text and hashes are made before
any lock is taken; then the writer takes the batch's own lock (so workers hand the store over without
sleeping in SQLite's busy-wait back-off) and the audit chain's lock (`save_prepared` does), which serialises
it with any other writer on the store's own locking (SQLite's write lock; PostgreSQL's row lock), so events
are appended in one sequence; meanwhile the other workers go on computing. Results never travel
between processes: each worker hands back only ids and counts, and the parent counts the saved assessments
back from the store: organisations x dates, or an error. Each organisation gets its own assessments; nothing
here ranks or compares organisations.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from multiprocessing.synchronize import Lock
from typing import Any

from pxrules.common.gcpause import paused_gc
from pxrules.errors import PxRulesError, StoreError

Progress = Callable[[int, int], None]
_IN_CHUNK = 500


@dataclass(frozen=True)
class _OrgDone:
    """What a worker did for one organisation: the ids it saved, or why it saved none."""

    org: str
    ids: list[int]
    error: str | None = None


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did: counts and timings (never scores: see the module docstring)."""

    organisations: int
    dates: list[dt.date]
    expected: int
    saved: int
    failed: dict[str, str]
    jobs: int
    seconds: float
    assessment_ids: list[int] = field(repr=False, default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed and self.saved == self.expected

    def to_json(self) -> dict[str, Any]:
        return {
            "organisations": self.organisations,
            "dates": [d.isoformat() for d in self.dates],
            "expected": self.expected,
            "saved": self.saved,
            "complete": self.complete,
            "failed": dict(sorted(self.failed.items())),
            "jobs": self.jobs,
            "seconds": round(self.seconds, 3),
            "per_assessment_ms": round(1000 * self.seconds / self.saved, 2) if self.saved else None,
        }


# -- worker side ------------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(url: str, by: str, writing: Lock) -> None:
    _WORKER.update(url=url, by=by, writing=writing)
    # What the worker inherited (the parsed rule pack, the measure registry) lives for the whole batch:
    # moved out of the collector's generations, later collections never walk it again.
    gc.freeze()


def _assess_org(org: str, dates: Sequence[dt.date], url: str, by: str,
                writing: AbstractContextManager[Any] | None = None) -> _OrgDone:
    """Load one organisation's evidence once, assess it on every date, and save all of it in one transaction."""
    from pxrules.measures.view import EvidenceTimeline
    from pxrules.rules.pack import default_rulepack
    from pxrules.scoring.assess import assess
    from pxrules.scoring.stored import score_lines
    from pxrules.store.db import unit_of_work
    from pxrules.store.records import NewAssessment, prepare_assessments, save_prepared
    from pxrules.store.repo import load_evidence_hashed, register_mark

    pack = default_rulepack()
    try:
        with unit_of_work(url) as session:
            mark = register_mark(session=session)
            evidence = load_evidence_hashed(org, session=session, mark=mark)[0]
        results = []
        timeline = EvidenceTimeline(org, evidence)
        for day in dates:
            result = assess(org, day, evidence, pack=pack, view=timeline.view(day))
            results.append((result, {**result.to_json(), "register": mark}))
        with unit_of_work(url) as session:
            prepared = prepare_assessments(session=session, by=by, assessments=[
                NewAssessment(org, r.as_of, r.rules_hash, r.catalogue_version, r.evidence_ids, data, score_lines(r))
                for r, data in results])
            # The batch's workers take turns to write through `writing`, which wakes the next one the moment
            # it is free, rather than all meeting the store's lock and sleeping in its busy-wait back-off; the
            # commit is inside, so the store's lock is released before the next worker begins.
            with writing or nullcontext():
                ids = save_prepared(session=session, prepared=prepared, by=by)
                session.commit()
    except PxRulesError as exc:
        return _OrgDone(org, [], error=str(exc))
    return _OrgDone(org, ids)


def _worker_task(task: tuple[str, Sequence[dt.date]]) -> _OrgDone:
    org, dates = task
    with paused_gc():
        return _assess_org(org, dates, _WORKER["url"], _WORKER["by"], _WORKER["writing"])


# -- parent side ------------------------------------------------------------------------------------------


def _count_saved(url: str, ids: Sequence[int]) -> int:
    """How many of `ids` are assessments in the store now (read back, not trusted from memory)."""
    import sqlalchemy as sa

    from pxrules.store.db import unit_of_work
    from pxrules.store.tables import Assessment

    found = 0
    with unit_of_work(url) as session:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = list(ids[start:start + _IN_CHUNK])
            found += session.execute(
                sa.select(sa.func.count()).select_from(Assessment).where(
                    Assessment.id.in_(chunk))  # type: ignore[union-attr]
            ).scalar_one()
    return found


def list_org_codes(url: str) -> list[str]:
    """Every organisation in the store, by code."""
    from pxrules.store.db import unit_of_work
    from pxrules.store.repo import list_orgs

    with unit_of_work(url) as session:
        return [o.code for o in list_orgs(session=session)]


def _results(tasks: Sequence[tuple[str, Sequence[dt.date]]], url: str, jobs: int, by: str) -> Iterator[_OrgDone]:
    if jobs == 1 or len(tasks) <= 1:
        for org, dates in tasks:
            with paused_gc():
                done = _assess_org(org, dates, url, by)
            yield done
        return
    from pxrules.rules.pack import default_rulepack
    from pxrules.store.db import dispose_engines

    default_rulepack()  # parsed once here, inherited by every worker
    dispose_engines()  # no pooled database connection may cross the fork
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_init_worker, initargs=(url, by, context.Lock())) as pool:
        yield from pool.imap_unordered(_worker_task, tasks, chunksize=1)


def run_batch(
    url: str,
    dates: Sequence[dt.date],
    *,
    by: str,
    jobs: int | None = None,
    orgs: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Assess every organisation (or `orgs`) on every date in `dates`, with `jobs` processes (default: all
    cores); `progress(done, total)` is called after each organisation's assessments are saved.

    Raises StoreError when the saved count read back from the store is not organisations x dates (an
    organisation whose assessment failed is reported in `failed`, not raised, so the others still land).
    """
    started = time.perf_counter()
    days = sorted(set(dates))
    if not days:
        raise PxRulesError("no assessment date given")
    codes = sorted(orgs) if orgs is not None else list_org_codes(url)
    jobs = max(1, jobs or os.cpu_count() or 1)
    total = len(codes) * len(days)
    ids: list[int] = []
    failed: dict[str, str] = {}
    if progress is not None:
        progress(0, total)
    tasks = [(code, days) for code in codes]
    processed = 0
    for done in _results(tasks, url, min(jobs, max(1, len(codes))), by):
        processed += len(days)
        ids.extend(done.ids)
        if done.error is not None:
            failed[done.org] = done.error
        if progress is not None:
            progress(processed, total)
    saved = _count_saved(url, ids)
    summary = BatchSummary(len(codes), days, total, saved, failed, jobs, time.perf_counter() - started, ids)
    if saved != len(ids):
        raise StoreError(f"{len(ids)} assessments were saved but {saved} are in the store")
    return summary
