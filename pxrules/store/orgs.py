"""Organisations (by ODS code): the only evidence owners the register accepts."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from pxrules.errors import NotFoundError, StoreError
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.tables import ORG_TYPES, Organisation, utc_now

_ORG_CODE = re.compile(r"^[A-Z0-9]{2,12}\Z")


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' (did you mean X, Y?)' for close matches, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    # Best first; equally close names alphabetically (difflib breaks ties in reverse order).
    close.sort(key=lambda c: (-difflib.SequenceMatcher(None, name, c).ratio(), c))
    return f" (did you mean {', '.join(close)}?)" if close else ""


@dataclass(frozen=True)
class OrgRecord:
    """An organisation as stored."""

    code: str
    name: str
    type: str
    created_at: dt.datetime
    created_by: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with stable keys."""
        return {
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
        }


def _org_record(row: Organisation) -> OrgRecord:
    return OrgRecord(
        code=row.code, name=row.name, type=row.type, created_at=row.created_at, created_by=row.created_by
    )


def org_problem(code: str, name: str, type: str) -> tuple[str, str] | None:
    """(field, why) when an organisation could not be registered as given, else None: `org add`'s checks."""
    if not _ORG_CODE.match(code):
        return "code", f"organisation code {code!r} is not an ODS code (2-12 upper-case letters or digits)"
    if type not in ORG_TYPES:
        return "type", f"organisation type {type!r} is not one of {', '.join(ORG_TYPES)}"
    if not name.strip() or len(name.strip()) > 200:
        return "name", "organisation name must be 1-200 characters"
    return None


def add_org(code: str, name: str, type: str, *, session: Session, by: str) -> OrgRecord:
    """Register an organisation by ODS code; StoreError if the code is malformed or taken, or type unknown.

    The code is trimmed of spaces first (so "RXX\n" is "RXX", never a second organisation); the name is
    trimmed and must be 1-200 characters, `by` at most 500.
    """
    code = code.strip()
    name = name.strip()
    problem = org_problem(code, name, type)
    if problem is not None:
        raise StoreError(problem[1])
    if not by.strip() or len(by) > 500:
        raise StoreError(f"who is recording must be 1-500 characters (it is {len(by):,})")
    lock_chain(session)  # before the existence check, so a concurrent add of the same code waits for it
    if session.get(Organisation, code) is not None:
        raise StoreError(f"organisation {code} already exists")
    row = Organisation(code=code, name=name, type=type, created_at=utc_now(), created_by=by)
    session.add(row)
    session.flush()
    append_event(session, action="org.add", by=by, org=code, subject=f"organisation {code}",
                 refs={"organisation": [code]})
    return _org_record(row)


def get_org(code: str, *, session: Session) -> OrgRecord:
    """The organisation with this code; NotFoundError naming close matches."""
    row = session.get(Organisation, code)
    if row is None:
        codes = session.exec(select(Organisation.code)).all()
        raise NotFoundError(f"unknown organisation {code!r}{did_you_mean(code, codes)}")
    return _org_record(row)


def list_orgs(*, session: Session) -> list[OrgRecord]:
    """All organisations, by code."""
    rows = session.exec(select(Organisation).order_by(col(Organisation.code))).all()
    return [_org_record(r) for r in rows]
