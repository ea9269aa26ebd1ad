"""Import NHS England's monthly provider-level FFT workbook: trust, site, ward months and England benchmarks.

This module opens the workbook, settles its setting(s) and month (from its title, or --setting/--month,
which must agree with it) and finds its tables (fft_layout.py); fft_rows.py turns rows into evidence.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from pxrules.errors import EvidenceError
from pxrules.evidence.feedback import FFT_SETTINGS
from pxrules.importers.common import FileInfo, Problems, layout_error, parse_month, sheet_rows, where
from pxrules.importers.fft_layout import (
    Row,
    Table,
    build_table,
    find_table,
    find_title,
    setting_of_sheet,
    summary_month,
)
from pxrules.importers.fft_rows import PUBLICATION, Reading, england_benchmarks, read_table
from pxrules.importers.storing import ImportResult, Published, PublishedOrg, store_published

LEVELS = ("trust", "site", "ward")


def _resolve(
    sheets: Sequence[tuple[str, list[Row]]], file: str, setting: str | None, month: str | None
) -> tuple[str | None, str | None, tuple[int, int]]:
    """(family detected from the workbook, the one setting to import or None for all, the month)."""
    if setting is not None and setting not in FFT_SETTINGS:
        raise EvidenceError(f"--setting {setting!r} is not an FFT setting (one of {', '.join(FFT_SETTINGS)})")
    title = find_title(sheets)
    family = title.family if title is not None else None
    if title is not None and family is not None and setting is not None:
        fits = setting.startswith("maternity_") if family == "maternity" else setting == family
        if not fits:
            raise layout_error(
                where(file, sheet=title.sheet),
                f"the workbook is the {family} FFT ({title.text!r}), not {setting} as --setting says",
            )
    if family is None and setting is None:
        raise layout_error(
            where(file),
            "cannot tell the FFT setting (no 'Friends and Family Test' title naming it): give --setting",
        )
    found = (title.month if title is not None else None) or summary_month(sheets)
    if month is not None:
        wanted = parse_month(month)
        if found is not None and found != wanted:
            raise layout_error(
                where(file, sheet=title.sheet if title is not None else None),
                f"the workbook is for {found[0]}-{found[1]:02d}, not {month} as --month says",
            )
        found = wanted
    if found is None:
        raise layout_error(where(file), "cannot tell the month (no title or Summary date): give --month")
    return family, setting, found


def read_fft(
    path: Path, *, setting: str | None = None, month: str | None = None, levels: Iterable[str] = LEVELS
) -> Published:
    """Every row of one monthly FFT workbook as validated items; ImportFormatError on a bad layout or cell."""
    from openpyxl import load_workbook

    wanted_levels = set(levels)
    if wanted_levels - set(LEVELS):
        raise EvidenceError(
            f"unknown level(s) {', '.join(sorted(wanted_levels - set(LEVELS)))} (one of {', '.join(LEVELS)})"
        )
    info = FileInfo.of(path)
    try:
        workbook = load_workbook(io.BytesIO(info.data), read_only=True, data_only=True, keep_vba=False)
    except (
        Exception
    ) as exc:  # openpyxl raises zipfile, KeyError, ValueError ... for a file that is not a workbook
        raise layout_error(where(info.name), f"cannot open as an Excel workbook ({exc})") from exc
    try:
        sheets = [(ws.title, sheet_rows(ws, info.name)) for ws in workbook.worksheets]
    finally:
        workbook.close()
    family, only, period = _resolve(sheets, info.name, setting, month)
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
                raise layout_error(
                    where(info.name, sheet=table.sheet),
                    f"a second trust-level {table.setting} "
                    f"table (the first is sheet {trust_tables[table.setting]!r})",
                )
            trust_tables[table.setting] = table.sheet
    if not trust_tables:
        raise layout_error(
            where(info.name),
            "no trust-level table (a header row with 'Trust Code' and "
            "'Total Responses'): not an FFT provider-level workbook",
        )
    context = Reading(info, period, Problems(info.name), Published(PUBLICATION, info, ""))
    context.published.period = context.month_label
    # Trust tables first, so organisation names come from them rather than from site or ward rows.
    for table, rows in sorted(tables, key=lambda t: LEVELS.index(t[0].level)):
        if table.level in wanted_levels or table.level == "trust":
            read_table(context, table, rows, table.level in wanted_levels)
    context.problems.raise_if_any()
    england_benchmarks(context, set(trust_tables))
    context.problems.raise_if_any()
    context.published.details = {
        "month": context.month_label,
        "settings": sorted(trust_tables),
        "sheets": {t.sheet: f"{t.level} {t.setting}" for t, _ in tables},
        "levels": [lv for lv in LEVELS if lv in wanted_levels],
    }
    return context.published


def import_fft(
    url: str | None,
    path: Path | str,
    *,
    orgs: Iterable[str] | None = None,
    all_orgs: bool = False,
    setting: str | None = None,
    month: str | None = None,
    levels: Iterable[str] = LEVELS,
    register_orgs: bool = False,
    by: str = "pxrules import",
) -> ImportResult:
    """Import a monthly FFT workbook: the named organisations' (or all) months plus the England benchmarks."""
    published = read_fft(Path(path), setting=setting, month=month, levels=levels)
    if register_orgs:
        from pxrules.importers.ko41a import published_org_types

        # FFT names no organisation type; KO41a publishes one for every NHS trust (and a mixed-case name).
        known = published_org_types()
        for code in list(published.orgs):
            if code in known:
                published.orgs[code] = PublishedOrg(code, known[code].name, known[code].type)
    return store_published(url, published, orgs=orgs, all_orgs=all_orgs, register_orgs=register_orgs, by=by)
