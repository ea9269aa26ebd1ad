"""Import NHS England's KO41a written-complaints publication (organisation level CSV) and its peer benchmarks.

One `complaints_period` per organisation and financial year (new, resolved, upheld, partially upheld, not
upheld, by service and subject area), and `benchmark` items per organisation type: upheld share (upheld /
resolved summed over the type, with the quartiles of per-organisation shares), upheld-or-partly share and
new complaints per organisation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from pxrules.evidence import Evidence
from pxrules.evidence.complaints import ComplaintsPeriod
from pxrules.evidence.feedback import Benchmark
from pxrules.importers.common import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    ORG_CODE,
    CellError,
    FileInfo,
    Problems,
    cell_text,
    csv_rows,
    header_index,
    layout_error,
    parse_count,
    quartiles,
    shipped_file,
    where,
)
from pxrules.importers.storing import ImportResult, Published, PublishedOrg, store_published

PUBLICATION = "KO41a"
TITLE = (
    "NHS England, Data on Written Complaints in the NHS {year} (KO41a, secondary care, organisation level)"
)
SHIPPED = "ko41a-2024-25-org-level.csv"
# The publication's "Organisation type grouping" -> the store's organisation types.
ORG_TYPE_MAP = {
    "acute": "acute",
    "mental health": "mental-health",
    "community provider trust": "community",
    "community": "community",
    "ambulance": "ambulance",
    "integrated care board": "other",
    "others": "other",
    "other": "other",
}
REQUIRED = (
    "Year",
    "Organisation_Code",
    "Organisation_Name",
    "Organisation_Type",
    "Complaints_Total_New",
    "Complaints_Total_Resolved",
    "Complaints_Number_Upheld",
    "Complaints_Number_Partially_Upheld",
    "Complaints_Number_Not_Upheld",
)
COUNTS = {
    "received": "Complaints_Total_New",
    "resolved": "Complaints_Total_Resolved",
    "upheld": "Complaints_Number_Upheld",
    "partially_upheld": "Complaints_Number_Partially_Upheld",
    "not_upheld": "Complaints_Number_Not_Upheld",
}
CARRIED = ("Complaints_Total_Brought_Forward", "Complaints_Total_Carried_Forward")
# Clinical treatment is a subject area the publication breaks down by specialty; its sub-total is the
# subject count (a complaint can have several subjects, so subjects need not sum to new complaints).
CLINICAL_TOTAL = "Clinical_Treatment_Sub_Total"
PEER_TYPES = ("acute", "community", "mental-health", "ambulance", "other")


def _breakdown(columns: Iterable[str], prefix: str) -> dict[str, str]:
    """key -> column for Service_* / Subject_Area_* columns, without the (sub-)totals."""
    return {
        name.removeprefix(prefix).lower(): name
        for name in columns
        if name.startswith(prefix) and not name.endswith(("_Total", "_Sub_Total"))
    }


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older NHS CSVs are Windows-1252 (e.g. a curly apostrophe in a trust's name).
        try:
            return raw.decode("cp1252", errors="strict")
        except UnicodeDecodeError as exc:
            raise layout_error(
                where(file), f"neither UTF-8 nor Windows-1252 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
            ) from exc


def _year(text: str, location: str) -> tuple[str, dt.date, dt.date]:
    match = re.fullmatch(r"(\d{4})[-/](\d{2})", text)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise layout_error(location, f"Year {text!r} is not a financial year like 2024-25")
    start = int(match.group(1))
    if not EARLIEST_YEAR <= start < LATEST_YEAR:
        raise layout_error(location, f"Year {text!r} is outside {EARLIEST_YEAR}..{LATEST_YEAR}")
    return f"{start}-{match.group(2)}", dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


def read_ko41a(path: Path) -> Published:
    """Every organisation's complaints and the peer benchmarks of one KO41a CSV (ImportFormatError if bad)."""
    info = FileInfo.of(path)
    rows = csv_rows(_decode(info.data, info.name), info.name)
    if not rows:
        raise layout_error(where(info.name), "the file is empty")
    columns = header_index(rows[0])
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise layout_error(
            where(info.name, row=1),
            f"missing column(s) {', '.join(missing)}: not a KO41a organisation-level CSV",
        )
    services = _breakdown(columns, "Service_")
    subjects = _breakdown(columns, "Subject_Area_")
    problems = Problems(info.name)
    years = {cell_text(r[columns["Year"]]) for r in rows[1:] if any(cell_text(c) for c in r)}
    if len(years) != 1:
        raise layout_error(
            where(info.name, column="Year"),
            f"expected one financial year, found {', '.join(sorted(years)) or 'none'}",
        )
    year, start, end = _year(years.pop(), where(info.name, column="Year"))
    published = Published(PUBLICATION, info, year)
    title = TITLE.format(year=year)
    by_type: dict[str, list[ComplaintsPeriod]] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell_text(c) for c in row):
            continue
        if len(row) != len(rows[0]):
            problems.add(
                where(info.name, row=number), f"has {len(row)} fields, the header has {len(rows[0])}"
            )
            continue
        code = cell_text(row[columns["Organisation_Code"]]).upper()
        if not ORG_CODE.match(code):
            problems.add(
                where(info.name, row=number, column="Organisation_Code"), f"{code!r} is not an ODS code"
            )
            continue
        if code in seen:
            problems.add(
                where(info.name, row=number, column="Organisation_Code"),
                f"{code} appears twice (rows {seen[code]} and {number})",
            )
            continue
        seen[code] = number
        published_type = cell_text(row[columns["Organisation_Type"]])
        org_type = ORG_TYPE_MAP.get(published_type.lower())
        if org_type is None:
            problems.add(
                where(info.name, row=number, column="Organisation_Type"),
                f"unknown organisation type {published_type!r} (known: {', '.join(sorted(ORG_TYPE_MAP))})",
            )
            continue
        name = cell_text(row[columns["Organisation_Name"]]) or code
        published.name_org(PublishedOrg(code, name, org_type))

        def count(column: str, number: int = number, row: Sequence[str] = row) -> int | None:
            try:
                return parse_count(row[columns[column]])
            except CellError as exc:
                problems.add(where(info.name, row=number, column=column), str(exc))
                return None

        counts = {field: count(column) for field, column in COUNTS.items()}
        carried = {c: count(c) for c in CARRIED if c in columns}
        by_service = {key: count(column) for key, column in services.items()}
        by_subject = {key: count(column) for key, column in subjects.items()}
        if CLINICAL_TOTAL in columns:
            by_subject["clinical_treatment"] = count(CLINICAL_TOTAL)
        notes = "; ".join(
            f"{c.removeprefix('Complaints_Total_').replace('_', ' ').lower()} {v}"
            for c, v in carried.items()
            if v is not None
        )
        item = problems.build(
            ComplaintsPeriod,
            where(info.name, row=number),
            id=f"ko41a-{year}-{code}",
            org=code,
            period_start=start,
            period_end=end,
            source=info.source(
                f"{title}: {name}",
                PUBLICATION,
                row=number,
                reference=f"row {number}, Organisation_Code {code}",
            ),
            source_type="ko41a",
            by_service=by_service,
            by_subject=by_subject,
            notes=(f"KO41a {published_type}; {notes}" if notes else f"KO41a {published_type}"),
            **counts,
        )
        if item is not None:
            published.add_item(item)
            by_type.setdefault(org_type, []).append(item)
    problems.raise_if_any()
    published.benchmarks = _benchmarks(info, year, start, end, by_type, problems)
    problems.raise_if_any()
    published.details = {
        "year": year,
        "organisations_in_file": len(published.orgs),
        "by_type": {t: len(v) for t, v in sorted(by_type.items())},
    }
    return published


def _upheld(c: ComplaintsPeriod) -> int | None:
    return c.upheld


def _upheld_or_partially(c: ComplaintsPeriod) -> int | None:
    return None if c.upheld is None or c.partially_upheld is None else c.upheld + c.partially_upheld


SHARES = (
    ("upheld_share", "upheld / resolved", _upheld),
    ("upheld_or_partially_share", "(upheld + partially upheld) / resolved", _upheld_or_partially),
)


def _benchmarks(
    info: FileInfo,
    year: str,
    start: dt.date,
    end: dt.date,
    by_type: dict[str, list[ComplaintsPeriod]],
    problems: Problems,
) -> list[Evidence]:
    groups = {t: by_type.get(t, []) for t in PEER_TYPES}
    groups["all"] = [i for t in PEER_TYPES for i in by_type.get(t, [])]
    out: list[Evidence] = []
    for org_type, items in groups.items():
        label = "all organisations" if org_type == "all" else f"{org_type} organisations"
        title = f"{TITLE.format(year=year)}: {label}"
        for name, formula, part in SHARES:
            pairs = [(part(c), c.resolved) for c in items if part(c) is not None and c.resolved is not None]
            numerator = sum(p for p, _ in pairs if p is not None)
            denominator = sum(r for _, r in pairs if r is not None)
            per_org = [p / r for p, r in pairs if p is not None and r]
            if not denominator or not per_org:
                continue
            low, mid, high = quartiles(per_org)
            bm = problems.build(
                Benchmark,
                where(info.name),
                id=f"ko41a-{year}-{name}-{org_type}",
                measure=f"ko41a.{name}.{org_type}",
                scope="england",
                unit="share",
                value=round(numerator / denominator, 6),
                lower_quartile=round(low, 6),
                median=round(mid, 6),
                upper_quartile=round(high, 6),
                n_organisations=len(per_org),
                numerator=numerator,
                denominator=denominator,
                period_start=start,
                period_end=end,
                source=info.source(
                    title,
                    PUBLICATION,
                    reference=f"{formula}, summed over {len(pairs)} {label}; "
                    f"quartiles of {len(per_org)} organisations' own shares",
                ),
            )
            if bm is not None:
                out.append(bm)
        received = [c.received for c in items if c.received is not None]
        if received:
            low, mid, high = quartiles([float(r) for r in received])
            bm = problems.build(
                Benchmark,
                where(info.name),
                id=f"ko41a-{year}-received-{org_type}",
                measure=f"ko41a.received.{org_type}",
                scope="england",
                unit="count",
                value=mid,
                lower_quartile=low,
                median=mid,
                upper_quartile=high,
                n_organisations=len(received),
                numerator=float(sum(received)),
                period_start=start,
                period_end=end,
                source=info.source(
                    title,
                    PUBLICATION,
                    reference=f"median new complaints per organisation over "
                    f"{len(received)} {label}; numerator = their total",
                ),
            )
            if bm is not None:
                out.append(bm)
    return out


def import_ko41a(
    url: str | None,
    path: Path | str | None = None,
    *,
    orgs: Iterable[str] | None = None,
    all_orgs: bool = False,
    register_orgs: bool = False,
    by: str = "pxrules import",
) -> ImportResult:
    """Import a KO41a CSV (default: the shipped 2024-25 one): named organisations or all, and benchmarks."""
    published = read_ko41a(Path(path) if path is not None else shipped_file(SHIPPED))
    return store_published(url, published, orgs=orgs, all_orgs=all_orgs, register_orgs=register_orgs, by=by)


@cache
def published_org_types() -> dict[str, PublishedOrg]:
    """Organisations and their types as the shipped KO41a file publishes them (FFT publishes no type)."""
    return dict(read_ko41a(shipped_file(SHIPPED)).orgs)
