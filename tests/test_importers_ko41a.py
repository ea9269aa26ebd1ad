"""The KO41a importer on the shipped 2024-25 publication: all organisations, known figures, benchmarks."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import ImportFormatError
from pxrules.evidence.complaints import ComplaintsPeriod
from pxrules.evidence.feedback import Benchmark
from pxrules.importers import import_ko41a, read_ko41a, shipped_file
from pxrules.store.db import unit_of_work
from pxrules.store.repo import evidence_history, get_evidence, list_orgs

KO41A = shipped_file("ko41a-2024-25-org-level.csv")


def test_every_organisation_of_the_publication_reads_cleanly() -> None:
    published = read_ko41a(KO41A)
    assert len(published.orgs) == 279
    assert sum(len(v) for v in published.org_items.values()) == 279
    assert published.period == "2024-25"
    assert published.details["by_type"] == {
        "acute": 134,
        "ambulance": 10,
        "community": 43,
        "mental-health": 47,
        "other": 45,
    }
    # Figures as published (read from the CSV by hand): Guy's and St Thomas', London Ambulance, NELFT.
    figures = {code: items[0] for code, items in published.org_items.items()}
    expected = {
        "RJ1": (1556, 1677, 292, 879, 506),
        "RRU": (1187, 1060, 260, 277, 523),
        "RAT": (448, 337, 41, 138, 158),
    }
    for code, numbers in expected.items():
        item = figures[code]
        assert isinstance(item, ComplaintsPeriod)
        assert (item.received, item.resolved, item.upheld, item.partially_upheld, item.not_upheld) == numbers
    rj1 = figures["RJ1"]
    assert isinstance(rj1, ComplaintsPeriod)
    assert rj1.id == "ko41a-2024-25-RJ1" and rj1.source_type == "ko41a"
    assert (str(rj1.period_start), str(rj1.end)) == ("2024-04-01", "2025-03-31")
    assert rj1.by_service["outpatient"] == 686 and rj1.by_service["inpatient"] == 597
    assert rj1.by_subject["communications"] == 193 and rj1.by_subject["clinical_treatment"] == 1556
    assert "brought forward 1569; carried forward 1448" in (rj1.notes or "")
    assert rj1.source.row == 3 and rj1.source.publication == "KO41a"
    assert rj1.source.sha256 == hashlib.sha256(KO41A.read_bytes()).hexdigest()
    with KO41A.open(encoding="utf-8-sig", newline="") as handle:
        row = list(csv.reader(handle))[rj1.source.row - 1]
    assert row[5] == "RJ1" and row[9] == "1556"  # the source row is where an auditor finds the figure
    assert published.orgs["RJ1"].type == "acute" and published.orgs["RAT"].type == "mental-health"
    assert published.orgs["NQV"].type == "community" and published.orgs["QKK"].type == "other"


def test_peer_benchmarks_by_organisation_type() -> None:
    benchmarks = {b.measure: b for b in read_ko41a(KO41A).benchmarks if isinstance(b, Benchmark)}
    acute = benchmarks["ko41a.upheld_share.acute"]
    # Summed over the 134 acute trusts (checked independently of the importer with the csv module).
    assert (acute.numerator, acute.denominator, acute.n_organisations) == (19208, 74638, 134)
    assert acute.value == pytest.approx(19208 / 74638, abs=1e-6) and acute.unit == "share"
    assert acute.lower_quartile is not None and acute.median is not None and acute.upper_quartile is not None
    assert acute.lower_quartile <= acute.median <= acute.upper_quartile
    everyone = benchmarks["ko41a.upheld_share.all"]
    assert (everyone.numerator, everyone.denominator) == (26686, 106608)
    assert benchmarks["ko41a.received.all"].numerator == 113780
    assert {m.rsplit(".", 1)[1] for m in benchmarks} == {
        "acute",
        "community",
        "mental-health",
        "ambulance",
        "other",
        "all",
    }


def test_import_registers_and_is_idempotent_then_a_republication_is_a_new_version(
    db_url: str, tmp_path: Path
) -> None:
    result = import_ko41a(db_url, orgs=["RJ1", "RRU"], register_orgs=True, by="tester")
    assert (result.new, result.unchanged, result.corrected) == (20, 0, 0)
    assert result.registered == ["RJ1", "RRU"]
    with unit_of_work(db_url) as session:
        orgs = {o.code: (o.name, o.type) for o in list_orgs(session=session)}
    assert orgs == {
        "RJ1": ("Guy's and St Thomas' NHS Foundation Trust", "acute"),
        "RRU": ("London Ambulance Service NHS Trust", "ambulance"),
    }
    again = import_ko41a(db_url, KO41A, orgs=["RJ1", "RRU"])
    assert (again.new, again.unchanged, again.corrected) == (0, 20, 0)
    # A corrected republication: RJ1 upheld 292 -> 300 (not upheld 506 -> 498).
    text = KO41A.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if ",RJ1," in line)
    lines[index] = lines[index].replace(",1677,292,879,506,", ",1677,300,879,498,")
    revised = tmp_path / "ko41a-2024-25-org-level-revised.csv"
    revised.write_text("".join(lines), encoding="utf-8")
    result = import_ko41a(db_url, revised, orgs=["RJ1", "RRU"])
    # RJ1 plus the benchmarks its figure moves (acute and all: upheld share and upheld-or-partly share).
    assert (result.new, result.unchanged, result.corrected) == (0, 15, 5)
    with unit_of_work(db_url) as session:
        history = evidence_history("ko41a-2024-25-RJ1", session=session)
        rru = get_evidence("ko41a-2024-25-RRU", session=session)
    assert [h.version for h in history] == [1, 2]
    old, new = history[0].item(), history[1].item()
    assert isinstance(old, ComplaintsPeriod) and isinstance(new, ComplaintsPeriod)
    assert (old.upheld, new.upheld, new.not_upheld) == (292, 300, 498)
    assert new.source.attachment == revised.name and old.source.attachment == KO41A.name
    assert rru.version == 1  # unchanged figures keep the version citing the first file


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            (",1677,292,879,506,", ",1677,lots,879,506,"),
            r"row 3, column Complaints_Number_Upheld: 'lots' is not a number",
        ),
        (
            (",Acute,1569,", ",Teaching,1569,"),
            r"row 3, column Organisation_Type: unknown organisation type 'Teaching'",
        ),
        ((",1677,292,879,506,", ",1677,992,879,506,"), r"row 3: upheld \+ partially_upheld \+ not_upheld"),
        (("Complaints_Total_Resolved,", "Resolved,"), r"missing column\(s\) Complaints_Total_Resolved"),
    ],
)
def test_bad_files_name_row_and_column_and_write_nothing(
    db_url: str,
    tmp_path: Path,
    table_counts: Callable[[str], dict[str, int]],
    edit: tuple[str, str],
    message: str,
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(KO41A.read_text(encoding="utf-8-sig").replace(*edit, 1), encoding="utf-8")
    before = table_counts(db_url)
    with pytest.raises(ImportFormatError, match=message):
        import_ko41a(db_url, bad, all_orgs=True, register_orgs=True)
    assert table_counts(db_url) == before


def test_suppressed_counts_are_not_reported_not_zero(tmp_path: Path) -> None:
    path = tmp_path / "suppressed.csv"
    path.write_text(
        KO41A.read_text(encoding="utf-8-sig").replace(",1677,292,879,506,", ",1677,*,879,506,", 1),
        encoding="utf-8",
    )
    item = read_ko41a(path).org_items["RJ1"][0]
    assert isinstance(item, ComplaintsPeriod) and item.upheld is None and item.not_upheld == 506


def test_cli_import_ko41a_all(db_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["--db", db_url, "import", "ko41a", str(KO41A), "--all", "--register-orgs", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kinds"] == {"benchmark": 18, "complaints_period": 279}, result.output
    assert (data["new"], len(data["registered"]), data["publication"]) == (297, 279, "KO41a")
    text = runner.invoke(app, ["--db", db_url, "import", "ko41a", str(KO41A), "--org", "RJ1"])
    assert text.exit_code == 0, text.output
    assert "0 new, 19 unchanged, 0 corrected" in text.output
    unknown = runner.invoke(app, ["--db", db_url, "import", "ko41a", str(KO41A), "--org", "RJ9X"])
    assert unknown.exit_code == 1 and "has no organisation RJ9X" in unknown.output
