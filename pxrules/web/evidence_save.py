"""Recording evidence from a form: the model validates, the file is checked by its content, and the item
(with its attachment) is stored in one transaction through the same `store_evidence` as `evidence import`.

Every problem (each field's, the file's, the reason's) is gathered before anything is written, and a
failure at the store rolls the whole transaction back: a refused form leaves no row, blob or audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import col

from pxrules.common.dates import future_allowed, uk
from pxrules.errors import EvidenceError, NotFoundError, PxRulesError
from pxrules.evidence import Evidence, parse_evidence
from pxrules.evidence.attachment_file import AttachmentError, CheckedFile, check_bytes
from pxrules.store.amend import MAX_REASON
from pxrules.store.attachments import attachments_folder, store_attachment
from pxrules.store.db import unit_of_work
from pxrules.store.repo import evidence_history, store_evidence
from pxrules.store.tables import EvidenceRow
from pxrules.web.forms import NOT_TYPED, FormState, place_errors, read_form, validation_errors, with_error

PLACEHOLDER_ID = "new-item"


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its name and at most limit + 1 bytes (None: no file was chosen)."""

    name: str
    data: bytes


async def read_upload(form: Any, field: str, limit: int) -> Upload | None:
    """The form's file, read no further than one byte past the limit (the check then refuses it)."""
    part = form.get(field)
    if part is None or isinstance(part, str):
        return None
    name = str(getattr(part, "filename", "") or "")
    data = await part.read(limit + 1)
    if not name and not data:
        return None  # the file input was left empty
    return Upload(name, data)


def _checked(upload: Upload | None, limit: int) -> tuple[CheckedFile | None, str | None]:
    if upload is None:
        return None, None
    try:
        return check_bytes(upload.data, upload.name, max_bytes=limit), None
    except AttachmentError as exc:
        why = str(exc).removesuffix("; refused").rstrip(".")
        return None, f"{why}. Nothing was stored: choose another file."


def _validate(state: FormState, data: dict[str, Any]) -> tuple[FormState, Evidence | None]:
    try:
        item = parse_evidence(data)
    except ValidationError as exc:
        return place_errors(state, validation_errors(exc)), None
    if item.end > dt.date.today() and future_allowed() is None:
        key = "period_end" if item.period_end is not None else "period_start"
        message = f"The period ends {uk(item.end)}, after today: record it once it has happened."
        return with_error(state, key, message), None
    return state, item


def _free_id(session: Any, org: str, item: Evidence) -> str:
    """A readable id not yet in the register: zz9-board-meeting-2026-03-26, then ...-2, -3."""
    stem = f"{org.lower()}-{item.kind.replace('_', '-')}-{item.period_start.isoformat()}"
    ids = col(EvidenceRow.evidence_id)
    taken = set(session.execute(sa.select(ids).where(sa.or_(ids == stem, ids.like(f"{stem}-%")))).scalars())
    number = 1
    found = stem
    while found in taken:
        number += 1
        found = f"{stem}-{number}"
    return found


def _exists(session: Any, evidence_id: str) -> bool:
    ids = col(EvidenceRow.evidence_id)
    query = sa.select(ids).where(ids == evidence_id).limit(1)
    return session.execute(query).first() is not None


def _store(url: str, item: Evidence, checked: CheckedFile | None, *, by: str, org: str, correct: bool = False,
           reason: str | None = None) -> int:  # fmt: skip
    """Store the item and its file in one transaction; the number of rows written (0: nothing changed)."""
    with unit_of_work(url) as session:
        summary = store_evidence([item], session=session, by=by, correct=correct, reason=reason,
                                 import_file=checked.name if checked else None)  # fmt: skip
        if checked is not None and (summary.new or summary.corrected):
            store_attachment(checked, session=session, by=by, folder=attachments_folder(), org=org)
        return summary.new + summary.corrected


def _with_file(data: dict[str, Any], checked: CheckedFile | None) -> None:
    if checked is not None:
        source = data.setdefault("source", {})
        if isinstance(source, dict):
            source.update(attachment=checked.name, sha256=checked.sha256)


def save_new(url: str, org: str, kind: str, form: Any, upload: Upload | None, *, by: str,
             limit: int) -> tuple[FormState, str | None]:  # fmt: skip
    """Record a new item from the form: (the form with its errors, None) or (the form, the stored id)."""
    state, data = read_form(kind, form)
    checked, file_error = _checked(upload, limit)
    state.file_error = file_error
    data["org"] = org
    given = data.get("id")
    if not given:
        data["id"] = PLACEHOLDER_ID
    _with_file(data, checked)
    state, item = _validate(state, data)
    if item is None or state.has_errors:
        return state, None
    try:
        with unit_of_work(url) as session:
            if given and _exists(session, str(given)):
                return with_error(state, "id", "An item with this identifier is already in the register: "
                                  "choose another, or leave it blank for one to be made."), None  # fmt: skip
            if not given:
                item = parse_evidence({**item.model_dump(mode="json"), "id": _free_id(session, org, item)})
        _store(url, item, checked, by=by, org=org)
    except EvidenceError as exc:
        return with_error(state, "id", "; ".join(m for _, m in exc.problems) or str(exc)), None
    return state, item.id


def latest_payload(url: str, org: str, evidence_id: str) -> tuple[str, dict[str, Any]]:
    """(kind, payload) of an item of `org`'s latest version; NotFoundError for another organisation's."""
    with unit_of_work(url) as session:
        latest = evidence_history(evidence_id, session=session)[-1]
    if latest.org != org:
        raise NotFoundError(f"evidence {evidence_id} is not of {org}")
    return latest.kind, dict(latest.payload)


def save_correction(url: str, org: str, evidence_id: str, form: Any, upload: Upload | None, *, by: str,
                    limit: int) -> tuple[FormState, bool]:  # fmt: skip
    """Record a corrected version from the form: (the form with its errors, False) or (the form, True)."""
    kind, payload = latest_payload(url, org, evidence_id)
    state, data = read_form(kind, form)
    checked, state.file_error = _checked(upload, limit)
    reason = str(form.get("reason") or "").strip()
    if not reason:
        state.reason_error = "Say why the item is being corrected (for example, a typing error in the date)."
    elif len(reason) > MAX_REASON:
        state.reason_error = f"Keep the reason under {MAX_REASON:,} characters."
    data.update(org=org, id=evidence_id)
    kept = {k.split(".", 1)[1]: v for k in NOT_TYPED if k.startswith("source.")
            and (v := (payload.get("source") or {}).get(k.split(".", 1)[1])) is not None}  # fmt: skip
    if isinstance(data.get("source"), dict):
        data["source"] = {**kept, **data["source"]}
    _with_file(data, checked)
    state, item = _validate(state, data)
    if item is None or state.has_errors:
        return state, False
    try:
        written = _store(url, item, checked, by=by, org=org, correct=True, reason=reason)
    except PxRulesError as exc:
        return with_error(state, "id", str(exc)), False
    if not written:
        state.general.append("Nothing was changed, so no new version was recorded.")
        return state, False
    return state, True
