"""Hostile and broken published files (FFT workbooks, KO41a, NOF) and self-assessment files (XLSX, CSV).

Every case runs the real `pxrules import ...` / `pxrules self-assess import` command against one store per
back end: a clear error that leaves every table and the audit chain untouched, or the text stored exactly.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from audit_support import cli, snapshot
from fft_workbooks import Sheet, build_workbook
from hostile_files import raw_xlsx, repeated_csv, truncated

from pxrules.audit.verify import verify_store
from pxrules.importers.common import shipped_file
from pxrules.store.db import init_db, unit_of_work
from pxrules.store.records import latest_self_assessment

TITLE = "Inpatient Friends and Family Test (FFT) Data - March 2026"
ENGLAND = [
    ("England (including Independent Sector Providers)",
     {"responses": 1000, "eligible": 5000, "percentage_positive": 0.9, "percentage_negative": 0.05}),
    ("England (excluding Independent Sector Providers)",
     {"responses": 900, "eligible": 4500, "percentage_positive": 0.9, "percentage_negative": 0.05}),
]  # fmt: skip
# Eight levels of entities: 10^8 characters from a few hundred bytes of DTD, ahead of the worksheet element.
ENTITIES = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">' + b"".join(
    f'<!ENTITY {name} "{("&" + inner + ";") * 10}">'.encode() for inner, name in zip("abcdefg", "bcdefgh", strict=True)
) + b"]><worksheet"
HTML_NAME = "<script>alert('trust')</script> =HYPERLINK(\"http://evil\") & Co"


def trust(**over: Any) -> dict[str, Any]:
    return {"icb": "QZZ", "org": "ZZ1", "org_name": "FICTIONAL NHS TRUST", "responses": 1200, "eligible": 4800,
            "percentage_positive": 0.94, "percentage_negative": 0.03, **over}  # fmt: skip


def fft_book(path: Path, **over: Any) -> Path:
    return build_workbook(path, [Sheet("Trusts", "trust", [trust(**over)], england=ENGLAND)], title=TITLE)


def patched_xlsx(path: Path, *changes: tuple[bytes, bytes]) -> Path:
    """A valid FFT workbook with bytes of its sheets' XML replaced (cells openpyxl itself would never write)."""
    source = fft_book(path.with_name("source-" + path.name))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                for old, new in changes:
                    data = data.replace(old, new)
            out.writestr(info, data)
    return path


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as xml:
            block = b" " * (1 << 20)
            for _ in range(520):
                xml.write(block)
    return path


def relocated_sheet(path: Path) -> Path:
    """A workbook whose sheet (with an unvalued formula) is stored outside xl/worksheets/, found by its rels."""
    source = fft_book(path.with_name("source-" + path.name), responses="=SUM(1,2)")
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info).replace(b"worksheets/", b"stash/")
            out.writestr(info.filename.replace("xl/worksheets/", "xl/stash/"), data)
    return path


def shared_strings_bomb(path: Path) -> Path:
    """A valid workbook plus 64 MB of shared strings that pack to a few kilobytes."""
    source = fft_book(path.with_name("source-" + path.name))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                out.writestr(info, src.read(info))
        with out.open("xl/sharedStrings.xml", "w") as xml:
            xml.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(64):
                xml.write(b"a" * (1 << 20))
            xml.write(b"</t></si></sst>")
    return path


def edited_csv(name: str, change: Callable[[list[list[str]]], None]) -> Callable[[Path], None]:
    """The shipped CSV `name`, rows edited by `change`, written back as CSV."""

    def write(path: Path) -> None:
        rows = list(csv.reader(io.StringIO(shipped_file(name).read_text(encoding="utf-8-sig"), newline="")))
        change(rows)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")

    return write


KO41A = "ko41a-2024-25-org-level.csv"


def utf16(name: str) -> bytes:
    return shipped_file(name).read_text(encoding="utf-8-sig").encode("utf-16")
NOF = "nof-mh-community-2025-26-q1-q4.csv"


def set_cell(name: str, column: str, value: str, row: int = 1) -> Callable[[Path], None]:
    def change(rows: list[list[str]]) -> None:
        rows[row][rows[0].index(column)] = value

    return edited_csv(name, change)


def self_csv(change: Callable[[list[list[str]]], None]) -> Callable[[Path, str], None]:
    def write(path: Path, template: str) -> None:
        rows = list(csv.reader(io.StringIO(Path(template).read_text(encoding="utf-8-sig"), newline="")))
        change(rows)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")

    return write


def self_cell(column: str, value: str) -> Callable[[Path, str], None]:
    def change(rows: list[list[str]]) -> None:
        rows[1][rows[0].index(column)] = value

    return self_csv(change)


def big_lines(name: str, count: int, short: bool) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        lines = shipped_file(name).read_text(encoding="utf-8-sig").splitlines()
        repeated_csv(path, lines[0], "x" if short else lines[1], count)

    return write


Maker = bytes | Callable[[Path], Any]
# (case id, command, file name, content, ("error", text) | ("org", {code: name}) | ("self", {column: text}))
CASES: list[tuple[str, str, str, Maker, tuple[str, Any]]] = [
    # --- KO41a (CSV) ---
    ("ko41a-empty", "ko41a", "k.csv", b"", ("error", "the file is empty")),
    ("ko41a-not-ko41a", "ko41a", "k.csv", b"a,b\n1,2\n", ("error", "missing column(s)")),
    ("ko41a-bad-bytes", "ko41a", "k.csv", lambda p: p.write_bytes(shipped_file(KO41A).read_bytes() + b"\x81\x8d\n"),
     ("error", "neither UTF-8 nor Windows-1252")),
    ("ko41a-utf16", "ko41a", "k.csv", lambda p: p.write_bytes(utf16(KO41A)), ("error", "missing column(s)")),
    ("ko41a-truncated", "ko41a", "k.csv", lambda p: truncated(shipped_file(KO41A), p),
     ("error", "fields, the header has")),
    ("ko41a-duplicate-org", "ko41a", "k.csv", edited_csv(KO41A, lambda rows: rows.append(rows[1])),
     ("error", "appears twice")),
    ("ko41a-1e400", "ko41a", "k.csv", set_cell(KO41A, "Complaints_Total_New", "1e400"), ("error", "is not a number")),
    ("ko41a-nan", "ko41a", "k.csv", set_cell(KO41A, "Complaints_Total_New", "NaN"), ("error", "is not a number")),
    ("ko41a-inf", "ko41a", "k.csv", set_cell(KO41A, "Complaints_Total_New", "inf"), ("error", "is not a number")),
    ("ko41a-formula", "ko41a", "k.csv", set_cell(KO41A, "Complaints_Total_New", "=1+1"), ("error", "is not a number")),
    ("ko41a-5000-digits", "ko41a", "k.csv", set_cell(KO41A, "Complaints_Total_New", "9" * 5000),
     ("error", "Complaints")),
    ("ko41a-negative", "ko41a", "k.csv", set_cell(KO41A, "Complaints_Total_New", "-5"), ("error", "is not a count")),
    ("ko41a-huge-field", "ko41a", "k.csv", set_cell(KO41A, "Organisation_Name", "x" * 200_000),
     ("error", "field larger than field limit")),
    ("ko41a-million-short-rows", "ko41a", "k.csv", big_lines(KO41A, 10**6, short=True),
     ("error", "more than 100,000 rows")),
    ("ko41a-million-rows", "ko41a", "k.csv", big_lines(KO41A, 10**6, short=False), ("error", "67,108,864-byte limit")),
    ("ko41a-html-name", "ko41a", "k.csv", set_cell(KO41A, "Organisation_Name", HTML_NAME),
     ("org", {"NQV": HTML_NAME})),
    # --- NHS Oversight Framework (CSV) ---
    ("nof-empty", "nof", "n.csv", b"", ("error", "the file is empty")),
    ("nof-utf16", "nof", "n.csv", lambda p: p.write_bytes(utf16(NOF)), ("error", "cannot read as UTF-8 CSV")),
    ("nof-truncated", "nof", "n.csv", lambda p: truncated(shipped_file(NOF), p), ("error", "fields, the header has")),
    ("nof-million-rows", "nof", "n.csv", big_lines(NOF, 10**6, short=False), ("error", "67,108,864-byte limit")),
    ("nof-million-short-rows", "nof", "n.csv", big_lines(NOF, 10**6, short=True), ("error", "more than 100,000 rows")),
    ("nof-huge-field", "nof", "n.csv", set_cell(NOF, "Trust_name", "x" * 200_000), ("error", "field larger than")),
    # --- FFT monthly workbook (XLSX) ---
    ("fft-not-a-zip", "fft", "f.xlsx", b"PK\x03\x04 but not really", ("error", "cannot open as an Excel workbook")),
    ("fft-text", "fft", "f.xlsx", b"<html>not a workbook</html>", ("error", "cannot open as an Excel workbook")),
    ("fft-truncated", "fft", "f.xlsx", lambda p: truncated(fft_book(p.with_name("whole.xlsx")), p),
     ("error", "cannot open as an Excel workbook")),
    ("fft-zip-without-workbook", "fft", "f.xlsx", lambda p: zipfile.ZipFile(p, "w").writestr("a.txt", "x"),
     ("error", "cannot open as an Excel workbook")),
    ("fft-million-rows", "fft", "f.xlsx", lambda p: raw_xlsx(p, ([f"R{i}", "Trust", i, i] for i in range(10**6))),
     ("error", "more than 100,000 rows")),
    ("fft-zip-bomb", "fft", "f.xlsx", zip_bomb, ("error", "unpacks")),
    ("fft-formula-cell", "fft", "f.xlsx", lambda p: fft_book(p, responses="=SUM(1,2)"),
     ("error", "formula cells with no saved value")),
    ("fft-formula-sheet-elsewhere", "fft", "f.xlsx", relocated_sheet, ("error", "formula cells with no saved value")),
    ("fft-shared-strings-bomb", "fft", "f.xlsx", shared_strings_bomb, ("error", "zip bomb")),
    ("fft-summary-shared-strings-bomb", "fft-summary", "s.xlsx", shared_strings_bomb, ("error", "zip bomb")),
    ("self-xlsx-shared-strings-bomb", "self", "a.xlsx", lambda p, t: shared_strings_bomb(p), ("error", "zip bomb")),
    ("fft-nan-cell", "fft", "f.xlsx", lambda p: patched_xlsx(p, (b"<v>1200</v>", b"<v>NaN</v>")),
     ("error", "cannot read the sheet")),
    ("fft-inf-cell", "fft", "f.xlsx", lambda p: patched_xlsx(p, (b"<v>1200</v>", b"<v>1e400</v>")),
     ("error", "not a finite number")),
    ("fft-huge-number", "fft", "f.xlsx", lambda p: fft_book(p, responses=1e308),
     ("error", "less than or equal to 1000000000")),
    ("fft-text-number", "fft", "f.xlsx", lambda p: fft_book(p, responses="1e400"), ("error", "is not a number")),
    ("fft-entity-bomb", "fft", "f.xlsx", lambda p: patched_xlsx(
        p, (b'<c r="C16" t="inlineStr"><is><t>', b'<c r="C16" t="inlineStr"><is><t>&h;'), (b"<worksheet", ENTITIES)),
     ("error", "amplification")),
    ("fft-html-name", "fft", "f.xlsx", lambda p: fft_book(p, org="ZZH", org_name=HTML_NAME),
     ("org", {"ZZH": HTML_NAME})),
    # --- FFT headline workbook (XLSX) ---
    ("fft-summary-truncated", "fft-summary", "s.xlsx",
     lambda p: truncated(shipped_file("fft-summary-2026-04.xlsx"), p), ("error", "cannot open as an Excel workbook")),
    ("fft-summary-million-rows", "fft-summary", "s.xlsx", lambda p: raw_xlsx(p, ([i] for i in range(10**6))),
     ("error", "more than 100,000 rows")),
    ("fft-summary-wrong-book", "fft-summary", "s.xlsx", lambda p: fft_book(p), ("error", "nothing was imported")),
    # --- self-assessment (CSV and XLSX, from the template) ---
    ("self-truncated", "self", "a.csv", lambda p, t: truncated(Path(t), p, 0.3), ("error", "a.csv")),
    ("self-utf16", "self", "a.csv", lambda p, t: p.write_bytes(Path(t).read_text("utf-8-sig").encode("utf-16")),
     ("error", "not UTF-8")),
    ("self-score-nan", "self", "a.csv", self_cell("Org. score (0-5)", "NaN"), ("error", "row 2")),
    ("self-score-1e400", "self", "a.csv", self_cell("Org. score (0-5)", "1e400"), ("error", "row 2")),
    ("self-score-formula", "self", "a.csv", self_cell("Org. score (0-5)", "=5"), ("error", "row 2")),
    ("self-score-fraction", "self", "a.csv", self_cell("Org. score (0-5)", "4.5"), ("error", "row 2")),
    ("self-bad-date", "self", "a.csv", self_cell("Review date", "31/02/2026"), ("error", "row 2")),
    ("self-huge-field", "self", "a.csv", self_cell("Current position", "x" * 200_000), ("error", "field larger than")),
    ("self-million-rows", "self", "a.csv",
     lambda p, t: repeated_csv(p, Path(t).read_text("utf-8-sig").splitlines()[0], "x", 10**6),
     ("error", "more than 100,000 rows")),
    ("self-xlsx-truncated", "self", "a.xlsx", lambda p, t: truncated(Path(t).with_suffix(".xlsx"), p),
     ("error", "not a readable .xlsx workbook")),
    ("self-xlsx-million-rows", "self", "a.xlsx", lambda p, t: raw_xlsx(p, ([i] for i in range(10**6))),
     ("error", "more than 100,000 rows")),
    ("self-text-kept", "self", "a.csv", self_cell("Current position", HTML_NAME + "\n@SUM(A1) -1+2"),
     ("self", {"current_position": HTML_NAME + "\n@SUM(A1) -1+2"})),
]  # fmt: skip
COMMANDS = {
    "ko41a": ["import", "ko41a", "{file}", "--all", "--register-orgs", "--json"],
    "nof": ["import", "nof", "{file}", "--all", "--register-orgs", "--json"],
    "fft": ["import", "fft", "{file}", "--all", "--register-orgs", "--json"],
    "fft-summary": ["import", "fft-summary", "{file}", "--json"],
    "self": ["self-assess", "import", "{file}", "--org", "RX1", "--json"],
}


@pytest.fixture(scope="module")
def shared_store(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store per back end for the whole corpus: rejected files must leave it exactly as it was."""
    url = module_store_url
    init_db(url)
    assert cli(url, "org", "add", "RX1", "--name", "Trust RX1", "--type", "acute").exit_code == 0
    return url


@pytest.fixture(scope="module")
def template(shared_store: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("template")
    for suffix in (".csv", ".xlsx"):
        made = cli(shared_store, "self-assess", "template", "--org", "RX1", "-o", str(folder / f"t{suffix}"))
        assert made.exit_code == 0, made.output
    return str(folder / "t.csv")


@pytest.mark.parametrize(("command", "name", "content", "expect"),
                         [pytest.param(c, f, m, e, id=i) for i, c, f, m, e in CASES])  # fmt: skip
def test_hostile_published_or_self_assessment_file(
    shared_store: str, template: str, tmp_path: Path, command: str, name: str, content: Maker,
    expect: tuple[str, Any],
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif command == "self":
        content(path, template)
    else:
        content(path)
    before = snapshot(shared_store)
    result = cli(shared_store, *[a.format(file=path) for a in COMMANDS[command]])
    outcome, detail = expect
    if outcome == "error":
        assert result.exit_code == 1, result.output[:2000]
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert detail in result.output, result.output[:2000]
        assert snapshot(shared_store) == before, "a rejected import changed the store or the audit chain"
        return
    assert result.exit_code == 0, result.output[:2000]
    if outcome == "org":
        names = {o["code"]: o["name"] for o in json.loads(cli(shared_store, "org", "list", "--json").stdout)}
        for code, text in detail.items():
            assert names[code] == text
        return
    with unit_of_work(shared_store) as session:
        record = latest_self_assessment("RX1", session=session)
    assert record is not None
    first = next(line for line in record.rows if line.sub_requirement == "1A")
    for field, text in detail.items():
        assert getattr(first, field) == text


def test_the_chain_verifies_after_the_whole_import_corpus(shared_store: str) -> None:
    report = verify_store(shared_store)
    assert report.ok, report.problems[:3]
