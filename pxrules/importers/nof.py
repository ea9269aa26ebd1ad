"""Import NHS Oversight Framework metrics drawn from surveys (staff survey sub-scores) as survey questions.

One row per trust x metric x quarter. The NHS Staff Survey engagement (OF0084) and raising-concerns (OF0061)
sub-scores become `nss.engagement` / `nss.raising_concerns` on the 0-10 scale with the file's national median
and quartiles as peer figures; the NOF's own 1 (best) - 4 (worst) scores of survey-based metrics (OF1084,
OF1061, OF1035 ...) become `nof.<metric id>`. Metrics not drawn from a survey (finance, access) are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pxrules.errors import EvidenceError
from pxrules.evidence.feedback import SurveyQuestion
from pxrules.importers.common import (
    ORG_CODE,
    CellError,
    FileInfo,
    Problems,
    cell_text,
    csv_rows,
    header_index,
    layout_error,
    parse_number,
    shipped_file,
    where,
)
from pxrules.importers.storing import ImportResult, Published, PublishedOrg, store_published

PUBLICATION = "NHS Oversight Framework"
SHIPPED = "nof-mh-community-2025-26-q1-q4.csv"
REQUIRED = ("Quarter", "Trust_code", "Trust_name", "Metric_ID", "Metric_description", "Units", "Value")
# Metric id -> (question key, a word its description must contain, so a renumbered metric is caught).
KNOWN = {
    "OF0084": ("nss.engagement", "engagement"),
    "OF0061": ("nss.raising_concerns", "raising concerns"),
}
SCALES = {"out of 10": "score10", "score": "score5", "%": "percent", "percent": "percent"}
# Trust_subtype (else Trust_type) as published -> the store's organisation types, first match wins.
TYPE_WORDS = (
    ("mental health", "mental-health"),
    ("care trust", "mental-health"),
    ("community", "community"),
    ("ambulance", "ambulance"),
    ("acute", "acute"),
)


def is_survey_metric(description: str) -> bool:
    """Metrics drawn from a survey (NHS Staff Survey, CQC patient surveys): what survey_question fits."""
    return "survey" in description.lower()


def _quarter(text: str) -> tuple[str, str, dt.date, dt.date] | None:
    """'Q3 2025/26' -> ('2025-26 Q3', '2025-26-Q3', 2025-10-01, 2025-12-31)."""
    match = re.fullmatch(r"Q([1-4])\s+(\d{4})[/-](\d{2})", text.strip())
    if not match or (int(match.group(2)) + 1) % 100 != int(match.group(3)):
        return None
    q, year = int(match.group(1)), int(match.group(2))
    if not 1900 <= year < 2999:  # checked before the date arithmetic below
        return None
    first_month = (1 + 3 * q) if q < 4 else 1
    start = dt.date(year if q < 4 else year + 1, first_month, 1)
    end_month = first_month + 2
    end = dt.date(start.year + end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
    label = f"{year}-{match.group(3)}"
    return f"{label} Q{q}", f"{label}-Q{q}", start, end


def _org_type(subtype: str, trust_type: str) -> str:
    for text in (subtype.lower(), trust_type.lower()):
        for word, org_type in TYPE_WORDS:
            if word in text:
                return org_type
    return "other"


def read_nof(path: Path) -> Published:
    """The survey-based metrics of one NOF metrics CSV; ImportFormatError on a bad file."""
    info = FileInfo.of(path)
    try:
        text = info.data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvidenceError(f"{info.name}: cannot read as UTF-8 CSV: {exc}") from exc
    rows = csv_rows(text, info.name)
    if not rows:
        raise layout_error(where(info.name), "the file is empty")
    columns = header_index(rows[0])
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise layout_error(
            where(info.name, row=1),
            f"missing column(s) {', '.join(missing)}: not an NHS Oversight Framework metrics CSV",
        )
    problems = Problems(info.name)
    published = Published(PUBLICATION, info, "")
    quarters: set[str] = set()
    skipped = {"other_metrics": 0, "not_reported": 0}
    seen: dict[tuple[str, str, str], int] = {}

    def get(row: list[str], name: str) -> str:
        return cell_text(row[columns[name]]) if name in columns else ""

    for number, row in enumerate(rows[1:], start=2):
        if not any(cell_text(c) for c in row):
            continue
        if len(row) != len(rows[0]):
            problems.add(
                where(info.name, row=number), f"has {len(row)} fields, the header has {len(rows[0])}"
            )
            continue
        code = get(row, "Trust_code").upper()
        if not ORG_CODE.match(code):
            problems.add(where(info.name, row=number, column="Trust_code"), f"{code!r} is not an ODS code")
            continue
        published.name_org(
            PublishedOrg(
                code,
                get(row, "Trust_name") or code,
                _org_type(get(row, "Trust_subtype"), get(row, "Trust_type")),
            )
        )
        metric, description = get(row, "Metric_ID").upper(), get(row, "Metric_description")
        quarter = _quarter(get(row, "Quarter"))
        if quarter is None:
            problems.add(
                where(info.name, row=number, column="Quarter"),
                f"{get(row, 'Quarter')!r} is not a quarter like 'Q3 2025/26'",
            )
            continue
        if not is_survey_metric(description):
            skipped["other_metrics"] += 1
            continue
        wave, wave_id, start, end = quarter
        key, expected = KNOWN.get(metric, (f"nof.{metric.lower()}", ""))
        if expected and expected not in description.lower():
            problems.add(
                where(info.name, row=number, column="Metric_description"),
                f"{metric} is described as {description!r}, expected the {expected} sub-score",
            )
            continue
        units = get(row, "Units")
        scale = SCALES.get(units.lower())
        if scale is None:
            problems.add(
                where(info.name, row=number, column="Units"),
                f"unknown unit {units!r} for survey metric {metric} (known: {', '.join(SCALES)})",
            )
            continue
        if (code, metric, wave) in seen:
            problems.add(
                where(info.name, row=number),
                f"{code} {metric} {wave} appears twice (rows {seen[code, metric, wave]} and {number})",
            )
            continue
        seen[code, metric, wave] = number
        figures: dict[str, float | None] = {}
        for field, column in (
            ("score", "Value"),
            ("peer_median", "Median_value"),
            ("peer_lower_quartile", "Lower_quartile"),
            ("peer_upper_quartile", "Upper_quartile"),
        ):
            try:
                figures[field] = parse_number(row[columns[column]]) if column in columns else None
            except CellError as exc:
                problems.add(where(info.name, row=number, column=column), str(exc))
                figures[field] = None
        if figures["score"] is None:
            skipped["not_reported"] += 1
            continue
        quarters.add(wave)
        extra: dict[str, Any] = {k: v for k, v in figures.items() if k != "score"}
        reported = get(row, "Reporting_date")
        # Q1-Q3 repeat one staff-survey year; the survey wave is the data year, so "two consecutive
        # waves" means two survey years, not two quarters of the same result.
        survey_wave = f"NSS {reported}" if reported.isdigit() and len(reported) == 4 else wave
        notes = [f"{metric} {description}", f"published in the NOF for {wave}"]
        if reported:
            notes.append(f"data period {reported}")
        # The NOF's peer rank is left out on purpose: the framework "is not a comparison tool", so
        # pxrules benchmarks a trust against the peer median and quartiles but never ranks trusts.
        if scale == "score5":
            notes.append("NOF metric score: 1 is best, 4 is worst")
        item = problems.build(
            SurveyQuestion,
            where(info.name, row=number),
            id=f"nof-{metric}-{wave_id}-{code}",
            org=code,
            period_start=start,
            period_end=end,
            survey="nof",
            wave=survey_wave,
            question_key=key,
            question_number=metric,
            wording=description[:500] or None,
            score=figures["score"],
            scale=scale,
            notes="; ".join(notes),
            source=info.source(
                f"NHS England, NHS Oversight Framework metrics {get(row, 'Quarter')}: "
                f"{get(row, 'Trust_name') or code}",
                PUBLICATION,
                row=number,
                reference=f"row {number}: Trust_code {code}, Metric_ID {metric}",
            ),
            **extra,
        )
        if item is not None:
            published.add_item(item)
    problems.raise_if_any()
    published.period = ", ".join(sorted(quarters))
    published.details = {
        "quarters": sorted(quarters),
        "skipped_rows": skipped,
        "survey_metrics": sorted({m for _, m, _ in seen}),
    }
    return published


def import_nof(
    url: str | None,
    path: Path | str | None = None,
    *,
    orgs: Iterable[str] | None = None,
    all_orgs: bool = False,
    register_orgs: bool = False,
    by: str = "pxrules import",
) -> ImportResult:
    """Import a NOF metrics CSV (default: the shipped 2025/26 mental health and community file)."""
    published = read_nof(Path(path) if path is not None else shipped_file(SHIPPED))
    return store_published(url, published, orgs=orgs, all_orgs=all_orgs, register_orgs=register_orgs, by=by)
