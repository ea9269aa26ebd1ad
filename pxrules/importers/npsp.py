"""Import CQC's trust-level benchmark workbook of an NHS Patient Survey Programme survey (.ods or .xlsx).

Per trust and scored question: the 0-10 score, CQC's expected range and band (much worse ... much better
than expected), the respondents, and the change since the previous survey where the workbook has it; per
question, England's average (the mean of the trusts' scores, as CQC makes it), median, quartiles, minimum
and maximum as `benchmark` evidence. Question numbers become stable keys through the shipped map
(pxrules/data/surveys/npsp.yaml); a year the map does not know is refused with what to add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pxrules.errors import CatalogueError
from pxrules.evidence.feedback import Benchmark, SurveyQuestion, range_words
from pxrules.importers.common import (
    ORG_CODE,
    CellError,
    FileInfo,
    Problems,
    cell_text,
    column_letter,
    layout_error,
    parse_count,
    parse_number,
    quartiles,
    shipped_file,
    where,
)
from pxrules.importers.storing import ImportResult, Published, PublishedOrg, store_published
from pxrules.importers.survey_map import SurveyYear, npsp_map
from pxrules.importers.workbook import Workbook, open_workbook, require_sheets

PUBLICATION = "NHS Patient Survey Programme"
SHIPPED = "cqc-adult-inpatient-survey-2022-trust-benchmark.ods"
GUIDANCE, SCORES, RESPONDENTS, NATIONAL = "Guidance", "Trust_Scores", "Trust_Respondents", "National_Max&Min"
HISTORY = "Historical_Comparisonsto"
WHAT = "CQC's trust-level benchmark workbook of an NHS Patient Survey Programme survey"
# bandQx as the Key sheet defines it: 0 = not applicable.
BANDS = {1: "much_worse", 2: "worse", 3: "somewhat_worse", 4: "about_same", 5: "somewhat_better", 6: "better",
         7: "much_better"}
CHANGES = {-1: "significantly_lower", 0: "no_significant_change", 1: "significantly_higher"}
ORG_TYPES = {"npsp_community_mh": "mental-health"}  # every other NPSP survey is of acute trusts
_MEAN = re.compile(r"^mean(Q\d+(?:_\d+)?)$")


def identify(book: Workbook) -> SurveyYear:
    """The survey and year from the Guidance sheet's title, and its question map."""
    require_sheets(book, (GUIDANCE, SCORES, RESPONDENTS, NATIONAL), WHAT)
    rows = book.rows(GUIDANCE)
    title = next((cell_text(c) for r in rows[:5] for c in r if cell_text(c)), "")
    known = npsp_map()
    year = re.search(r"\b(20\d\d)\b", title)
    survey = next((s for s, (t, _) in known.titles.items() if t.lower() in title.lower()), None)
    if survey is None or year is None:
        names = "; ".join(t for t, _ in known.titles.values())
        raise layout_error(where(book.file, sheet=GUIDANCE, row=1),
                           f"title {title[:80]!r} names no survey and year pxrules knows ({names})")
    found = known.years.get((survey, int(year.group(1))))
    if found is None:
        raise CatalogueError(
            f"{book.file}: no question map for the {known.titles[survey][0]} {year.group(1)} in "
            "pxrules/data/surveys/npsp.yaml: add the year (sample months, publication date, question numbers)")
    return found


def _index(header: list[Any]) -> dict[str, int]:
    return {cell_text(h): i for i, h in enumerate(header) if cell_text(h)}


def _by_trust(rows: list[list[Any]], column: int) -> dict[str, tuple[int, list[Any]]]:
    """Trust code -> (row number, row); the first row wins (duplicates are caught on the score sheet)."""
    out: dict[str, tuple[int, list[Any]]] = {}
    for number, row in enumerate(rows[1:], start=2):
        code = cell_text(row[column] if column < len(row) else "").upper()
        if code:
            out.setdefault(code, (number, row))
    return out


class _Reader:
    """Reads one cell as a figure, recording any problem with its sheet, row and column."""

    def __init__(self, problems: Problems, file: str) -> None:
        self.problems, self.file = problems, file

    def get(self, sheet: str, row: list[Any], number: int, columns: dict[str, int], name: str,
            parse: Any = parse_number) -> Any:
        index = columns.get(name)
        if index is None or index >= len(row):
            return None
        try:
            return parse(row[index])
        except CellError as exc:
            self.problems.add(where(self.file, sheet=sheet, row=number,
                                    column=f"{column_letter(index)} ({name})"), str(exc))
            return None


def _history(book: Workbook, year: int) -> tuple[str, str, dict[str, int], dict[str, tuple[int, list[Any]]]] | None:
    """The latest historical-comparison sheet before `year`: (sheet, year, columns, rows by trust)."""
    sheets = sorted((int(n[len(HISTORY):]), n) for n in book.names
                    if n.startswith(HISTORY) and n[len(HISTORY):].isdigit() and int(n[len(HISTORY):]) < year)
    if not sheets:
        return None
    previous, name = sheets[-1]
    rows = book.rows(name)
    if not rows:
        return None
    columns = _index(rows[0])
    if "TrustCode" not in columns:
        raise layout_error(where(book.file, sheet=name, row=1), "no TrustCode column")
    return name, str(previous), columns, _by_trust(rows, columns["TrustCode"])


def read_npsp(path: Path) -> Published:
    """Every trust's scored questions and England's figures; ImportFormatError on a bad workbook."""
    info = FileInfo.of(path)
    book = open_workbook(info)
    survey = identify(book)
    scores = book.rows(SCORES)
    if not scores:
        raise layout_error(where(info.name, sheet=SCORES), "the sheet is empty")
    columns = _index(scores[0])
    numbers = [m.group(1) for h in columns if (m := _MEAN.match(h))]
    missing = [c for c in ("TrustCode", "trustname") if c not in columns]
    missing += [f"{p}{q}" for q in numbers for p in ("ll90", "ul90", "band") if f"{p}{q}" not in columns]
    if missing or not numbers:
        raise layout_error(where(info.name, sheet=SCORES, row=1),
                           f"missing column(s) {', '.join(missing[:8]) or 'meanQ<n>'}: not {WHAT}")
    respondents = book.rows(RESPONDENTS)
    resp_columns = _index(respondents[0]) if respondents else {}
    if "TrustCode" not in resp_columns:
        raise layout_error(where(info.name, sheet=RESPONDENTS, row=1), f"no TrustCode column: not {WHAT}")
    resp_rows = _by_trust(respondents, resp_columns["TrustCode"])
    history = _history(book, survey.year)
    problems = Problems(info.name)
    cell = _Reader(problems, info.name)
    published = Published(PUBLICATION, info, f"{survey.title} {survey.year}")
    org_type = ORG_TYPES.get(survey.survey, "acute")
    seen: dict[str, int] = {}
    figures: dict[str, list[float]] = {q: [] for q in numbers}
    pending: list[dict[str, Any]] = []
    for number, row in enumerate(scores[1:], start=2):
        if not any(cell_text(c) for c in row):
            continue
        code = cell_text(row[columns["TrustCode"]]).upper()
        if not ORG_CODE.match(code):
            problems.add(where(info.name, sheet=SCORES, row=number, column="A (TrustCode)"),
                         f"{code!r} is not an ODS code")
            continue
        if code in seen:
            problems.add(where(info.name, sheet=SCORES, row=number, column="A (TrustCode)"),
                         f"trust {code} appears twice (rows {seen[code]} and {number})")
            continue
        seen[code] = number
        name = cell_text(row[columns["trustname"]]) or code
        published.name_org(PublishedOrg(code, name[:200], org_type))
        resp = resp_rows.get(code)
        past = history[3].get(code) if history else None
        for q in numbers:
            score = cell.get(SCORES, row, number, columns, f"mean{q}")
            band = cell.get(SCORES, row, number, columns, f"band{q}", parse_count)
            if band is not None and band not in BANDS and band != 0:
                problems.add(where(info.name, sheet=SCORES, row=number, column=f"band{q}"),
                             f"{band} is not a CQC band (0 not applicable, 1 much worse ... 7 much better)")
                continue
            if score is None:
                continue  # fewer than 30 respondents: not shown, never zero
            figures[q].append(score)
            item: dict[str, Any] = {
                "code": code, "name": name, "q": q, "row": number, "score": score,
                "expected_range": BANDS.get(band) if band else None,
                "expected_low": cell.get(SCORES, row, number, columns, f"ll90{q}"),
                "expected_high": cell.get(SCORES, row, number, columns, f"ul90{q}"),
                "limits": [cell.get(SCORES, row, number, columns, f"{lim}{q}")
                           for lim in ("ll95", "ul95", "ll99", "ul99")],
            }
            if resp is not None:
                item["respondents"] = cell.get(RESPONDENTS, resp[1], resp[0], resp_columns, f"{q}_tres", parse_count)
            if past is not None and history is not None:
                sheet, previous, hist_columns, _ = history
                mean_column = next((c for c in (f"{q}_mean_H", f"{q}_mean_H2") if c in hist_columns), "")
                before = cell.get(sheet, past[1], past[0], hist_columns, mean_column) if mean_column else None
                sig = cell.get(sheet, past[1], past[0], hist_columns, f"{q}_sig")
                if sig is not None and sig not in CHANGES:
                    problems.add(where(info.name, sheet=sheet, row=past[0], column=f"{q}_sig"),
                                 f"{sig:g} is not -1, 0 or 1")
                    sig = None
                if before is not None or sig is not None:
                    item.update(previous_wave=previous, previous_score=_rounded(before),
                                change=CHANGES.get(int(sig)) if sig is not None else None)
            pending.append(item)
    if not seen:
        problems.add(where(info.name, sheet=SCORES), "no trust rows")
    national = book.rows(NATIONAL)
    nat_columns = _index(national[0]) if national else {}
    nat_row = national[1] if len(national) > 1 else []
    england = {q: _england(survey, q, figures[q], cell, nat_row, nat_columns, info, published) for q in numbers}
    problems.raise_if_any()
    for p in pending:
        _add_item(published, problems, survey, info, p, england[p["q"]])
    problems.raise_if_any()
    published.details = {"survey": survey.survey, "year": survey.year, "questions": numbers,
                         "mapped": sorted(q for q in numbers if q in survey.questions),
                         "previous_wave": history[1] if history else None}
    return published


def _england(survey: SurveyYear, q: str, values: list[float], cell: _Reader, row: list[Any],
             columns: dict[str, int], info: FileInfo, published: Published) -> float | None:
    """England's benchmark for one question (added to `published`); its mean, for each trust's item."""
    low = cell.get(NATIONAL, row, 2, columns, f"{q}_min")
    high = cell.get(NATIONAL, row, 2, columns, f"{q}_max")
    if not values:
        return None
    mean = round(sum(values) / len(values), 6)
    lower, median, upper = (round(v, 6) for v in quartiles(values))
    if (low is not None and abs(low - min(values)) > 1e-6) or (high is not None and abs(high - max(values)) > 1e-6):
        published.warnings.append(f"{q}: CQC's England minimum/maximum ({low}, {high}) differ from the trusts' "
                                  f"scores in this file ({min(values)}, {max(values)})")
    key = survey.key_for(q)
    mapped = survey.questions.get(q)
    item = Benchmark(
        id=f"{survey.key_prefix.replace('.', '-')}-{survey.year}-{q.lower()}-england",
        period_start=survey.sampled[0], period_end=survey.published,
        measure=key, scope="england", value=mean, unit="score",
        lower_quartile=lower, median=median, upper_quartile=upper, n_organisations=len(values),
        minimum=low, maximum=high,
        method=(f"England average: the unweighted mean of the {len(values)} trusts' scores for {q} in this file "
                "(CQC's England figure is the average of its trusts); median and quartiles of the same scores "
                "(inclusive method, as Excel's QUARTILE.INC); minimum and maximum as CQC publishes them (sheet "
                f"{NATIONAL}). One group: every trust in the survey; trusts with fewer than 30 respondents to "
                "the question have no score and are left out."),
        notes=f"{survey.title} {survey.year} {q}" + (f": {mapped.wording}" if mapped else ""),
        source=info.source(f"CQC, {survey.title} {survey.year}: England", PUBLICATION, sheet=NATIONAL, row=2,
                           reference=f"columns {q}_min, {q}_max; average and quartiles computed from {SCORES}"),
    )
    published.benchmarks.append(item)
    return mean


def _add_item(published: Published, problems: Problems, survey: SurveyYear, info: FileInfo,
              p: dict[str, Any], england: float | None) -> None:
    q, code, mapped = p["q"], p["code"], survey.questions.get(p["q"])
    limits = p.pop("limits")
    notes = [f"{survey.title} {survey.year} {q}", f"CQC: {range_words(p['expected_range'])}"]
    if all(v is not None for v in limits):
        notes.append(f"95% limits {limits[0]:.2f}-{limits[1]:.2f}, 99.8% limits {limits[2]:.2f}-{limits[3]:.2f}")
    if england is not None:
        notes.append(f"peer_mean is England's average of trust scores, {england:.2f}")
    extra = {k: p[k] for k in ("respondents", "previous_wave", "previous_score", "change") if k in p}
    item = problems.build(
        SurveyQuestion, where(info.name, sheet=SCORES, row=p["row"]),
        id=f"{survey.key_prefix.replace('.', '-')}-{survey.year}-{q.lower()}-{code}", org=code,
        period_start=survey.sampled[0], period_end=survey.published,
        survey=survey.survey, wave=str(survey.year), question_key=survey.key_for(q), question_number=q,
        wording=mapped.wording if mapped else None, score=round(p["score"], 6), scale="score10",
        peer_mean=england, expected_range=p["expected_range"],
        expected_low=_rounded(p["expected_low"]), expected_high=_rounded(p["expected_high"]),
        notes="; ".join(notes),
        source=info.source(f"CQC, {survey.title} {survey.year}: {p['name']}", PUBLICATION, sheet=SCORES,
                           row=p["row"], reference=f"row {p['row']}: TrustCode {code}, mean{q}, band{q}"),
        **extra,
    )
    if item is not None:
        published.add_item(item)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def import_npsp(
    url: str | None,
    path: Path | str | None = None,
    *,
    orgs: Iterable[str] | None = None,
    all_orgs: bool = False,
    register_orgs: bool = False,
    by: str = "pxrules import",
) -> ImportResult:
    """Import a CQC survey benchmark workbook (default: the shipped 2022 adult inpatient survey)."""
    published = read_npsp(Path(path) if path is not None else shipped_file(SHIPPED))
    return store_published(url, published, orgs=orgs, all_orgs=all_orgs, register_orgs=register_orgs, by=by)
