"""Reading evidence files: every format, and every kind of bad input named by file, line/item and field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from strategies_evidence import any_evidence

from pxrules.errors import EvidenceError
from pxrules.evidence import Evidence
from pxrules.evidence.io import read_evidence_files, read_evidence_sources

FFT = {
    "kind": "fft_monthly",
    "id": "fft-1",
    "org": "RX1",
    "period_start": "2025-01-01",
    "period_end": "2025-01-31",
    "source": {"title": "FFT"},
    "setting": "ae",
    "responses": 10,
    "eligible": 100,
}
CSV_HEAD = (
    "id,org,period_start,period_end,source.title,setting,responses,eligible,percentage_positive,modes.sms"
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Messages name files as given; relative names keep the asserted text short.
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str | bytes) -> Path:
    """Write the file and return it by its bare name (relative to the test's working directory)."""
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return Path(path.name)


def problems_of(paths: list[Path], **kwargs: Any) -> str:
    with pytest.raises(EvidenceError) as info:
        read_evidence_files(paths, **kwargs)
    assert "nothing was read" in str(info.value)
    return "\n".join(f"{where}: {what}" for where, what in info.value.problems)


# --- formats -------------------------------------------------------------------------------------------


def test_json_object_and_array(tmp_path: Path) -> None:
    one = write(tmp_path / "one.json", json.dumps(FFT))
    many = write(tmp_path / "many.json", json.dumps([{**FFT, "id": "a"}, {**FFT, "id": "b"}]))
    items = read_evidence_files([one, many])
    assert [i.id for i in items] == ["fft-1", "a", "b"]
    assert items[0].kind == "fft_monthly" and items[0].responses == 10  # type: ignore[union-attr]


def test_yaml_mapping_list_and_multiple_documents(tmp_path: Path) -> None:
    first = yaml.safe_dump({**FFT, "id": "y1"})
    text = first + "---\n" + yaml.safe_dump([{**FFT, "id": "y2"}, {**FFT, "id": "y3"}])
    items = read_evidence_sources([write(tmp_path / "e.yaml", text)])
    assert [s.item.id for s in items] == ["y1", "y2", "y3"]
    assert items[0].where == "e.yaml item 1 (line 1)"
    assert items[1].where == f"e.yaml item 2 (line {len(first.splitlines()) + 2})"
    assert items[2].file == "e.yaml"


def test_csv_with_dotted_headers_lists_empty_cells_and_bom(tmp_path: Path) -> None:
    text = (
        "\ufeff" + CSV_HEAD + ",sub_requirements\n"
        "c1,RX1,2025-01-01,2025-01-31,FFT,ae,10,100,90.5,4,1A; 2B\n"
        "c2,RX1,2025-02-01,2025-02-28,FFT,inpatient,,,,,\n"
    )
    items = read_evidence_files([write(tmp_path / "fft_monthly-2025.csv", text)])
    first, second = items
    assert first.kind == "fft_monthly" and first.percentage_positive == 90.5  # type: ignore[union-attr]
    assert first.modes == {"sms": 4} and first.sub_requirements == ["1A", "2B"]  # type: ignore[union-attr]
    assert first.source.title == "FFT"
    assert second.responses is None and second.modes == {}  # type: ignore[union-attr]


def test_csv_kind_column_and_kind_from_file_name(tmp_path: Path) -> None:
    text = (
        "kind,id,org,period_start,source.title,page,found,clicks_from_home,checked_by\n"
        "website_check,w1,RX1,2025-01-02,site,complaints,true,2,me\n"
    )
    assert read_evidence_files([write(tmp_path / "anything.csv", text)])[0].kind == "website_check"
    plain = "id,org,period_start,source.title,page,found,checked_by\nw2,RX1,2025-01-02,site,pals,no,me\n"
    assert read_evidence_files([write(tmp_path / "website_check.csv", plain)])[0].id == "w2"
    message = problems_of([write(tmp_path / "checks.csv", plain)])
    assert "checks.csv line 1: no kind" in message


def test_default_org_fills_missing_org_but_not_benchmarks(tmp_path: Path) -> None:
    bench = {
        "kind": "benchmark",
        "id": "b1",
        "period_start": "2025-01-01",
        "source": {"title": "NHSE"},
        "measure": "fft.response_rate.ae",
        "value": 10,
    }
    no_org = {k: v for k, v in FFT.items() if k != "org"}
    items = read_evidence_files(
        [write(tmp_path / "x.json", json.dumps([no_org, bench, {**FFT, "id": "o"}]))], default_org="RX9"
    )
    assert [(i.id, i.org) for i in items] == [("fft-1", "RX9"), ("b1", None), ("o", "RX1")]
    with pytest.raises(EvidenceError, match="--org 'rx9' is not an ODS code"):
        read_evidence_files(["x.json"], default_org="rx9")


def test_identical_duplicates_collapse(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", json.dumps(FFT))
    b = write(tmp_path / "b.yaml", yaml.safe_dump({**FFT, "recorded_by": "someone else"}))
    assert [i.id for i in read_evidence_files([a, b])] == ["fft-1"]


# --- bad input -----------------------------------------------------------------------------------------


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    message = problems_of([write(tmp_path / "bad.json", '[\n  {"id": "x",\n  }\n]')])
    assert "bad.json: malformed JSON at line 3 column 3" in message


def test_malformed_yaml_names_line(tmp_path: Path) -> None:
    message = problems_of([write(tmp_path / "bad.yaml", "- id: a\n  kind: [fft_monthly\n- id: b\n")])
    assert "bad.yaml: malformed YAML at line 3" in message


def test_ragged_csv_row_and_broken_quoting(tmp_path: Path) -> None:
    ragged = write(
        tmp_path / "fft_monthly.csv", CSV_HEAD + "\nr1,RX1,2025-01-01,,FFT,ae,1,2,,\nr2,RX1,2025-01-01\n"
    )
    message = problems_of([ragged])
    assert "fft_monthly.csv line 3: row has 3 cells but the header has 10 columns" in message
    quoted = write(tmp_path / "fft_monthly-q.csv", CSV_HEAD + '\nr1,RX1,"2025"x,,FFT,ae,1,2,,\n')
    assert "fft_monthly-q.csv line 2: malformed CSV" in problems_of([quoted])


def test_unknown_kind_and_unknown_column(tmp_path: Path) -> None:
    message = problems_of(
        [write(tmp_path / "k.json", json.dumps([{**FFT, "kind": "fft_montly"}, {"id": "x"}]))]
    )
    assert "k.json item 1: kind: unknown kind 'fft_montly' (did you mean fft_monthly?)" in message
    assert "k.json item 2: kind: is required" in message
    csv_text = CSV_HEAD + ",respones\nr1,RX1,2025-01-01,,FFT,ae,1,2,,,3\nr2,RX1,2025-01-01,,FFT,ae,1,2,,,4\n"
    message = problems_of([write(tmp_path / "fft_monthly.csv", csv_text)])
    assert (
        "fft_monthly.csv line 2: column 'respones' is not a field of fft_monthly (did you mean responses?)"
        in message
    )
    assert message.count("respones") == 1, "an unknown column is reported once"
    assert "k.json item 1: extra: is not a field" in problems_of(
        [write(tmp_path / "k.json", json.dumps({**FFT, "extra": 1}))]
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"percentage_positive": 140},
            "percentage_positive: Input should be less than or equal to 100 (got 140)",
        ),
        ({"responses": -3}, "responses: Input should be greater than or equal to 0 (got -3)"),
        ({"responses": 120}, "responses (120) are more than eligible (100)"),
        (
            {"recorded_at": "2025-01-15T10:00:00Z"},
            "the period ends 2025-01-31, after it was recorded (2025-01-15)",
        ),
        ({"source": {}}, "source.title: is required"),
        ({"period_start": "01/31/2025"}, "period_start: '01/31/2025' is not a date: month 31"),
    ],
)
def test_bad_values_name_file_item_and_field(tmp_path: Path, change: dict[str, Any], expected: str) -> None:
    message = problems_of([write(tmp_path / "e.json", json.dumps([FFT, {**FFT, "id": "bad", **change}]))])
    assert f"e.json item 2: {expected}" in message


def test_bad_values_in_csv_name_the_line(tmp_path: Path) -> None:
    text = (
        CSV_HEAD + "\nok,RX1,2025-01-01,,FFT,ae,1,2,,\nhigh,RX1,2025-01-01,,FFT,ae,1,2,140,\n"
        "neg,RX1,2025-01-01,,FFT,ae,-1,2,,\n"
    )
    message = problems_of([write(tmp_path / "fft_monthly.csv", text)])
    assert (
        "fft_monthly.csv line 3: percentage_positive: Input should be less than or equal to 100 (got '140')"
        in message
    )
    assert "fft_monthly.csv line 4: responses: Input should be greater than or equal to 0" in message


def test_future_period_without_recorded_at_is_rejected(tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    message = problems_of(
        [write(tmp_path / "f.json", json.dumps({**FFT, "period_start": future, "period_end": future}))]
    )
    assert f"f.json item 1: period_end: the period ends {future}, in the future" in message
    late = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    assert "recorded_at:" in problems_of(
        [write(tmp_path / "g.json", json.dumps({**FFT, "recorded_at": late}))]
    )


def test_duplicate_id_with_different_content_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", json.dumps(FFT))
    b = write(tmp_path / "b.yaml", yaml.safe_dump([{**FFT, "responses": 11}]))
    message = problems_of([a, b])
    assert (
        "b.yaml item 1 (line 1): id: duplicate id fft-1 with different content from a.json item 1" in message
    )


def test_non_utf8_names_file_and_byte_offset(tmp_path: Path) -> None:
    text = json.dumps(FFT).replace("FFT", "caf\xe9").encode("latin-1")
    message = problems_of([write(tmp_path / "latin.json", text)])
    offset = text.index(b"\xe9")
    assert f"latin.json: not UTF-8: byte 0xe9 at byte offset {offset} (line 1)" in message


def test_nan_and_infinity_are_rejected(tmp_path: Path) -> None:
    assert "NaN is not allowed" in problems_of([write(tmp_path / "n.json", '{"percentage_positive": NaN}')])
    assert "Infinity is not allowed" in problems_of([write(tmp_path / "i.json", '[{"value": -Infinity}]')])
    message = problems_of(
        [write(tmp_path / "n.yaml", yaml.safe_dump({**FFT}) + "percentage_positive: .nan\n")]
    )
    assert "percentage_positive: Input should be a finite number" in message


def test_yaml_aliases_and_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    message = problems_of([write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")])
    assert "bomb.yaml line 1: the document expands (through aliases) to more than 2,000,000 values" in message
    shared = "- &one " + json.dumps(FFT) + "\n- *one\n"
    assert [i.id for i in read_evidence_files([write(tmp_path / "alias.yaml", shared)])] == ["fft-1"]
    dupe = yaml.safe_dump(FFT) + "responses: 3\n"
    assert "duplicate key 'responses'" in problems_of([write(tmp_path / "d.yaml", dupe)])
    assert "duplicate key 'id'" in problems_of([write(tmp_path / "d.json", '{"id": "a", "id": "b"}')])


def test_file_level_problems(tmp_path: Path) -> None:
    message = problems_of(
        [
            Path("missing.json"),
            write(tmp_path / "x.txt", "hi"),
            write(tmp_path / "empty.yaml", "# nothing\n"),
            write(tmp_path / "s.json", '"text"'),
        ]
    )
    assert "missing.json: no such file" in message
    assert "x.txt: unsupported file type '.txt'" in message
    assert "empty.yaml: contains no evidence items" in message
    assert "s.json: expected an object or an array of objects" in message


def test_file_size_is_capped(tmp_path: Path) -> None:
    big = write(tmp_path / "big.json", json.dumps([FFT] * 50))
    with pytest.raises(EvidenceError, match=r"big.json: file is [\d,]+ bytes, over the 1,000-byte limit"):
        read_evidence_sources([big], max_bytes=1000)


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", json.dumps([{**FFT, "id": "a1", "responses": -1}, {**FFT, "id": "a2"}]))
    b = write(tmp_path / "b.yaml", yaml.safe_dump([{**FFT, "id": "b1", "setting": "nowhere"}]))
    c = write(tmp_path / "fft_monthly.csv", CSV_HEAD + "\nc1,RX1,2025-01-01,,FFT,ae,1,2,101,\n")
    with pytest.raises(EvidenceError) as info:
        read_evidence_files([a, b, c])
    wheres = [where for where, _ in info.value.problems]
    assert wheres == ["a.json item 1", "b.yaml item 1 (line 1)", "fft_monthly.csv line 2"]
    assert str(info.value).startswith("invalid evidence: 3 problem(s) in 3 file(s); nothing was read")


# --- round trips ---------------------------------------------------------------------------------------


def _csv_text(item: Evidence) -> str | None:
    """One item as a one-row CSV, or None when CSV cannot carry it (padding spaces, nested None, ';')."""
    flat: dict[str, str] = {}

    def put(prefix: str, value: Any) -> bool:
        if isinstance(value, dict):
            return all(put(f"{prefix}{k}.", v) for k, v in value.items())
        key = prefix.rstrip(".")
        if value is None:
            return "." not in key  # a None inside a mapping would come back as a missing key
        if isinstance(value, list):
            if any(not isinstance(v, str) or ";" in v or v != v.strip() or not v for v in value):
                return False
            flat[key] = ";".join(value)
            return True
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if text != text.strip() or not text:
            return False
        flat[key] = text
        return True

    if not put("", item.model_dump(mode="json")):
        return None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(flat))
    writer.writerow(list(flat.values()))
    return out.getvalue()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(item=any_evidence)
def test_any_valid_item_round_trips_through_json_yaml_and_csv(tmp_path: Path, item: Evidence) -> None:
    data = item.model_dump(mode="json")
    if item.end > dt.date.today() and item.recorded_at is None:
        return
    assert read_evidence_files([write(tmp_path / "r.json", json.dumps(data))]) == [item]
    assert read_evidence_files([write(tmp_path / "r.yaml", yaml.safe_dump(data, allow_unicode=True))]) == [
        item
    ]
    text = _csv_text(item)
    if text is not None:
        assert read_evidence_files([write(tmp_path / "r.csv", text)]) == [item]
