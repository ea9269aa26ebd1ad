"""Export the audit trail as a signed-off bundle (head, events, the rows they cover) and verify one offline.

The bundle is one JSON file. `sign_off.bundle_sha256` is the sha256 of the canonical JSON of everything
else in it, so the file cannot be edited without breaking either that hash or the chain inside; a reader
who kept the head hash (printed on export) can also prove the chain was not replaced wholesale.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pxrules.audit.verify import Problem, Report, Snapshot, check, checked, read_snapshot
from pxrules.common.canonical import content_hash
from pxrules.common.input_file import read_input
from pxrules.errors import AuditError
from pxrules.store.audit_chain import CHILDREN, KEYS, Key, Row, plain
from pxrules.store.tables import utc_now

FORMAT = "pxrules-audit-bundle"
FORMAT_VERSION = 1
MAX_BUNDLE_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class BundleSummary:
    """What an export wrote."""

    file: str
    events: int
    rows: int
    head_seq: int
    head_hash: str
    bundle_sha256: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {
            "file": self.file,
            "events": self.events,
            "rows": self.rows,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "bundle_sha256": self.bundle_sha256,
        }


def _body(snapshot: Snapshot, by: str) -> dict[str, Any]:
    head_seq, head_hash = snapshot.head or (0, "")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": plain(utc_now()),
        "exported_by": by,
        "head": {"seq": head_seq, "hash": head_hash},
        "events": [{k: plain(v) for k, v in event.items()} for event in snapshot.events],
        "rows": {
            name: [snapshot.rows[name][key] for key in sorted(snapshot.rows[name], key=str)] for name in KEYS
        },
    }


def export_bundle(url: str | None, path: Path, *, by: str, force: bool = False) -> BundleSummary:
    """Verify the store, then write the bundle to `path` atomically; AuditError if it does not verify.

    The path is checked first (never the store, never an existing file unless `force`), before any reading.
    """
    from pxrules.common.output_file import check_output
    from pxrules.store.db import resolve_url, unit_of_work

    url = resolve_url(url)
    check_output(Path(path), store_url=url, force=force)

    with unit_of_work(url) as session:
        snapshot = read_snapshot(session)
        session.rollback()
    check(snapshot).raise_if_broken()
    body = _body(snapshot, by)
    digest = content_hash(body)
    rows = sum(len(v) for v in body["rows"].values())
    body["sign_off"] = {
        "by": by,
        "at": body["exported_at"],
        "head_hash": body["head"]["hash"],
        "events": len(body["events"]),
        "rows": rows,
        "bundle_sha256": digest,
    }
    from pxrules.common.output_file import write_output

    def write(temp: Path) -> None:
        with temp.open("x", encoding="utf-8") as out:
            json.dump(body, out, sort_keys=True, ensure_ascii=False, indent=1)

    target = Path(path)
    write_output(target, write, store_url=url, force=force)
    return BundleSummary(
        str(target), len(body["events"]), rows, body["head"]["seq"], body["head"]["hash"], digest
    )


def _bad(path: Path, why: str) -> AuditError:
    return AuditError(f"{path.name} is not a readable pxrules audit bundle: {why}")


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise AuditError(f"no such bundle: {path}")
    raw = read_input(path, MAX_BUNDLE_BYTES, AuditError)  # a FIFO or /dev/zero is refused, never read
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _bad(path, f"not JSON ({_short(exc)})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(path, f'no "format": "{FORMAT}"')
    if data.get("format_version") != FORMAT_VERSION:
        raise _bad(
            path, f"format_version {data.get('format_version')!r} (this pxrules reads {FORMAT_VERSION})"
        )
    return data


def _snapshot(path: Path, data: dict[str, Any]) -> Snapshot:
    events, rows, head = data.get("events"), data.get("rows"), data.get("head")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise _bad(path, "`events` is not a list of objects")
    if not isinstance(rows, dict) or not isinstance(head, dict):
        raise _bad(path, "`rows` or `head` is not an object")
    needed = {
        "seq",
        "hash",
        "prev_hash",
        "refs",
        "content_hash",
        "at",
        "actor",
        "action",
        "org",
        "subject",
        "details",
    }
    for n, event in enumerate(events, start=1):
        if (
            not needed <= set(event)
            or not isinstance(event["seq"], int)
            or not isinstance(event["refs"], str)
        ):
            raise _bad(
                path, f"event {n} lacks {', '.join(sorted(needed - set(event))) or 'a valid seq/refs'}"
            )
    by_key: dict[str, dict[Key, Row]] = {}
    for name, key in KEYS.items():
        listed = rows.get(name, [])
        if not isinstance(listed, list) or not all(
            isinstance(r, dict) and type(r.get(key)) in (int, str) for r in listed
        ):
            raise _bad(path, f"rows.{name} is not a list of rows with {key!r}")
        child = CHILDREN.get(name)
        if child and not all(isinstance(r.get(child[2]), list) for r in listed):
            raise _bad(path, f"rows.{name} lack their {child[2]!r}")
        by_key[name] = {r[key]: r for r in listed}
    seq, digest = head.get("seq"), head.get("hash")
    if not isinstance(seq, int) or not isinstance(digest, str):
        raise _bad(path, "`head` lacks seq/hash")
    return Snapshot(events, (seq, digest), by_key)  # file order: a reordering must show, not be sorted away


def verify_bundle(path: Path, *, expect_head: str | None = None, anchors: Sequence[Path] = ()) -> Report:
    """Verify an exported bundle without the database: its sign-off, chain, content and stored hashes."""
    started = time.perf_counter()
    path = Path(path)
    data = _read(path)
    sign_off = data.pop("sign_off", None)
    snapshot = _snapshot(path, data)
    report = checked(snapshot, expect_head=expect_head, anchors=anchors)
    extra: list[Problem] = []
    if not isinstance(sign_off, dict):
        extra.append(Problem(None, "the bundle has no sign_off"))
    else:
        if sign_off.get("bundle_sha256") != content_hash(data):
            extra.append(
                Problem(None, "the bundle was changed after it was signed off (bundle_sha256 differs)")
            )
        if sign_off.get("head_hash") != data["head"]["hash"]:
            extra.append(Problem(None, "the sign-off names a different chain head than the bundle holds"))
    return replace(report, problems=report.problems + extra, seconds=time.perf_counter() - started)
