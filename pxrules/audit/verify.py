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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pxrules.audit.values import (
    event_problems,
    read_events_tolerant,
    read_head_tolerant,
    read_rows_tolerant,
    row_problems,
)
from pxrules.common.canonical import content_hash
from pxrules.errors import AuditError
from pxrules.evidence.base import observation
from pxrules.store.audit_chain import (
    GENESIS_PREV,
    KEYS,
    LABELS,
    Key,
    Row,
    covered_content,
    event_hash,
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
    anchors: int = 0

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
            "anchors_checked": self.anchors,
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
    return content_hash(observation(data))


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


def _short(value: Any) -> str:
    return f"{value[:12]}..." if isinstance(value, str) else repr(value)[:40]


def _check_chain(snapshot: Snapshot, problems: list[Problem]) -> None:
    prev_hash: Any = GENESIS_PREV
    expected = 1
    last: tuple[Any, Any] = (0, GENESIS_PREV)
    for position, event in enumerate(snapshot.events, start=1):
        raw_seq = event.get("seq")
        seq = raw_seq if type(raw_seq) is int else None
        if seq is None:
            problems.append(Problem(expected, f"the event in position {position} has an unreadable seq {raw_seq!r}"))
        for why in event_problems(event):
            problems.append(Problem(seq if seq is not None else expected, why))
        if seq is not None and seq != expected:
            what = "deleted" if seq > expected else "duplicated or reordered"
            problems.append(
                Problem(seq, f"sequence number {seq} where {expected} was expected: events were {what}")
            )
        shown_seq = seq if seq is not None else expected
        if event.get("prev_hash") != prev_hash:
            problems.append(
                Problem(
                    shown_seq,
                    (
                        f"does not link to the event before it (prev_hash {_short(event.get('prev_hash'))}, "
                        f"expected {_short(prev_hash)}): an earlier event was edited and re-hashed, "
                        "or events were deleted, inserted or reordered"
                    ),
                )
            )
        try:
            same = event_hash(event) == event.get("hash")
        except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
            same = False
        if not same:
            problems.append(Problem(shown_seq, "its fields no longer match its hash: the event was edited"))
        prev_hash, expected = event.get("hash"), shown_seq + 1
        last = (shown_seq, event.get("hash"))
    if snapshot.head is None:
        problems.append(Problem(None, "the chain head row (audit_head) is missing"))
    elif snapshot.head != last:
        head_seq, head_hash = snapshot.head
        problems.append(
            Problem(
                last[0] if snapshot.events else None,
                (
                    f"the chain head records event {head_seq!r} with hash {_short(head_hash)} "
                    f"but the last event is {last[0]} with hash {_short(last[1])}: "
                    "the last event(s) were deleted or edited"
                ),
            )
        )


def _hash_matches(content: dict[str, list[Row]], expected: Any) -> bool:
    try:
        return bool(content_hash(content) == expected)
    except (TypeError, ValueError, RecursionError):
        return False  # an unreadable value (reported on its own) cannot match


def _check_coverage(snapshot: Snapshot, problems: list[Problem]) -> dict[tuple[str, Key], int]:
    covered: dict[tuple[str, Key], int] = {}
    for position, event in enumerate(snapshot.events, start=1):
        seq = event["seq"] if type(event.get("seq")) is int else position
        try:
            if not isinstance(event.get("refs"), str):
                raise ValueError(f"{_short(event.get('refs'))} is not text")
            refs = json.loads(event["refs"])
            if not isinstance(refs, dict) or not all(
                isinstance(v, list) and all(isinstance(k, int | str) for k in v) for v in refs.values()
            ):
                raise ValueError("not a mapping of table -> list of keys")
        except (ValueError, RecursionError) as exc:
            problems.append(Problem(seq, f"its refs are not readable ({str(exc)[:100]})"))
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
        elif not _hash_matches(content, event.get("content_hash")):
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
            for why in row_problems(name, row):
                problems.append(Problem(seq, f"{row_label(name, key, row)}: {why}"))
            if recompute is None:
                continue
            try:
                same = recompute(row) == row["content_hash"]
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
                problems.append(
                    Problem(seq, f"{row_label(name, key, row)} cannot be re-hashed: {str(exc)[:200]}")
                )
                continue
            if not same:
                problems.append(
                    Problem(
                        seq,
                        f"{row_label(name, key, row)}: its stored content_hash does not match its content",
                    )
                )
    problems.extend(Problem(None, orphan) for orphan in snapshot.orphans)


def check(
    snapshot: Snapshot, *, expect_head: str | None = None, anchors: Sequence[Path] = ()
) -> Report:
    """Verify a snapshot; `expect_head` is a head hash recorded earlier that the chain must still contain,
    `anchors` are anchor files (see anchor.py) whose every line the chain must still hold."""
    from pxrules.audit.anchor import check_anchors

    started = time.perf_counter()
    problems: list[Problem] = []
    anchored, anchor_problems = check_anchors(snapshot.events, anchors)
    problems += [Problem(None, p) for p in anchor_problems]
    _check_chain(snapshot, problems)
    covered = _check_coverage(snapshot, problems)
    _check_rows(snapshot, covered, problems)
    if expect_head is not None and not any(e.get("hash") == expect_head for e in snapshot.events):
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
    head_seq = head_seq if type(head_seq) is int else 0
    head_hash = head_hash if isinstance(head_hash, str) else repr(head_hash)
    rows = sum(len(r) for r in snapshot.rows.values())
    return Report(
        len(snapshot.events), rows, head_seq, head_hash, ordered, time.perf_counter() - started, anchored
    )


def read_snapshot(session: Any) -> Snapshot:
    """Everything `check` needs, read in one consistent snapshot of the database."""
    dialect = session.get_bind().dialect.name
    # One read transaction, so a writer committing meanwhile cannot make rows look uncovered.
    if dialect == "sqlite":
        session.connection().exec_driver_sql("BEGIN")
    elif dialect == "postgresql":
        session.connection().exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    events = read_events_tolerant(session)
    current = read_head_tolerant(session)
    orphans: list[str] = []
    rows = {name: read_rows_tolerant(session, name, orphans) for name in KEYS}
    return Snapshot(events, current, rows, orphans)


def verify_store(
    url: str | None = None, *, expect_head: str | None = None, anchors: Sequence[Path] = (),
    attachments: Path | None = None,
) -> Report:
    """Verify the database's audit trail and every attachment's bytes (read only); lists every problem.

    `attachments` is the attachments folder (default $PXRULES_ATTACHMENTS) for files stored there.
    """
    from pxrules.store.attachments import attachment_problems, attachments_folder
    from pxrules.store.db import unit_of_work

    started = time.perf_counter()
    with unit_of_work(url) as session:
        snapshot = read_snapshot(session)
        missing = attachment_problems(session, attachments_folder(attachments))
        session.rollback()
    report = checked(snapshot, expect_head=expect_head, anchors=anchors)
    problems = [*report.problems, *(Problem(None, line) for line in missing)]
    return dataclasses.replace(report, problems=problems, seconds=time.perf_counter() - started)


def checked(snapshot: Snapshot, *, expect_head: str | None = None, anchors: Sequence[Path] = ()) -> Report:
    """`check`, with any value it could still not handle turned into an AuditError, never a traceback."""
    try:
        return check(snapshot, expect_head=expect_head, anchors=anchors)
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError, OverflowError) as exc:
        raise AuditError(
            f"audit trail does not verify: a stored value cannot be checked ({type(exc).__name__}: "
            f"{str(exc)[:200]})"
        ) from exc
