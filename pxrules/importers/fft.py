"""Import NHS England's monthly provider-level FFT workbook: trust, site and ward months plus England benchmarks.

Each trust (site, ward) row becomes an `fft_monthly` item; the England row of the trust table becomes
`benchmark` items `fft.response_rate.<setting>` (England responses / England eligible * 100, where the setting
reports eligible patients), `fft.percentage_positive.<setting>` and `fft.percentage_negative.<setting>`.
Scope `england` is the published England total (including independent sector providers where the workbook
splits them); `england_nhs` is the total excluding them. Suppressed cells are recorded as None, never 0.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pxrules.errors import EvidenceError
from pxrules.evidence.feedback import BREAKDOWN, FFT_SETTINGS, Benchmark, FftMonthly
from pxrules.importers.common import (
    ORG_CODE,
    CellError,
    FileInfo,
    ImportResult,
    Problems,
    Published,
    PublishedOrg,
    cell_text,
    layout_error,
    month_bounds,
    parse_count,
    parse_fraction_percent,
    parse_month,
    slug,
    store_published,
    where,
)
from pxrules.importers.fft_layout import (
    Row,
    Table,
    build_table,
    find_table,
    find_title,
    setting_of_sheet,
    summary_month,
)

PUBLICATION = "Friends and Family Test"
LEVELS = ("trust", "site", "ward")
SETTING_TITLES = {"inpatient": "inpatient", "ae": "A&E", "maternity_antenatal": "maternity (antenatal)",
                  "maternity_birth": "maternity (birth)", "maternity_postnatal_ward": "maternity (postnatal ward)",
                  "maternity_postnatal_community": "maternity (postnatal community)", "outpatient": "outpatient",
                  "community": "community", "mental_health": "mental health", "ambulance": "ambulance"}
COUNT_FIELDS = ("responses", "eligible", *BREAKDOWN)
PERCENT_FIELDS = ("percentage_positive", "percentage_negative")
_SAFE_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")


@dataclass
class _Context:
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
        return (f"NHS England Friends and Family Test, {SETTING_TITLES[setting]}, "
                f"{calendar.month_name[self.month[1]]} {self.month[0]}: {what}")


def _resolve(sheets: Sequence[tuple[str, list[Row]]], file: str, setting: str | None,
             month: str | None) -> tuple[str | None, str | None, tuple[int, int]]:
    """(family detected from the workbook, the one setting to import or None for all, the month)."""
    if setting is not None and setting not in FFT_SETTINGS:
        raise EvidenceError(f"--setting {setting!r} is not an FFT setting (one of {', '.join(FFT_SETTINGS)})")
    title = find_title(sheets)
    family = title.family if title is not None else None
    if title is not None and family is not None and setting is not None:
        fits = setting.startswith("maternity_") if family == "maternity" else setting == family
        if not fits:
            raise layout_error(where(file, sheet=title.sheet),
                               f"the workbook is the {family} FFT ({title.text!r}), not {setting} as --setting says")
    if family is None and setting is None:
        raise layout_error(where(file), "cannot tell the FFT setting (no 'Friends and Family Test' title naming "
                           "it): give --setting")
    found = (title.month if title is not None else None) or summary_month(sheets)
    if month is not None:
        wanted = parse_month(month)
        if found is not None and found != wanted:
            raise layout_error(where(file, sheet=title.sheet if title is not None else None),
                               f"the workbook is for {found[0]}-{found[1]:02d}, not {month} as --month says")
        found = wanted
    if found is None:
        raise layout_error(where(file), "cannot tell the month (no title or Summary date): give --month")
    return family, setting, found


def read_fft(path: Path, *, setting: str | None = None, month: str | None = None,
             levels: Iterable[str] = LEVELS) -> Published:
    """Every row of one monthly FFT workbook as validated items; ImportFormatError on an unknown layout or bad cell."""
    from openpyxl import load_workbook

    wanted_levels = set(levels)
    if wanted_levels - set(LEVELS):
        raise EvidenceError(f"unknown level(s) {', '.join(sorted(wanted_levels - set(LEVELS)))} "
                            f"(one of {', '.join(LEVELS)})")
    info = FileInfo.of(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True, keep_vba=False)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError ... for a file that is not a workbook
        raise layout_error(where(info.name), f"cannot open as an Excel workbook ({exc})") from exc
    try:
        sheets = [(ws.title, list(ws.iter_rows(min_row=1, values_only=True))) for ws in workbook.worksheets]
    finally:
        workbook.close()
    family, only, month = _resolve(sheets, info.name, setting, month)
    tables: list[tuple[Table, list[Row]]] = []
    for name, rows in sheets:
        header = find_table(rows)
        if header is None:
            continue
        table_setting = setting_of_sheet(name, family, info.name) if family is not None else only
        assert table_setting is not None
        if only is not None and table_setting != only:
            continue
        tables.append((build_table(name, table_setting, header, info.name), rows))
    trust_tables: dict[str, str] = {}
    for table, _ in tables:
        if table.level == "trust":
            if table.setting in trust_tables:
                raise layout_error(where(info.name, sheet=table.sheet), f"a second trust-level {table.setting} "
                                   f"table (the first is sheet {trust_tables[table.setting]!r})")
            trust_tables[table.setting] = table.sheet
    if not trust_tables:
        raise layout_error(where(info.name), "no trust-level table (a header row with 'Trust Code' and "
                           "'Total Responses'): not an FFT provider-level workbook")
    context = _Context(info, month, Problems(info.name), Published(PUBLICATION, info, ""))
    context.published.period = context.month_label
    # Trust tables first, so organisation names come from them rather than from site or ward rows.
    for table, rows in sorted(tables, key=lambda t: LEVELS.index(t[0].level)):
        if table.level in wanted_levels or table.level == "trust":
            _read_table(context, table, rows, table.level in wanted_levels)
    context.problems.raise_if_any()
    _benchmarks(context, set(trust_tables))
    context.problems.raise_if_any()
    context.published.details = {
        "month": context.month_label, "settings": sorted(trust_tables),
        "sheets": {t.sheet: f"{t.level} {t.setting}" for t, _ in tables},
        "levels": [lv for lv in LEVELS if lv in wanted_levels],
    }
    return context.published


def _figures(context: _Context, table: Table, row: Row, number: int) -> dict[str, Any]:
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
            context.problems.add(where(context.info.name, sheet=table.sheet, row=number,
                                       column=table.column_name(name)), str(exc))
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


def _read_table(context: _Context, table: Table, rows: list[Row], make_items: bool) -> None:
    info, problems = context.info, context.problems
    for number in range(table.first_data_row, len(rows) + 1):
        row = rows[number - 1]
        code = _text(row, table, "org").upper()
        if not code:
            texts = [cell_text(c).lower() for c in row if isinstance(c, str)]
            if any(t.startswith("england") for t in texts):
                if table.level == "trust":
                    scope = "england_nhs" if any("excluding" in t for t in texts if t.startswith("england")) \
                        else "england"
                    context.england.append((table, number, scope, _figures(context, table, row, number)))
                continue
            if any(t.startswith("selection") for t in texts):
                continue  # the workbook's interactive "Selection (excluding suppressed data)" total
            if any(v not in (None, 0) and k != "modes" for k, v in _figures(context, table, row, number).items()):
                problems.add(where(info.name, sheet=table.sheet, row=number, column=table.column_name("org")),
                             "a row with figures but no Trust Code")
            continue
        location = where(info.name, sheet=table.sheet, row=number)
        if not ORG_CODE.match(code):
            problems.add(where(info.name, sheet=table.sheet, row=number, column=table.column_name("org")),
                         f"{code!r} is not an ODS code")
            continue
        name = _text(row, table, "org_name") or code
        if table.level == "trust":
            context.published.name_org(PublishedOrg(code, name, "other"))
        elif code not in context.published.orgs:
            context.published.name_org(PublishedOrg(code, name, "other"))
        figures = _figures(context, table, row, number)
        if table.level == "trust" and figures.get("responses") is not None:
            context.reported[table.setting] = context.reported.get(table.setting, 0) + 1
        if not make_items:
            continue
        item_id, what, extra, reference = _identity(context, table, row, code, name)
        if item_id in context.seen:
            first_sheet, first_row = context.seen[item_id]
            problems.add(location, f"{what} appears twice (sheet {first_sheet!r} row {first_row} and row {number})")
            continue
        context.seen[item_id] = (table.sheet, number)
        notes = extra.pop("notes", None)
        responses, eligible = figures.get("responses"), figures.get("eligible")
        if responses is not None and eligible is not None and responses > eligible:
            # Published as is, but the model cannot hold it; keep responses, say why eligible is missing.
            figures["eligible"] = None
            warning = f"eligible {eligible} is fewer than responses {responses} as published; eligible not recorded"
            notes = f"{notes}; {warning}" if notes else warning
            context.published.warnings.append(f"{location}: {warning}")
        start, end = month_bounds(*context.month)
        item = problems.build(
            FftMonthly, location, id=item_id, org=code, period_start=start, period_end=end, setting=table.setting,
            level=table.level, notes=notes,
            source=info.source(context.title(table.setting, what), PUBLICATION, sheet=table.sheet, row=number,
                               reference=reference),
            **extra, **figures)
        if item is not None:
            context.published.add_item(item)


def _identity(context: _Context, table: Table, row: Row, code: str,
              name: str) -> tuple[str, str, dict[str, Any], str]:
    """Deterministic id (publication + setting + month + org [+ site/ward]), label, extra fields, reference."""
    base = f"fft-{table.setting}-{context.month_label}-{code}"
    if table.level == "trust":
        return base, name, {}, f"{table.sheet} row: Trust Code {code}"
    site = _text(row, table, "site_code")
    site_key = site if _SAFE_CODE.match(site) else slug(site, 16) if site else "nosite"
    site_name = _text(row, table, "site_name")
    if table.level == "site":
        return (f"{base}-site-{site_key}", f"{name}, site {site} {site_name}".strip(),
                {"site_code": site[:500] or None}, f"Trust Code {code}, Site Code {site}")
    ward = _text(row, table, "ward")
    specialities = [s for s in (_text(row, table, "speciality_1"), _text(row, table, "speciality_2"))
                    if s and s not in {"-", "*"}]
    digest = hashlib.sha1(f"{site}|{ward}|{'|'.join(specialities)}".encode()).hexdigest()[:8]
    extra: dict[str, Any] = {"site_code": site[:500] or None, "ward": ward[:500]}
    if specialities:
        extra["notes"] = "specialities: " + ", ".join(specialities)
    return (f"{base}-ward-{site_key}-{slug(ward, 30)}-{digest}", f"{name}, site {site}, ward {ward}", extra,
            f"Trust Code {code}, Site Code {site}, Ward Name {ward}")


def _benchmarks(context: _Context, settings: set[str]) -> None:
    start, end = month_bounds(*context.month)
    scopes: dict[tuple[str, str], int] = {}
    for table, number, scope, figures in context.england:
        location = where(context.info.name, sheet=table.sheet, row=number)
        if (table.setting, scope) in scopes:
            context.problems.add(location, f"a second {scope} row (the first is row {scopes[table.setting, scope]})")
            continue
        scopes[table.setting, scope] = number
        label = "England" if scope == "england" else "England excluding independent sector providers"
        n_orgs = context.reported.get(table.setting) if scope == "england" else None
        responses, eligible = figures.get("responses"), figures.get("eligible")
        measures: list[tuple[str, float, dict[str, Any], str]] = []
        if responses is not None and eligible:
            measures.append(("response_rate", round(responses / eligible * 100, 6),
                             {"numerator": float(responses), "denominator": float(eligible)},
                             f"{label} Total Responses / Total Eligible * 100"))
        for name in PERCENT_FIELDS:
            if figures.get(name) is not None:
                measures.append((name, figures[name], {}, f"{label} {table.column_name(name)}"))
        for name, value, extra, reference in measures:
            item = context.problems.build(
                Benchmark, location, id=f"fft-{table.setting}-{context.month_label}-{scope}-{name}",
                measure=f"fft.{name}.{table.setting}", scope=scope, unit="percent", value=value,
                n_organisations=n_orgs, period_start=start, period_end=end,
                source=context.info.source(context.title(table.setting, label), PUBLICATION, sheet=table.sheet,
                                           row=number, reference=reference),
                **extra)
            if item is not None:
                context.published.benchmarks.append(item)
    missing = sorted(s for s in settings if (s, "england") not in scopes)
    if missing:
        raise layout_error(where(context.info.name), f"no England row in the trust table of {', '.join(missing)}")


def import_fft(url: str | None, path: Path | str, *, orgs: Iterable[str] | None = None, all_orgs: bool = False,
               setting: str | None = None, month: str | None = None, levels: Iterable[str] = LEVELS,
               register_orgs: bool = False, by: str = "pxrules import") -> ImportResult:
    """Import a monthly FFT workbook: the named organisations' (or all) months plus the England benchmarks."""
    published = read_fft(Path(path), setting=setting, month=month, levels=levels)
    if register_orgs:
        from pxrules.importers.ko41a import published_org_types

        # FFT names no organisation type; KO41a publishes one for every NHS trust (and a mixed-case name).
        known = published_org_types()
        for code, org in list(published.orgs.items()):
            if code in known:
                published.orgs[code] = PublishedOrg(code, known[code].name, known[code].type)
    return store_published(url, published, orgs=orgs, all_orgs=all_orgs, register_orgs=register_orgs, by=by)
