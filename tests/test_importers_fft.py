"""The monthly FFT workbook importer, on workbooks built in the published layout with our own numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fft_workbooks import INPATIENT_MODES, OUTPATIENT_MODES, Sheet, build_workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import EvidenceError, ImportFormatError, NotFoundError
from pxrules.evidence.feedback import Benchmark, FftMonthly
from pxrules.importers import import_fft, read_fft
from pxrules.store.db import unit_of_work
from pxrules.store.repo import evidence_history, get_org, list_evidence

TITLE = "Inpatient Friends and Family Test (FFT) Data - March 2026"
ENGLAND_IS: dict[str, Any] = {
    "responses": 180000,
    "eligible": 720000,
    "percentage_positive": 0.95,
    "percentage_negative": 0.02,
    "very_good": 140000,
    "good": 31000,
    "neither": 3000,
    "poor": 2000,
    "very_poor": 1600,
    "dont_know": 2400,
}
ENGLAND_NHS: dict[str, Any] = {
    "responses": 170000,
    "eligible": 650000,
    "percentage_positive": 0.949,
    "percentage_negative": 0.021,
}
ZZ1: dict[str, Any] = {
    "icb": "QZZ",
    "org": "ZZ1",
    "org_name": "FICTIONAL ACUTE NHS TRUST",
    "responses": 1200,
    "eligible": 4800,
    "percentage_positive": 0.94,
    "percentage_negative": 0.03,
    "very_good": 900,
    "good": 228,
    "neither": 20,
    "poor": 24,
    "very_poor": 12,
    "dont_know": 16,
    "modes": {
        "sms": 700,
        "electronic_discharge": 0,
        "electronic_home": 100,
        "paper_discharge": 300,
        "paper_home": "*",
        "telephone": 100,
        "online": "-",
        "other": 0,
    },
}
ZZ2: dict[str, Any] = {
    "icb": "QZZ",
    "org": "ZZ2",
    "org_name": "SMALL FICTIONAL NHS TRUST",
    "responses": 4,
    "eligible": 60,
    "percentage_positive": "*",
    "percentage_negative": "*",
    **dict.fromkeys(("very_good", "good", "neither", "poor", "very_poor", "dont_know"), "*"),
    "modes": dict.fromkeys(INPATIENT_MODES, "*"),
}
ZZ3: dict[str, Any] = {
    "icb": "QZY",
    "org": "ZZ3",
    "org_name": "ANOTHER FICTIONAL NHS FOUNDATION TRUST",
    "responses": 500,
    "eligible": "-",
    "percentage_positive": 0.9,
    "percentage_negative": 0.05,
    "very_good": 350,
    "good": 100,
    "neither": 20,
    "poor": 15,
    "very_poor": 10,
    "dont_know": 5,
    "modes": {"sms": 500},
}
# An independent sector provider: listed among the trusts, counted in "England (including ...)".
NZZ: dict[str, Any] = {
    "icb": "QZZ",
    "org": "NZZ",
    "org_name": "FICTIONAL INDEPENDENT HOSPITAL LTD",
    "responses": 80,
    "eligible": 200,
    "percentage_positive": 1.0,
    "percentage_negative": 0.0,
    "very_good": 78,
    "good": 2,
    "neither": 0,
    "poor": 0,
    "very_poor": 0,
    "dont_know": 0,
    "modes": {"paper_discharge": 80},
}
SITES: list[dict[str, Any]] = [
    {
        "org": "ZZ1",
        "org_name": ZZ1["org_name"],
        "site_code": "ZZ101",
        "site_name": "FICTIONAL GENERAL HOSPITAL",
        "responses": 1000,
        "eligible": 4000,
        "percentage_positive": 0.95,
        "percentage_negative": 0.02,
    },
    {
        "org": "ZZ1",
        "org_name": ZZ1["org_name"],
        "site_code": "ZZ102",
        "site_name": "FICTIONAL COMMUNITY HOSPITAL",
        "responses": 200,
        "eligible": 800,
        "percentage_positive": 0.89,
        "percentage_negative": 0.08,
    },
    {
        "org": "NZZ",
        "org_name": NZZ["org_name"],
        "site_code": "NZZ01",
        "site_name": "FICTIONAL CLINIC",
        "responses": 80,
        "eligible": 200,
        "percentage_positive": 1.0,
        "percentage_negative": 0.0,
    },
]
WARDS: list[dict[str, Any]] = [
    {
        "org": "ZZ1",
        "site_code": "ZZ101",
        "ward": "Ward 1 - Cardiology",
        "responses": 300,
        "eligible": 1000,
        "percentage_positive": 0.96,
        "speciality_1": "320 - Cardiology",
        "speciality_2": "-",
    },
    {
        "org": "ZZ1",
        "site_code": "ZZ101",
        "ward": "Ward 2",
        "responses": 700,
        "eligible": 3000,
        "percentage_positive": 0.95,
    },
    {
        "org": "ZZ1",
        "site_code": "ZZ102",
        "ward": "Ward 1 - Cardiology",
        "responses": 200,
        "eligible": 800,
        "very_good": "*",
    },
    {"org": "NZZ", "site_code": "NZZ01", "ward": "Day Unit", "responses": 80, "eligible": 200},
]


def inpatient(
    path: Path,
    *,
    trusts: list[dict[str, Any]] | None = None,
    title: str | None = TITLE,
    england: list[tuple[str, dict[str, Any]]] | None = None,
) -> Path:
    england = (
        england
        if england is not None
        else [
            ("England (including Independent Sector Providers)", ENGLAND_IS),
            ("England (excluding Independent Sector Providers)", ENGLAND_NHS),
        ]
    )
    return build_workbook(
        path,
        [
            Sheet(
                "Trusts",
                "trust",
                trusts if trusts is not None else [ZZ1, ZZ2, ZZ3, NZZ],
                england=england,
                modes=INPATIENT_MODES,
            ),
            Sheet("Sites", "site", SITES, england=england),
            Sheet("Wards", "ward", WARDS, england=england),
        ],
        title=title,
        summary_month=dt.date(2026, 3, 1),
    )


def items_by_id(url: str) -> dict[str, Any]:
    with unit_of_work(url) as session:
        return {r.evidence_id: r.item() for r in list_evidence(session=session)}


def test_inpatient_workbook_imports_trusts_sites_wards_and_england(db_url: str, tmp_path: Path) -> None:
    path = inpatient(tmp_path / "fft-inpatient-2026-03.xlsx")
    result = import_fft(db_url, path, all_orgs=True, register_orgs=True, by="tester")
    assert (result.new, result.unchanged, result.corrected) == (17, 0, 0)
    assert result.kinds == {"benchmark": 6, "fft_monthly": 11}
    assert result.organisations == ["NZZ", "ZZ1", "ZZ2", "ZZ3"]
    assert result.registered == ["NZZ", "ZZ1", "ZZ2", "ZZ3"]
    assert result.period == "2026-03"
    items = items_by_id(db_url)
    zz1 = items["fft-inpatient-2026-03-ZZ1"]
    assert isinstance(zz1, FftMonthly)
    assert (zz1.setting, zz1.level, zz1.period_start, zz1.end) == (
        "inpatient",
        "trust",
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    assert (zz1.responses, zz1.eligible, zz1.percentage_positive, zz1.percentage_negative) == (
        1200,
        4800,
        94.0,
        3.0,
    )
    assert (zz1.very_good, zz1.good, zz1.neither, zz1.poor, zz1.very_poor, zz1.dont_know) == (
        900,
        228,
        20,
        24,
        12,
        16,
    )
    # Suppressed modes are "not reported", never zero; a reported zero stays zero.
    assert zz1.modes == {
        "sms": 700,
        "electronic_discharge": 0,
        "electronic_home": 100,
        "paper_discharge": 300,
        "paper_home": None,
        "telephone": 100,
        "online": None,
        "other": 0,
    }
    zz2 = items["fft-inpatient-2026-03-ZZ2"]
    assert isinstance(zz2, FftMonthly)
    assert (zz2.responses, zz2.eligible, zz2.percentage_positive, zz2.very_good, zz2.dont_know) == (
        4,
        60,
        None,
        None,
        None,
    )
    assert set(zz2.modes.values()) == {None}
    zz3 = items["fft-inpatient-2026-03-ZZ3"]
    assert isinstance(zz3, FftMonthly) and zz3.eligible is None and zz3.response_rate is None
    nzz = items["fft-inpatient-2026-03-NZZ"]
    assert isinstance(nzz, FftMonthly) and (nzz.responses, nzz.percentage_positive) == (80, 100.0)
    # The source names the file, its sha256, the sheet and the row where an auditor finds the figure.
    assert zz1.source.attachment == path.name
    assert zz1.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert zz1.source.publication == "Friends and Family Test" and zz1.source.sheet == "Trusts"
    sheet = load_workbook(path)["Trusts"]
    assert zz1.source.row is not None
    assert sheet.cell(row=zz1.source.row, column=2).value == "ZZ1"
    assert sheet.cell(row=zz1.source.row, column=4).value == 1200
    site = items["fft-inpatient-2026-03-ZZ1-site-ZZ102"]
    assert isinstance(site, FftMonthly)
    assert (site.level, site.site_code, site.responses, site.eligible) == ("site", "ZZ102", 200, 800)
    wards = [i for i in items.values() if isinstance(i, FftMonthly) and i.level == "ward"]
    assert sorted((w.org, w.site_code, w.ward, w.responses) for w in wards) == [
        ("NZZ", "NZZ01", "Day Unit", 80),
        ("ZZ1", "ZZ101", "Ward 1 - Cardiology", 300),
        ("ZZ1", "ZZ101", "Ward 2", 700),
        ("ZZ1", "ZZ102", "Ward 1 - Cardiology", 200),
    ]
    cardiology = next(w for w in wards if w.site_code == "ZZ101" and w.ward == "Ward 1 - Cardiology")
    assert cardiology.notes == "specialities: 320 - Cardiology"
    rate = items["fft-inpatient-2026-03-england-response_rate"]
    assert isinstance(rate, Benchmark)
    assert (rate.measure, rate.scope, rate.unit, rate.value) == (
        "fft.response_rate.inpatient",
        "england",
        "percent",
        25.0,
    )
    assert (rate.numerator, rate.denominator, rate.n_organisations, rate.org) == (180000, 720000, 4, None)
    assert (rate.period_start, rate.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    nhs = items["fft-inpatient-2026-03-england_nhs-response_rate"]
    assert isinstance(nhs, Benchmark) and nhs.scope == "england_nhs"
    assert nhs.value == pytest.approx(170000 / 650000 * 100)
    positive = items["fft-inpatient-2026-03-england-percentage_positive"]
    negative = items["fft-inpatient-2026-03-england-percentage_negative"]
    assert isinstance(positive, Benchmark) and isinstance(negative, Benchmark)
    assert (positive.measure, positive.value, negative.measure, negative.value) == (
        "fft.percentage_positive.inpatient",
        95.0,
        "fft.percentage_negative.inpatient",
        2.0,
    )
    with unit_of_work(db_url) as session:
        org = get_org("ZZ1", session=session)
    assert (org.name, org.type) == ("FICTIONAL ACUTE NHS TRUST", "other")  # FFT publishes no type


def test_reimport_adds_nothing_and_a_republication_versions_only_changed_figures(
    db_url: str, tmp_path: Path
) -> None:
    path = inpatient(tmp_path / "fft.xlsx")
    import_fft(db_url, path, all_orgs=True, register_orgs=True)
    again = import_fft(db_url, path, all_orgs=True)
    assert (again.new, again.unchanged, again.corrected) == (0, 17, 0)
    corrected_zz1 = {**ZZ1, "very_good": 899, "dont_know": 17}
    republished = inpatient(tmp_path / "fft-revised.xlsx", trusts=[ZZ2, ZZ3, NZZ, corrected_zz1])
    result = import_fft(db_url, republished, all_orgs=True)
    assert (result.new, result.unchanged, result.corrected) == (0, 16, 1)
    with unit_of_work(db_url) as session:
        history = evidence_history("fft-inpatient-2026-03-ZZ1", session=session)
    assert [h.version for h in history] == [1, 2]
    old, new = history[0].item(), history[1].item()
    assert isinstance(old, FftMonthly) and isinstance(new, FftMonthly)
    assert (old.very_good, new.very_good, new.dont_know) == (900, 899, 17)
    assert (old.source.attachment, new.source.attachment) == ("fft.xlsx", "fft-revised.xlsx")


def test_named_organisations_only_plus_benchmarks(db_url: str, tmp_path: Path) -> None:
    path = inpatient(tmp_path / "fft.xlsx")
    result = import_fft(db_url, path, orgs=["ZZ1"], register_orgs=True, levels=["trust", "site"])
    assert result.organisations == ["ZZ1"] and result.registered == ["ZZ1"]
    assert sorted(i for i in items_by_id(db_url) if "england" not in i) == [
        "fft-inpatient-2026-03-ZZ1",
        "fft-inpatient-2026-03-ZZ1-site-ZZ101",
        "fft-inpatient-2026-03-ZZ1-site-ZZ102",
    ]
    with pytest.raises(NotFoundError, match=r"no organisation ZZ4 \(did you mean"):
        import_fft(db_url, path, orgs=["ZZ4"])
    with pytest.raises(EvidenceError, match="not both"):
        import_fft(db_url, path, orgs=["ZZ1"], all_orgs=True)


def test_unregistered_organisation_is_refused_and_nothing_written(
    db_url: str, tmp_path: Path, table_counts: Callable[[str], dict[str, int]]
) -> None:
    before = table_counts(db_url)
    with pytest.raises(EvidenceError, match="unknown organisation 'ZZ1'"):
        import_fft(db_url, inpatient(tmp_path / "fft.xlsx"), orgs=["ZZ1"])
    assert table_counts(db_url) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"trusts": [ZZ1, {**ZZ3, "responses": "about 500"}]},
            r"sheet 'Trusts', row 17, column D \(Total Responses\): 'about 500' is not a number",
        ),
        (
            {"trusts": [{**ZZ1, "modes": {**ZZ1["modes"], "sms": 12.5}}]},
            r"row 16, column N \(Mode SMS\): 12\.5 is not a count",
        ),
        (
            {"trusts": [{**ZZ1, "percentage_positive": 94}]},
            r"column F \(Percentage Positive\): 94 is not a percentage",
        ),
        (
            {"trusts": [{**ZZ1, "good": 5000}]},
            r"sheet 'Trusts', row 16: good \(5000\) is more than responses",
        ),
        (
            {"trusts": [ZZ1, ZZ1]},
            r"FICTIONAL ACUTE NHS TRUST appears twice \(sheet 'Trusts' row 16 and row 17\)",
        ),
        ({"trusts": [{**ZZ1, "org": "zz-1"}]}, r"column B \(Trust Code\): 'ZZ-1' is not an ODS code"),
        ({"england": []}, r"no England row in the trust table of inpatient"),
    ],
)
def test_bad_cells_and_layouts_name_sheet_row_column_and_write_nothing(
    db_url: str,
    tmp_path: Path,
    table_counts: Callable[[str], dict[str, int]],
    change: dict[str, Any],
    message: str,
) -> None:
    path = inpatient(tmp_path / "bad.xlsx", **change)
    before = table_counts(db_url)
    with pytest.raises(ImportFormatError, match=message) as raised:
        import_fft(db_url, path, all_orgs=True, register_orgs=True)
    assert "nothing was imported" in str(raised.value)
    assert table_counts(db_url) == before


def test_missing_required_column_and_unknown_workbooks(tmp_path: Path) -> None:
    path = inpatient(tmp_path / "fft.xlsx")
    book = load_workbook(path)
    book["Trusts"].cell(row=10, column=4).value = None  # drop the "Total Responses" header
    book.save(path)
    with pytest.raises(
        ImportFormatError, match=r"sheet 'Trusts', row 10: missing column\(s\) Total Responses"
    ):
        read_fft(path)
    empty = build_workbook(tmp_path / "empty.xlsx", [], title=TITLE)
    with pytest.raises(ImportFormatError, match="no trust-level table"):
        read_fft(empty)
    not_excel = tmp_path / "notes.xlsx"
    not_excel.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="cannot open as an Excel workbook"):
        read_fft(not_excel)
    modes = build_workbook(
        tmp_path / "modes.xlsx",
        [
            Sheet(
                "Trusts",
                "trust",
                [ZZ1],
                england=[("England", ENGLAND_IS)],
                modes={"pigeon": "Mode Carrier Pigeon"},
            )
        ],
        title=TITLE,
    )
    with pytest.raises(
        ImportFormatError, match=r"column N \(Mode Carrier Pigeon\): unknown mode of collection"
    ):
        read_fft(modes)


def test_setting_and_month_must_agree_with_the_workbook(tmp_path: Path) -> None:
    path = inpatient(tmp_path / "fft.xlsx")
    with pytest.raises(
        ImportFormatError, match=r"the workbook is the inpatient FFT .* not ae as --setting says"
    ):
        read_fft(path, setting="ae")
    with pytest.raises(ImportFormatError, match="the workbook is for 2026-03, not 2026-02 as --month says"):
        read_fft(path, month="2026-02")
    with pytest.raises(EvidenceError, match="not an FFT setting"):
        read_fft(path, setting="gp")
    assert read_fft(path, setting="inpatient", month="2026-03").period == "2026-03"
    untitled = inpatient(tmp_path / "untitled.xlsx", title=None)
    with pytest.raises(ImportFormatError, match="cannot tell the FFT setting"):
        read_fft(untitled)
    # Without a title the Summary sheet's first date gives the month; --setting names the setting.
    published = read_fft(untitled, setting="community")
    assert published.period == "2026-03"
    assert {
        i.setting for items in published.org_items.values() for i in items if isinstance(i, FftMonthly)
    } == {"community"}


def test_responses_above_eligible_keep_responses_and_warn(tmp_path: Path) -> None:
    published = read_fft(inpatient(tmp_path / "fft.xlsx", trusts=[{**ZZ1, "eligible": 1000}]))
    item = next(i for i in published.org_items["ZZ1"] if i.id == "fft-inpatient-2026-03-ZZ1")
    assert isinstance(item, FftMonthly) and (item.responses, item.eligible) == (1200, None)
    assert item.notes and "eligible 1000 is fewer than responses 1200" in item.notes
    assert any("row 16" in w for w in published.warnings)


def test_maternity_workbook_holds_four_settings_and_birth_has_eligible(tmp_path: Path) -> None:
    def trust(responses: int, eligible: int | None = None) -> dict[str, Any]:
        return {
            "org": "ZZ1",
            "org_name": "FICTIONAL ACUTE NHS TRUST",
            "responses": responses,
            "eligible": eligible,
            "percentage_positive": 0.9,
            "percentage_negative": 0.05,
        }

    sheets = []
    for q, responses in (("Q1", 40), ("Q2", 60), ("Q3", 50), ("Q4", 20)):
        birth = q == "Q2"
        england = {
            "responses": 5000,
            "eligible": 50000 if birth else None,
            "percentage_positive": 0.93,
            "percentage_negative": 0.04,
        }
        sheets.append(
            Sheet(
                f"Trusts {q}",
                "trust",
                [trust(responses, 300 if birth else None)],
                eligible=birth,
                england=[("England (including Independent Sector providers)", england)],
                modes=INPATIENT_MODES,
                header_row=9,
            )
        )
        if q != "Q4":
            sheets.append(
                Sheet(
                    f"Sites {q}",
                    "site",
                    [{**trust(responses), "site_code": "ZZ101"}],
                    eligible=False,
                    header_row=9,
                )
            )
    path = build_workbook(
        tmp_path / "maternity.xlsx", sheets, title="Maternity Friends and Family Test (FFT) Data - March 2026"
    )
    published = read_fft(path)
    assert published.details["settings"] == [
        "maternity_antenatal",
        "maternity_birth",
        "maternity_postnatal_community",
        "maternity_postnatal_ward",
    ]
    trusts = {
        i.setting: i for i in published.org_items["ZZ1"] if isinstance(i, FftMonthly) and i.level == "trust"
    }
    assert {s: (i.responses, i.eligible) for s, i in trusts.items()} == {
        "maternity_antenatal": (40, None),
        "maternity_birth": (60, 300),
        "maternity_postnatal_ward": (50, None),
        "maternity_postnatal_community": (20, None),
    }
    rates = [b for b in published.benchmarks if isinstance(b, Benchmark) and "response_rate" in b.measure]
    assert [(b.measure, b.value) for b in rates] == [("fft.response_rate.maternity_birth", 10.0)]
    only_birth = read_fft(path, setting="maternity_birth")
    assert only_birth.details["settings"] == ["maternity_birth"]
    with pytest.raises(ImportFormatError, match="the workbook is the maternity FFT"):
        read_fft(path, setting="inpatient")


def test_outpatient_orgs_sheet_with_appointment_modes_and_ae_single_england_row(tmp_path: Path) -> None:
    outpatient = {
        **ZZ1,
        "modes": {
            "sms": 600,
            "electronic_at_appointment": 100,
            "electronic_after_appointment": 0,
            "paper_at_appointment": 400,
            "paper_after_appointment": "*",
            "telephone": 100,
            "online": 0,
            "other": 0,
        },
    }
    path = build_workbook(
        tmp_path / "op.xlsx",
        [
            Sheet(
                "Orgs",
                "trust",
                [outpatient],
                modes=OUTPATIENT_MODES,
                header_row=8,
                england=[("England (including Independent Sector Providers)", ENGLAND_IS)],
            )
        ],
        title="Outpatients Friends and Family Test (FFT) Data - March 2026",
    )
    item = read_fft(path).org_items["ZZ1"][0]
    assert isinstance(item, FftMonthly) and item.setting == "outpatient"
    assert item.modes["paper_at_appointment"] == 400 and item.modes["paper_after_appointment"] is None
    ae = build_workbook(
        tmp_path / "ae.xlsx",
        [
            Sheet(
                "Trusts",
                "trust",
                [ZZ1],
                header_row=3,
                modes_on_second_row=True,
                modes=INPATIENT_MODES,
                england=[("England", ENGLAND_IS)],
                selection_row=True,
            )
        ],
        title="A&E Friends and Family Test (FFT) data - March 2026",
    )
    published = read_fft(ae)
    assert [i.id for i in published.org_items["ZZ1"]] == ["fft-ae-2026-03-ZZ1"]
    first = published.org_items["ZZ1"][0]
    assert isinstance(first, FftMonthly) and first.modes["sms"] == 700
    assert {b.id for b in published.benchmarks} == {
        f"fft-ae-2026-03-england-{m}" for m in ("response_rate", "percentage_positive", "percentage_negative")
    }


# --- generated layouts -------------------------------------------------------------------------------------


@st.composite
def trust_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    codes = draw(
        st.lists(st.from_regex(r"[A-Z][A-Z0-9]{2,4}", fullmatch=True), min_size=1, max_size=6, unique=True)
    )
    rows = []
    for code in codes:
        parts = draw(st.lists(st.integers(0, 400), min_size=6, max_size=6))
        responses = sum(parts)
        suppressed = draw(st.booleans())
        eligible = draw(st.one_of(st.integers(responses, responses * 10 + 1), st.just("-")))
        rows.append(
            {
                "org": code,
                "org_name": f"TRUST {code}",
                "responses": responses,
                "eligible": eligible,
                "percentage_positive": "*"
                if suppressed or not responses
                else (parts[0] + parts[1]) / responses,
                "percentage_negative": "*"
                if suppressed or not responses
                else (parts[3] + parts[4]) / responses,
                **{
                    f: ("*" if suppressed else n)
                    for f, n in zip(
                        ("very_good", "good", "neither", "poor", "very_poor", "dont_know"), parts, strict=True
                    )
                },
                "modes": {
                    m: draw(st.one_of(st.integers(0, responses), st.just("*"))) for m in INPATIENT_MODES
                },
            }
        )
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=trust_rows(),
    eligible=st.booleans(),
    percentages=st.booleans(),
    breakdown=st.booleans(),
    modes=st.lists(st.sampled_from(sorted(INPATIENT_MODES)), unique=True),
    header_row=st.integers(3, 12),
    modes_second=st.booleans(),
    england_last=st.booleans(),
    order=st.randoms(use_true_random=False),
)
def test_generated_layouts_with_shuffled_rows_and_missing_optional_columns(
    rows: list[dict[str, Any]],
    eligible: bool,
    percentages: bool,
    breakdown: bool,
    modes: list[str],
    header_row: int,
    modes_second: bool,
    england_last: bool,
    order: Any,
) -> None:
    order.shuffle(rows)
    england = [("England (including Independent Sector Providers)", ENGLAND_IS)]
    sheet = Sheet(
        "Trusts",
        "trust",
        rows,
        england=[] if england_last else england,
        eligible=eligible,
        percentages=percentages,
        breakdown=breakdown,
        modes={m: INPATIENT_MODES[m] for m in modes},
        modes_on_second_row=modes_second,
        header_row=header_row,
        selection_row=not england_last,
    )
    if england_last:
        sheet.rows = [*rows, {"org_name": england[0][0], **ENGLAND_IS}]
    with tempfile.TemporaryDirectory() as folder:
        published = read_fft(build_workbook(Path(folder) / "fft.xlsx", [sheet], title=TITLE))

    def expected(value: Any, percent: bool = False) -> Any:
        if isinstance(value, str):
            return None
        return round(value * 100, 6) if percent else value

    assert sorted(published.org_items) == sorted(r["org"] for r in rows)
    for row in rows:
        (item,) = published.org_items[row["org"]]
        assert isinstance(item, FftMonthly)
        assert item.responses == row["responses"]
        assert item.eligible == (expected(row["eligible"]) if eligible else None)
        for name in ("percentage_positive", "percentage_negative"):
            got = getattr(item, name)
            want = expected(row[name], percent=True) if percentages else None
            assert got == (pytest.approx(want) if want is not None else None)
        for name in ("very_good", "good", "neither", "poor", "very_poor", "dont_know"):
            assert getattr(item, name) == (expected(row[name]) if breakdown else None)
        assert item.modes == {m: expected(row["modes"][m]) for m in modes}
    rate = [
        b for b in published.benchmarks if isinstance(b, Benchmark) and b.measure.startswith("fft.response")
    ]
    assert [b.value for b in rate] == ([25.0] if eligible else [])


def test_cli_import_fft_json(db_url: str, tmp_path: Path) -> None:
    path = inpatient(tmp_path / "fft.xlsx")
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "import",
            "fft",
            str(path),
            "--org",
            "ZZ1",
            "--org",
            "NZZ",
            "--register-orgs",
            "--level",
            "trust",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["new"], data["unchanged"], data["corrected"]) == (8, 0, 0), result.output
    assert data["organisations"] == ["ZZ1", "NZZ"] and data["kinds"] == {"benchmark": 6, "fft_monthly": 2}
    assert (
        data["details"]["settings"] == ["inpatient"]
        and data["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    bad = runner.invoke(app, ["--db", db_url, "import", "fft", str(path), "--setting", "ae", "--all"])
    assert bad.exit_code == 1, bad.output
    assert "not ae as --setting says" in bad.output
