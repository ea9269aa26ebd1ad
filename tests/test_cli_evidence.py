"""`pxrules init`, `org` and `evidence` end to end: bad input is refused whole, with the store unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cli_support import ok
from typer.testing import CliRunner

from cli.main import app

FFT = {
    "kind": "fft_monthly",
    "id": "fft-2025-01",
    "org": "RX1",
    "period_start": "2025-01-01",
    "period_end": "2025-01-31",
    "source": {"title": "FFT provider data", "publication": "FFT"},
    "setting": "ae",
    "responses": 250,
    "eligible": 2000,
    "percentage_positive": 81.5,
}
BOARD = {
    "kind": "board_meeting",
    "id": "board-2025-03",
    "period_start": "2025-03-12",
    "source": {"title": "Board papers March 2025"},
    "patient_story": True,
    "story_presenter": "patient",
}
BENCH = {
    "kind": "benchmark",
    "id": "bench-ae-rate",
    "period_start": "2025-01-01",
    "period_end": "2025-01-31",
    "source": {"title": "FFT England"},
    "measure": "fft.response_rate.ae",
    "value": 11.2,
}
CSV_HEAD = "id,period_start,period_end,source.title,setting,responses,eligible,percentage_positive"

runner = CliRunner()


@pytest.fixture
def pxr(db_url: str) -> Callable[..., Any]:
    """Run `pxrules --db URL --by tester ARGS...`; returns the Result."""

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["--db", db_url, "--by", "tester", *args])

    return invoke


@pytest.fixture
def store(pxr: Callable[..., Any], db_url: str) -> str:
    for code, name in (("RX1", "Test Trust"), ("RX2", "Other Trust")):
        result = pxr("org", "add", code, "--name", name, "--type", "acute")
        assert result.exit_code == 0, result.output
    return db_url


def write(path: Path, data: Any) -> Path:
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")
    return path


def as_json(result: Any) -> Any:
    return json.loads(ok(result).stdout)


def test_init_prints_the_url_and_is_repeatable(store_url: str) -> None:
    first = runner.invoke(app, ["--db", store_url, "init"])
    assert first.exit_code == 0, first.output
    from pxrules.store.db import display_url, schema_heads

    shown = display_url(store_url)  # a PostgreSQL password is masked
    head = schema_heads()[0]  # the latest migration (test_store pins which one that is)
    assert f"database ready at {shown} (schema revision {head})" in first.output
    again = runner.invoke(app, ["--db", store_url, "init", "--json"])
    assert json.loads(again.stdout) == {"url": shown, "revision": head}, again.output


def test_commands_on_an_uninitialised_store_say_run_init(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = runner.invoke(app, ["--db", url, "org", "list"])
    assert result.exit_code == 1
    assert "error: database not initialised: run `pxrules init`" in result.output


def test_org_add_and_list(store: str, pxr: Callable[..., Any]) -> None:
    orgs = as_json(pxr("org", "list", "--json"))
    assert [(o["code"], o["name"], o["type"], o["created_by"]) for o in orgs] == [
        ("RX1", "Test Trust", "acute", "tester"),
        ("RX2", "Other Trust", "acute", "tester"),
    ]
    assert "Test Trust" in ok(pxr("org", "list")).output
    bad = pxr("org", "add", "RX3", "--name", "X", "--type", "hospital")
    assert bad.exit_code == 1 and "type 'hospital' is not one of acute" in bad.output
    dup = pxr("org", "add", "RX1", "--name", "X", "--type", "acute")
    assert dup.exit_code == 1 and "organisation RX1 already exists" in dup.output


def test_import_twice_then_correct(
    store: str, pxr: Callable[..., Any], tmp_path: Path, table_counts: Callable[[str], dict[str, int]]
) -> None:
    data = write(tmp_path / "evidence.json", [FFT, {**BOARD, "org": "RX1"}, BENCH])
    assert ok(pxr("evidence", "import", str(data))).stdout.strip() == "3 new, 0 unchanged, 0 corrected"
    assert ok(pxr("evidence", "import", str(data))).stdout.strip() == "0 new, 3 unchanged, 0 corrected"

    changed = write(tmp_path / "fix.yaml", yaml.safe_dump([{**FFT, "responses": 260}]))
    before = table_counts(store)
    refused = pxr("evidence", "import", str(changed))
    assert refused.exit_code == 1
    assert (
        "evidence fft-2025-01: duplicate id fft-2025-01 with different content (stored version 1 differs "
        "in fields responses)" in refused.output
    )
    assert table_counts(store) == before

    summary = as_json(pxr("evidence", "import", str(changed), "--correct", "--json"))
    assert summary == {"new": 0, "unchanged": 0, "corrected": 1, "ids": ["fft-2025-01"]}
    latest = as_json(pxr("evidence", "show", "fft-2025-01", "--json"))
    assert (latest["version"], latest["versions"], latest["payload"]["responses"]) == (2, 2, 260)
    assert latest["import_file"] == "fix.yaml" and latest["recorded_by"] == "tester"
    first = as_json(pxr("evidence", "show", "fft-2025-01", "--version", "1", "--json"))
    assert (first["version"], first["payload"]["responses"], first["import_file"]) == (
        1,
        250,
        "evidence.json",
    )
    assert "responses: 260" in ok(pxr("evidence", "show", "fft-2025-01")).output


def test_list_filters_and_history(store: str, pxr: Callable[..., Any], tmp_path: Path) -> None:
    data = write(tmp_path / "e.json", [FFT, {**FFT, "id": "other", "org": "RX2"}, BOARD, BENCH])
    ok(pxr("evidence", "import", str(data), "--org", "RX1"))
    ok(pxr("evidence", "import", str(write(tmp_path / "c.json", {**FFT, "responses": 1})), "--correct"))
    rows = as_json(pxr("evidence", "list", "--json"))
    assert [(r["id"], r["version"], r["org"]) for r in rows] == [
        ("bench-ae-rate", 1, None),
        ("board-2025-03", 1, "RX1"),
        ("fft-2025-01", 2, "RX1"),
        ("other", 1, "RX2"),
    ]
    assert set(rows[0]) == {
        "id",
        "version",
        "org",
        "kind",
        "period_start",
        "period_end",
        "content_hash",
        "recorded_by",
        "recorded_at",
        "import_file",
    }
    history = as_json(pxr("evidence", "list", "--history", "--kind", "fft_monthly", "--org", "RX1", "--json"))
    assert [(r["id"], r["version"]) for r in history] == [("fft-2025-01", 1), ("fft-2025-01", 2)]
    assert "board-2025-03" in ok(pxr("evidence", "list")).output
    unknown = pxr("evidence", "list", "--kind", "fft_montly")
    assert (
        unknown.exit_code == 1 and "unknown kind 'fft_montly' (did you mean fft_monthly?)" in unknown.output
    )
    missing = pxr("evidence", "show", "fft-2025-02")
    assert (
        missing.exit_code == 1
        and "no evidence with id 'fft-2025-02' (did you mean fft-2025-01?)" in missing.output
    )


def test_validate_counts_kinds_without_storing(
    store: str, pxr: Callable[..., Any], tmp_path: Path, table_counts: Callable[[str], dict[str, int]]
) -> None:
    before = table_counts(store)
    csv_file = write(
        tmp_path / "fft_monthly-2025.csv", CSV_HEAD + "\nc1,2025-02-01,2025-02-28,FFT,ae,1,10,50\n"
    )
    data = write(tmp_path / "e.json", [FFT, BOARD, BENCH])
    report = as_json(pxr("evidence", "validate", str(data), str(csv_file), "--org", "RX1", "--json"))
    assert report == {"total": 4, "kinds": {"benchmark": 1, "board_meeting": 1, "fft_monthly": 2}}
    text = ok(pxr("evidence", "validate", str(data), "--org", "RX1")).output
    assert "3 valid item(s) in 1 file(s)" in text and "fft_monthly: 1" in text
    assert table_counts(store) == before
    bad = pxr("evidence", "validate", str(write(tmp_path / "b.json", {**FFT, "responses": -1})))
    assert (
        bad.exit_code == 1
        and "b.json item 1: responses: Input should be greater than or equal to 0" in bad.output
    )


def _bad_inputs(tmp: Path) -> list[tuple[Path, str]]:
    """(file, text the error must contain) for every kind of bad input the importer must refuse."""
    return [
        (write(tmp / "broken.json", '[{"id": "x",}]'), "broken.json: malformed JSON at line 1 column 13"),
        (
            write(tmp / "broken.yaml", "- id: a\n  source: {title: x\n"),
            "broken.yaml: malformed YAML at line 3",
        ),
        (
            write(tmp / "fft_monthly.csv", CSV_HEAD + "\nr1,2025-01-01,,FFT,ae,1,2,3\nr2,2025-01-01,FFT\n"),
            "fft_monthly.csv line 3: row has 3 cells but the header has 8 columns",
        ),
        (write(tmp / "kind.json", {**FFT, "kind": "fft"}), "kind.json item 1: kind: unknown kind 'fft'"),
        (
            write(tmp / "org.json", {**FFT, "org": "RX9"}),
            "evidence fft-2025-01: unknown organisation 'RX9' (did you mean RX1",
        ),
        (
            write(tmp / "fft_monthly-rate.csv", CSV_HEAD + "\nr1,2025-01-01,,FFT,ae,10,20,140\n"),
            ("fft_monthly-rate.csv line 2: percentage_positive: Input should be less than or equal to 100"
            " (got '140')"),
        ),
        (
            write(tmp / "negative.json", [BENCH, {**FFT, "responses": -5}]),
            "negative.json item 2: responses: Input should be greater than or equal to 0 (got -5)",
        ),
        (
            write(tmp / "more.yaml", yaml.safe_dump([{**FFT, "responses": 2500}])),
            "more.yaml item 1 (line 1): responses (2500) are more than eligible (2000)",
        ),
        (
            write(tmp / "late.json", {**FFT, "recorded_at": "2025-01-10T09:00:00Z"}),
            "late.json item 1: the period ends 2025-01-31, after it was recorded (2025-01-10)",
        ),
        (
            write(tmp / "dupe.json", [FFT, {**FFT, "percentage_positive": 80}]),
            "dupe.json item 2: id: duplicate id fft-2025-01 with different content from",
        ),
        (
            write(
                tmp / "latin1.csv",
                ("kind," + CSV_HEAD + "\nfft_monthly,r,2025-01-01,,Caf\xe9,ae,1,2,3\n").encode("latin-1"),
            ),
            "latin1.csv: not UTF-8: byte 0xe9 at byte offset",
        ),
    ]


def test_every_bad_input_is_refused_with_a_clear_error_and_nothing_written(
    store: str, pxr: Callable[..., Any], tmp_path: Path, table_counts: Callable[[str], dict[str, int]]
) -> None:
    good = write(tmp_path / "good.json", [FFT, {**BOARD, "org": "RX1"}])
    ok(pxr("evidence", "import", str(good)))
    before = table_counts(store)
    for path, expected in _bad_inputs(tmp_path):
        # Each bad file rides along with a good, new item: the whole import must still be refused.
        extra = write(
            tmp_path / "extra.json",
            {**FFT, "id": "new-item", "period_start": "2025-02-01", "period_end": "2025-02-28"},
        )
        result = pxr("evidence", "import", str(extra), str(path))
        assert result.exit_code == 1, f"{path.name} was accepted:\n{result.output}"
        assert result.output.startswith("error: "), result.output
        assert expected in result.output, f"{path.name}: expected {expected!r} in\n{result.output}"
        assert table_counts(store) == before, f"{path.name} changed the store"


def test_stored_duplicate_with_different_content_is_refused(
    store: str, pxr: Callable[..., Any], tmp_path: Path, table_counts: Callable[[str], dict[str, int]]
) -> None:
    ok(pxr("evidence", "import", str(write(tmp_path / "a.json", FFT))))
    before = table_counts(store)
    result = pxr(
        "evidence", "import", str(write(tmp_path / "b.json", {**FFT, "eligible": 2100, "responses": 1}))
    )
    assert result.exit_code == 1
    assert "stored version 1 differs in fields eligible, responses" in result.output
    assert table_counts(store) == before
