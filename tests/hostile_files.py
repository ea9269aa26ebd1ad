"""Makers of hostile input files for test_hostile_inputs: huge sheets and CSVs, written fast at test time.

A 10^6-row workbook through openpyxl's writer takes minutes; writing the sheet XML straight into the zip
takes a second or two and gives openpyxl's reader exactly the same file to chew on.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _workbook(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value!r}</v></c>"
    if isinstance(value, str) and value.startswith("="):
        return f"<c><f>{escape(value[1:])}</f></c>"  # a formula with no cached value
    return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def raw_xlsx(path: Path, rows: Iterable[Sequence[Any]], sheet: str = "Sheet1") -> Path:
    """A one-sheet workbook of the given rows (streamed, so 10^6 rows cost seconds, not minutes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _workbook(sheet))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk: list[str] = []
            for row in rows:
                chunk.append("<row>" + "".join(_cell(v) for v in row) + "</row>")
                if len(chunk) >= 10_000:
                    out.write("".join(chunk).encode("utf-8"))
                    chunk.clear()
            out.write("".join(chunk).encode("utf-8"))
            out.write(b"</sheetData></worksheet>")
    return path


def repeated_csv(path: Path, header: str, row: str, count: int) -> Path:
    """A CSV of one header line and `count` copies of one row (10^6 rows in well under a second)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header.rstrip("\n") + "\n")
        line = row.rstrip("\n") + "\n"
        block = line * 10_000
        for _ in range(count // 10_000):
            out.write(block)
        out.write(line * (count % 10_000))
    return path


def truncated(source: Path, target: Path, fraction: float = 0.5) -> Path:
    """The first part of a file, as a download cut short leaves it."""
    data = source.read_bytes()
    target.write_bytes(data[: max(1, int(len(data) * fraction))])
    return target


def reading_commands() -> dict[str, list[str]]:
    """Every command that reads a file the user names, as argument templates with "{file}": each importer
    registered under `pxrules import` (found at run time, so one added later is covered at once), the
    evidence register's import, the self-assessment import and the offline bundle check."""
    import inspect

    import cli.import_cmd

    commands: dict[str, list[str]] = {}
    for command in cli.import_cmd.app.registered_commands:
        name = command.name or ""
        params = inspect.signature(command.callback).parameters if command.callback else {}
        extra = ["--all", "--register-orgs"] if "all_orgs" in params else []
        commands[f"import {name}"] = ["import", name, "{file}", *extra, "--json"]
    commands["org import"] = ["org", "import", "{file}", "--json"]
    commands["evidence import"] = ["evidence", "import", "{file}", "--json"]
    commands["evidence validate"] = ["evidence", "validate", "{file}"]
    commands["self-assess import"] = ["self-assess", "import", "{file}", "--org", "RX1", "--json"]
    commands["audit verify --bundle"] = ["audit", "verify", "--bundle", "{file}"]
    return commands


# The suffix each reader wants, so the file's type (not its name) is what gets it refused.
SUFFIX = {"import fft": ".xlsx", "import fft-summary": ".xlsx", "self-assess import": ".xlsx",
          "import patient-survey": ".xlsx", "import staff-survey": ".xlsx",
          "evidence import": ".json", "evidence validate": ".json", "audit verify --bundle": ".json"}
