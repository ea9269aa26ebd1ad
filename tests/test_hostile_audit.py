"""Tampering with values, not just rows: `audit verify` and `verify --bundle` name the broken event for any
malformed value and never crash; anchors kept outside the store catch a store rewritten whole."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from audit_support import cli, populate, query, tamper, verify_json

from pxrules.audit.verify import verify_store
from pxrules.store.audit_chain import event_hash, list_events
from pxrules.store.db import dispose_engines, init_db, unit_of_work


@pytest.fixture
def filled(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    init_db(url)
    populate(url)
    yield url
    dispose_engines()


def _seq(url: str, target: str) -> int:
    if target.startswith("#"):
        return int(target[1:])
    action, _, org = target.partition("#")
    found = query(url, f"SELECT seq, org FROM audit_event WHERE action = '{action}' ORDER BY seq")
    return int(next(row for row in found if not org or str(row[1]) == org)[0])


# The event table rebuilt without its NOT NULL constraints, as someone editing the file could.
UNCONSTRAINED = ("CREATE TABLE loose AS SELECT * FROM audit_event;DROP TABLE audit_event;"
                 "ALTER TABLE loose RENAME TO audit_event;")
# (name, SQL run on the SQLite file behind pxrules' back, the event expected first ("#n" or action#org) or "any")
VALUES: list[tuple[str, str, str]] = [
    ("date set to garbage", "UPDATE evidence SET period_start = 'garbage' WHERE evidence_id = 'fft-2'",
     "evidence.import#RX2"),
    ("as_of set to garbage", "UPDATE assessment SET as_of = 'garbage'", "assessment.save"),
    ("event time set to garbage", "UPDATE audit_event SET at = 'garbage' WHERE seq = 7", "#7"),
    ("created_at set to garbage", "UPDATE organisation SET created_at = 'garbage' WHERE code = 'RX2'", "org.add#RX2"),
    ("withdrawn_at set to garbage", "UPDATE evidence_withdrawal SET withdrawn_at = 'garbage'", "evidence.withdraw"),
    ("review date impossible", "UPDATE self_assessment_row SET review_date = '2026-02-31' WHERE sub_requirement = '1A'",
     "self_assessment.import"),
    ("BLOB score", "UPDATE assessment_score SET suggested = X'05' WHERE sub_requirement = '1A'", "assessment.save"),
    ("fractional score", "UPDATE assessment_score SET suggested = 2.5 WHERE sub_requirement = '1A'", "assessment.save"),
    ("NaN score", "UPDATE assessment_score SET suggested = 'NaN' WHERE sub_requirement = '1A'", "assessment.save"),
    ("infinite timestamp", "UPDATE evidence SET recorded_at = 1e999 WHERE evidence_id = 'fft-2'",
     "evidence.import#RX2"),
    ("text version", "UPDATE evidence SET version = 'two' WHERE evidence_id = 'fft-2'", "evidence.import#RX2"),
    ("BLOB evidence ids", "UPDATE assessment SET evidence_ids = X'00ff'", "assessment.save"),
    ("null prev_hash", UNCONSTRAINED + "UPDATE audit_event SET prev_hash = NULL WHERE seq = 5", "#5"),
    ("null hash", UNCONSTRAINED + "UPDATE audit_event SET hash = NULL WHERE seq = 3", "#3"),
    ("BLOB refs", "UPDATE audit_event SET refs = X'7b7d' WHERE seq = 4", "#4"),
    ("BLOB details", "UPDATE audit_event SET details = X'00ff' WHERE seq = 9", "#9"),
    ("text seq", UNCONSTRAINED + "UPDATE audit_event SET seq = 'six' WHERE seq = 6", "any"),
    ("real seq", UNCONSTRAINED + "UPDATE audit_event SET seq = 6.5 WHERE seq = 6", "any"),
    ("garbage head", "UPDATE audit_head SET seq = 'x', hash = X'00'", "any"),
    ("null org code", "UPDATE organisation SET name = X'ff' WHERE code = 'RX2'", "org.add#RX2"),
]


@pytest.mark.parametrize(("statement", "target"), [pytest.param(s, t, id=n) for n, s, t in VALUES])
def test_verify_names_the_event_a_malformed_value_breaks(filled: str, statement: str, target: str) -> None:
    expected = None if target == "any" else _seq(filled, target)
    tamper(filled, *statement.split(";"))
    code, report = verify_json(filled)
    assert code == 1, report
    assert report["first_broken_event"] is not None, report
    if expected is not None:
        assert report["first_broken_event"] == expected, report
    text = cli(filled, "audit", "verify")
    assert text.exit_code == 1 and isinstance(text.exception, SystemExit | None), text.output
    assert "Traceback" not in text.output and text.output.startswith("error: audit trail does not verify")
    export = cli(filled, "audit", "export", str(Path(filled.removeprefix("sqlite:///")).with_name("b.json")))
    assert export.exit_code == 1 and isinstance(export.exception, SystemExit), export.output


def _bundle(url: str) -> Path:
    path = Path(url.removeprefix("sqlite:///")).with_name("bundle.json")
    assert cli(url, "audit", "export", str(path)).exit_code == 0
    return path


def _set(*keys: Any, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


BUNDLE_EDITS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("NaN time", _set("events", 3, "at", value=math.nan)),
    ("null prev_hash", _set("events", 4, "prev_hash", value=None)),
    ("list hash", _set("events", 2, "hash", value=[1, 2])),
    ("text seq", _set("events", 2, "seq", value="3")),
    ("float seq", _set("events", 2, "seq", value=3.0)),
    ("garbage date", _set("rows", "evidence", 0, "period_start", value="garbage")),
    ("text score", _set("rows", "assessment", 0, "scores", 0, "suggested", value="5")),
    ("score object", _set("rows", "assessment", 0, "scores", 0, value={"x": 1})),
    ("list key", _set("rows", "evidence", 0, "row", value=[1])),
    ("infinite count", _set("rows", "assessment", 0, "scores", 0, "evidence_count", value=math.inf)),
    ("head seq float", _set("head", "seq", value=1.5)),
    ("event not an object", _set("events", 1, value=[])),
    ("deep nesting", _set("events", 1, "details", value=json.loads("[" * 50 + "]" * 50))),
    ("huge number", _set("events", 1, "seq", value=10**400)),
]


@pytest.mark.parametrize("change", [pytest.param(c, id=n) for n, c in BUNDLE_EDITS])
def test_verify_bundle_on_malformed_values(filled: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = _bundle(filled)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    result = cli(filled, "audit", "verify", "--bundle", str(path))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.output.startswith("error: "), result.output


# --- anchors -------------------------------------------------------------------------------------------------


def _rewrite_tail(url: str) -> None:
    """Edit event 12 and re-hash it and the head with pxrules' own hashing: the chain alone still verifies."""
    tamper(url, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 12")
    names = ["seq", "at", "actor", "action", "org", "subject", "refs", "details", "content_hash", "prev_hash"]
    event = dict(zip(names, query(url, f"SELECT {', '.join(names)} FROM audit_event WHERE seq = 12")[0], strict=True))
    with unit_of_work(url) as session:
        event["at"] = next(e.at for e in list_events(session) if e.seq == 12)
    digest = event_hash(event)
    tamper(url, f"UPDATE audit_event SET hash = '{digest}' WHERE seq = 12", f"UPDATE audit_head SET hash = '{digest}'")


def test_an_anchor_catches_a_store_rewritten_whole(filled: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    anchors = tmp_path / "shared" / "anchors.txt"
    anchors.parent.mkdir()
    first = cli(filled, "audit", "anchor", str(anchors))
    assert first.exit_code == 0, first.output
    assert cli(filled, "audit", "anchor", str(anchors)).exit_code == 0  # appended, not replaced
    assert len(anchors.read_text(encoding="utf-8").splitlines()) == 2
    ok = cli(filled, "audit", "verify", "--anchor", str(anchors))
    assert ok.exit_code == 0 and "2 anchor(s)" in ok.output, ok.output
    _rewrite_tail(filled)
    assert verify_json(filled)[0] == 0, "the chain alone cannot see a rewrite"
    code, report = verify_json(filled, "--anchor", str(anchors))
    assert code == 1 and f"anchor {anchors}:1" in report["problems"][0]["message"], report
    assert "no longer matches" in report["problems"][0]["message"]
    monkeypatch.setenv("PXRULES_ANCHORS", str(anchors))
    by_default = cli(filled, "audit", "verify")
    assert by_default.exit_code == 1 and "anchors.txt:1" in by_default.output, by_default.output


def test_a_truncated_store_fails_its_anchor(filled: str, tmp_path: Path) -> None:
    anchors = tmp_path / "a.txt"
    assert cli(filled, "audit", "anchor", str(anchors)).exit_code == 0
    tamper(filled, "DELETE FROM audit_event WHERE seq = 12", "UPDATE audit_head SET seq = 11, hash = "
           "(SELECT hash FROM audit_event WHERE seq = 11)")
    code, report = verify_json(filled, "--anchor", str(anchors))
    assert code == 1 and any("no event 12" in p["message"] for p in report["problems"]), report


def test_anchor_files_are_checked_like_any_input(filled: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not an anchor\n", encoding="utf-8")
    code, report = verify_json(filled, "--anchor", str(bad))
    assert code == 1 and "bad.txt:1 is not an anchor line" in report["problems"][0]["message"]
    missing = cli(filled, "audit", "verify", "--anchor", str(tmp_path / "none.txt"))
    assert missing.exit_code == 1 and "no such file" in missing.output
    store = cli(filled, "audit", "anchor", filled.removeprefix("sqlite:///"))
    assert store.exit_code == 1 and "it is the store" in store.output
    assert verify_store(filled).ok


def test_a_broken_store_is_not_anchored(filled: str, tmp_path: Path) -> None:
    tamper(filled, "UPDATE organisation SET name = 'x' WHERE code = 'RX2'")
    result = cli(filled, "audit", "anchor", str(tmp_path / "a.txt"))
    assert result.exit_code == 1 and not (tmp_path / "a.txt").exists()


def test_every_report_prints_the_chain_head(filled: str, tmp_path: Path) -> None:
    assert cli(filled, "assess", "--org", "RX1", "--as-of", "2025-07-01").exit_code == 0
    head = verify_store(filled).head_hash
    for fmt in ("html", "md", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        assert cli(filled, "report", "--org", "RX1", "--format", fmt, "-o", str(out)).exit_code == 0
        if fmt == "xlsx":
            from openpyxl import load_workbook

            text = " ".join(str(c.value) for row in load_workbook(out)["Summary"].iter_rows() for c in row)
        else:
            text = out.read_text(encoding="utf-8")
        assert head in text, fmt
