"""`python -m bench.xlsx_import [ROWS]`: how long a filled evidence template of ROWS items (default 10,000)
takes to read and validate, and to import into a fresh SQLite store; and the template round trip of every kind.

Prints one JSON object; not part of the timed suite (it writes a workbook of ROWS rows first, ~1 s per 2,000).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from pxrules.evidence import KIND_MODELS, KINDS
from pxrules.evidence.columns import columns
from pxrules.evidence.examples import EXAMPLES
from pxrules.evidence.io import read_evidence_files
from pxrules.evidence.template import write_template


def _fill(template: Path, out: Path, rows: int) -> None:
    book = openpyxl.load_workbook(template)
    sheet = book["fft_monthly"]
    keys = [c.value for c in sheet[2]]
    start = dt.date(2020, 1, 1)
    for n in range(rows):
        month = start + dt.timedelta(days=(n % 60) * 31)
        values = {"id": f"fft-{n}", "org": "RX1", "period_start": dt.datetime(month.year, month.month, 1),
                  "source.title": "FFT return", "setting": "Inpatient", "responses": 100 + n % 50,
                  "eligible": 1000, "percentage_positive": 90.5, "level": "Ward", "ward": f"Ward {n}"}  # fmt: skip
        row = 4 + n
        for key, value in values.items():
            sheet.cell(row=row, column=keys.index(key) + 1, value=value)
    book.save(out)


def _round_trip(folder: Path) -> dict[str, object]:
    template = write_template(folder / "all.xlsx")
    book = openpyxl.load_workbook(template)
    items = [KIND_MODELS[k].model_validate({**EXAMPLES[k], "id": f"rt-{k}"}) for k in KINDS]
    for item in items:
        sheet = book[item.kind]
        keys = [c.value for c in sheet[2]]
        data = item.model_dump(mode="json")
        for column in columns(item.kind):
            top, _, rest = column.key.partition(".")
            value = data.get(top)
            value = value.get(rest) if rest and isinstance(value, dict) else (None if rest else value)
            sheet.cell(row=4, column=keys.index(column.key) + 1, value=column.to_cell(value))
    book.save(folder / "filled.xlsx")
    back = {i.id: i.content_hash() for i in read_evidence_files([folder / "filled.xlsx"])}
    same = sum(back.get(i.id) == i.content_hash() for i in items)
    return {"kinds": len(items), "identical": same}


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    from pxrules.store.db import init_db, unit_of_work
    from pxrules.store.evidence_files import import_evidence_files
    from pxrules.store.orgs import add_org

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        template = write_template(folder / "t.xlsx", ["fft_monthly"])
        template_s = time.perf_counter() - started
        _fill(template, folder / "big.xlsx", rows)
        started = time.perf_counter()
        items = read_evidence_files([folder / "big.xlsx"])
        read_s = time.perf_counter() - started
        url = f"sqlite:///{folder / 'b.db'}"
        init_db(url)
        with unit_of_work(url) as session:
            add_org("RX1", "Bench", "acute", session=session, by="bench")
        started = time.perf_counter()
        with unit_of_work(url) as session:
            result = import_evidence_files([folder / "big.xlsx"], session=session, by="bench")
        import_s = time.perf_counter() - started
        print(json.dumps({"rows": rows, "items": len(items), "template_s": round(template_s, 2),
                          "read_validate_s": round(read_s, 2), "import_s": round(import_s, 2),
                          "new": result.summary.new, "round_trip": _round_trip(folder)}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
