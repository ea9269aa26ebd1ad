"""The survey question maps shipped as data (pxrules/data/surveys/*.yaml): number -> stable key, per year.

A map is checked when it is loaded, so a typo in a key, a date or a sub-requirement id stops every import
with the file and entry named rather than storing evidence under a wrong key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pxrules.errors import CatalogueError

SURVEY_MAPS = Path(__file__).resolve().parent.parent / "data" / "surveys"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_]{0,40}$")
_SUB = re.compile(r"^(?:[1-9]|1[0-9]|2[0-3])[A-E]$")
_QUESTION = re.compile(r"^Q\d+(?:_\d+)?$")


@dataclass(frozen=True)
class MappedQuestion:
    """One question of one survey year: its stable key, wording, and the sub-requirements that read it."""

    number: str
    key: str  # full question_key, e.g. npsp.ip.involved_in_decisions
    wording: str
    read_by: dict[str, str]  # sub-requirement -> the measure that reads the key
    basis: str


@dataclass(frozen=True)
class SurveyYear:
    """What one year of one NPSP survey needs: dates and the question map."""

    survey: str
    title: str
    key_prefix: str
    year: int
    sampled: tuple[dt.date, dt.date]
    published: dt.date
    questions: dict[str, MappedQuestion] = field(default_factory=dict)

    def key_for(self, number: str) -> str:
        """The stable key of a mapped question, else a key bound to this year that no rule reads."""
        mapped = self.questions.get(number)
        return mapped.key if mapped else f"{self.key_prefix}.{self.year}_{number.lower()}"


@dataclass(frozen=True)
class SurveyMap:
    """Every NPSP survey pxrules knows by title, with the years it has a question map for."""

    titles: dict[str, tuple[str, str]]  # survey -> (title, key prefix)
    years: dict[tuple[str, int], SurveyYear]


def _fail(file: Path, where: str, message: str) -> CatalogueError:
    return CatalogueError(f"{file.name}: {where}: {message}")


def _date(value: Any, file: Path, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    raise _fail(file, where, f"{value!r} is not a date (YYYY-MM-DD)")


@cache
def npsp_map(file: Path = SURVEY_MAPS / "npsp.yaml") -> SurveyMap:
    """The NPSP map, validated (cached per file)."""
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    surveys = data.get("surveys") if isinstance(data, dict) else None
    if not isinstance(surveys, dict):
        raise _fail(file, "top level", "expected a 'surveys' mapping")
    titles: dict[str, tuple[str, str]] = {}
    years: dict[tuple[str, int], SurveyYear] = {}
    for survey, entry in surveys.items():
        if not isinstance(entry, dict) or not {"title", "key_prefix", "years"} <= set(entry):
            raise _fail(file, str(survey), "needs title, key_prefix and years")
        title, prefix = str(entry["title"]), str(entry["key_prefix"])
        titles[str(survey)] = (title, prefix)
        for year, spec in (entry["years"] or {}).items():
            where = f"{survey} {year}"
            if not isinstance(year, int) or not isinstance(spec, dict):
                raise _fail(file, where, "a year maps a four-digit year to its dates and questions")
            sampled = spec.get("sampled")
            if not isinstance(sampled, list) or len(sampled) != 2:
                raise _fail(file, where, "sampled must be [first day, last day]")
            questions: dict[str, MappedQuestion] = {}
            for number, q in (spec.get("questions") or {}).items():
                at = f"{where} {number}"
                if not _QUESTION.match(str(number)) or not isinstance(q, dict):
                    raise _fail(file, at, "a question is Q<number>[_<part>] with key, wording, read_by, basis")
                if not _KEY.match(str(q.get("key", ""))):
                    raise _fail(file, at, f"key {q.get('key')!r} is not lower-case letters, digits and '_'")
                read_by = q.get("read_by") or {}
                if not isinstance(read_by, dict) or not all(_SUB.match(str(s)) for s in read_by):
                    raise _fail(file, at, "read_by maps sub-requirement ids (e.g. 17C) to measure names")
                questions[str(number)] = MappedQuestion(
                    number=str(number), key=f"{prefix}.{q['key']}", wording=str(q.get("wording") or ""),
                    read_by={str(s): str(m) for s, m in read_by.items()}, basis=str(q.get("basis") or ""))
            keys = [q.key for q in questions.values()]
            if len(set(keys)) != len(keys):
                raise _fail(file, where, "two questions share a key")
            years[(str(survey), year)] = SurveyYear(
                survey=str(survey), title=title, key_prefix=prefix, year=year,
                sampled=(_date(sampled[0], file, where), _date(sampled[1], file, where)),
                published=_date(spec.get("published"), file, where), questions=questions)
    return SurveyMap(titles, years)
