"""Self-assessment files in the layout of the framework's assessment tool: the columns, and reading them in.

One row per sub-requirement (57): the framework's text, the four columns a trust fills in (Org. score 0-5,
current position, planned action, what good looks like), owner and review date, and - read-only - the
current suggested score with its one-line reason. xlsx files lock and grey every cell but the ones to fill
in; CSV files mark the read-only columns, and import ignores them (writing: reports/tool.py). Import is
all or nothing: every problem is reported with file, row and column before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pxrules.common.cells import csv_in
from pxrules.common.dates import parse_optional_date
from pxrules.errors import ImportFormatError, NotFoundError, PxRulesError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.records import SelfAssessmentLine, SelfAssessmentRecord

FORMATS = (".xlsx", ".csv")
SHEET = "Self-assessment"
SUGGESTED = "Suggested score [read-only, pxrules]"
REASON = "Reason for the suggested score [read-only, pxrules]"
EDITABLE = ("score", "current_position", "planned_action", "what_good_looks_like", "owner", "review_date")
_REQUIRED = ("id", "score", "current_position", "planned_action", "what_good_looks_like")
_SUBJECT = re.compile(r"^pxrules self-assessment ([A-Z0-9]{2,12})$")


@dataclass(frozen=True)
class Column:
    """One column of the layout: its key, heading, whether the trust fills it in, and its xlsx width."""

    key: str
    header: str
    editable: bool
    width: int


@dataclass(frozen=True)
class Suggestion:
    """The suggested score of one sub-requirement and the first line of its reasons."""

    score: int
    reason: str


def layout() -> tuple[Column, ...]:
    """The columns, headed as the framework's assessment tool heads them (plus owner, review date, ours)."""
    cat = load_catalogue()
    score, position, action, good = cat.scoring_columns
    return (
        Column("section", "Section", False, 20),
        Column("characteristic", cat.table_headings[0], False, 34),
        Column("id", "Id", False, 6),
        Column("text", cat.table_headings[1], False, 56),
        Column("score", score, True, 9),
        Column("current_position", position, True, 40),
        Column("planned_action", action, True, 40),
        Column("what_good_looks_like", good, True, 40),
        Column("owner", "Owner", True, 18),
        Column("review_date", "Review date", True, 12),
        Column("suggested", SUGGESTED, False, 11),
        Column("reason", REASON, False, 56),
    )


def _norm(header: Any) -> str:
    text = re.sub(r"\s+", " ", str(header or "")).strip().lower()
    return text.replace("org, score", "org. score")  # the publication prints both spellings


def _header_keys() -> dict[str, str]:
    keys = {_norm(c.header): c.key for c in layout()}
    keys.update({"sub-requirement": "id", "sub-requirement id": "id"})
    return keys


# --- reading ------------------------------------------------------------------------------------------


def _table(path: Path) -> tuple[list[list[Any]], str | None, str]:
    """Raw rows of the file, the organisation the file says it is for (xlsx only), and 'row' labels."""
    from pxrules.importers.common import csv_rows, read_checked, sheet_rows

    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ImportFormatError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'!r}; use .xlsx or .csv"
        )
    data = read_checked(path)  # a FIFO, a device or a 10^6-row dump is refused at once, before any parsing
    if path.suffix.lower() == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"{path.name}: not UTF-8 (byte offset {exc.start}); save it as CSV UTF-8"
            ) from exc
        return [list(r) for r in csv_rows(text, path.name)], None, "csv"
    import io

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors for a damaged file
        raise ImportFormatError(f"{path.name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        rows = [list(r) for r in sheet_rows(ws, path.name)]
        match = _SUBJECT.match(wb.properties.subject or "")
    finally:
        wb.close()
    return rows, match.group(1) if match else None, "xlsx"


def _letter(index: int, kind: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1) if kind == "xlsx" else str(index + 1)


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return csv_in(text) if kind == "csv" else text


def _score(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number 0-5")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number 0-5")
    if not 0 <= value <= 5:
        raise ValueError(f"score {value} is not 0-5")
    return value


def _date(value: Any) -> dt.date | None:
    return parse_optional_date(value)


def read_file(path: Path, org: str | None = None) -> list[SelfAssessmentLine]:
    """The 57 rows of a filled-in file; ImportFormatError listing every problem (file, row, column)."""
    path = Path(path)
    rows, file_org, kind = _table(path)
    name = path.name
    if org is not None and file_org is not None and file_org != org:
        raise ImportFormatError(f"{name}: this workbook is the self-assessment of {file_org}, not {org}")
    keys = _header_keys()
    header_at = next((i for i, r in enumerate(rows[:20]) if any(keys.get(_norm(c)) == "id" for c in r)), None)
    if header_at is None:
        raise ImportFormatError(
            f"{name}: no header row with an 'Id' column in the first 20 rows; "
            "start from `pxrules self-assess template`"
        )
    index: dict[str, int] = {}
    for j, cell in enumerate(rows[header_at]):
        key = keys.get(_norm(cell))
        if key is not None and key not in index:
            index[key] = j
    headers = {c.key: c.header for c in layout()}
    missing = [headers[k] for k in _REQUIRED if k not in index]
    if missing:
        raise ImportFormatError(
            f"{name}, row {header_at + 1}: missing required column(s): {', '.join(missing)}",
            [(f"{name}, row {header_at + 1}", f"missing column {m!r}") for m in missing],
        )
    catalogue = load_catalogue()
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    lines: list[SelfAssessmentLine] = []
    for i, raw in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(key: str, raw: list[Any] = raw) -> Any:
            j = index.get(key)
            return raw[j] if j is not None and j < len(raw) else None

        if all(_text(cell(k), kind) == "" for k in ("id", *EDITABLE)):
            continue  # a blank line, or a row with only read-only text
        where = f"{name}, row {i}"

        def at(key: str, where: str = where) -> str:
            return f"{where}, column {_letter(index[key], kind)} ({headers[key]})"

        sub_id = _text(cell("id"), kind).strip().upper()
        if not sub_id:
            problems.append((at("id"), "is empty"))
            continue
        if sub_id not in catalogue:
            try:
                catalogue.get(sub_id)
            except NotFoundError as exc:
                problems.append((at("id"), str(exc)))
            continue
        if sub_id in seen:
            problems.append((at("id"), f"duplicate id {sub_id} (also row {seen[sub_id]})"))
            continue
        seen[sub_id] = i
        values: dict[str, Any] = {}
        for key, parse in (("score", _score), ("review_date", _date)):
            try:
                values[key] = parse(cell(key)) if key in index else None
            except ValueError as exc:
                problems.append((at(key), str(exc)))
        texts = {
            k: _text(cell(k), kind) if k in index else ""
            for k in ("current_position", "planned_action", "what_good_looks_like", "owner")
        }
        if len(values) == 2:
            lines.append(
                SelfAssessmentLine(
                    sub_id,
                    values["score"],
                    texts["current_position"],
                    texts["planned_action"],
                    texts["what_good_looks_like"],
                    texts["owner"],
                    values["review_date"],
                )
            )
    absent = [s for s in catalogue.ids if s not in seen]
    if absent and len(absent) < len(catalogue.ids):
        problems.append(
            (
                name,
                (f"sub-requirement(s) missing: {', '.join(absent)} (keep all "
                f"{len(catalogue.ids)} rows; leave the score empty where not scored)"),
            )
        )
    elif absent:
        problems.append((name, "no sub-requirement rows below the header"))
    if problems:
        raise ImportFormatError(
            f"invalid self-assessment: {len(problems)} problem(s) in {name}; nothing was imported", problems
        )
    return lines


def file_sha256(path: Path) -> str:
    """sha256 of the file's bytes (stored with the import so the original can be matched later)."""
    from pxrules.importers.common import read_checked

    return hashlib.sha256(read_checked(Path(path))).hexdigest()


def editable_content(path: Path) -> list[tuple[Any, ...]]:
    """The filled-in columns of a file, row by row (what a round trip must preserve)."""
    return [
        (
            line.sub_requirement,
            line.score,
            line.current_position,
            line.planned_action,
            line.what_good_looks_like,
            line.owner,
            line.review_date,
        )
        for line in read_file(path)
    ]


def summary(record: SelfAssessmentRecord) -> dict[str, Any]:
    """A stored self-assessment in one line: dates, file, how many scored, the mean score."""
    scored = [r.score for r in record.rows if r.score is not None]
    return {
        "id": record.id,
        "organisation": record.org,
        "as_of": record.as_of.isoformat(),
        "imported_at": record.imported_at.isoformat(),
        "imported_by": record.imported_by,
        "source_file": record.source_file,
        "source_sha256": record.source_sha256,
        "content_hash": record.content_hash,
        "rows": len(record.rows),
        "scored": len(scored),
        "mean_score": round(sum(scored) / len(scored), 2) if scored else None,
    }


def check_path(path: Path) -> None:
    """Refuse an output path of an unsupported type before any work is done."""
    if not path.parent.is_dir():
        raise PxRulesError(f"cannot write {path}: folder {path.parent} does not exist")
    if path.suffix.lower() not in FORMATS:
        raise PxRulesError(
            f"{path.name}: unsupported file type {path.suffix or '(none)'!r}; use .xlsx or .csv"
        )


def line_map(lines: Sequence[SelfAssessmentLine]) -> dict[str, SelfAssessmentLine]:
    """Rows by sub-requirement id."""
    return {line.sub_requirement: line for line in lines}
