"""Verify the audit trail: recompute the chain, every event's content hash and every stored content hash.

Works on a `Snapshot` (events, head and rows as plain data), read from the database in one consistent
read or from an exported bundle, so both are checked by the same code. Any row edited, deleted, added or
reordered outside pxrules breaks a hash, a link or the coverage of rows by events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any

from pxrules.errors import AuditError
from pxrules.evidence.base import RECORDING_FIELDS
from pxrules.store.audit_chain import (
    GENESIS_PREV,
    KEYS,
    LABELS,
    Key,
    Row,
    content_hash,
    covered_content,
    event_hash,
    fetch_rows,
    head,
    read_events,
    sha256_hex,
)


@dataclass(frozen=True)
class Problem:
    """One thing that does not verify; `seq` is the event it breaks (None when no event is to blame)."""

    seq: int | None
    message: str

    def __str__(self) -> str:
        return f"audit event {self.seq}: {self.message}" if self.seq is not None else self.message


@dataclass(frozen=True)
class Snapshot:
    """Everything verification reads: events in sequence order, the head, covered rows by table and key."""

    events: list[dict[str, Any]]
    head: tuple[int, str] | None
    rows: dict[str, dict[Key, Row]]
    orphans: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """The outcome: counts, the head, every problem (the first broken event first) and how long it took."""

    events: int
    rows: int
    head_seq: int
    head_hash: str
    problems: list[Problem]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {
            "ok": self.ok,
            "events": self.events,
            "rows": self.rows,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "first_broken_event": next((p.seq for p in self.problems if p.seq is not None), None),
            "problems": [{"event": p.seq, "message": p.message} for p in self.problems],
            "seconds": round(self.seconds, 3),
        }

    def raise_if_broken(self) -> None:
        """AuditError naming the first broken event (and how many problems there are)."""
        if self.problems:
            more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
            raise AuditError(f"audit trail does not verify: {self.problems[0]}{more}")


def row_label(name: str, key: Key, row: Row | None = None) -> str:
    """'evidence row 12 (fft-1 v2)', 'organisation RX1', 'assessment 5' ..."""
    label = f"{LABELS.get(name, name)} {key}"
    if name == "evidence" and row is not None:
        label += f" ({row.get('evidence_id')} v{row.get('version')})"
    return label


def evidence_content_hash(payload: str) -> str:
    """The content hash of a stored evidence payload, as the evidence model computes it."""
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise ValueError("payload is not a JSON object")
    content = {k: v for k, v in data.items() if k not in RECORDING_FIELDS}
    if content.get("period_end") is None:
        content["period_end"] = content.get("period_start")
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_hex(blob)


def _assessment_hash(row: Row) -> str:
    from pxrules.store.records import assessment_hash

    return assessment_hash(
        row["org"],
        dt.date.fromisoformat(row["as_of"]),
        row["rules_hash"],
        row["catalogue_version"],
        json.loads(row["evidence_ids"]),
        json.loads(row["result"]),
    )


def _self_assessment_hash(row: Row) -> str:
    from pxrules.store.records import SelfAssessmentLine, sha256_of

    lines = []
    for r in row["rows"]:
        review = dt.date.fromisoformat(r["review_date"]) if r["review_date"] else None
        lines.append(
            SelfAssessmentLine(
                r["sub_requirement"],
                r["score"],
                r["current_position"],
                r["planned_action"],
                r["what_good_looks_like"],
                r["owner"],
                review,
            )
        )
    lines.sort(key=lambda line: (int(line.sub_requirement[:-1]), line.sub_requirement[-1]))
    return sha256_of(
        {
            "org": row["org"],
            "as_of": dt.date.fromisoformat(row["as_of"]),
            "rows": [dataclasses.asdict(line) for line in lines],
        }
    )


_STORED_HASHES = {
    "evidence": lambda row: evidence_content_hash(row["payload"]),
    "assessment": _assessment_hash,
    "self_assessment": _self_assessment_hash,
}


def _check_chain(snapshot: Snapshot, problems: list[Problem]) -> None:
    prev_hash, expected = GENESIS_PREV, 1
    for event in snapshot.events:
        seq = int(event["seq"])
        if seq != expected:
            what = "deleted" if seq > expected else "duplicated or reordered"
            problems.append(
                Problem(seq, f"sequence number {seq} where {expected} was expected: events were {what}")
            )
        if event["prev_hash"] != prev_hash:
            problems.append(
                Problem(
                    seq,
                    (
                        f"does not link to the event before it (prev_hash {event['prev_hash'][:12]}..., "
                        f"expected {prev_hash[:12]}...): an earlier event was edited and re-hashed, "
                        "or events were deleted, inserted or reordered"
                    ),
                )
            )
        if event_hash(event) != event["hash"]:
            problems.append(Problem(seq, "its fields no longer match its hash: the event was edited"))
        prev_hash, expected = str(event["hash"]), seq + 1
    last = (
        (int(snapshot.events[-1]["seq"]), str(snapshot.events[-1]["hash"]))
        if snapshot.events
        else (0, GENESIS_PREV)
    )
    if snapshot.head is None:
        problems.append(Problem(None, "the chain head row (audit_head) is missing"))
    elif snapshot.head != last:
        problems.append(
            Problem(
                last[0] if snapshot.events else None,
                (
                    f"the chain head records event {snapshot.head[0]} with hash {snapshot.head[1][:12]}... "
                    f"but the last event is {last[0]} with hash {last[1][:12]}...: "
                    "the last event(s) were deleted or edited"
                ),
            )
        )


def _check_coverage(snapshot: Snapshot, problems: list[Problem]) -> dict[tuple[str, Key], int]:
    covered: dict[tuple[str, Key], int] = {}
    for event in snapshot.events:
        seq = int(event["seq"])
        try:
            refs = json.loads(event["refs"])
            if not isinstance(refs, dict) or not all(
                isinstance(v, list) and all(isinstance(k, int | str) for k in v) for v in refs.values()
            ):
                raise ValueError("not a mapping of table -> list of keys")
        except ValueError as exc:
            problems.append(Problem(seq, f"its refs are not readable ({exc})"))
            continue
        unknown = sorted(set(refs) - set(KEYS))
        if unknown:
            problems.append(Problem(seq, f"its refs name unknown table(s) {', '.join(unknown)}"))
            continue
        for name, keys in refs.items():
            for key in keys:
                earlier = covered.setdefault((name, key), seq)
                if earlier != seq:
                    problems.append(
                        Problem(seq, f"covers {row_label(name, key)}, already covered by event {earlier}")
                    )
        content, missing = covered_content(refs, snapshot.rows)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            problems.append(Problem(seq, f"covers {shown}, which no longer exist: rows were deleted"))
        elif content_hash(content) != event["content_hash"]:
            names = [row_label(n, k, snapshot.rows[n].get(k)) for n in sorted(refs) for k in refs[n]]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            problems.append(
                Problem(
                    seq,
                    f"the rows it covers ({shown}) no longer match its content hash: "
                    "a value was edited, or a score/self-assessment row added or deleted",
                )
            )
    return covered


def _check_rows(snapshot: Snapshot, covered: dict[tuple[str, Key], int], problems: list[Problem]) -> None:
    for name in KEYS:
        recompute = _STORED_HASHES.get(name)
        for key, row in snapshot.rows.get(name, {}).items():
            seq = covered.get((name, key))
            if seq is None:
                problems.append(
                    Problem(
                        None,
                        (
                            f"{row_label(name, key, row)} is covered by no audit event: "
                            "it was written outside pxrules"
                        ),
                    )
                )
            if recompute is None:
                continue
            try:
                same = recompute(row) == row["content_hash"]
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                problems.append(Problem(seq, f"{row_label(name, key, row)} cannot be re-hashed: {exc}"))
                continue
            if not same:
                problems.append(
                    Problem(
                        seq,
                        f"{row_label(name, key, row)}: its stored content_hash does not match its content",
                    )
                )
    problems.extend(Problem(None, orphan) for orphan in snapshot.orphans)


def check(snapshot: Snapshot, *, expect_head: str | None = None) -> Report:
    """Verify a snapshot; `expect_head` is a head hash recorded earlier that the chain must still contain."""
    started = time.perf_counter()
    problems: list[Problem] = []
    _check_chain(snapshot, problems)
    covered = _check_coverage(snapshot, problems)
    _check_rows(snapshot, covered, problems)
    if expect_head is not None and not any(e["hash"] == expect_head for e in snapshot.events):
        problems.append(
            Problem(
                None,
                (
                    f"the chain no longer contains the head {expect_head[:12]}... recorded "
                    "earlier: events were removed or the chain was rewritten"
                ),
            )
        )
    ordered = sorted(problems, key=lambda p: (p.seq is None, p.seq or 0))
    head_seq, head_hash = snapshot.head or (0, GENESIS_PREV)
    rows = sum(len(r) for r in snapshot.rows.values())
    return Report(len(snapshot.events), rows, head_seq, head_hash, ordered, time.perf_counter() - started)


def read_snapshot(session: Any) -> Snapshot:
    """Everything `check` needs, read in one consistent snapshot of the database."""
    dialect = session.get_bind().dialect.name
    # One read transaction, so a writer committing meanwhile cannot make rows look uncovered.
    if dialect == "sqlite":
        session.connection().exec_driver_sql("BEGIN")
    elif dialect == "postgresql":
        session.connection().exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    events = read_events(session)
    current = head(session)
    orphans: list[str] = []
    rows = {name: fetch_rows(session, name, None, orphans=orphans) for name in KEYS}
    return Snapshot(events, current, rows, orphans)


def verify_store(url: str | None = None, *, expect_head: str | None = None) -> Report:
    """Verify the database's audit trail (read only); the report lists every problem found."""
    from pxrules.store.db import unit_of_work

    started = time.perf_counter()
    with unit_of_work(url) as session:
        snapshot = read_snapshot(session)
        session.rollback()
    report = check(snapshot, expect_head=expect_head)
    return dataclasses.replace(report, seconds=time.perf_counter() - started)
