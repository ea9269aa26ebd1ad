"""Rows of an FFT provider-level table -> `fft_monthly` items, and its England rows -> `benchmark` items.

Benchmarks: `fft.response_rate.<setting>` (England Total Responses / Total Eligible * 100, where the setting
reports eligible patients), `fft.percentage_positive.<setting>`, `fft.percentage_negative.<setting>`. Scope
`england` is the published England total (including independent sector providers where the workbook splits
them); `england_nhs` is the total excluding them. Suppressed cells are recorded as None, never 0.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from pxrules.evidence.feedback import BREAKDOWN, Benchmark, FftMonthly
from pxrules.importers.common import (
    ORG_CODE,
    CellError,
    FileInfo,
    Problems,
    cell_text,
    layout_error,
    month_bounds,
    parse_count,
    parse_fraction_percent,
    slug,
    where,
)
from pxrules.importers.fft_layout import Row, Table
from pxrules.importers.storing import Published, PublishedOrg

PUBLICATION = "Friends and Family Test"
SETTING_TITLES = {
    "inpatient": "inpatient",
    "ae": "A&E",
    "maternity_antenatal": "maternity (antenatal)",
    "maternity_birth": "maternity (birth)",
    "maternity_postnatal_ward": "maternity (postnatal ward)",
    "maternity_postnatal_community": "maternity (postnatal community)",
    "outpatient": "outpatient",
    "community": "community",
    "mental_health": "mental health",
    "ambulance": "ambulance",
}
COUNT_FIELDS = ("responses", "eligible", *BREAKDOWN)
PERCENT_FIELDS = ("percentage_positive", "percentage_negative")
_SAFE_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")


@dataclass
class Reading:
    """The state of reading one workbook: its month, problems found, and what it holds so far."""

    info: FileInfo
    month: tuple[int, int]
    problems: Problems
    published: Published
    england: list[tuple[Table, int, str, dict[str, Any]]] = field(default_factory=list)
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)
    reported: dict[str, int] = field(default_factory=dict)  # setting -> trusts with responses

    @property
    def month_label(self) -> str:
        return f"{self.month[0]}-{self.month[1]:02d}"

    def title(self, setting: str, what: str) -> str:
        return (
            f"NHS England Friends and Family Test, {SETTING_TITLES[setting]}, "
            f"{calendar.month_name[self.month[1]]} {self.month[0]}: {what}"
        )


def _figures(context: Reading, table: Table, row: Row, number: int) -> dict[str, Any]:
    """The row's counts, percentages and modes; a bad cell is recorded as a problem naming its column."""
    out: dict[str, Any] = {}
    modes: dict[str, int | None] = {}
    wanted = [(f, table.columns[f]) for f in (*COUNT_FIELDS, *PERCENT_FIELDS) if f in table.columns]
    wanted += [(m, c) for m, c in table.modes.items()]
    for name, col in wanted:
        value = row[col] if col < len(row) else None
        try:
            parsed = parse_fraction_percent(value) if name in PERCENT_FIELDS else parse_count(value)
        except CellError as exc:
            context.problems.add(
                where(context.info.name, sheet=table.sheet, row=number, column=table.column_name(name)),
                str(exc),
            )
            continue
        if name in table.modes:
            modes[name] = None if parsed is None else int(parsed)
        else:
            out[name] = parsed
    if table.modes:
        out["modes"] = modes
    return out


def _text(row: Row, table: Table, name: str) -> str:
    col = table.columns.get(name)
    return cell_text(row[col]) if col is not None and col < len(row) else ""


def read_table(context: Reading, table: Table, rows: list[Row], make_items: bool) -> None:
    info, problems = context.info, context.problems
    for number in range(table.first_data_row, len(rows) + 1):
        row = rows[number - 1]
        code = _text(row, table, "org").upper()
        if not code:
            texts = [cell_text(c).lower() for c in row if isinstance(c, str)]
            if any(t.startswith("england") for t in texts):
                if table.level == "trust":
                    scope = (
                        "england_nhs"
                        if any("excluding" in t for t in texts if t.startswith("england"))
                        else "england"
                    )
                    context.england.append((table, number, scope, _figures(context, table, row, number)))
                continue
            if any(t.startswith("selection") for t in texts):
                continue  # the workbook's interactive "Selection (excluding suppressed data)" total
            if any(
                v not in (None, 0) and k != "modes" for k, v in _figures(context, table, row, number).items()
            ):
                problems.add(
                    where(info.name, sheet=table.sheet, row=number, column=table.column_name("org")),
                    "a row with figures but no Trust Code",
                )
            continue
        location = where(info.name, sheet=table.sheet, row=number)
        if not ORG_CODE.match(code):
            problems.add(
                where(info.name, sheet=table.sheet, row=number, column=table.column_name("org")),
                f"{code!r} is not an ODS code",
            )
            continue
        name = _text(row, table, "org_name") or code
        context.published.name_org(PublishedOrg(code, name, "other"))  # trust tables come first
        figures = _figures(context, table, row, number)
        if table.level == "trust" and figures.get("responses") is not None:
            context.reported[table.setting] = context.reported.get(table.setting, 0) + 1
        if not make_items:
            continue
        item_id, what, extra, reference = _identity(context, table, row, code, name)
        if item_id in context.seen:
            first_sheet, first_row = context.seen[item_id]
            problems.add(
                location, f"{what} appears twice (sheet {first_sheet!r} row {first_row} and row {number})"
            )
            continue
        context.seen[item_id] = (table.sheet, number)
        notes = extra.pop("notes", None)
        responses, eligible = figures.get("responses"), figures.get("eligible")
        if responses is not None and eligible is not None and responses > eligible:
            # Published as is, but the model cannot hold it; keep responses, say why eligible is missing.
            figures["eligible"] = None
            warning = (
                f"eligible {eligible} is fewer than responses {responses} as published; eligible not recorded"
            )
            notes = f"{notes}; {warning}" if notes else warning
            context.published.warnings.append(f"{location}: {warning}")
        start, end = month_bounds(*context.month)
        item = problems.build(
            FftMonthly,
            location,
            id=item_id,
            org=code,
            period_start=start,
            period_end=end,
            setting=table.setting,
            level=table.level,
            notes=notes,
            source=info.source(
                context.title(table.setting, what),
                PUBLICATION,
                sheet=table.sheet,
                row=number,
                reference=reference,
            ),
            **extra,
            **figures,
        )
        if item is not None:
            context.published.add_item(item)


def _identity(
    context: Reading, table: Table, row: Row, code: str, name: str
) -> tuple[str, str, dict[str, Any], str]:
    """Deterministic id (publication, setting, month, org [, site/ward]), label, extra fields, reference."""
    base = f"fft-{table.setting}-{context.month_label}-{code}"
    if table.level == "trust":
        return base, name, {}, f"{table.sheet} row: Trust Code {code}"
    site = _text(row, table, "site_code")
    site_key = site if _SAFE_CODE.match(site) else slug(site, 16) if site else "nosite"
    site_name = _text(row, table, "site_name")
    if table.level == "site":
        return (
            f"{base}-site-{site_key}",
            f"{name}, site {site} {site_name}".strip(),
            {"site_code": site[:500] or None},
            f"Trust Code {code}, Site Code {site}",
        )
    ward = _text(row, table, "ward")
    specialities = [
        s
        for s in (_text(row, table, "speciality_1"), _text(row, table, "speciality_2"))
        if s and s not in {"-", "*"}
    ]
    digest = hashlib.sha1(f"{site}|{ward}|{'|'.join(specialities)}".encode()).hexdigest()[:8]
    extra: dict[str, Any] = {"site_code": site[:500] or None, "ward": ward[:500]}
    if specialities:
        extra["notes"] = "specialities: " + ", ".join(specialities)
    return (
        f"{base}-ward-{site_key}-{slug(ward, 30)}-{digest}",
        f"{name}, site {site}, ward {ward}",
        extra,
        f"Trust Code {code}, Site Code {site}, Ward Name {ward}",
    )


def england_benchmarks(context: Reading, settings: set[str]) -> None:
    start, end = month_bounds(*context.month)
    scopes: dict[tuple[str, str], int] = {}
    for table, number, scope, figures in context.england:
        location = where(context.info.name, sheet=table.sheet, row=number)
        if (table.setting, scope) in scopes:
            context.problems.add(
                location, f"a second {scope} row (the first is row {scopes[table.setting, scope]})"
            )
            continue
        scopes[table.setting, scope] = number
        label = "England" if scope == "england" else "England excluding independent sector providers"
        n_orgs = context.reported.get(table.setting) if scope == "england" else None
        responses, eligible = figures.get("responses"), figures.get("eligible")
        measures: list[tuple[str, float, dict[str, Any], str]] = []
        if responses is not None and eligible:
            measures.append(
                (
                    "response_rate",
                    round(responses / eligible * 100, 6),
                    {"numerator": float(responses), "denominator": float(eligible)},
                    f"{label} Total Responses / Total Eligible * 100",
                )
            )
        for name in PERCENT_FIELDS:
            if figures.get(name) is not None:
                measures.append((name, figures[name], {}, f"{label} {table.column_name(name)}"))
        for name, value, extra, reference in measures:
            item = context.problems.build(
                Benchmark,
                location,
                id=f"fft-{table.setting}-{context.month_label}-{scope}-{name}",
                measure=f"fft.{name}.{table.setting}",
                scope=scope,
                unit="percent",
                value=value,
                n_organisations=n_orgs,
                period_start=start,
                period_end=end,
                source=context.info.source(
                    context.title(table.setting, label),
                    PUBLICATION,
                    sheet=table.sheet,
                    row=number,
                    reference=reference,
                ),
                **extra,
            )
            if item is not None:
                context.published.benchmarks.append(item)
    missing = sorted(s for s in settings if (s, "england") not in scopes)
    if missing:
        raise layout_error(
            where(context.info.name), f"no England row in the trust table of {', '.join(missing)}"
        )
