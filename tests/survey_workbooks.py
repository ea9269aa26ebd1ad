"""Makers of survey workbooks for the tests, in the published layouts, with MADE-UP numbers.

`cqc_workbook` writes CQC's trust-level benchmark layout (NHS Patient Survey Programme); `nss_workbook` the
NHS Staff Survey's trust-level benchmark data layout. Every figure here is invented for the tests: none is
a trust's published result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MADE_UP = "MADE-UP TEST DATA: these figures are invented and describe no real organisation"

# Two questions per made-up trust: (mean, ll90, ul90, band, respondents).
CQC_TRUSTS: dict[str, tuple[str, dict[str, tuple[Any, Any, Any, Any, Any]]]] = {
    "RXA": ("Made-up Alpha Hospitals NHS Trust", {"Q24": (6.2, 6.6, 7.4, 2, 310), "Q45": (8.9, 8.7, 9.4, 4, 320)}),
    "RXB": ("Made-up Beta Hospitals NHS Trust", {"Q24": (7.9, 6.6, 7.4, 6, 540), "Q45": (9.5, 8.7, 9.4, 5, 560)}),
    "RXC": ("Made-up Gamma Hospitals NHS Trust", {"Q24": (7.0, 6.6, 7.4, 4, 410), "Q45": ("", "", "", 0, 12)}),
}


def cqc_workbook(path: Path, trusts: Mapping[str, tuple[str, Mapping[str, Sequence[Any]]]] = CQC_TRUSTS, *,
                 title: str = "NHS Adult Inpatient Survey 2022", sheets: Sequence[str] | None = None,
                 extra_rows: Sequence[Sequence[Any]] = ()) -> Path:
    """A CQC benchmark workbook (.xlsx) for `trusts`; `sheets` drops or renames sheets for hostile cases."""
    from openpyxl import Workbook

    questions = sorted({q for _, qs in trusts.values() for q in qs})
    book = Workbook()
    guidance = book.active
    guidance.title = "Guidance"
    guidance.append([title])
    guidance.append([MADE_UP])
    book.create_sheet("Key").append(["Sheet", "Variable name", "Description and comments"])
    respondents = book.create_sheet("Trust_Respondents")
    respondents.append(["TrustCode", "trustname", *[f"{q}_tres" for q in questions], "n_tpat"])
    scores = book.create_sheet("Trust_Scores")
    header = ["TrustCode", "trustname", "n_tpat"]
    for q in questions:
        header += [f"mean{q}", f"ll90{q}", f"ul90{q}", f"ll95{q}", f"ul95{q}", f"ll99{q}", f"ul99{q}", f"band{q}",
                   f"{q}_Zfinal"]
    scores.append(header)
    for code, (name, figures) in trusts.items():
        row: list[Any] = [code, name, 600]
        for q in questions:
            mean, low, high, band, _ = figures[q]
            row += [mean, low, high, low, high, low, high, band, 0.0]
        scores.append(row)
        respondents.append([code, name, *[figures[q][4] for q in questions], 600])
    for extra in extra_rows:
        scores.append(list(extra))
    national = book.create_sheet("National_Max&Min")
    national.append([f"{q}_{m}" for q in questions for m in ("min", "max")])
    values = {q: [f[q][0] for _, f in trusts.values() if isinstance(f[q][0], int | float)] for q in questions}
    national.append([v for q in questions for v in (min(values[q] or [0]), max(values[q] or [0]))])
    book.create_sheet("National_Respondents").append([f"{q}_res" for q in questions])
    if sheets is not None:
        for ws in list(book.worksheets):
            if ws.title not in sheets:
                book.remove(ws)
    book.save(path)
    return path


NSS_GROUPS = {
    "Acute&Acute Community Trusts": ["RYA", "RYB", "RYC", "RYD", "RYE", "RYF"],
    "Ambulance Trusts": ["RYG", "RYH"],  # fewer than the minimum group size of 5
}


def nss_score(code: str, measure: str, year: int) -> float:
    """A made-up score from 5.0 to 8.0, different per organisation, measure and year."""
    return round(5.0 + (sum(map(ord, code + measure)) * 7 + year) % 31 / 10, 2)


def nss_workbook(path: Path, groups: Mapping[str, Sequence[str]] = NSS_GROUPS, *,
                 measures: Sequence[str] = ("PP3_2", "theme_engagement", "PP1"), years: Sequence[int] = (2023, 2024),
                 cells: Mapping[tuple[str, str], Any] | None = None, header: Sequence[str] | None = None,
                 extra_rows: Mapping[str, Sequence[Sequence[Any]]] | None = None) -> Path:
    """An NHS Staff Survey benchmark data workbook (.xlsx) with MADE-UP scores; `cells` overrides
    (org, column) values, `header` replaces the header row, `extra_rows` appends rows to a sheet."""
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append([MADE_UP])
    columns = [f"{m}_{y}" for m in measures for y in years]
    for group, codes in groups.items():
        sheet = book.create_sheet(group)
        sheet.append(list(header) if header is not None else ["org_id", "org_name", "org_type_reporting_name",
                                                               *columns])
        for code in codes:
            row: list[Any] = [code, f"Made-up {code} NHS Trust", group]
            for column in columns:
                measure, year = column.rsplit("_", 1)
                row.append((cells or {}).get((code, column), nss_score(code, measure, int(year))))
            sheet.append(row)
        for extra in (extra_rows or {}).get(group, []):
            sheet.append(list(extra))
    book.save(path)
    return path
