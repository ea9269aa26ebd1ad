"""The Excel evidence template: generated from the models, filled, imported back to the same items as YAML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import EvidenceError
from pxrules.evidence import KIND_MODELS, KINDS, Evidence
from pxrules.evidence.columns import columns
from pxrules.evidence.examples import EXAMPLES
from pxrules.evidence.io import read_evidence_files
from pxrules.evidence.template import EXAMPLE_MARK, write_template
from tests.strategies_evidence import evidence_items

runner = CliRunner()


def fill(template: Path, items: list[Evidence], out: Path) -> Path:
    """Fill the template's sheets with items as a person would (cells typed by the columns' own rules)."""
    book = openpyxl.load_workbook(template)
    next_row: dict[str, int] = {}
    for item in items:
        sheet = book[item.kind]
        keys = [c.value for c in sheet[2]]
        row = next_row.get(item.kind, 4)
        next_row[item.kind] = row + 1
        data = item.model_dump(mode="json")
        for column in columns(item.kind):
            cell = sheet.cell(row=row, column=keys.index(column.key) + 1, value=column.cell_in(data))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a text starting with '=' is text, not a formula
    book.save(out)
    return out


def as_yaml(items: list[Evidence], path: Path) -> Path:
    path.write_text(yaml.safe_dump_all([i.model_dump(mode="json", exclude_none=True) for i in items]), "utf-8")
    return path


def same_items(a: list[Evidence], b: list[Evidence]) -> None:
    assert sorted((i.id, i.content_hash()) for i in a) == sorted((i.id, i.content_hash()) for i in b)


def test_examples_validate_and_every_kind_has_one() -> None:
    assert set(EXAMPLES) == set(KINDS)
    for kind, example in EXAMPLES.items():
        KIND_MODELS[kind].model_validate(example)


def test_template_layout(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Help", *KINDS, "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    sheet = book["board_meeting"]
    headings = [c.value for c in sheet[1]]
    assert "Period start (dd/mm/yyyy) *" in headings and "Story presenter" in headings
    assert sheet.row_dimensions[2].hidden
    assert sheet.cell(row=3, column=1).value == EXAMPLE_MARK
    assert sheet.cell(row=3, column=headings.index("Period start (dd/mm/yyyy) *") + 1).number_format == "DD/MM/YYYY"
    lists = {str(v.formula1) for v in sheet.data_validations.dataValidation}
    presenter = next(c for c in columns("board_meeting") if c.key == "story_presenter")
    assert presenter.shape == "choice" and len(presenter.choices) == 5
    assert any(f.startswith("Lists!") for f in lists)
    help_text = " ".join(str(c.value) for row in book["Help"].iter_rows() for c in row if c.value)
    assert "dd/mm/yyyy" in help_text and "story_presenter" in help_text


def test_round_trip_every_kind_examples(tmp_path: Path) -> None:
    template = write_template(tmp_path / "t.xlsx")
    items = [KIND_MODELS[k].model_validate({**EXAMPLES[k], "id": f"rt-{k}"}) for k in KINDS]
    filled = fill(template, items, tmp_path / "filled.xlsx")
    from_xlsx = read_evidence_files([filled])
    from_yaml = read_evidence_files([as_yaml(items, tmp_path / "same.yaml")])
    assert len(from_xlsx) == len(KINDS)
    same_items(from_xlsx, from_yaml)


_NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]  # a shrink of a workbook test takes minutes


@settings(max_examples=20, deadline=None, phases=_NO_SHRINK,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.sampled_from(sorted(KINDS)).flatmap(evidence_items))
def test_round_trip_generated_items(tmp_path_factory: pytest.TempPathFactory, item: Evidence) -> None:
    def clean(value: Any) -> bool:
        if isinstance(value, str):
            return value == value.strip() and value != "" and value != EXAMPLE_MARK
        if isinstance(value, dict):
            return all(clean(v) for v in value.values())
        if isinstance(value, list):
            return all(clean(v) and ";" not in str(v) for v in value)
        return True

    def excel_precision(value: Any) -> Any:
        # Excel keeps 15 significant digits; a person never types more.
        if isinstance(value, float):
            return float(f"{value:.12g}")
        if isinstance(value, dict):
            return {k: excel_precision(v) for k, v in value.items()}
        return value

    data = excel_precision(item.model_dump(mode="json", exclude={"recorded_at", "recorded_by"}))
    assume(clean(data))  # spreadsheet cells are trimmed, and ';' separates a list's values
    item = KIND_MODELS[item.kind].model_validate(data)
    tmp = tmp_path_factory.mktemp("rt")
    filled = fill(write_template(tmp / "t.xlsx", [item.kind]), [item], tmp / "f.xlsx")
    same_items(read_evidence_files([filled]), [item])


def test_labels_and_values_both_read(tmp_path: Path) -> None:
    template = write_template(tmp_path / "t.xlsx", ["board_meeting"])
    book = openpyxl.load_workbook(template)
    sheet = book["board_meeting"]
    keys = [c.value for c in sheet[2]]
    row = {"id": "bm-1", "org": "RX1", "period_start": "02/04/2026", "source.title": "Board papers",
           "body": "Quality committee", "patient_story": "yes", "story_presenter": "carer",
           "sub_requirements": "3A; 14A"}  # fmt: skip
    for key, value in row.items():
        sheet.cell(row=4, column=keys.index(key) + 1, value=value)
    book.save(tmp_path / "f.xlsx")
    (item,) = read_evidence_files([tmp_path / "f.xlsx"])
    data = item.model_dump()
    assert data["body"] == "quality_committee" and data["patient_story"] is True
    assert data["period_start"] == dt.date(2026, 4, 2) and data["sub_requirements"] == ["3A", "14A"]


def test_every_bad_row_listed_with_sheet_row_and_heading(tmp_path: Path) -> None:
    template = write_template(tmp_path / "t.xlsx", ["board_meeting", "fft_monthly"])
    book = openpyxl.load_workbook(template)
    bm = book["board_meeting"]
    keys = [c.value for c in bm[2]]
    good = {"id": "bm-1", "org": "RX1", "period_start": dt.datetime(2026, 4, 2), "source.title": "Papers"}
    bad = {**good, "id": "bm-2", "story_presenter": "Nobody", "period_start": "31/02/2026"}
    for r, values in ((4, good), (5, bad)):
        for key, value in values.items():
            bm.cell(row=r, column=keys.index(key) + 1, value=value)
    fft = book["fft_monthly"]
    keys = [c.value for c in fft[2]]
    for key, value in {"id": "f-1", "org": "RX1", "period_start": "01/03/2026"}.items():
        fft.cell(row=4, column=keys.index(key) + 1, value=value)
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(EvidenceError) as caught:
        read_evidence_files([tmp_path / "bad.xlsx"])
    problems = [f"{w}: {m}" for w, m in caught.value.problems]
    text = "\n".join(problems)
    assert "sheet board_meeting row 5: 'Period start (dd/mm/yyyy)' (period_start)" in text
    assert "'Story presenter' (story_presenter)" in text
    assert "sheet fft_monthly row 4: 'Source: title' (source)" in text or "'Source: title'" in text
    assert "sheet fft_monthly row 4: 'Setting' (setting): is required" in text
    assert not any("row 4" in p and "board_meeting" in p for p in problems)


def test_cli_import_is_all_or_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    for args in (["init"], ["org", "add", "RX1", "--name", "T", "--type", "acute"]):
        assert runner.invoke(app, ["--db", url, *args]).exit_code == 0
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["--db", url, "evidence", "template", "--all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, ["--db", url, "evidence", "template", "--all", "-o", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output
    items = [KIND_MODELS[k].model_validate({**EXAMPLES[k], "id": f"cli-{k}", "org": None if k == "benchmark"
             else "RX1"}) for k in KINDS]  # fmt: skip
    filled = fill(out, items, tmp_path / "filled.xlsx")
    book = openpyxl.load_workbook(filled)
    book["document"].cell(row=5, column=1, value="broken-doc")  # a row with only an id
    book.save(tmp_path / "broken.xlsx")
    bad = runner.invoke(app, ["--db", url, "evidence", "import", str(tmp_path / "broken.xlsx")])
    assert bad.exit_code == 1 and "sheet document row 5" in bad.output
    listed = runner.invoke(app, ["--db", url, "evidence", "list", "--json"])
    assert listed.output.strip() == "[]"
    good = runner.invoke(app, ["--db", url, "evidence", "import", str(filled), "--json"])
    assert good.exit_code == 0, good.output
    assert '"new": 13' in good.output


def test_a_mode_noted_without_a_figure_stays_apart_from_one_not_mentioned(tmp_path: Path) -> None:
    # The FFT publication can carry a mode's column with no figure: kept as {"mode": None}, never dropped.
    data = {**EXAMPLES["fft_monthly"], "id": "rt-modes", "modes": {"electronic_discharge": None, "sms": 12}}
    item = KIND_MODELS["fft_monthly"].model_validate(data)
    filled = fill(write_template(tmp_path / "t.xlsx", ["fft_monthly"]), [item], tmp_path / "f.xlsx")
    sheet = openpyxl.load_workbook(filled)["fft_monthly"]
    keys = [c.value for c in sheet[2]]
    row = {k: sheet.cell(row=4, column=i + 1).value for i, k in enumerate(keys)}
    assert (row["modes.electronic_discharge"], row["modes.sms"], row["modes.paper_home"]) == ("not recorded", 12, None)
    [back] = read_evidence_files([filled])
    assert back.modes == {"electronic_discharge": None, "sms": 12}
    same_items([back], [item])
