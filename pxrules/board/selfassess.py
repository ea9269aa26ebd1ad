"""Self-assessments against the store: write a template, import a filled-in file, export one, list them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session

from pxrules.board.selfassess_file import Suggestion, check_path, file_sha256, line_map, read_file
from pxrules.board.tool_file import write_file
from pxrules.common.output_file import check_output, write_output
from pxrules.errors import NotFoundError
from pxrules.store.db import unit_of_work
from pxrules.store.records import (
    AssessmentRecord,
    SelfAssessmentRecord,
    get_self_assessment,
    list_assessments,
    list_self_assessments,
    save_self_assessment,
)
from pxrules.store.repo import get_org

_R = TypeVar("_R", AssessmentRecord, SelfAssessmentRecord)


def newest(records: Sequence[_R]) -> _R | None:
    """The record with the latest as_of date (the most recent run of that date), or None."""
    return max(records, key=lambda r: (r.as_of, r.id), default=None)


def by_date(records: Sequence[_R]) -> list[_R]:
    """One record per as_of date (the most recent run of each), oldest date first."""
    chosen: dict[dt.date, _R] = {}
    for record in sorted(records, key=lambda r: r.id):
        chosen[record.as_of] = record
    return [chosen[d] for d in sorted(chosen)]


def suggestions_of(result: dict[str, Any]) -> dict[str, Suggestion]:
    """Suggested score and first reason per sub-requirement, from a stored assessment's result JSON."""
    out = {}
    for score in result["scores"]:
        reason = score["because"][0] if score["because"] else ""
        if score["caps"]:
            reason += " (capped: rests on attestation only)"
        out[score["id"]] = Suggestion(score["suggested"], reason)
    return out


def _current(url: str, org: str, session: Session) -> tuple[str, dict[str, Suggestion]]:
    """Suggestions from the newest stored assessment, else computed as of today (not stored)."""
    record = newest(list_assessments(session=session, org=org))
    if record is not None:
        return (f"as of {record.as_of.isoformat()} (assessment {record.id})", suggestions_of(record.result))
    from pxrules.scoring.assess import assess
    from pxrules.store.repo import load_evidence

    today = dt.date.today()
    result = assess(org, today, load_evidence(org, session=session))
    return f"as of {today.isoformat()} (computed now, not stored)", suggestions_of(result.to_json())


def _note(when: str | None) -> str:
    text = (
        "Fill in the white columns (Org. score is a whole number 0-5, defined on the 'Scale (0-5)' sheet; "
        "review date YYYY-MM-DD). Grey columns are read-only and ignored on import"
    )
    if when is None:
        return text + "; the evidence-backed suggestions are left out, so the board scores itself first."
    return text + f"; the pxrules suggested score (last columns) is {when}."


def _hints(url: str, org: str, session: Session, show: bool) -> tuple[str | None, dict[str, Suggestion]]:
    return _current(url, org, session) if show else (None, {})


def write_template(
    url: str, org: str, path: Path, *, force: bool = False, show_suggested: bool = False
) -> Path:
    """Write an empty self-assessment of `org` (.xlsx or .csv) for the board to fill in. The evidence-backed
    suggestions are left out by default (a board's first pass should not be anchored by them);
    `show_suggested` adds them, read-only, in the last columns."""
    path = Path(path)
    check_path(path)
    check_output(path, store_url=url, force=force)
    with unit_of_work(url) as session:
        name = get_org(org, session=session).name
        when, hints = _hints(url, org, session, show_suggested)
    write_output(
        path,
        lambda temp: write_file(temp, org, name, {}, hints, _note(when), show_suggested=show_suggested),
        store_url=url,
        force=force,
    )
    return path


def import_self_assessment(
    url: str, path: Path, org: str, *, as_of: dt.date | None = None, by: str
) -> SelfAssessmentRecord:
    """Read a filled-in file (all or nothing) and store it as a dated self-assessment of `org`.

    The same file (by sha256) imported again for the same organisation is recognised: the record already
    made is returned and no second one is written (`already_imported` tells a caller beforehand).
    """
    from pxrules.common.dates import check_not_future

    path = Path(path)
    day = check_not_future(as_of or dt.date.today(), "the self-assessment's as-of date")
    with unit_of_work(url) as session:
        get_org(org, session=session)
    lines = read_file(path, org)
    digest = file_sha256(path)
    with unit_of_work(url) as session:
        earlier = [r for r in list_self_assessments(session=session, org=org) if r.source_sha256 == digest]
        if earlier:
            return min(earlier, key=lambda r: r.id)
        return save_self_assessment(
            session=session,
            org=org,
            as_of=day,
            rows=lines,
            source_file=path.name[:255],
            source_sha256=digest,
            by=by,
        )


def already_imported(url: str, org: str, path: Path) -> SelfAssessmentRecord | None:
    """The self-assessment of `org` already imported from a file with the same bytes as `path`, if any."""
    digest = file_sha256(Path(path))
    with unit_of_work(url) as session:
        get_org(org, session=session)
        earlier = [r for r in list_self_assessments(session=session, org=org) if r.source_sha256 == digest]
    return min(earlier, key=lambda r: r.id) if earlier else None


def find_self_assessment(url: str, org: str, self_id: int | None = None) -> SelfAssessmentRecord:
    """The given self-assessment (checked to belong to `org`), or the one with the latest as_of date."""
    with unit_of_work(url) as session:
        get_org(org, session=session)
        if self_id is not None:
            record = get_self_assessment(self_id, session=session)
            if record.org != org:
                raise NotFoundError(f"self-assessment {self_id} is of {record.org}, not {org}")
            return record
        latest = newest(list_self_assessments(session=session, org=org))
    if latest is None:
        raise NotFoundError(
            f"{org} has no self-assessment: fill in `pxrules self-assess template` and "
            "import it with `pxrules self-assess import`"
        )
    return latest


def export_self_assessment(
    url: str,
    org: str,
    path: Path,
    self_id: int | None = None,
    *,
    force: bool = False,
    show_suggested: bool = False,
) -> SelfAssessmentRecord:
    """Write a stored self-assessment back out in the template's layout (a lossless round trip)."""
    path = Path(path)
    check_path(path)
    check_output(path, store_url=url, force=force)
    record = find_self_assessment(url, org, self_id)
    with unit_of_work(url) as session:
        name = get_org(org, session=session).name
        when, hints = _hints(url, org, session, show_suggested)
    note = (
        f"Self-assessment {record.id} as of {record.as_of.isoformat()}, imported from "
        f"{record.source_file}. " + _note(when)
    )
    rows = line_map(record.rows)
    write_output(
        path,
        lambda temp: write_file(temp, org, name, rows, hints, note, show_suggested=show_suggested),
        store_url=url,
        force=force,
    )
    return record


def self_assessments(url: str, org: str) -> list[SelfAssessmentRecord]:
    """Every stored self-assessment of `org`, oldest import first (history is never overwritten)."""
    with unit_of_work(url) as session:
        get_org(org, session=session)
        return list_self_assessments(session=session, org=org)
