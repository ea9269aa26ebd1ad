"""Import the NHS Staff Survey: the trust-level benchmark data workbook, and question-level results as CSV.

The workbook (published every March for the previous autumn's survey) has a sheet per benchmarking group,
a row per organisation and a column per People Promise element, sub-score or theme and year (`PP3_2_2024`),
scores 0-10. The CSV is what a team exports from the survey's results site: organisation code, survey year,
question key (a stable key or that year's question number), % positive, respondents, benchmarking group.
Both become `survey_question` items keyed as `import nof` keys them, with each group's median and quartiles
computed from the file (peer.py) as their peer figures and as `benchmark` evidence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from pxrules.errors import EvidenceError
from pxrules.evidence.feedback import SurveyQuestion
from pxrules.importers.common import (
    ORG_CODE,
    CellError,
    FileInfo,
    Problems,
    cell_text,
    column_letter,
    csv_rows,
    layout_error,
    parse_count,
    parse_number,
    where,
)
from pxrules.importers.peer import Peers, Scored, peer_benchmarks
from pxrules.importers.storing import ImportResult, Published, PublishedOrg, store_published
from pxrules.importers.survey_map import SURVEY_MAPS
from pxrules.importers.workbook import open_workbook

PUBLICATION = "NHS Staff Survey"
WORKBOOK = "the NHS Staff Survey's trust-level benchmark data workbook"
HEADER = ("org_id", "org_name", "org_type_reporting_name")
CSV_COLUMNS = ("org_code", "survey_year", "question_key", "percent_positive", "respondents", "benchmarking_group")
_MEASURE = re.compile(r"^(PP\d(?:_\d)?|theme_[a-z]+)_(\d{4})$")
GROUP_TYPES = (("ambulance", "ambulance"), ("mh", "mental-health"), ("acute", "acute"), ("community", "community"))


@cache
def nss_map() -> dict[str, Any]:
    """The shipped map (pxrules/data/surveys/nss.yaml)."""
    data = yaml.safe_load((SURVEY_MAPS / "nss.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and {"min_group", "groups", "measures", "questions"} <= set(data)
    return data


def wave(year: int) -> str:
    """The survey year as `import nof` labels it: one wave per survey year, whatever file it came from."""
    return f"NSS {year}"


def survey_period(year: int) -> tuple[dt.date, dt.date]:
    """Fieldwork from September; results published in March of the next year (dated to its end)."""
    return dt.date(year, 9, 1), dt.date(year + 1, 3, 31)


def _org_type(group: str) -> str:
    low = group.lower()
    return next((t for word, t in GROUP_TYPES if word in low), "other")


def _item(info: FileInfo, s: Scored, peers: Peers | None, *, number: str, wording: str,
          scale: Literal["score10", "percent"], location: dict[str, Any], respondents: int | None,
          problems: Problems) -> SurveyQuestion | None:
    start, end = survey_period(s.year)
    described = peers.described if peers else (f"none: fewer than {nss_map()['min_group']} organisations in the "
                                                f"file have a {s.year} score")
    return problems.build(
        SurveyQuestion, where(info.name, sheet=location.get("sheet"), row=location["row"]),
        id=f"{s.key.replace('.', '-').replace('_', '-')}-{s.year}-{s.code}", org=s.code,
        period_start=start, period_end=end,
        survey="nss", wave=wave(s.year), question_key=s.key, question_number=number, wording=wording or None,
        score=round(s.score, 6), scale=scale, respondents=respondents,
        peer_median=peers.median if peers else None, peer_lower_quartile=peers.lower if peers else None,
        peer_upper_quartile=peers.upper if peers else None,
        notes=f"benchmarking group {s.group}; peers: {described}",
        source=info.source(f"NHS Staff Survey {s.year}: {s.code}", PUBLICATION, sheet=location.get("sheet"),
                           row=location["row"], reference=location["reference"]),
    )


def read_nss_workbook(path: Path) -> Published:
    """Every organisation's scores in the benchmark workbook, with computed peer figures."""
    info = FileInfo.of(path)
    book = open_workbook(info)
    spec = nss_map()
    groups = [g for g in spec["groups"] if book.has(g)]
    if not groups:
        raise layout_error(where(info.name), (
            f"no benchmarking-group sheet: not {WORKBOOK} (expected sheets such as {', '.join(spec['groups'])}, each "
            f"with columns {', '.join(HEADER)} and <measure>_<year> such as PP3_2_2024; found "
            f"{', '.join(book.names[:12]) or 'none'})"))
    problems = Problems(info.name)
    published = Published(PUBLICATION, info, "")
    scored: list[tuple[Scored, dict[str, Any]]] = []
    seen: dict[str, str] = {}
    for group in groups:
        rows = book.rows(group)
        head = next((i for i, r in enumerate(rows[:10]) if "org_id" in [cell_text(c) for c in r]), None)
        if head is None:
            raise layout_error(where(info.name, sheet=group), f"no header row with {', '.join(HEADER)} in the first "
                               f"10 rows: not {WORKBOOK}")
        names = [cell_text(c) for c in rows[head]]
        missing = [h for h in HEADER if h not in names]
        measures = [(i, m.group(1), int(m.group(2))) for i, n in enumerate(names) if (m := _MEASURE.match(n))]
        unknown = sorted({m for _, m, _ in measures if m not in spec["measures"]})
        if missing or not measures or unknown:
            why = (f"missing column(s) {', '.join(missing)}" if missing else
                   f"unknown measure(s) {', '.join(unknown)}" if unknown else "no <measure>_<year> columns")
            raise layout_error(where(info.name, sheet=group, row=head + 1), f"{why}: not {WORKBOOK} (expected "
                               f"{', '.join(HEADER)} and columns such as PP1_2024 ... theme_morale_2024)")
        at = {h: names.index(h) for h in HEADER}
        for number, row in enumerate(rows[head + 1:], start=head + 2):
            if not any(cell_text(c) for c in row):
                continue
            code = cell_text(row[at["org_id"]]).upper()
            here = where(info.name, sheet=group, row=number, column=f"{column_letter(at['org_id'])} (org_id)")
            if not ORG_CODE.match(code):
                problems.add(here, f"{code!r} is not an ODS code")
                continue
            if code in seen:
                problems.add(here, f"organisation {code} appears twice ({seen[code]} and sheet {group!r} row {number})")
                continue
            seen[code] = f"sheet {group!r} row {number}"
            published.name_org(PublishedOrg(code, (cell_text(row[at["org_name"]]) or code)[:200], _org_type(group)))
            for index, measure, year in measures:
                try:
                    score = parse_number(row[index] if index < len(row) else None)
                except CellError as exc:
                    problems.add(where(info.name, sheet=group, row=number,
                                       column=f"{column_letter(index)} ({names[index]})"), str(exc))
                    continue
                if score is None:
                    continue  # did not take part that year, or too small to report: never zero
                if not 0 <= score <= 10:
                    problems.add(where(info.name, sheet=group, row=number,
                                       column=f"{column_letter(index)} ({names[index]})"),
                                 f"{score:g} is not a score from 0 to 10")
                    continue
                key = f"nss.{spec['measures'][measure]['key']}"
                scored.append((Scored(code, group, key, year, score), {
                    "sheet": group, "row": number, "measure": measure,
                    "reference": f"sheet {group!r} row {number}: org_id {code}, column {names[index]}"}))
    problems.raise_if_any()
    _finish(published, problems, info, scored, unit="score")
    published.details["groups"] = groups
    published.details["other_sheets"] = [n for n in book.names if n not in groups]
    return published


def _finish(published: Published, problems: Problems, info: FileInfo, scored: list[tuple[Scored, dict[str, Any]]],
            *, unit: Literal["score", "percent"]) -> None:
    spec = nss_map()
    years = sorted({s.year for s, _ in scored})
    if not scored:
        raise layout_error(where(info.name), "no scores at all: nothing to import")
    peers, benchmarks = peer_benchmarks([s for s, _ in scored], min_group=int(spec["min_group"]), info=info,
                                        publication=PUBLICATION, period={y: survey_period(y) for y in years},
                                        unit=unit)
    published.benchmarks.extend(benchmarks)
    for s, location in scored:
        measure = location.get("measure", "")
        wording = spec["measures"][measure]["wording"] if measure in spec["measures"] else location.get("wording", "")
        item = _item(info, s, peers.get((s.group, s.key, s.year)), number=location.get("number", measure),
                     wording=wording, scale="score10" if unit == "score" else "percent", location=location,
                     respondents=location.get("respondents"), problems=problems)
        if item is not None:
            published.add_item(item)
    problems.raise_if_any()
    published.period = ", ".join(wave(y) for y in years)
    published.details.update({"years": years, "min_group": spec["min_group"],
                              "small_groups": sorted({f"{g} {k} {y}" for (g, k, y), p in peers.items()
                                                      if p.scope == "peer.all_groups"})})


def _question_key(text: str, year: int) -> tuple[str, str, str] | None:
    """(stable key, question number, wording) for a key or that year's question number; None if unknown."""
    spec = nss_map()
    questions: dict[str, dict[str, str]] = spec["questions"].get(year) or {}
    low = text.strip().lower()
    if low in questions:
        return f"nss.{questions[low]['key']}", low, questions[low]["wording"]
    for number, q in questions.items():
        if low == f"nss.{q['key']}":
            return low, number, q["wording"]
    return None


def read_nss_csv(path: Path) -> Published:
    """Question-level % positive per organisation and year, with peer figures per benchmarking group."""
    info = FileInfo.of(path)
    try:
        text = info.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EvidenceError(f"{info.name}: cannot read as UTF-8 CSV: {exc}") from exc
    rows = csv_rows(text, info.name)
    header = [cell_text(c).lower() for c in rows[0]] if rows else []
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise layout_error(where(info.name, row=1), f"missing column(s) {', '.join(missing)}: expected a header "
                           f"{','.join(CSV_COLUMNS)}")
    at = {c: header.index(c) for c in CSV_COLUMNS}
    problems = Problems(info.name)
    published = Published(PUBLICATION, info, "")
    scored: list[tuple[Scored, dict[str, Any]]] = []
    seen: dict[tuple[str, int, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell_text(c) for c in row):
            continue
        if len(row) != len(rows[0]):
            problems.add(where(info.name, row=number), f"has {len(row)} fields, the header has {len(rows[0])}")
            continue
        get = {c: cell_text(row[i]) for c, i in at.items()}
        code = get["org_code"].upper()
        if not ORG_CODE.match(code):
            problems.add(where(info.name, row=number, column="org_code"), f"{code!r} is not an ODS code")
            continue
        if not re.fullmatch(r"20\d\d", get["survey_year"]):
            problems.add(where(info.name, row=number, column="survey_year"),
                         f"{get['survey_year']!r} is not a survey year like 2024")
            continue
        year = int(get["survey_year"])
        found = _question_key(get["question_key"], year)
        if found is None:
            known = ", ".join(sorted(nss_map()["questions"].get(year) or {})) or "none for that year"
            problems.add(where(info.name, row=number, column="question_key"),
                         f"{get['question_key']!r} is no {year} question pxrules maps (known: {known})")
            continue
        key, qnumber, wording = found
        if (code, year, key) in seen:
            problems.add(where(info.name, row=number),
                         f"{code} {year} {key} appears twice (rows {seen[code, year, key]} and {number})")
            continue
        seen[code, year, key] = number
        try:
            score = parse_number(get["percent_positive"].removesuffix("%"))
            respondents = parse_count(get["respondents"])
        except CellError as exc:
            problems.add(where(info.name, row=number), str(exc))
            continue
        if score is None:
            continue
        if not 0 <= score <= 100:
            problems.add(where(info.name, row=number, column="percent_positive"), f"{score:g} is not a percentage")
            continue
        group = get["benchmarking_group"] or "all"
        published.name_org(PublishedOrg(code, code, _org_type(group)))
        scored.append((Scored(code, group, key, year, score), {
            "row": number, "number": qnumber, "wording": wording, "respondents": respondents,
            "reference": f"row {number}: {code} {year} {get['question_key']}"}))
    problems.raise_if_any()
    _finish(published, problems, info, scored, unit="percent")
    return published


def import_staff_survey(url: str | None, path: Path | str, *, orgs: Iterable[str] | None = None,
                        all_orgs: bool = False, register_orgs: bool = False,
                        by: str = "pxrules import") -> ImportResult:
    """Import a benchmark workbook (.xlsx) or question-level CSV of the NHS Staff Survey."""
    path = Path(path)
    published = read_nss_csv(path) if path.suffix.lower() == ".csv" else read_nss_workbook(path)
    return store_published(url, published, orgs=orgs, all_orgs=all_orgs, register_orgs=register_orgs, by=by)
