"""What one published file holds once read, and storing it: organisations, evidence, all or nothing.

`store_published` registers organisations (optionally) and stores the selected items in one unit of work,
with correct=True semantics: the same figures again are unchanged, changed figures become a new version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pxrules.errors import EvidenceError, NotFoundError
from pxrules.evidence import Evidence
from pxrules.importers.common import FileInfo

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class PublishedOrg:
    """An organisation as a publication names it."""

    code: str
    name: str
    type: str  # one of the store's ORG_TYPES


@dataclass
class Published:
    """One parsed file: validated items by organisation, shared benchmarks, and the organisations named."""

    publication: str
    file: FileInfo
    period: str
    org_items: dict[str, list[Evidence]] = field(default_factory=dict)
    benchmarks: list[Evidence] = field(default_factory=list)
    orgs: dict[str, PublishedOrg] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add_item(self, item: Evidence) -> None:
        assert item.org is not None
        self.org_items.setdefault(item.org, []).append(item)

    def name_org(self, org: PublishedOrg) -> None:
        self.orgs.setdefault(org.code, org)


@dataclass(frozen=True)
class ImportResult:
    """What an import did, for the CLI's text and --json output."""

    publication: str
    file: str
    sha256: str
    period: str
    new: int
    unchanged: int
    corrected: int
    ids: list[str]
    organisations: list[str]
    registered: list[str]
    kinds: dict[str, int]
    warnings: list[str]
    details: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.new} new, {self.unchanged} unchanged, {self.corrected} corrected"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {
            "publication": self.publication,
            "file": self.file,
            "sha256": self.sha256,
            "period": self.period,
            "new": self.new,
            "unchanged": self.unchanged,
            "corrected": self.corrected,
            "ids": list(self.ids),
            "organisations": list(self.organisations),
            "registered": list(self.registered),
            "kinds": dict(self.kinds),
            "warnings": list(self.warnings),
            "details": dict(self.details),
        }


def select_orgs(published: Published, orgs: Iterable[str] | None, all_orgs: bool) -> list[str]:
    """The organisation codes to import: all in the file, the named ones (each must be there), or none."""
    from pxrules.store.orgs import did_you_mean

    named = [o.strip().upper() for o in (orgs or [])]
    if all_orgs and named:
        raise EvidenceError("give --org CODE ... or --all, not both")
    in_file = sorted(set(published.orgs) | set(published.org_items))
    if all_orgs:
        return in_file
    missing = [c for c in named if c not in published.orgs and c not in published.org_items]
    if missing:
        hints = "; ".join(f"{c}{did_you_mean(c, in_file)}" for c in missing)
        shown = ", ".join(in_file[:12]) + (f" ... ({len(in_file)} in all)" if len(in_file) > 12 else "")
        raise NotFoundError(f"{published.file.name} has no organisation {hints}; it covers {shown or 'none'}")
    return list(dict.fromkeys(named))


def store_published(
    url: str | None,
    published: Published,
    *,
    orgs: Iterable[str] | None,
    all_orgs: bool,
    register_orgs: bool,
    by: str,
) -> ImportResult:
    """Register (optionally) and store the selected organisations' items plus the benchmarks, all or nothing.

    Items are stored with correct=True: the same figures again are `unchanged`, a republication with
    different figures adds a new version and keeps the old one in the history.
    """
    from pxrules.common.dates import check_not_future
    from pxrules.store.db import unit_of_work
    from pxrules.store.repo import add_org, list_orgs, store_evidence

    chosen = select_orgs(published, orgs, all_orgs)
    items: list[Evidence] = [i for code in chosen for i in published.org_items.get(code, [])]
    items.extend(published.benchmarks)
    for item in items:
        check_not_future(item.end, f"{published.file.name}: {item.id} covers a period ending")
    registered: list[str] = []
    with unit_of_work(url) as session:
        if register_orgs:
            known = {o.code for o in list_orgs(session=session)}
            for code in chosen:
                org = published.orgs.get(code)
                if org is not None and code not in known:
                    add_org(org.code, org.name[:200], org.type, session=session, by=by)
                    registered.append(code)
        same = same_figures(items, session)
        summary = store_evidence(
            [i for i in items if i.id not in same],
            session=session,
            by=by,
            correct=True,
            import_file=published.file.name,
        )
    kinds: dict[str, int] = {}
    for item in items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    return ImportResult(
        publication=published.publication,
        file=published.file.name,
        sha256=published.file.sha256,
        period=published.period,
        new=summary.new,
        unchanged=summary.unchanged + len(same),
        corrected=summary.corrected,
        ids=list(dict.fromkeys(i.id for i in items)),
        organisations=chosen,
        registered=registered,
        kinds=dict(sorted(kinds.items())),
        warnings=list(published.warnings),
        details=dict(published.details),
    )


def same_figures(items: Sequence[Evidence], session: Session) -> set[str]:
    """Ids whose latest stored version holds the same figures, differing only in `source`.

    A republished file has a new sha256 (and rows may move), so every item's source changes; only items
    whose figures changed become new versions, the others keep the version that cites the earlier file.
    """
    import json

    from sqlmodel import col, select

    from pxrules.evidence import parse_evidence
    from pxrules.store.tables import EvidenceRow

    ids = sorted({i.id for i in items})
    latest: dict[str, EvidenceRow] = {}
    for start in range(0, len(ids), 500):
        query = select(EvidenceRow).where(col(EvidenceRow.evidence_id).in_(ids[start : start + 500]))
        for found in session.exec(query).all():
            held = latest.get(found.evidence_id)
            if held is None or found.version > held.version:
                latest[found.evidence_id] = found
    same: set[str] = set()
    for item in items:
        stored = latest.get(item.id)
        if stored is None or stored.content_hash == item.content_hash():
            continue  # new, or identical (store_evidence counts it as unchanged)
        old = parse_evidence(json.loads(stored.payload), stored=True).content()
        new = item.content()
        old.pop("source", None)
        new.pop("source", None)
        if old == new:
            same.add(item.id)
    return same
