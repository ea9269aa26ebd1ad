"""Register many organisations from one CSV file (code, name, type) in a single transaction.

Every row gets the checks `org add` makes; all problems are reported together with their row and column
and nothing is written unless the whole file is good. An organisation already registered with the same
name and type is left as it is (so the same file can be imported twice); one registered differently is an
error, since the register never silently renames an organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pxrules.errors import EvidenceError
from pxrules.importers.common import FileInfo, Problems, cell_text, csv_rows, layout_error, where

COLUMNS = ("code", "name", "type")


@dataclass(frozen=True)
class OrgImport:
    """What `org import` did."""

    file: str
    sha256: str
    added: list[str]
    unchanged: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "added": list(self.added),
                "unchanged": list(self.unchanged)}


def read_orgs_csv(path: Path) -> tuple[FileInfo, list[tuple[int, str, str, str]]]:
    """(file, [(row, code, name, type)]) from a CSV with columns code, name, type; ImportFormatError otherwise."""
    from pxrules.store.orgs import org_problem

    info = FileInfo.of(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvidenceError(f"{info.name}: cannot read as UTF-8 CSV: {exc}") from exc
    rows = csv_rows(text, info.name)
    if not rows:
        raise layout_error(where(info.name), "the file is empty (expected a header: code,name,type)")
    header = [cell_text(h).lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise layout_error(where(info.name, row=1),
                           f"missing column(s) {', '.join(missing)} (expected a header: code,name,type)")
    at = {c: header.index(c) for c in COLUMNS}
    problems = Problems(info.name)
    seen: dict[str, int] = {}
    found: list[tuple[int, str, str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell_text(c) for c in row):
            continue
        if len(row) != len(rows[0]):
            problems.add(where(info.name, row=number), f"has {len(row)} fields, the header has {len(rows[0])}")
            continue
        code, name, org_type = (cell_text(row[at[c]]) for c in COLUMNS)
        problem = org_problem(code, name, org_type)
        if problem is not None:
            column, message = problem
            problems.add(where(info.name, row=number, column=column), message)
            continue
        if code in seen:
            problems.add(where(info.name, row=number, column="code"),
                         f"organisation {code} appears twice (rows {seen[code]} and {number})")
            continue
        seen[code] = number
        found.append((number, code, name, org_type))
    problems.raise_if_any()
    return info, found


def import_orgs_csv(url: str | None, path: Path | str, *, by: str) -> OrgImport:
    """Register every organisation in the CSV, all or nothing."""
    from sqlmodel import col, select

    from pxrules.store.db import unit_of_work
    from pxrules.store.orgs import add_org
    from pxrules.store.tables import Organisation

    info, rows = read_orgs_csv(Path(path))
    added: list[str] = []
    unchanged: list[str] = []
    with unit_of_work(url) as session:
        codes = [code for _, code, _, _ in rows]
        known = {o.code: o for o in session.exec(select(Organisation).where(col(Organisation.code).in_(codes))).all()}
        problems = Problems(info.name)
        for number, code, name, org_type in rows:
            held = known.get(code)
            if held is None:
                continue
            if (held.name, held.type) == (name, org_type):
                unchanged.append(code)
            else:
                problems.add(where(info.name, row=number, column="code"),
                             f"organisation {code} already exists as {held.name!r} ({held.type})")
        problems.raise_if_any()
        for _, code, name, org_type in rows:
            if code not in known:
                add_org(code, name, org_type, session=session, by=by)
                added.append(code)
    return OrgImport(info.name, info.sha256, added, unchanged)
