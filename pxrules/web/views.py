"""What each page shows, as JSON-ready data built from the same library calls as the CLI's `--json`.

Pages and their /api/ twins both call these, so a page never shows anything its JSON does not hold.
Results are kept per process, keyed by how far the store's append-only tables reach (evidence rows,
withdrawals, assessments, self-assessments, organisations): their rows are only ever added, never changed,
so a cached view can never outlive the data it was built from; sign-ins and account changes, which do not
change what a page shows, do not empty the cache.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa

from pxrules.board.compare import Comparison, compare
from pxrules.board.trend import trend
from pxrules.errors import NotFoundError
from pxrules.rules.catalogue import load_catalogue
from pxrules.scoring.due import DEFAULT_WITHIN, evidence_due
from pxrules.scoring.stored import explain
from pxrules.store.db import unit_of_work
from pxrules.store.drafts import DraftRecord
from pxrules.store.repo import get_org

_CACHE: OrderedDict[Hashable, Any] = OrderedDict()
_LOCK = threading.Lock()
_BUILDING: dict[Hashable, threading.Lock] = {}
_SIZE = 512  # every page of a few organisations (57 sub-requirements and their actions each), some MB


_VERSION = sa.text(
    "SELECT (SELECT MAX(row) FROM evidence), (SELECT MAX(id) FROM evidence_withdrawal), "
    "(SELECT MAX(id) FROM assessment), (SELECT MAX(id) FROM self_assessment), (SELECT COUNT(*) FROM organisation), "
    "(SELECT COUNT(*) FROM attachment), (SELECT MAX(id) FROM evidence_owner), (SELECT MAX(row) FROM action), "
    "(SELECT MAX(row) FROM app_user), (SELECT MAX(id) FROM self_assessment_review), "
    "(SELECT COALESCE(SUM(revision), 0) FROM self_assessment_draft_row)"
)


def data_version(url: str) -> tuple[Any, ...]:
    """How far the tables pages read reach (one statement): the append-only ones by their last key, and the
    self-assessment drafts by their saves (each save of a line adds one to its revision)."""
    with unit_of_work(url) as session:
        return tuple(session.execute(_VERSION).one())


Version = tuple[Any, ...]


def cached(url: str, key: Hashable, build: Callable[[], Any], version: Version | None = None) -> Any:
    """`build()` once per (key, data version, day): concurrent requests for one view wait for one build.

    A page built of several views reads the data version once and passes it to each (`version`)."""
    full = (url, key, version if version is not None else data_version(url), dt.date.today())
    with _LOCK:
        if full in _CACHE:
            _CACHE.move_to_end(full)
            return _CACHE[full]
        building = _BUILDING.setdefault(full, threading.Lock())
    with building:
        with _LOCK:
            if full in _CACHE:
                return _CACHE[full]
        value = build()
        with _LOCK:
            _CACHE[full] = value
            _BUILDING.pop(full, None)
            while len(_CACHE) > _SIZE:
                _CACHE.popitem(last=False)
    return value


def comparison_of(url: str, org: str) -> Comparison | None:
    """The library's comparison of the latest self-assessment (if any) and assessment; None without one."""

    def build() -> Comparison | None:
        try:
            return compare(url, org, require_self=False)
        except NotFoundError:
            return None  # no assessment yet

    result: Comparison | None = cached(url, ("comparison", org), build)
    return result


def _comparison(url: str, org: str) -> dict[str, Any] | None:
    found = comparison_of(url, org)
    return None if found is None else found.to_json()


def home(url: str, org: str, version: Version | None = None) -> dict[str, Any]:
    """Organisation home: `compare --json`, `trend --json` and `evidence due --within 90 --json` together."""

    def build() -> dict[str, Any]:
        with unit_of_work(url) as session:
            organisation = get_org(org, session=session).as_dict()
        return {
            "organisation": organisation,
            "compare": _comparison(url, org),
            "trend": trend(url, org).to_json(),
            "due": evidence_due(url, org, within=DEFAULT_WITHIN).to_json(),
        }

    result: dict[str, Any] = cached(url, ("home", org), build, version)
    return result


def sub_requirement(url: str, org: str, sub_id: str, version: Version | None = None) -> dict[str, Any]:
    """Sub-requirement page: `explain --json`, plus the board's row of `compare --json` and both histories."""
    sub = load_catalogue().get(sub_id)  # NotFoundError for an unknown id

    def build() -> dict[str, Any]:
        comparison = _comparison(url, org)
        if comparison is None:
            raise NotFoundError(f"{org} has no stored assessment")
        history = trend(url, org).to_json()
        line = next(s for s in history["sub_requirements"] if s["key"] == sub.id)
        explained = explain(url, org, sub.id)
        return {
            **explained,
            "attachments": _attachments(url, explained["evidence"]),
            "characteristic": sub.characteristic,
            "characteristic_text": sub.characteristic_text,
            "section": sub.section,
            "board": next(r for r in comparison["sub_requirements"] if r["id"] == sub.id),
            "self_assessment": comparison["self_assessment"],
            "history": {
                "dates": [a["as_of"] for a in history["assessments"]],
                "self_dates": [s["as_of"] for s in history["self_assessments"]],
                "suggested": line["suggested"],
                "self": line["self"],
            },
        }

    result: dict[str, Any] = cached(url, ("sub", org, sub.id), build, version)
    return result


def _attachments(url: str, items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The stored attachments the cited items pin (by sha256): name, type and size beside each item."""
    from pxrules.store.attachments import get_attachment

    shas = sorted({sha for e in items if isinstance(sha := (e.get("source") or {}).get("sha256"), str)})
    found: dict[str, dict[str, Any]] = {}
    with unit_of_work(url) as session:
        for sha in shas:
            try:
                found[sha] = get_attachment(sha, session=session).as_dict()
            except NotFoundError:
                continue  # a published file's hash, not a file held here
    return found


def comparison(url: str, org: str) -> dict[str, Any] | None:
    """`compare --json` (None without an assessment)."""
    result: dict[str, Any] | None = cached(url, ("compare", org), lambda: _comparison(url, org))
    return result


def history(url: str, org: str) -> dict[str, Any]:
    """`trend --json`."""
    result: dict[str, Any] = cached(url, ("trend", org), lambda: trend(url, org).to_json())
    return result


def scoring_blind(url: str, org: str, version: Version | None = None) -> dict[str, Any] | None:
    """The self-assessment version being scored with the suggested scores hidden, if any (no lines)."""

    def build() -> dict[str, Any] | None:
        from pxrules.board.review import drafts

        found = next((v for v in drafts(url, org) if v.suggestions_hidden), None)
        return None if found is None else found.as_dict(with_rows=False)

    result: dict[str, Any] | None = cached(url, ("blind", org), build, version)
    return result


def draft_comparison(url: str, record: DraftRecord) -> dict[str, Any] | None:
    """A self-assessment version against the latest assessment (`compare --json`), kept per data version:
    every line save and review step moves it, and the version is read afresh inside, after the data version."""

    def build() -> dict[str, Any] | None:
        from pxrules.board import review

        found = review.draft_comparison(url, review.draft(url, record.org, record.id))
        return None if found is None else found.to_json()

    result: dict[str, Any] | None = cached(url, ("draft-compare", record.id), build)
    return result
