"""Self-assessment files: template -> fill -> import -> export round trips (xlsx and CSV), protection of the
read-only columns, hostile text kept as text, every import error named by file, row and column."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_support import HOSTILE, ORG
from typer.testing import CliRunner

from pxrules.board.selfassess import (
    export_self_assessment,
    import_self_assessment,
    self_assessments,
    write_template,
)
from pxrules.board.selfassess_file import editable_content, layout, read_file
from pxrules.errors import ImportFormatError, NotFoundError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.db import unit_of_work
from pxrules.store.repo import add_org

FILL = {  # sub-requirement -> (score, current position, planned action, good, owner, review date)
    "1A": (
        3,
        "Strategy approved in 2024.\nReviewed yearly.",
        "Refresh with patients",
        "Live strategy",
        "CN",
        dt.date(2026, 3, 31),
    ),
    "2B": (5, HOSTILE["formula"], HOSTILE["plus"], HOSTILE["minus"], HOSTILE["at"], None),
    "9A": (0, HOSTILE["script"], HOSTILE["dde"], HOSTILE["quote"], HOSTILE["error"], dt.date(2027, 1, 2)),
    "23A": (None, "Not yet scored", "", "", "", None),
}


@pytest.fixture
def org_url(db_url: str) -> str:
    with unit_of_work(db_url) as session:
        add_org(ORG, "Test Valley NHS Trust", "acute", session=session, by="test")
    return db_url


def _column(key: str) -> int:
    return [c.key for c in layout()].index(key)


def fill_xlsx(path: Path, rows: dict[str, tuple[object, ...]]) -> None:
    """Type values into the unlocked cells, as a person in Excel would."""
    wb = load_workbook(path)
    ws = wb["Self-assessment"]
    keys = ["score", "current_position", "planned_action", "what_good_looks_like", "owner", "review_date"]
    for row in ws.iter_rows(min_row=5):
        sub = row[_column("id")].value
        if sub in rows:
            for key, value in zip(keys, rows[sub], strict=True):
                cell = row[_column(key)]
                assert cell.protection.locked is False, f"{sub} {key} should be editable"
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # as Excel stores typed text (a leading = would be a formula)
    wb.save(path)


def fill_csv(path: Path, rows: dict[str, tuple[object, ...]]) -> None:
    """Edit the CSV as a script would: write the editable fields, leave the rest alone."""
    from pxrules.common.cells import csv_out

    text = path.read_text(encoding="utf-8-sig")
    table = list(csv.reader(text.splitlines(keepends=True)))
    keys = ["score", "current_position", "planned_action", "what_good_looks_like", "owner", "review_date"]
    for line in table[1:]:
        if line[_column("id")] in rows:
            for key, value in zip(keys, rows[line[_column("id")]], strict=True):
                shown = (
                    "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
                )
                line[_column(key)] = csv_out(shown) if isinstance(value, str) else shown
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(table)


FILLERS: dict[str, Callable[[Path, dict[str, tuple[object, ...]]], None]] = {
    "xlsx": fill_xlsx,
    "csv": fill_csv,
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_template_fill_import_export(org_url: str, tmp_path: Path, fmt: str) -> None:
    template = write_template(org_url, ORG, tmp_path / f"t.{fmt}")
    assert len(read_file(template)) == 57
    FILLERS[fmt](template, FILL)
    record = import_self_assessment(org_url, template, ORG, as_of=dt.date(2026, 1, 31), by="test")
    rows = {r.sub_requirement: r for r in record.rows}
    for sub, (score, position, action, good, owner, review) in FILL.items():
        got = rows[sub]
        assert (
            got.score,
            got.current_position,
            got.planned_action,
            got.what_good_looks_like,
            got.owner,
            got.review_date,
        ) == (score, position, action, good, owner, review), sub
    exported = export_self_assessment(org_url, ORG, tmp_path / f"e.{fmt}")
    assert exported.id == record.id
    assert editable_content(tmp_path / f"e.{fmt}") == editable_content(template)
    again = import_self_assessment(org_url, tmp_path / f"e.{fmt}", ORG, as_of=dt.date(2026, 1, 31), by="test")
    assert again.content_hash == record.content_hash


def test_csv_export_of_the_import_is_byte_identical(org_url: str, tmp_path: Path) -> None:
    template = write_template(org_url, ORG, tmp_path / "t.csv")
    fill_csv(template, FILL)
    import_self_assessment(org_url, template, ORG, by="test")
    export_self_assessment(org_url, ORG, tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_bytes() == template.read_bytes()


def test_cross_format_round_trip(org_url: str, tmp_path: Path) -> None:
    template = write_template(org_url, ORG, tmp_path / "t.xlsx")
    fill_xlsx(template, FILL)
    import_self_assessment(org_url, template, ORG, by="test")
    export_self_assessment(org_url, ORG, tmp_path / "e.csv")
    assert editable_content(tmp_path / "e.csv") == editable_content(template)


def test_xlsx_locks_and_greys_read_only_cells_and_keeps_formula_text_as_text(
    org_url: str, tmp_path: Path
) -> None:
    template = write_template(org_url, ORG, tmp_path / "t.xlsx")
    fill_xlsx(template, FILL)
    import_self_assessment(org_url, template, ORG, by="test")
    path = export_self_assessment(org_url, ORG, tmp_path / "e.xlsx", show_suggested=True) and tmp_path / "e.xlsx"
    ws = load_workbook(path)["Self-assessment"]
    assert ws.protection.sheet is True
    header = [c.value for c in ws[4]]
    assert header[_column("suggested")].startswith("Suggested score [read-only")
    for row in ws.iter_rows(min_row=5):
        for col in layout():
            cell = row[_column(col.key)]
            assert cell.protection.locked is (not col.editable), (cell.coordinate, col.key)
            if not col.editable:
                assert cell.fill.fgColor.rgb.endswith(("E7E6E6", "D0CECE")), cell.coordinate
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@#":
                assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert row[_column("suggested")].value is not None
    cells = {c.value for row in ws.iter_rows() for c in row}
    assert HOSTILE["formula"] in cells and HOSTILE["dde"] in cells


def test_csv_marks_formula_text_and_ignores_read_only_columns(org_url: str, tmp_path: Path) -> None:
    template = write_template(org_url, ORG, tmp_path / "t.csv", show_suggested=True)
    fill_csv(template, FILL)
    raw = template.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in raw and "'@SUM" in raw and "''=already quoted" in raw
    table = list(csv.reader(raw.splitlines(keepends=True)))
    for line in table[1:]:
        line[_column("suggested")] = "99"
        line[_column("reason")] = "=anything"
    with template.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(table)
    assert {r.sub_requirement: r.score for r in read_file(template)}["1A"] == 3


def _csv_with(tmp_path: Path, org_url: str, edit: Callable[[list[list[str]]], None]) -> Path:
    path = write_template(org_url, ORG, tmp_path / "bad.csv")
    table = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    edit(table)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(table)
    return path


def _set(table: list[list[str]], row: int, key: str, value: str) -> None:
    table[row - 1][_column(key)] = value


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: _set(t, 2, "score", "7"),
            "bad.csv, row 2, column 3 (Org. score (0-5)): score 7 is not 0-5",
        ),
        (
            lambda t: _set(t, 3, "score", "2.5"),
            "row 3, column 3 (Org. score (0-5)): '2.5' is not a whole number",
        ),
        (lambda t: _set(t, 4, "id", "24Z"), "bad.csv, row 4, column 1 (Id): unknown sub-requirement '24Z'"),
        (lambda t: _set(t, 5, "id", "1A"), "bad.csv, row 5, column 1 (Id): duplicate id 1A (also row 2)"),
        (
            lambda t: _set(t, 6, "review_date", "31/02/2026"),
            "row 6, column 8 (Review date): '31/02/2026' is not",
        ),
        (lambda t: t.pop(10), "sub-requirement(s) missing: 4C"),
    ],
)
def test_import_errors_name_file_row_and_column(
    org_url: str,
    tmp_path: Path,
    table_counts: Callable[[str], dict[str, int]],
    edit: Callable[[list[list[str]]], None],
    expected: str,
) -> None:
    path = _csv_with(tmp_path, org_url, edit)
    before = table_counts(org_url)
    with pytest.raises(ImportFormatError) as info:
        import_self_assessment(org_url, path, ORG, by="test")
    assert expected in str(info.value)
    assert "nothing was imported" in str(info.value)
    assert table_counts(org_url) == before


def test_missing_required_column_is_named(org_url: str, tmp_path: Path) -> None:
    def drop(table: list[list[str]]) -> None:
        for line in table:
            del line[_column("planned_action")]

    path = _csv_with(tmp_path, org_url, drop)
    with pytest.raises(
        ImportFormatError, match=r"bad.csv, row 1: missing required column\(s\): Planned action"
    ):
        read_file(path)


def test_every_problem_is_reported_at_once(org_url: str, tmp_path: Path) -> None:
    def many(table: list[list[str]]) -> None:
        _set(table, 2, "score", "9")
        _set(table, 3, "score", "-1")
        _set(table, 7, "id", "1A")

    with pytest.raises(ImportFormatError) as info:
        read_file(_csv_with(tmp_path, org_url, many))
    assert len(info.value.problems) == 4  # two scores, the duplicate, and 3A now missing


def test_xlsx_of_another_organisation_is_refused(org_url: str, tmp_path: Path) -> None:
    with unit_of_work(org_url) as session:
        add_org("RX8", "Other Trust", "acute", session=session, by="test")
    path = write_template(org_url, "RX8", tmp_path / "other.xlsx")
    with pytest.raises(ImportFormatError, match="self-assessment of RX8, not RX9"):
        import_self_assessment(org_url, path, ORG, by="test")


def test_dates_in_day_month_year_form_and_publication_heading_spelling(org_url: str, tmp_path: Path) -> None:
    def edit(table: list[list[str]]) -> None:
        table[0][_column("score")] = "Org, score (0-5)"  # as printed in one section of the publication
        _set(table, 2, "review_date", "01/04/2026")

    lines = read_file(_csv_with(tmp_path, org_url, edit))
    assert lines[0].review_date == dt.date(2026, 4, 1)


def test_unsupported_type_and_unknown_org(org_url: str, tmp_path: Path) -> None:
    from pxrules.errors import PxRulesError

    with pytest.raises(PxRulesError, match=r"unsupported file type '\.txt'"):
        write_template(org_url, ORG, tmp_path / "t.txt")
    with pytest.raises(NotFoundError, match="unknown organisation 'RX7'"):
        write_template(org_url, "RX7", tmp_path / "t.csv")
    with pytest.raises(NotFoundError, match="has no self-assessment"):
        export_self_assessment(org_url, ORG, tmp_path / "e.csv")


def test_history_is_kept(org_url: str, tmp_path: Path) -> None:
    template = write_template(org_url, ORG, tmp_path / "t.csv")
    first = import_self_assessment(org_url, template, ORG, as_of=dt.date(2025, 3, 31), by="test")
    fill_csv(template, FILL)
    second = import_self_assessment(org_url, template, ORG, as_of=dt.date(2025, 9, 30), by="test")
    assert [r.id for r in self_assessments(org_url, ORG)] == [first.id, second.id]
    export_self_assessment(org_url, ORG, tmp_path / "first.csv", first.id)
    assert {r[1] for r in editable_content(tmp_path / "first.csv")} == {None}


def test_cli_template_import_export_list(org_url: str, tmp_path: Path) -> None:
    from cli.main import app

    runner = CliRunner()
    base = ["--db", org_url, "--by", "tester", "self-assess"]
    out = tmp_path / "t.xlsx"
    result = runner.invoke(app, [*base, "template", "--org", ORG, "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    fill_xlsx(out, FILL)
    result = runner.invoke(app, [*base, "import", str(out), "--org", ORG, "--as-of", "2026-03-31", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["as_of"], data["scored"], data["rows"], data["imported_by"]) == (
        "2026-03-31",
        3,
        57,
        "tester",
    )
    result = runner.invoke(
        app,
        [*base, "export", "--org", ORG, "-o", str(tmp_path / "e.xlsx"), "--id", str(data["id"]), "--json"],
    )
    assert result.exit_code == 0, result.output
    assert editable_content(tmp_path / "e.xlsx") == editable_content(out)
    result = runner.invoke(app, [*base, "list", "--org", ORG, "--json"])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)] == [data["id"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("Id,Org. score (0-5)\n1A,7\n", encoding="utf-8")
    result = runner.invoke(app, [*base, "import", str(bad), "--org", ORG])
    assert result.exit_code == 1, result.output
    assert "missing required column(s)" in result.output


def test_template_has_the_catalogue_in_order(org_url: str, tmp_path: Path) -> None:
    path = write_template(org_url, ORG, tmp_path / "t.csv")
    table = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    assert [line[_column("id")] for line in table[1:]] == load_catalogue().ids
    assert table[0][2:6] == list(load_catalogue().scoring_columns)


def test_template_is_the_boards_first_pass_with_the_scale_to_hand(org_url: str, tmp_path: Path) -> None:
    from pxrules.board.scale import FRAMEWORK_ON_SCORING, SCALE, SHORT_SCALE

    plain = write_template(org_url, ORG, tmp_path / "first.xlsx")  # the default: no suggestions
    wb = load_workbook(plain)
    ws = wb["Self-assessment"]
    header = [c.value for c in ws[4]]
    assert not any("Suggested score" in str(h) or "Reason for" in str(h) for h in header)
    # The sub-requirement, then the board's own columns, before any context.
    assert header[:8] == [c.header for c in layout()][:8]
    assert header[2] == "Org. score (0-5)" and header[3] == "Current position"
    assert all(ws.cell(row, header.index("How to score (0-5) [read-only]") + 1).value == SHORT_SCALE
               for row in range(5, 62))
    prompts = {dv.prompt for dv in ws.data_validations.dataValidation}
    assert any(p and p.startswith(SHORT_SCALE) for p in prompts)
    scale = wb["Scale (0-5)"]
    texts = [c.value for row in scale.iter_rows() for c in row if c.value is not None]
    assert FRAMEWORK_ON_SCORING in texts
    assert all(level.meaning in texts and level.name in texts for level in SCALE)
    # The publication's text sits beside the repository (shared/seed) on developers' machines and in CI.
    framework = Path(__file__).parents[2] / "shared/seed/patient-experience-improvement-framework-2018.txt"
    if framework.is_file():
        assert " ".join(FRAMEWORK_ON_SCORING.split()) in " ".join(framework.read_text(encoding="utf-8").split())
    shown = write_template(org_url, ORG, tmp_path / "shown.csv", show_suggested=True)
    head = next(csv.reader(shown.read_text(encoding="utf-8-sig").splitlines()))
    assert head[-2].startswith("Suggested score [read-only") and head[2] == "Org. score (0-5)"
    hidden = write_template(org_url, ORG, tmp_path / "hidden.csv")
    assert "Suggested score" not in hidden.read_text(encoding="utf-8-sig").splitlines()[0]
    assert len(read_file(hidden)) == 57 and len(read_file(shown)) == 57
