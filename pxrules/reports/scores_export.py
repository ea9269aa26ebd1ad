"""Writing every organisation's latest scores to one CSV or JSON file (`pxrules export scores`).

One row per organisation and sub-requirement: the suggested score of its newest stored assessment (on or
before the date asked for) with the rules hash and the reasons, beside the board's own score from its
newest self-assessment. Nothing is assessed again; the file is written atomically and never over the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from pxrules.common.cells import csv_out
from pxrules.errors import PxRulesError
from pxrules.scoring.latest import OrgScores, latest_scores

FORMATS = ("csv", "json")
CSV_COLUMNS = ("organisation", "name", "type", "sub_requirement", "suggested", "capped", "self_assessed",
               "assessment_id", "as_of", "rules_hash", "self_assessment_id", "self_assessment_as_of", "reasons")


@dataclass(frozen=True)
class Exported:
    """What was written."""

    path: Path
    format: str
    organisations: int
    assessed: int
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "format": self.format, "organisations": self.organisations,
                "assessed": self.assessed, "rows": self.rows}


def scores_csv(orgs: list[OrgScores]) -> str:
    """The CSV text: not-assessed scores are empty cells, never 0; reasons joined by ' | '."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for org in orgs:
        for r in org.rows:
            cells = [org.code, org.name, org.type, r.sub_requirement,
                     "" if r.suggested is None else r.suggested, "yes" if r.capped else "",
                     "" if r.self_assessed is None else r.self_assessed,
                     org.assessment_id or "", org.as_of.isoformat() if org.as_of else "", org.rules_hash or "",
                     org.self_assessment_id or "", org.self_as_of.isoformat() if org.self_as_of else "",
                     " | ".join(r.reasons)]
            writer.writerow([csv_out(c) if isinstance(c, str) else c for c in cells])
    return out.getvalue()


def scores_json(orgs: list[OrgScores], as_of: dt.date | None) -> str:
    """Sorted-key, indented JSON (orjson: a 279-organisation export is about 16,000 score rows)."""
    data = {"as_of": as_of.isoformat() if as_of else None, "organisations": [o.as_dict() for o in orgs]}
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8") + "\n"


def export_scores(url: str | None, path: Path, fmt: str, *, as_of: dt.date | None = None,
                  force: bool = False) -> Exported:
    """Write every organisation's latest scores as `fmt` (csv or json) to `path`."""
    from pxrules.common.output_file import check_output, write_text_output
    from pxrules.store.db import unit_of_work

    if fmt not in FORMATS:
        raise PxRulesError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    check_output(path, store_url=url, force=force)  # before reading anything: a bad path fails fast
    with unit_of_work(url) as session:
        orgs = latest_scores(session, as_of=as_of)
    text = scores_csv(orgs) if fmt == "csv" else scores_json(orgs, as_of)
    write_text_output(path, text, store_url=url, force=force)
    return Exported(Path(path), fmt, len(orgs), sum(1 for o in orgs if o.assessment_id is not None),
                    sum(len(o.rows) for o in orgs))
