"""The framework catalogue: verbatim against the publication, strictly validated, and browsable from the CLI.

The fixture tests/fixtures/peif-2018-assessment-tool.txt is the "The assessment tool" part of the text
extracted from NHS Improvement's June 2018 PDF, byte for byte, extraction artefacts included: table cells
separated by tabs, and sentences split across page breaks and cells. The verbatim check rebuilds every
catalogue text from whole cells of that extract, so a paraphrase, a dropped or added word, a "corrected"
typo or a changed full stop fails, and every cell of the extract must be used exactly once.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import CatalogueError, NotFoundError
from pxrules.evidence import KINDS
from pxrules.rules.catalogue import CQC_KEY_QUESTIONS, Catalogue, default_path, load_catalogue

FIXTURE = Path(__file__).parent / "fixtures" / "peif-2018-assessment-tool.txt"
HEADER_FIRST_CELL = "Characteristics"

# Sub-requirements per characteristic, as published.
PER_CHARACTERISTIC = {1: 3, 2: 2, 3: 2, 4: 3, 5: 1, 6: 5, 7: 2, 8: 3, 9: 2, 10: 5, 11: 3, 12: 3,
                      13: 2, 14: 1, 15: 2, 16: 3, 17: 3, 18: 3, 19: 2, 20: 3, 21: 1, 22: 2, 23: 1}
SECTIONS = [
    ("leadership", "Leadership (for patient focus)", range(1, 5)),
    ("culture", "Organisational culture", range(5, 9)),
    ("collecting_feedback", "Capacity and capability to effectively collect feedback", range(9, 13)),
    ("analysis", "Analysis and triangulation", range(13, 17)),
    ("using_feedback", "Using patient feedback to drive quality improvement and learning", range(17, 21)),
    ("reporting", "Reporting and publication", range(21, 24)),
]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def _rows() -> list[list[str]]:
    """Every non-empty line of the extract as its list of non-empty cells."""
    rows = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if cells:
            rows.append(cells)
    return rows


def _cells() -> list[str]:
    return [c for row in _rows() if row[0] != HEADER_FIRST_CELL for c in row]


def _compose(text: str, cells: list[str], after: int, used: set[int]) -> list[int] | None:
    """Indices of unused cells, in document order, whose single-space join is exactly `text`."""
    for i in range(after + 1, len(cells)):
        cell = cells[i]
        if i in used or not text.startswith(cell):
            continue
        if len(text) == len(cell):
            return [i]
        if text[len(cell)] == " ":
            rest = _compose(text[len(cell) + 1:], cells, i, used)
            if rest is not None:
                return [i, *rest]
    return None


def _catalogue_texts(cat: Catalogue) -> list[tuple[str, str]]:
    """(label, text as it reads in the PDF) for every published string in the catalogue, in order."""
    out = [("heading", "The assessment tool")]
    for s in cat.sections:
        out += [(f"{s.key} title", s.title), (f"{s.key} intro", s.intro)]
        for c in s.characteristics:
            out.append((f"characteristic {c.number}", c.text))
            out += [(r.id, f"{r.id}. {r.text}") for r in c.sub_requirements]
    return out


# ---- counts and ids ------------------------------------------------------------------------------

def test_counts(cat: Catalogue) -> None:
    assert (len(cat.sections), len(cat.characteristics), len(cat.sub_requirements)) == (6, 23, 57)
    assert cat.version == "peif-2018"
    assert (cat.title, cat.publisher, cat.published) == (
        "Patient experience improvement framework", "NHS Improvement", "June 2018")
    assert cat.scoring_columns == ("Org. score (0-5)", "Current position", "Planned action to improve",
                                   "What will good look like?")


def test_ids_unique_well_formed_and_in_order(cat: Catalogue) -> None:
    ids = cat.ids
    assert len(set(ids)) == 57
    assert all(re.fullmatch(r"([1-9]|1[0-9]|2[0-3])[A-E]", i) for i in ids)
    expected = [f"{n}{'ABCDE'[k]}" for n, count in PER_CHARACTERISTIC.items() for k in range(count)]
    assert ids == expected
    assert ids[0] == "1A" and ids[-1] == "23A"


def test_per_characteristic_counts_and_sections(cat: Catalogue) -> None:
    assert {c.number: len(c.sub_requirements) for c in cat.characteristics} == PER_CHARACTERISTIC
    assert [(s.key, s.title, [c.number for c in s.characteristics]) for s in cat.sections] == [
        (k, t, list(r)) for k, t, r in SECTIONS]
    for r in cat.sub_requirements:
        assert r.id.startswith(str(r.characteristic)) and r.id[:-1] == str(r.characteristic)
        section = next(s for s in cat.sections if s.key == r.section_key)
        assert r.section == section.title


# ---- verbatim against the publication ------------------------------------------------------------

def test_every_text_is_built_from_whole_cells_of_the_publication(cat: Catalogue) -> None:
    cells = _cells()
    used: set[int] = set()
    for label, text in _catalogue_texts(cat):
        found = _compose(text, cells, -1, used)
        assert found is not None, f"{label} is not verbatim in the publication: {text!r}"
        used.update(found)
    # What is left is exactly the characteristic numbers, in order: nothing published was dropped.
    leftover = [cells[i] for i in range(len(cells)) if i not in used]
    assert leftover == [str(n) for n in range(1, 24)]


def test_split_cells_are_rejoined_with_one_space(cat: Catalogue) -> None:
    assert cat.get("11B").text == ("Duty of Candour regulations are well understood and embedded. "
                                   "The organisation's processes are clear and transparent.")
    assert cat.get("17C").text.endswith("felt involved in decisions about care and treatment.")
    assert cat.get("23A").text.startswith("Co-production is widely used, and the organisation")
    assert cat.characteristics[22].text == ("The organisation supports a model of co-production and supports "
                                            "patients and staff to deliver this approach.")
    assert cat.characteristics[10].text.endswith("support given. The Duty of Candour is followed.")
    assert cat.characteristics[13].text.endswith("routinely triangulated with staff and the staff survey")
    assert cat.characteristics[2].text.endswith("presents reports and leads discussion with board colleagues "
                                                "on patient experience.")


def test_publication_typos_and_punctuation_kept(cat: Catalogue) -> None:
    assert "complements, complaints, testimonials" in cat.get("2B").text
    assert "publically accessible" in cat.characteristics[21].text
    assert cat.get("6C").text.startswith("staff are engaged")
    assert cat.get("12A").text.endswith("Patients are made aware of HealthWatch as a route for giving "
                                        "feedback.")
    for sid in ("6A", "6E", "7B", "10E", "15B"):
        assert not cat.get(sid).text.endswith("."), sid
    assert cat.get("20C").text.endswith("informed improvement decisions'")
    assert cat.section("collecting_feedback").intro == (
        "The organisation has several routes through which patients can provide feedback")
    assert cat.section("using_feedback").intro.endswith(
        "(Participation in the Always events programme is in place),")
    assert cat.section("reporting").scoring_columns[0] == "Org, score (0-5)"


def test_table_headers_match_the_publication(cat: Catalogue) -> None:
    headers = [row for row in _rows() if row[0] == HEADER_FIRST_CELL]
    assert len(headers) == 6
    for section, header in zip(cat.sections, headers, strict=True):
        assert tuple(header) == cat.table_headings + section.scoring_columns, section.key


# ---- our design data -----------------------------------------------------------------------------

def test_design_data(cat: Catalogue) -> None:
    seen: set[str] = set()
    for r in cat.sub_requirements:
        assert r.cqc_key_questions and set(r.cqc_key_questions) <= set(CQC_KEY_QUESTIONS), r.id
        assert r.cqc_why, r.id
        assert "attestation" in r.evidence_kinds and len(r.evidence_kinds) >= 2, r.id
        assert set(r.evidence_kinds) <= set(KINDS), r.id
        seen.update(r.evidence_kinds)
    assert seen == set(KINDS), "every evidence kind supports at least one sub-requirement"
    assert {"fft_monthly", "benchmark"} <= set(cat.get("12C").evidence_kinds)
    assert "complaints_period" in cat.get("10C").evidence_kinds
    assert "website_check" in cat.get("10B").evidence_kinds
    assert "safe" in cat.get("6D").cqc_key_questions and "caring" in cat.get("17C").cqc_key_questions


# ---- the loader ----------------------------------------------------------------------------------

def test_lookup_cache_and_hash(cat: Catalogue) -> None:
    assert load_catalogue() is load_catalogue()
    assert cat.get("12c") is cat.get(" 12C ") and "12c" in cat and "99Z" not in cat
    with pytest.raises(NotFoundError, match=r"'12F'.*did you mean 12C\?"):
        cat.get("12F")
    with pytest.raises(NotFoundError, match="99Z"):
        cat.get("99Z")
    raw = default_path().read_bytes()
    assert cat.content_hash() == hashlib.sha256(raw).hexdigest()
    fresh = load_catalogue(default_path())
    assert fresh.sub_requirements == cat.sub_requirements


@given(st.text(max_size=6))
def test_get_returns_the_named_id_or_raises(text: str) -> None:
    cat = load_catalogue()
    try:
        found = cat.get(text)
    except NotFoundError:
        assert text.strip().upper() not in cat.ids
    else:
        assert found.id == text.strip().upper()


def _edited(tmp_path: Path, sub_id: str, field: str, new_line: str) -> tuple[Path, set[int]]:
    """A copy of the catalogue with one field of one sub-requirement replaced, and the lines an error
    about it may name (the block's first line or the edited line, 1-based)."""
    lines = default_path().read_text(encoding="utf-8").splitlines()
    start = lines.index(f"          - id: {sub_id}")
    prefixes = (f"{field}:", f"- {field}:")
    at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(prefixes))
    lines[at] = lines[at][: len(lines[at]) - len(lines[at].lstrip())] + new_line
    out = tmp_path / "framework.yaml"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out, {start + 1, at + 1}


@pytest.mark.parametrize(("sub_id", "field", "new_line", "pattern"), [
    ("1B", "id", "- id: 1A", r"duplicate sub-requirement id 1A"),
    ("12C", "id", "- id: 12c", r"'12c' is not of the form"),
    ("12C", "id", "- id: 24A", r"'24A' is not of the form"),
    ("1C", "id", "- id: 1D", r"1D out of sequence; expected 1C"),
    ("2A", "id", "- id: 3A", r"3A listed under characteristic 2"),
    ("12C", "evidence_kinds", "evidence_kinds: [fft_monthly, telepathy, attestation]",
     r"sub-requirement 12C, evidence_kinds: unknown value\(s\) 'telepathy'"),
    ("12C", "evidence_kinds", "evidence_kinds: [fft_monthly, benchmark]",
     r"sub-requirement 12C, evidence_kinds: must list attestation"),
    ("12C", "evidence_kinds", "evidence_kinds: [attestation]",
     r"sub-requirement 12C, evidence_kinds: must list attestation and at least one measurable"),
    ("6D", "cqc_key_questions", "cqc_key_questions: [safe, kind]",
     r"sub-requirement 6D, cqc_key_questions: unknown value\(s\) 'kind'"),
    ("6D", "cqc_why", "cqc_whyy: typo", r"unknown key\(s\) cqc_whyy"),
])
def test_loader_rejects(tmp_path: Path, sub_id: str, field: str, new_line: str, pattern: str) -> None:
    path, lines = _edited(tmp_path, sub_id, field, new_line)
    with pytest.raises(CatalogueError, match=pattern) as info:
        load_catalogue(path)
    message = str(info.value)
    found = re.match(rf"{re.escape(str(path))} line (\d+): ", message)
    assert found is not None and int(found[1]) in lines, message


def test_loader_rejects_structure(tmp_path: Path) -> None:
    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    target = tmp_path / "framework.yaml"

    del data["sections"][5]["characteristics"][2]  # drop characteristic 23
    target.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"characteristics 1\.\.22; the framework has 1\.\.23"):
        load_catalogue(target)

    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    data["sections"][0]["characteristics"][1]["number"] = 3
    target.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"characteristic 3 out of order; expected 2"):
        load_catalogue(target)

    data = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    data["sections"][0]["characteristics"][0]["sub_requirements"][0]["text"] += "  "
    target.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"sub-requirement 1A, text: must not have"):
        load_catalogue(target)

    target.write_text("framework: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"line \d+: not valid YAML"):
        load_catalogue(target)

    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.yaml")


def test_rules_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(default_path(), tmp_path / "framework.yaml")
    monkeypatch.setenv("PXRULES_RULES", str(tmp_path))
    assert default_path() == tmp_path / "framework.yaml"
    assert load_catalogue().path == (tmp_path / "framework.yaml").resolve()


# ---- the CLI -------------------------------------------------------------------------------------

runner = CliRunner()
KEYS = {"id", "characteristic", "characteristic_text", "section", "section_key", "text",
        "cqc_key_questions", "evidence_kinds"}


def test_cli_list_json(cat: Catalogue) -> None:
    result = runner.invoke(app, ["framework", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 57, result.output
    assert all(set(row) >= KEYS for row in rows), result.output
    assert [row["id"] for row in rows] == cat.ids
    first = rows[0]
    assert isinstance(first["characteristic"], int) and first["section"] == "Leadership (for patient focus)"
    assert first["section_key"] == "leadership" and first["text"] == cat.get("1A").text


def test_cli_list_table_and_section_filter() -> None:
    result = runner.invoke(app, ["framework", "list"])
    assert result.exit_code == 0, result.output
    assert "Reporting and publication" in result.output and "23A" in result.output
    result = runner.invoke(app, ["framework", "list", "--section", "reporting", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)] == ["21A", "22A", "22B", "23A"], result.output
    result = runner.invoke(app, ["framework", "list", "--section", "nope"])
    assert result.exit_code == 1 and "unknown framework section 'nope'" in result.output, result.output


def test_cli_show(cat: Catalogue) -> None:
    result = runner.invoke(app, ["framework", "show", "12C"])
    assert result.exit_code == 0, result.output
    assert "12C" in result.output and "Friends and Family survey" in result.output, result.output
    assert "Characteristic 12" in result.output and "collecting_feedback" in result.output, result.output

    result = runner.invoke(app, ["framework", "show", "12c", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= KEYS and data["id"] == "12C" and data["characteristic"] == 12, result.output
    assert data == cat.get("12C").to_dict(), result.output


def test_cli_show_unknown() -> None:
    result = runner.invoke(app, ["framework", "show", "99Z"])
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: unknown sub-requirement '99Z'"), result.output
