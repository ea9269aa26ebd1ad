"""The append-only evidence register: every write of evidence goes through here (reads: evidence_reads.py).

Functions take a Session from `unit_of_work` (keyword `session`) and return plain frozen records, so
results stay usable after the session closes. Evidence reads, organisation and assessment functions are
re-exported here, so callers import one module.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from pxrules.errors import EvidenceError
from pxrules.evidence import Evidence, parse_evidence
from pxrules.evidence.base import observation
from pxrules.store.audit_chain import EventSpec, append_events, lock_chain
from pxrules.store.evidence_reads import (
    EvidenceRecord,
    evidence_history,
    get_evidence,
    list_evidence,
    load_evidence,
    load_evidence_hashed,
    register_mark,
)

# Organisations (orgs.py) and assessments (records.py) are re-exported so callers import one module.
from pxrules.store.orgs import OrgRecord, add_org, did_you_mean, get_org, list_orgs
from pxrules.store.records import (
    AssessmentRecord,
    ScoreLine,
    SelfAssessmentLine,
    SelfAssessmentRecord,
    get_assessment,
    get_self_assessment,
    latest_assessment,
    latest_self_assessment,
    list_assessments,
    list_self_assessments,
    save_assessment,
    save_self_assessment,
)
from pxrules.store.tables import EvidenceRow, Organisation, utc_now

_IN_CHUNK = 500  # ids per IN (...) query: well under SQLite's bound-parameter limit

__all__ = [
    "AssessmentRecord",
    "EvidenceRecord",
    "ImportSummary",
    "OrgRecord",
    "ScoreLine",
    "SelfAssessmentLine",
    "SelfAssessmentRecord",
    "add_org",
    "did_you_mean",
    "evidence_history",
    "get_assessment",
    "get_evidence",
    "get_org",
    "get_self_assessment",
    "latest_assessment",
    "latest_self_assessment",
    "list_assessments",
    "list_evidence",
    "list_orgs",
    "list_self_assessments",
    "load_evidence",
    "load_evidence_hashed",
    "register_mark",
    "save_assessment",
    "save_self_assessment",
    "store_evidence",
]

# --- evidence ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    """What `store_evidence` did: counts, and every distinct id of the batch in input order."""

    new: int = 0
    unchanged: int = 0
    corrected: int = 0
    ids: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.new} new, {self.unchanged} unchanged, {self.corrected} corrected"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {
            "new": self.new,
            "unchanged": self.unchanged,
            "corrected": self.corrected,
            "ids": list(self.ids),
        }


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    # Nested mappings (source, modes, by_service) flatten to dotted paths so a diff names the exact field.
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): data}


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Dotted paths whose values differ between two content() mappings, sorted."""
    a, b = _flat(dict(old)), _flat(dict(new))
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _latest_rows(ids: Sequence[str], session: Session) -> dict[str, EvidenceRow]:
    latest: dict[str, EvidenceRow] = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in session.exec(select(EvidenceRow).where(col(EvidenceRow.evidence_id).in_(chunk))).all():
            held = latest.get(row.evidence_id)
            if held is None or row.version > held.version:
                latest[row.evidence_id] = row
    return latest


def _filled(item: Evidence, by: str, now: dt.datetime) -> Evidence:
    """The item with recorded_by/recorded_at filled in, re-validated (a future period is caught here)."""
    update: dict[str, Any] = {}
    if item.recorded_by is None:
        update["recorded_by"] = by
    if item.recorded_at is None:
        update["recorded_at"] = now
    if not update:
        return item
    return parse_evidence({**item.model_dump(mode="python"), **update})


def payload_text(item: Evidence) -> str:
    """The text an evidence row stores: the whole item, sorted keys, readable spacing (the audit trail hashes
    the row's columns in canonical form; this text itself is never hashed)."""
    return json.dumps(item.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def _stored_content(payload: str) -> dict[str, Any]:
    """content() of a stored payload, without re-validating it (an old payload may predate a new rule)."""
    return observation(json.loads(payload))


def _problem(exc: ValidationError) -> str:
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())


def store_evidence(
    items: Iterable[Evidence],
    *,
    session: Session,
    by: str,
    correct: bool = False,
    import_file: str | Mapping[str, str] | None = None,
    reason: str | None = None,
) -> ImportSummary:
    """Add a batch of validated evidence to the register, all or nothing.

    Per item: an unknown organisation is an error; the same id with the same content as its latest
    version is `unchanged`; the same id with different content is an error unless `correct`, which adds
    the next version (rows are never updated or deleted). recorded_by/recorded_at default to `by`/now.
    `import_file` names the file for every item, or maps evidence id -> file name. Every problem of the
    batch is collected and raised as one EvidenceError before anything is written. The rows written are
    audited (one event per organisation, imports and corrections apart; `reason` goes into corrections').
    """
    batch = list(items)
    lock_chain(session)  # first, so the latest versions read below are still the latest when we write
    now = utc_now()
    problems: list[tuple[str, str]] = []
    known_orgs = set(session.exec(select(Organisation.code)).all())
    latest = _latest_rows([i.id for i in batch], session)
    seen: dict[str, Evidence] = {}
    to_add: list[tuple[Evidence, int]] = []
    new = unchanged = corrected = 0
    for item in batch:
        where = f"evidence {item.id}"
        if item.id in seen:
            if seen[item.id].content_hash() != item.content_hash():
                fields = ", ".join(changed_fields(seen[item.id].content(), item.content()))
                problems.append(
                    (where, f"given twice in this batch with different content (fields {fields})")
                )
            continue
        seen[item.id] = item
        if item.org is not None and item.org not in known_orgs:
            problems.append(
                (
                    where,
                    (
                        f"unknown organisation {item.org!r}{did_you_mean(item.org, known_orgs)}: "
                        "add it with `pxrules org add`"
                    ),
                )
            )
            continue
        try:
            filled = _filled(item, by, now)
        except ValidationError as exc:
            problems.append((where, _problem(exc)))
            continue
        stored = latest.get(item.id)
        if stored is None:
            to_add.append((filled, 1))
            new += 1
        elif stored.org != item.org:
            owner = stored.org or "no organisation (a benchmark)"
            problems.append(
                (
                    where,
                    (
                        f"id {item.id} belongs to {owner}, not {item.org or 'no organisation'}: a correction "
                        "stays within its organisation; give this item an id of its own"
                    ),
                )
            )
        elif stored.content_hash == item.content_hash():
            unchanged += 1
        elif correct:
            to_add.append((filled, stored.version + 1))
            corrected += 1
        else:
            old = _stored_content(stored.payload)
            fields = ", ".join(changed_fields(old, item.content()))
            problems.append(
                (
                    where,
                    (
                        f"duplicate id {item.id} with different content (stored version "
                        f"{stored.version} differs in fields {fields}); "
                        "use --correct to record a new version"
                    ),
                )
            )
    if problems:
        raise EvidenceError(f"{len(problems)} problem(s); nothing was stored", problems)
    added: list[EvidenceRow] = []
    for item, version in to_add:
        file_name = import_file.get(item.id) if isinstance(import_file, Mapping) else import_file
        assert item.recorded_by is not None and item.recorded_at is not None
        added.append(
            EvidenceRow(
                evidence_id=item.id,
                version=version,
                org=item.org,
                kind=item.kind,
                period_start=item.period_start,
                period_end=item.end,
                content_hash=item.content_hash(),
                payload=payload_text(item),
                recorded_by=item.recorded_by,
                recorded_at=item.recorded_at,
                import_file=file_name,
            )
        )
    session.add_all(added)
    session.flush()
    _audit_evidence(added, session=session, by=by, reason=reason)
    return ImportSummary(new=new, unchanged=unchanged, corrected=corrected, ids=list(seen))


def _audit_evidence(rows: Sequence[EvidenceRow], *, session: Session, by: str, reason: str | None) -> None:
    """One audit event per (import or correction, organisation) over the rows just written."""
    groups: dict[tuple[str, str | None], list[EvidenceRow]] = {}
    for row in rows:
        action = "evidence.correct" if row.version > 1 else "evidence.import"
        groups.setdefault((action, row.org), []).append(row)
    events: list[EventSpec] = []
    for (action, org), group in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] or "")):
        first = group[0]
        subject = (f"evidence {first.evidence_id} v{first.version}" if len(group) == 1
                   else f"{len(group)} evidence items ({first.evidence_id} ...)")
        files = sorted({r.import_file for r in group if r.import_file})
        details: dict[str, Any] = {"items": len(group), "files": files[:20]}
        if action == "evidence.correct" and reason:
            details["reason"] = reason
        refs = {"evidence": [r.row for r in group if r.row is not None]}
        events.append(EventSpec(action, by, subject, org, refs, details))
    append_events(session, events)
