"""The board's self-assessment written together, then reviewed: start a version, save lines (merged, never
overwritten), reveal the suggested scores, submit for review, return with comments or sign off.

Signing off freezes the version: its lines become an ordinary stored self-assessment (the same record a file
import makes) whose content hash is shown on screen and in every report of it; a later change is a new
version. The person who submitted a version cannot sign it off (a second pair of eyes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from pxrules.accounts.owners import OwnerError, check_owner
from pxrules.board.compare import Comparison, build, evidence_details, score_evidence
from pxrules.common.canonical import canonical_text, hash_text
from pxrules.errors import StoreError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.actions import actions_from_self_assessment
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.db import unit_of_work
from pxrules.store.drafts import (
    DraftRecord,
    ReviewStep,
    SaveResult,
    add_draft,
    add_step,
    get_draft,
    head_for_update,
    list_drafts,
    save_line,
)
from pxrules.store.records import latest_assessment, latest_self_assessment
from pxrules.store.repo import get_org
from pxrules.store.self_assessments import SelfAssessmentLine, SelfAssessmentRecord, save_self_assessment


class ReviewError(StoreError):
    """A review step that cannot be taken now (the message says why and what to do)."""


def _audit(session: Any, draft: Any, step: str, by: str, review_id: int, details: Mapping[str, Any]) -> None:
    append_event(session, action=f"self_assessment.{step}", by=by, org=draft.org,
                 subject=f"self-assessment version {draft.version} (draft {draft.id}) {step}",
                 refs={"self_assessment_review": [review_id]}, details=dict(details))  # fmt: skip


def start(url: str, org: str, *, by: str, by_name: str, as_of: dt.date, hide_suggestions: bool,
          carry_over: bool = True) -> DraftRecord:  # fmt: skip
    """A new version: blank, or (carry_over) the latest stored self-assessment's lines to start from."""
    with unit_of_work(url) as session:
        lock_chain(session)
        get_org(org, session=session)
        lines: dict[str, dict[str, Any]] = {}
        based_on = None
        latest = latest_self_assessment(org, session=session) if carry_over else None
        if latest is not None:
            based_on = latest.id
            lines = {line.sub_requirement: {k: v for k, v in asdict(line).items() if k != "sub_requirement"}
                     for line in latest.rows}  # fmt: skip
        head = add_draft(session=session, org=org, as_of=as_of, by=by, hide_suggestions=hide_suggestions,
                         lines=lines, sub_ids=load_catalogue().ids, based_on=based_on)  # fmt: skip
        step = add_step(head, "created", session=session, by=by, by_name=by_name,
                        comment="" if based_on is None else f"started from self-assessment {based_on}")  # fmt: skip
        assert step.id is not None
        _audit(session, head, "created", by, step.id,
               {"as_of": as_of.isoformat(), "hide_suggestions": hide_suggestions, "based_on": based_on})
        assert head.id is not None
        return get_draft(head.id, session=session)


def drafts(url: str, org: str) -> list[DraftRecord]:
    """Every version written in the workspace, newest first."""
    with unit_of_work(url) as session:
        return list_drafts(session=session, org=org)


def draft(url: str, org: str, draft_id: int) -> DraftRecord:
    """One version of `org` (NotFoundError for another organisation's)."""
    with unit_of_work(url) as session:
        return get_draft(draft_id, session=session, org=org)


def save(url: str, org: str, draft_id: int, sub_id: str, *, base: Mapping[str, Any], mine: Mapping[str, Any],
         by: str) -> SaveResult:  # fmt: skip
    """Save one line (merged field by field with anyone else's saves since `base`)."""
    with unit_of_work(url) as session:
        get_draft(draft_id, session=session, org=org)
        if mine.get("owner"):
            # An owner named by email must be someone with an account here (reminders and "my actions" reach them).
            mine = {**mine, "owner": check_owner(str(mine["owner"]), session=session, org=org)}
        return save_line(draft_id, sub_id, session=session, base=base, mine=mine, by=by)


def _step(url: str, org: str, draft_id: int, step: str, *, by: str, by_name: str, comment: str,
          allowed_from: tuple[str, ...], to: str | None) -> DraftRecord:  # fmt: skip
    with unit_of_work(url) as session:
        lock_chain(session)
        head = head_for_update(draft_id, session, org)
        if head.status not in allowed_from:
            raise ReviewError(f"self-assessment version {head.version} is {head.status}: it cannot be {step} now")
        row = add_step(head, step, session=session, by=by, by_name=by_name, comment=comment)
        if to is not None:
            head.status = to
        if step == "revealed":
            head.revealed = True
        session.add(head)
        session.flush()
        assert row.id is not None
        _audit(session, head, step, by, row.id, {"comment": comment.strip() or None})
        return get_draft(draft_id, session=session)


def reveal(url: str, org: str, draft_id: int, *, by: str, by_name: str) -> DraftRecord:
    """Show the suggested scores beside the board's (recorded: who revealed them, when)."""
    current = draft(url, org, draft_id)
    if not current.suggestions_hidden:
        return current
    return _step(url, org, draft_id, "revealed", by=by, by_name=by_name, comment="",
                 allowed_from=("draft", "returned", "submitted"), to=None)  # fmt: skip


def submit(url: str, org: str, draft_id: int, *, by: str, by_name: str, comment: str = "") -> DraftRecord:
    """Send a version for review, its suggested scores revealed (the reviewer weighs both): from now until it is
    returned, nobody can change it. Refused while an owner
    named by email has no account that can see the organisation (their actions would reach nobody)."""
    problems = []
    with unit_of_work(url) as session:
        for line in get_draft(draft_id, session=session, org=org).rows:
            try:
                check_owner(line.owner, session=session, org=org)
            except OwnerError as exc:
                problems.append(f"{line.sub_requirement}: {exc}")
    if problems:
        raise ReviewError("cannot submit until every owner is someone with an account here: " + "; ".join(problems))
    # The reviewer weighs the board's scores against the evidence: a version goes for review with its comparison.
    reveal(url, org, draft_id, by=by, by_name=by_name)
    return _step(url, org, draft_id, "submitted", by=by, by_name=by_name, comment=comment,
                 allowed_from=("draft", "returned"), to="submitted")  # fmt: skip


def send_back(url: str, org: str, draft_id: int, *, by: str, by_name: str, comment: str) -> DraftRecord:
    """Return a submitted version with comments (required), so it can be changed and submitted again."""
    if not comment.strip():
        raise ReviewError("comment: say what needs to change before the self-assessment can be signed off")
    return _step(url, org, draft_id, "returned", by=by, by_name=by_name, comment=comment,
                 allowed_from=("submitted",), to="returned")  # fmt: skip


def frozen_lines(record: DraftRecord) -> list[SelfAssessmentLine]:
    return [SelfAssessmentLine(line.sub_requirement, line.score, line.current_position, line.planned_action,
                               line.what_good_looks_like, line.owner, line.review_date)
            for line in record.rows]  # fmt: skip


def sign_off(url: str, org: str, draft_id: int, *, by: str, by_name: str, comment: str = "") -> DraftRecord:
    """Freeze a submitted version into a stored self-assessment and record who signed it, when, its content
    hash and the assessment it was compared with."""
    with unit_of_work(url) as session:
        lock_chain(session)
        head = head_for_update(draft_id, session, org)
        if head.status != "submitted":
            raise ReviewError(f"self-assessment version {head.version} is {head.status}: only a submitted "
                              "version can be signed off")  # fmt: skip
        current = get_draft(draft_id, session=session)
        submitted = current.last("submitted")
        if submitted is not None and submitted.by.lower() == by.lower():
            raise ReviewError("you submitted this version: another executive must sign it off")
        lines = frozen_lines(current)
        body = canonical_text({"org": org, "version": head.version, "as_of": head.as_of.isoformat(),
                               "rows": [{**asdict(x), "review_date": x.review_date.isoformat()
                                         if x.review_date else None} for x in lines]})  # fmt: skip
        stored = save_self_assessment(session=session, org=org, as_of=head.as_of, rows=lines,
                                      source_file=f"workspace self-assessment version {head.version}",
                                      source_sha256=hash_text(body), by=by)  # fmt: skip
        assessment = latest_assessment(org, session=session)
        row = add_step(head, "signed", session=session, by=by, by_name=by_name, comment=comment,
                       self_assessment_id=stored.id, content_hash=stored.content_hash,
                       assessment_id=None if assessment is None else assessment.id)  # fmt: skip
        head.status = "signed"
        head.self_assessment_id = stored.id
        session.add(head)
        session.flush()
        assert row.id is not None
        _audit(session, head, "signed", by, row.id,
               {"self_assessment": stored.id, "content_hash": stored.content_hash, "comment": comment or None})
        # The signed planned actions are what the board has committed to: track each (owner, due = review date).
        actions_from_self_assessment(session=session, by=by, org=org,
                                     check=lambda owner: check_owner(owner, session=session, org=org))
        return get_draft(draft_id, session=session)


def as_self_assessment(record: DraftRecord) -> SelfAssessmentRecord:
    """A version's lines as a self-assessment record (not stored: for comparing with the evidence)."""
    return SelfAssessmentRecord(record.self_assessment_id or 0, record.org, record.as_of, record.created_at,
                                record.created_by, f"workspace self-assessment version {record.version}", "",
                                "", frozen_lines(record))  # fmt: skip


def draft_comparison(url: str, record: DraftRecord) -> Comparison | None:
    """The version's scores against the latest stored assessment (None before any assessment)."""
    with unit_of_work(url) as session:
        assessment = latest_assessment(record.org, session=session)
        if assessment is None:
            return None
        name = get_org(record.org, session=session).name
        ids = {i for s in assessment.result["scores"] for i in score_evidence(s)}
        evidence = evidence_details(session, record.org, ids)
    return build(assessment, as_self_assessment(record), name, evidence)


def sign_offs(url: str, org: str) -> dict[int, ReviewStep]:
    """Each stored self-assessment of `org` that was signed off in the workspace: its sign-off step."""
    found: dict[int, ReviewStep] = {}
    for record in drafts(url, org):
        step = record.last("signed")
        if step is not None and step.self_assessment_id is not None:
            found[step.self_assessment_id] = step
    return found
